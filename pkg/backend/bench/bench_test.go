package bench

import (
	"bytes"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"runtime"
	"strings"
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
	err := RunBenchmarks(&out, BenchOptions{Threads: 2, Duration: 50 * time.Millisecond, TorchSteps: torchWarmUps + 1})
	if err != nil {
		t.Fatal(err)
	}
	text := out.String()
	for _, want := range []string{"train/control", "train/ws", "train/as", "inference/batch=1000", "images/s", "conv2 kernel gradient", "GFLOP/s"} {
		if !strings.Contains(text, want) {
			t.Errorf("output lacks %q:\n%s", want, text)
		}
	}
	if !strings.Contains(text, "Go / PyTorch") && !strings.Contains(text, "PyTorch reference not run") {
		t.Errorf("output says nothing of the PyTorch reference:\n%s", text)
	}
	t.Log("\n" + text)
}

func TestParseTorch(t *testing.T) {
	r, err := parseTorch("torch=1.13.0a0 threads=2\nmode=control median_ms=18.500\nmode=ws median_ms=19.25\n")
	if err != nil {
		t.Fatal(err)
	}
	if r.version != "1.13.0a0" || r.medianMS["control"] != 18.5 || r.medianMS["ws"] != 19.25 || len(r.medianMS) != 2 {
		t.Fatalf("parsed %+v", r)
	}
	for _, bad := range []string{"", "mode=control median_ms=fast"} {
		if _, err := parseTorch(bad); err == nil {
			t.Errorf("parseTorch(%q) accepted", bad)
		}
	}
}

func TestMissingPythonIsReported(t *testing.T) {
	_, err := runTorch("/nonexistent/python3", 1, 12)
	if err == nil || !strings.Contains(err.Error(), "python3-torch") {
		t.Fatalf("error %v does not say how to install PyTorch", err)
	}
}

func ExampleRunBenchmarks() {
	// Prints the tables to standard output; the PyTorch reference runs where
	// /usr/bin/python3 imports torch.
	if err := RunBenchmarks(os.Stdout, BenchOptions{Duration: time.Second}); err != nil {
		fmt.Println(err)
	}
}
