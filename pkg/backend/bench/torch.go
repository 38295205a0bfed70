package bench

import (
	"bytes"
	_ "embed"
	"fmt"
	"os/exec"
	"strconv"
	"strings"
)

// torchReference is the PyTorch script that times the same training step.
//
//go:embed torch_reference.py
var torchReference string

// torchWarmUps is the number of first steps the script leaves out of its median.
const torchWarmUps = 10

// torchResult holds the script's output.
type torchResult struct {
	version  string
	medianMS map[string]float64 // by mode
}

// runTorch runs the PyTorch reference with python, after checking that it imports torch.
func runTorch(python string, threads, steps int) (*torchResult, error) {
	if err := exec.Command(python, "-c", "import torch").Run(); err != nil {
		return nil, fmt.Errorf("%s cannot import torch (%v); on Debian, apt-get install python3-torch", python, err)
	}
	cmd := exec.Command(python, "-", strconv.Itoa(threads), strconv.Itoa(max(steps, torchWarmUps+1)))
	cmd.Stdin = strings.NewReader(torchReference)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return nil, fmt.Errorf("running the PyTorch reference with %s: %v: %s", python, err, strings.TrimSpace(stderr.String()))
	}
	return parseTorch(stdout.String())
}

// parseTorch reads the lines "torch=VERSION threads=N" and "mode=NAME median_ms=X".
func parseTorch(output string) (*torchResult, error) {
	r := &torchResult{medianMS: make(map[string]float64)}
	for line := range strings.SplitSeq(strings.TrimSpace(output), "\n") {
		fields := make(map[string]string)
		for field := range strings.FieldsSeq(line) {
			key, value, _ := strings.Cut(field, "=")
			fields[key] = value
		}
		if v, ok := fields["torch"]; ok {
			r.version = v
		}
		if mode, ok := fields["mode"]; ok {
			ms, err := strconv.ParseFloat(fields["median_ms"], 64)
			if err != nil {
				return nil, fmt.Errorf("PyTorch reference printed %q: %v", line, err)
			}
			r.medianMS[mode] = ms
		}
	}
	if len(r.medianMS) == 0 {
		return nil, fmt.Errorf("PyTorch reference printed no timings: %q", output)
	}
	return r, nil
}
