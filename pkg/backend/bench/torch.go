package bench

import (
	"bufio"
	"bytes"
	"context"
	_ "embed"
	"errors"
	"fmt"
	"io"
	"math"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"time"
)

// torchReference is the PyTorch script that times the same training step.
//
//go:embed torch_reference.py
var torchReference string

// Time limits for the PyTorch reference. Importing torch takes a few seconds and a step well
// under a second, so a reference that exceeds them has hung. Tests shorten them.
var (
	torchImportTimeout = 2 * time.Minute
	torchStepTimeout   = 10 * time.Second // per requested step, on top of torchImportTimeout
)

// errTorchUnavailable marks an interpreter that runs but cannot import torch.
var errTorchUnavailable = errors.New("cannot import torch")

// torchServer is the PyTorch reference running in --serve mode: it trains one model per mode
// and returns the step times for each request.
type torchServer struct {
	version string
	cmd     *exec.Cmd
	stdin   io.WriteCloser
	lines   chan string   // the lines the script prints, closed when its output ends
	quit    chan struct{} // closed by close, so that the line reader stops
	stderr  lockedBuffer
}

// lockedBuffer is a bytes.Buffer that the process's stderr copier and the reader of error
// messages share.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return strings.TrimSpace(b.buf.String())
}

// checkTorch runs python -c "import torch" and returns nil if it succeeds, an error wrapping
// errTorchUnavailable if python runs but cannot import torch, and another error if python
// cannot run at all.
func checkTorch(ctx context.Context, python string) error {
	ctx, cancel := context.WithTimeout(ctx, torchImportTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, python, "-c", "import torch")
	killGroupOnCancel(cmd)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	err := cmd.Run()
	var exit *exec.ExitError
	switch {
	case err == nil:
		return nil
	case ctx.Err() != nil:
		return fmt.Errorf("%s -c \"import torch\" did not finish within %s: %w", python, torchImportTimeout, ctx.Err())
	case errors.As(err, &exit):
		return fmt.Errorf("%s %w (%v); on Debian, apt-get install python3-torch", python, errTorchUnavailable, err)
	default:
		return fmt.Errorf("cannot run %s: %w; pass an interpreter that imports torch with --python", python, err)
	}
}

// startTorch starts the PyTorch reference with python and threads threads, after checking that
// python imports torch. Cancelling ctx stops the script and, on Unix, every process it started.
func startTorch(ctx context.Context, python string, threads int) (*torchServer, error) {
	if err := checkTorch(ctx, python); err != nil {
		return nil, err
	}
	s := &torchServer{cmd: exec.CommandContext(ctx, python, "-c", torchReference, strconv.Itoa(threads), "--serve")}
	killGroupOnCancel(s.cmd)
	s.cmd.WaitDelay = 2 * time.Second // a child left holding the pipes does not block Wait
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
	s.lines, s.quit = make(chan string), make(chan struct{})
	go func() {
		defer close(s.lines)
		scanner := bufio.NewScanner(stdout)
		scanner.Buffer(make([]byte, 64<<10), 16<<20)
		for scanner.Scan() {
			select {
			case s.lines <- scanner.Text():
			case <-s.quit:
				return
			}
		}
	}()

	line, err := s.readLine(ctx, torchImportTimeout)
	if err != nil {
		s.close()
		return nil, err
	}
	fields := strings.Fields(line)
	version, ok := "", false
	if len(fields) > 0 {
		version, ok = strings.CutPrefix(fields[0], "torch=")
	}
	if !ok {
		s.close()
		return nil, fmt.Errorf("PyTorch reference printed %q, not its version", line)
	}
	s.version = version
	return s, nil
}

// readLine returns the next line the script prints. It fails when ctx is cancelled, when no
// line comes within timeout, or when the script's output ends, with what it wrote to stderr.
func (s *torchServer) readLine(ctx context.Context, timeout time.Duration) (string, error) {
	timer := time.NewTimer(timeout)
	defer timer.Stop()
	select {
	case line, ok := <-s.lines:
		if ok {
			return line, nil
		}
		return "", s.stopped()
	case <-ctx.Done():
		return "", ctx.Err()
	case <-timer.C:
		return "", fmt.Errorf("PyTorch reference printed nothing for %s; stopping it as hung", timeout)
	}
}

// stopped waits for the script after its output ended and describes how it ended.
func (s *torchServer) stopped() error {
	s.stdin.Close()
	err := s.cmd.Wait()
	msg := "PyTorch reference stopped before responding"
	if err != nil {
		msg = fmt.Sprintf("PyTorch reference stopped (%v)", err)
	}
	if text := s.stderr.String(); text != "" {
		msg += ": " + text
	}
	return errors.New(msg)
}

// steps runs n training steps of mode and returns their times in milliseconds.
func (s *torchServer) steps(ctx context.Context, mode Mode, n int) ([]float64, error) {
	if _, err := fmt.Fprintf(s.stdin, "%s %d\n", mode, n); err != nil {
		return nil, fmt.Errorf("PyTorch reference: %w", err)
	}
	line, err := s.readLine(ctx, torchImportTimeout+time.Duration(n)*torchStepTimeout)
	if err != nil {
		return nil, err
	}
	return parseStepTimes(line, mode, n)
}

// parseStepTimes reads the response "mode=NAME ms=T1,T2,..." to a request for n steps of mode.
// Each time must be a positive, finite number of milliseconds.
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
		if !(ms > 0) || math.IsInf(ms, 0) {
			return nil, fmt.Errorf("PyTorch reference printed the step time %q in %q; a step time is a positive number of milliseconds", v, line)
		}
		times = append(times, ms)
	}
	if len(times) != n {
		return nil, fmt.Errorf("PyTorch reference printed %d step times for %d steps: %q", len(times), n, line)
	}
	return times, nil
}

// close ends the script, stopping it and its children if it does not exit on its own.
func (s *torchServer) close() {
	close(s.quit)
	s.stdin.Close()
	done := make(chan struct{})
	go func() {
		s.cmd.Wait()
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(2 * time.Second):
		if s.cmd.Cancel != nil {
			s.cmd.Cancel()
		}
		<-done
	}
}
