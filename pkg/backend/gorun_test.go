package backend

import (
	"os"
	"os/exec"
	"testing"
)

// runGo runs the go command in this package's directory.
func runGo(t *testing.T, args ...string) error {
	t.Helper()
	cmd := exec.Command("go", args...)
	cmd.Stdout = os.Stdout
	cmd.Stderr = os.Stderr
	return cmd.Run()
}
