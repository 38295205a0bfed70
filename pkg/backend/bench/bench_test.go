package bench

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/topocnn/topocnn/pkg/backend"
)

func BenchmarkTrainStep(b *testing.B) {
	be, err := backend.New()
	if err != nil {
		b.Fatal(err)
	}
	for _, mode := range Modes {
		b.Run(string(mode), func(b *testing.B) {
			step, err := newTrainingStep(be, mode)
			if err != nil {
				b.Fatal(err)
			}
			for range warmUps {
				if _, err := step.run(); err != nil {
					b.Fatal(err)
				}
			}
			for b.Loop() {
				if _, err := step.run(); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(BatchSize*b.N)/b.Elapsed().Seconds(), "images/s")
		})
	}
}

// BenchmarkInference measures the analysis path: forward passes over batches of 1000 images.
func BenchmarkInference(b *testing.B) {
	be, err := backend.New()
	if err != nil {
		b.Fatal(err)
	}
	inf, err := newInference(be, inferenceBatch)
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if err := inf.run(); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(inferenceBatch*b.N)/b.Elapsed().Seconds(), "images/s")
}

// BenchmarkConvolutions gives the GFLOP/s of the convolution kernels (im2col and the matrix
// kernel) on each convolution of a training step of the reference network.
func BenchmarkConvolutions(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 2))
	for _, c := range NetworkConvolutions {
		b.Run(strings.ReplaceAll(c.Name, " ", "_"), func(b *testing.B) {
			var gflops float64
			for b.Loop() {
				_, gflops = TimeConvolution(rng, c, runtime.GOMAXPROCS(0), 0)
			}
			b.ReportMetric(gflops, "GFLOP/s")
		})
	}
}

func TestTrainingStepLowersLoss(t *testing.T) {
	const steps = 5
	be, err := backend.New()
	if err != nil {
		t.Fatal(err)
	}
	for _, mode := range Modes {
		t.Run(string(mode), func(t *testing.T) {
			step, err := newTrainingStep(be, mode)
			if err != nil {
				t.Fatal(err)
			}
			var first, last float32
			for i := range steps {
				loss, err := step.run()
				if err != nil {
					t.Fatal(err)
				}
				if math.IsNaN(float64(loss)) || math.IsInf(float64(loss), 0) {
					t.Fatalf("step %d: loss %g", i, loss)
				}
				if i == 0 {
					first = loss
				}
				last = loss
			}
			if !(last < first) {
				t.Fatalf("loss went from %g to %g in %d steps on one batch", first, last, steps)
			}
		})
	}
}

func TestRunBenchmarksPrintsTables(t *testing.T) {
	if testing.Short() {
		t.Skip("runs every benchmark")
	}
	var out bytes.Buffer
	err := RunBenchmarks(context.Background(), &out, BenchOptions{Threads: 2, Duration: 50 * time.Millisecond, Rounds: 2, RoundSteps: 2})
	if err != nil {
		t.Fatal(err)
	}
	text := out.String()
	for _, want := range []string{"train/control", "train/ws", "train/as", "inference/batch=1000", "images/s", "conv2 kernel gradient", "GFLOP/s"} {
		if !strings.Contains(text, want) {
			t.Errorf("output lacks %q:\n%s", want, text)
		}
	}
	if exec.Command(defaultPython, "-c", "import torch").Run() == nil {
		if !strings.Contains(text, "side by side, 2 threads: 2 rounds of 2 steps per mode") || !strings.Contains(text, "Go / PyTorch") {
			t.Errorf("PyTorch is installed, but the output lacks the comparison:\n%s", text)
		}
	} else if !strings.Contains(text, "PyTorch reference not run") {
		t.Errorf("output does not say why the PyTorch reference did not run:\n%s", text)
	}
	t.Log("\n" + text)
}

func TestParseStepTimes(t *testing.T) {
	times, err := parseStepTimes("mode=ws ms=18.500,19.25", WS, 2)
	if err != nil {
		t.Fatal(err)
	}
	if len(times) != 2 || times[0] != 18.5 || times[1] != 19.25 {
		t.Fatalf("parsed %v", times)
	}
	for _, bad := range []string{"", "mode=as ms=18.5,19.25", "mode=ws ms=18.5", "mode=ws ms=18.5,fast", "mode=ws"} {
		if _, err := parseStepTimes(bad, WS, 2); err == nil {
			t.Errorf("parseStepTimes(%q) accepted", bad)
		}
	}
}

func TestMedian(t *testing.T) {
	for _, c := range []struct {
		x    []float64
		want float64
	}{{[]float64{3}, 3}, {[]float64{5, 1, 3}, 3}, {[]float64{4, 1, 3, 2}, 2.5}} {
		if got := median(c.x); got != c.want {
			t.Errorf("median(%v) = %g, want %g", c.x, got, c.want)
		}
	}
}

func TestMissingPythonIsReported(t *testing.T) {
	_, err := startTorch(context.Background(), "/nonexistent/python3", 1)
	if err == nil || !strings.Contains(err.Error(), "cannot run /nonexistent/python3") || errors.Is(err, errTorchUnavailable) {
		t.Fatalf("error %v does not say the interpreter cannot run", err)
	}
	_, err = startTorch(context.Background(), "/bin/false", 1)
	if !errors.Is(err, errTorchUnavailable) || !strings.Contains(err.Error(), "python3-torch") {
		t.Fatalf("error %v does not say how to install PyTorch", err)
	}
}

// fakePython writes a stand-in for the Python interpreter that imports torch and serves step
// times of 1000 ms, and returns its path. With failAfter > 0 it exits after that many responses.
func fakePython(t *testing.T, failAfter int) string {
	t.Helper()
	path := t.TempDir() + "/python3"
	script := `#!/bin/sh
[ "$2" = "import torch" ] && exit 0
[ "$4" = "--serve" ] || { echo "usage" >&2; exit 2; }
echo "torch=0.0-fake threads=$3"
answered=0
while read mode n; do
	[ ` + fmt.Sprint(failAfter) + ` -gt 0 ] && [ $answered -ge ` + fmt.Sprint(failAfter) + ` ] && { echo "fake PyTorch crashed" >&2; exit 1; }
	times=1000; i=1
	while [ $i -lt $n ]; do times="$times,1000"; i=$((i+1)); done
	echo "mode=$mode ms=$times"
	answered=$((answered+1))
done
`
	if err := os.WriteFile(path, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestSideBySideAlternatesWithPyTorch(t *testing.T) {
	be, err := backend.New()
	if err != nil {
		t.Fatal(err)
	}
	steps := make([]*trainingStep, len(Modes))
	for i, mode := range Modes {
		if steps[i], err = newTrainingStep(be, mode); err != nil {
			t.Fatal(err)
		}
	}
	torch, err := startTorch(context.Background(), fakePython(t, 0), 2)
	if err != nil {
		t.Fatal(err)
	}
	defer torch.close()
	var out bytes.Buffer
	if err := sideBySide(context.Background(), &out, torch, steps, BenchOptions{Threads: 2, Rounds: 2, RoundSteps: 3}); err != nil {
		t.Fatal(err)
	}
	text := out.String()
	if !strings.Contains(text, "PyTorch 0.0-fake side by side, 2 threads: 2 rounds of 3 steps per mode") {
		t.Errorf("heading missing:\n%s", text)
	}
	// A Go step takes well under the fake's 1000 ms, so every ratio is below 1.
	for _, mode := range Modes {
		var goMS, torchMS, ratio, lowest, highest float64
		var name string
		found := false
		for line := range strings.SplitSeq(text, "\n") {
			if f := strings.Fields(line); len(f) == 5 && f[0] == string(mode) {
				fmt.Sscanf(strings.Replace(line, "–", " ", 1), "%s %g %g %g %g %g", &name, &goMS, &torchMS, &ratio, &lowest, &highest)
				found = true
			}
		}
		if !found {
			t.Fatalf("no row for %s:\n%s", mode, text)
		}
		if torchMS != 1000 || !(goMS > 0 && goMS < 1000) || math.Abs(ratio-goMS/torchMS) > 0.01 || !(lowest <= ratio+0.01 && ratio <= highest+0.01) {
			t.Errorf("row for %s reads Go %g ms, PyTorch %g ms, ratio %g (%g–%g)", mode, goMS, torchMS, ratio, lowest, highest)
		}
	}

	crashing, err := startTorch(context.Background(), fakePython(t, 1), 2)
	if err != nil {
		t.Fatal(err)
	}
	defer crashing.close()
	err = sideBySide(context.Background(), &bytes.Buffer{}, crashing, steps, BenchOptions{Threads: 2, Rounds: 1, RoundSteps: 1})
	if err == nil || !strings.Contains(err.Error(), "fake PyTorch crashed") {
		t.Fatalf("a crashed reference gave error %v, want its stderr", err)
	}
}

func ExampleRunBenchmarks() {
	// Prints the tables to standard output; the PyTorch reference runs where
	// /usr/bin/python3 imports torch.
	if err := RunBenchmarks(context.Background(), os.Stdout, BenchOptions{Duration: time.Second}); err != nil {
		fmt.Println(err)
	}
}

// writeScript writes an executable shell script and returns its path.
func writeScript(t *testing.T, body string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "python3")
	if err := os.WriteFile(path, []byte("#!/bin/sh\n"+body), 0o755); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestTorchEmptyVersionLine(t *testing.T) {
	python := writeScript(t, `[ "$2" = "import torch" ] && exit 0
echo
sleep 1
`)
	_, err := startTorch(context.Background(), python, 1)
	if err == nil || !strings.Contains(err.Error(), "not its version") {
		t.Fatalf("an empty first line gave error %v", err)
	}
}

func TestParseStepTimesRejectsNonPositive(t *testing.T) {
	for _, bad := range []string{"0", "-1.5", "NaN", "Inf", "+Inf"} {
		if _, err := parseStepTimes("mode=as ms=2,"+bad, AS, 2); err == nil {
			t.Errorf("step time %s accepted", bad)
		}
	}
}

// TestHungTorchTimesOutAndIsKilled runs a reference that prints its version and then hangs,
// with a child process of its own: the request times out and closing kills both.
func TestHungTorchTimesOutAndIsKilled(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("uses a shell script")
	}
	saved, savedStep := torchImportTimeout, torchStepTimeout
	torchImportTimeout, torchStepTimeout = 2*time.Second, 0
	defer func() { torchImportTimeout, torchStepTimeout = saved, savedStep }()

	pidFile := filepath.Join(t.TempDir(), "child.pid")
	python := writeScript(t, `[ "$2" = "import torch" ] && exit 0
echo "torch=0.0-hung threads=$3"
sleep 300 &
echo $! > `+pidFile+`
wait
`)
	torch, err := startTorch(context.Background(), python, 1)
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	_, err = torch.steps(context.Background(), Control, 1)
	if err == nil || !strings.Contains(err.Error(), "printed nothing") {
		t.Fatalf("a hung reference gave error %v", err)
	}
	if waited := time.Since(start); waited > 10*time.Second {
		t.Errorf("the request took %s to time out, want about 2 s", waited)
	}
	torch.close()

	data, err := os.ReadFile(pidFile)
	if err != nil {
		t.Fatal(err)
	}
	pid, err := strconv.Atoi(strings.TrimSpace(string(data)))
	if err != nil {
		t.Fatal(err)
	}
	// SIGKILL takes effect when the child next runs, so allow it a moment. A killed child not
	// yet reaped by its parent is a zombie (state Z), which counts as stopped.
	alive := func() (bool, string) {
		if stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid)); err == nil {
			fields := strings.Fields(string(stat))
			return len(fields) > 2 && fields[2] != "Z", fields[2]
		}
		return runtime.GOOS != "linux" && syscall.Kill(pid, 0) == nil, "running"
	}
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if running, _ := alive(); !running {
			return
		}
	}
	if running, state := alive(); running {
		syscall.Kill(pid, syscall.SIGKILL)
		t.Errorf("the reference's child %d outlived close by 5 s (state %s)", pid, state)
	}
}

func TestCancelStopsTorchRequest(t *testing.T) {
	python := writeScript(t, `[ "$2" = "import torch" ] && exit 0
echo "torch=0.0-slow threads=$3"
sleep 300
`)
	torch, err := startTorch(context.Background(), python, 1)
	if err != nil {
		t.Fatal(err)
	}
	defer torch.close()
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	if _, err := torch.steps(ctx, WS, 3); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("a cancelled request gave error %v", err)
	}
}

func TestExplicitPythonFailureIsAnError(t *testing.T) {
	if testing.Short() {
		t.Skip("runs every benchmark")
	}
	err := RunBenchmarks(context.Background(), io.Discard, BenchOptions{Threads: 1, Duration: 10 * time.Millisecond, Python: "/nonexistent/python3"})
	if err == nil || !strings.Contains(err.Error(), "cannot run /nonexistent/python3") {
		t.Fatalf("an explicit interpreter that cannot run gave error %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := RunBenchmarks(ctx, io.Discard, BenchOptions{Threads: 1, Duration: 10 * time.Millisecond}); !errors.Is(err, context.Canceled) {
		t.Fatalf("a cancelled run gave error %v", err)
	}
}
