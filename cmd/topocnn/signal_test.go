package main

import (
	"bufio"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"testing"
)

// TestMain runs main itself when a test starts this binary with TOPOCNN_TEST_ARGS set, so that
// a test can signal a real topocnn process.
func TestMain(m *testing.M) {
	if args, ok := os.LookupEnv("TOPOCNN_TEST_ARGS"); ok {
		os.Args = append([]string{"topocnn"}, strings.Fields(args)...)
		main()
		return
	}
	os.Exit(m.Run())
}

func TestSignalsStopTrainingWithShellStatuses(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("sends Unix signals")
	}
	data := writeSmallMNIST(t, 6400, 10)
	for _, c := range []struct {
		signal syscall.Signal
		want   int
	}{{syscall.SIGINT, exitInterrupted}, {syscall.SIGTERM, exitTerminated}} {
		t.Run(c.signal.String(), func(t *testing.T) {
			out := filepath.Join(t.TempDir(), "run")
			cmd := exec.Command(os.Args[0])
			cmd.Env = append(os.Environ(), "TOPOCNN_TEST_ARGS=train --data-dir "+data+" --epochs 20 --out "+out)
			stderr, err := cmd.StderrPipe()
			if err != nil {
				t.Fatal(err)
			}
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			// Signal once training has started, then read the rest of what it prints.
			lines := bufio.NewScanner(stderr)
			var printed strings.Builder
			for lines.Scan() {
				printed.WriteString(lines.Text() + "\n")
				if strings.Contains(lines.Text(), "msg=training") {
					if err := cmd.Process.Signal(c.signal); err != nil {
						t.Fatal(err)
					}
					break
				}
			}
			for lines.Scan() {
				printed.WriteString(lines.Text() + "\n")
			}
			err = cmd.Wait()
			if code := cmd.ProcessState.ExitCode(); code != c.want {
				t.Fatalf("exit %d (%v), want %d; stderr:\n%s", code, err, c.want, printed.String())
			}
			if !strings.Contains(printed.String(), "--resume") {
				t.Errorf("stderr does not say how to resume:\n%s", printed.String())
			}
		})
	}
}
