//go:build tools

// Package tools pins modules that only the notebooks import, so that go.mod keeps them at the
// versions the notebooks are tested with.
package tools

import (
	_ "github.com/janpfeifer/gonb/gonbui"
)
