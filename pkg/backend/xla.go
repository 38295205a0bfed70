//go:build xla

package backend

// Builds with the xla tag (and cgo) link GoMLX's XLA backend, so that GOMLX_BACKEND=xla selects
// it where its PJRT plugin is installed.
import _ "github.com/gomlx/gomlx/backends/xla"
