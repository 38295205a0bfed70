package bench

import (
	"bufio"
	"bytes"
	_ "embed"
	"fmt"
	"io"
	"os/exec"
	"strconv"
	"strings"
)

// torchReference is the PyTorch script that times the same training step.
//
//go:embed torch_reference.py
var torchReference string

// torchServer is the PyTorch reference running in --serve mode: it trains one model per mode
// and returns the step times for each request.
type torchServer struct {
	version string
	cmd     *exec.Cmd
	stdin   io.WriteCloser
	stdout  *bufio.Scanner
	stderr  bytes.Buffer
}

// startTorch starts the PyTorch reference with python and threads threads, after checking that
// python imports torch.
func startTorch(python string, threads int) (*torchServer, error) {
	if err := exec.Command(python, "-c", "import torch").Run(); err != nil {
		return nil, fmt.Errorf("%s cannot import torch (%v); on Debian, apt-get install python3-torch", python, err)
	}
	s := &torchServer{cmd: exec.Command(python, "-c", torchReference, strconv.Itoa(threads), "--serve")}
	s.cmd.Stderr = &s.stderr
	var err error
	if s.stdin, err = s.cmd.StdinPipe(); err != nil {
		return nil, err
	}
	stdout, err := s.cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := s.cmd.Start(); err != nil {
		return nil, fmt.Errorf("starting the PyTorch reference with %s: %w", python, err)
	}
	s.stdout = bufio.NewScanner(stdout)
	s.stdout.Buffer(make([]byte, 64<<10), 16<<20)
	line, err := s.readLine()
	if err != nil {
		s.close()
		return nil, err
	}
	version, ok := strings.CutPrefix(strings.Fields(line)[0], "torch=")
	if !ok {
		s.close()
		return nil, fmt.Errorf("PyTorch reference printed %q, not its version", line)
	}
	s.version = version
	return s, nil
}

// readLine returns the next line the script prints, or an error with what it wrote to stderr.
func (s *torchServer) readLine() (string, error) {
	if s.stdout.Scan() {
		return s.stdout.Text(), nil
	}
	err := s.stdout.Err()
	if err == nil {
		err = io.ErrUnexpectedEOF
	}
	return "", fmt.Errorf("PyTorch reference stopped: %v: %s", err, strings.TrimSpace(s.stderr.String()))
}

// steps runs n training steps of mode and returns their times in milliseconds.
func (s *torchServer) steps(mode Mode, n int) ([]float64, error) {
	if _, err := fmt.Fprintf(s.stdin, "%s %d\n", mode, n); err != nil {
		return nil, fmt.Errorf("PyTorch reference: %w", err)
	}
	line, err := s.readLine()
	if err != nil {
		return nil, err
	}
	return parseStepTimes(line, mode, n)
}

// parseStepTimes reads the response "mode=NAME ms=T1,T2,..." to a request for n steps of mode.
func parseStepTimes(line string, mode Mode, n int) ([]float64, error) {
	fields := make(map[string]string)
	for field := range strings.FieldsSeq(line) {
		key, value, _ := strings.Cut(field, "=")
		fields[key] = value
	}
	if fields["mode"] != string(mode) {
		return nil, fmt.Errorf("PyTorch reference responded %q to a request for mode %s", line, mode)
	}
	var times []float64
	for v := range strings.SplitSeq(fields["ms"], ",") {
		ms, err := strconv.ParseFloat(v, 64)
		if err != nil {
			return nil, fmt.Errorf("PyTorch reference printed %q: %v", line, err)
		}
		times = append(times, ms)
	}
	if len(times) != n {
		return nil, fmt.Errorf("PyTorch reference printed %d step times for %d steps: %q", len(times), n, line)
	}
	return times, nil
}

// close ends the script and waits for it.
func (s *torchServer) close() {
	s.stdin.Close()
	s.cmd.Wait()
}
