//go:build !unix

package bench

import "os/exec"

// killGroupOnCancel keeps exec's default cancellation, which kills the command itself.
func killGroupOnCancel(cmd *exec.Cmd) {}
