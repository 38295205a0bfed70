// Package bench measures topocnn's CPU backend on the reference MNIST network. It times one
// training step at batch 64 (control, WS and AS), the analysis path's inference throughput
// and the matrix kernel's GFLOP/s on the network's matrix shapes. Where Debian's
// python3-torch is installed, it compares the training step with the same network in PyTorch.
//
// RunBenchmarks prints the tables for the command line (topocnn bench); BenchmarkTrainStep
// and the other Benchmark functions give the same measurements under go test -bench.
package bench

import (
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"runtime"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	benchmarks "github.com/janpfeifer/go-benchmarks"

	"github.com/topocnn/topocnn/pkg/backend"
	"github.com/topocnn/topocnn/pkg/backend/kernels"
)

// BenchOptions configures RunBenchmarks.
type BenchOptions struct {
	// Threads bounds the goroutines of the Go code (GOMAXPROCS and the kernels) and sets
	// PyTorch's thread count. Zero means GOMAXPROCS.
	Threads int

	// Duration is how long each benchmark runs, after its warm-up. Zero means 3 s.
	Duration time.Duration

	// Python is the interpreter that runs the PyTorch reference. Empty means /usr/bin/python3,
	// Debian's, where python3-torch installs PyTorch. SkipTorch leaves the reference out.
	Python    string
	SkipTorch bool

	// Rounds and RoundSteps shape the comparison with PyTorch: in each of Rounds rounds, Go
	// and then PyTorch run RoundSteps training steps of each mode, so that both meet the same
	// machine however its speed drifts. Zero means 6 rounds of 10 steps.
	Rounds, RoundSteps int
}

// Defaults of BenchOptions.
const (
	defaultDuration   = 3 * time.Second
	defaultPython     = "/usr/bin/python3"
	defaultRounds     = 6
	defaultRoundSteps = 10
	// torchWarmUps is the number of PyTorch steps per mode run before the first round and not
	// counted: its first steps allocate and are several times slower.
	torchWarmUps = 10
	// inferenceBatch is the batch of the analysis path's forward passes.
	inferenceBatch = 1000
	warmUps        = 3
)

func (o BenchOptions) withDefaults() BenchOptions {
	if o.Threads <= 0 {
		o.Threads = runtime.GOMAXPROCS(0)
	}
	if o.Duration <= 0 {
		o.Duration = defaultDuration
	}
	if o.Python == "" {
		o.Python = defaultPython
	}
	if o.Rounds <= 0 {
		o.Rounds = defaultRounds
	}
	if o.RoundSteps <= 0 {
		o.RoundSteps = defaultRoundSteps
	}
	return o
}

// RunBenchmarks measures the backend and prints three tables to w. The first gives training
// step and inference times (mean, median and 5th/99th percentiles), measured by
// github.com/janpfeifer/go-benchmarks. The second gives the GFLOP/s of the convolution kernels
// (im2col and the matrix kernel) on each convolution of a training step. When the PyTorch
// reference runs, the third compares the training step with PyTorch's, side by side with the
// same threads (see sideBySide).
//
// Cancelling ctx stops the benchmarks and the PyTorch reference and returns ctx's error; a
// table of go-benchmarks already running finishes in the background.
func RunBenchmarks(ctx context.Context, w io.Writer, opts BenchOptions) error {
	explicitPython := opts.Python != ""
	opts = opts.withDefaults()
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(opts.Threads))

	be, err := backend.NewWithConfig(fmt.Sprintf("parallelism=%d", opts.Threads))
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "topocnn backend: %s\nmachine: %s, GOMAXPROCS=%d\n\n", be.Description(), machine(), opts.Threads)

	// Training steps and inference, timed by go-benchmarks.
	var fns []benchmarks.NamedFunction
	var stepErr error
	steps := make([]*trainingStep, len(Modes))
	for i, mode := range Modes {
		step, err := newTrainingStep(be, mode)
		if err != nil {
			return err
		}
		steps[i] = step
		for range warmUps {
			if err := ctx.Err(); err != nil {
				return err
			}
			if _, err := step.run(); err != nil {
				return fmt.Errorf("training step %s: %w", mode, err)
			}
		}
		fns = append(fns, benchmarks.NamedFunction{Name: "train/" + string(mode), Func: func() {
			if ctx.Err() != nil {
				return
			}
			if _, err := step.run(); err != nil && stepErr == nil {
				stepErr = err
			}
		}})
	}
	inference, err := newInference(be, inferenceBatch)
	if err != nil {
		return err
	}
	fns = append(fns, benchmarks.NamedFunction{Name: fmt.Sprintf("inference/batch=%d", inferenceBatch), Func: func() {
		if ctx.Err() != nil {
			return
		}
		if err := inference.run(); err != nil && stepErr == nil {
			stepErr = err
		}
	}})
	medians := make([]time.Duration, len(fns))
	tableDone := make(chan error, 1)
	go func() { tableDone <- printTable(w, fns, opts.Duration, medians) }()
	select {
	case err := <-tableDone:
		if err != nil {
			return err
		}
	case <-ctx.Done():
		return ctx.Err()
	}
	if stepErr != nil {
		return stepErr
	}
	fmt.Fprintf(w, "inference throughput: %.0f images/s\n\n", float64(inferenceBatch)/medians[len(medians)-1].Seconds())

	// GFLOP/s of the convolution kernels on the network's convolutions.
	if err := printConvolutions(ctx, w, opts); err != nil {
		return err
	}

	// The PyTorch reference, with the same threads, in turn with the Go steps. Without an
	// interpreter named in opts.Python, a machine without PyTorch only gets a note.
	if opts.SkipTorch {
		return nil
	}
	torch, err := startTorch(ctx, opts.Python, opts.Threads)
	switch {
	case err == nil:
	case ctx.Err() != nil:
		return ctx.Err()
	case !explicitPython:
		fmt.Fprintf(w, "PyTorch reference not run: %v\n", err)
		return nil
	default:
		return err
	}
	defer torch.close()
	return sideBySide(ctx, w, torch, steps, opts)
}

// sideBySide compares the training steps with PyTorch's. In each of opts.Rounds rounds and
// for each mode, Go runs opts.RoundSteps timed steps and then PyTorch does, so both meet the
// same machine even when other work slows it for a while. It prints, per mode, the median
// step time of each over all rounds, their ratio, and the lowest and highest ratio of the
// rounds' medians, which shows how far the machine's speed drifted.
func sideBySide(ctx context.Context, w io.Writer, torch *torchServer, steps []*trainingStep, opts BenchOptions) error {
	for _, mode := range Modes {
		if _, err := torch.steps(ctx, mode, torchWarmUps); err != nil {
			return err
		}
	}
	goTimes := make([][]float64, len(Modes))
	torchTimes := make([][]float64, len(Modes))
	roundRatios := make([][]float64, len(Modes))
	for range opts.Rounds {
		for i, mode := range Modes {
			if err := ctx.Err(); err != nil {
				return err
			}
			g, err := timeSteps(steps[i], opts.RoundSteps)
			if err != nil {
				return fmt.Errorf("training step %s: %w", mode, err)
			}
			t, err := torch.steps(ctx, mode, opts.RoundSteps)
			if err != nil {
				return err
			}
			goTimes[i] = append(goTimes[i], g...)
			torchTimes[i] = append(torchTimes[i], t...)
			roundRatios[i] = append(roundRatios[i], median(g)/median(t))
		}
	}

	fmt.Fprintf(w, "PyTorch %s side by side, %s: %d rounds of %d steps per mode, Go then PyTorch; medians over all steps:\n",
		torch.version, threadCount(opts.Threads), opts.Rounds, opts.RoundSteps)
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "mode\tGo ms/step\tPyTorch ms/step\tGo / PyTorch\trounds' ratios\t")
	for i, mode := range Modes {
		goMS, torchMS := median(goTimes[i]), median(torchTimes[i])
		fmt.Fprintf(tw, "%s\t%.1f\t%.1f\t%.2f\t%.2f–%.2f\t\n", mode, goMS, torchMS, goMS/torchMS,
			slices.Min(roundRatios[i]), slices.Max(roundRatios[i]))
	}
	return tw.Flush()
}

// timeSteps runs n training steps and returns the time of each in milliseconds.
func timeSteps(step *trainingStep, n int) ([]float64, error) {
	times := make([]float64, n)
	for i := range times {
		start := time.Now()
		if _, err := step.run(); err != nil {
			return nil, err
		}
		times[i] = float64(time.Since(start).Microseconds()) / 1000
	}
	return times, nil
}

// median returns the median of x, the mean of the middle two for an even length (gonum's
// stat.Quantile picks one of them).
func median(x []float64) float64 {
	s := slices.Sorted(slices.Values(x))
	n := len(s)
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}

// printTable runs fns with go-benchmarks, writing its table to w, and stores each function's
// median in medians.
//
// NOTE: go-benchmarks prints to os.Stdout; for another writer, os.Stdout is redirected to it
// while the table prints, which also captures what other goroutines print meanwhile.
func printTable(w io.Writer, fns []benchmarks.NamedFunction, duration time.Duration, medians []time.Duration) error {
	// go-benchmarks formats, per row, the mean, the median and each quantile in this order.
	quantiles := []int{5, 99}
	perRow := 2 + len(quantiles)
	var printed []time.Duration
	pretty := func(d time.Duration) string {
		printed = append(printed, d)
		return benchmarks.PrettyPrint(d)
	}
	run := func() {
		benchmarks.New(fns...).WithDuration(duration).WithQuantiles(quantiles...).WithWarmUps(0).
			WithPrettyPrintFn(pretty).WithColumnSize(12).Done()
	}
	if f, ok := w.(*os.File); ok && f == os.Stdout {
		run()
	} else {
		if err := captureStdout(w, run); err != nil {
			return err
		}
	}
	for i := range medians {
		if j := i*perRow + 1; j < len(printed) {
			medians[i] = printed[j]
		}
	}
	fmt.Fprintln(w)
	return nil
}

// captureStdout runs fn with os.Stdout redirected to w.
func captureStdout(w io.Writer, fn func()) error {
	r, pipe, err := os.Pipe()
	if err != nil {
		return err
	}
	saved := os.Stdout
	os.Stdout = pipe
	copied := make(chan error, 1)
	go func() {
		_, err := io.Copy(w, r)
		copied <- err
	}()
	fn()
	os.Stdout = saved
	pipe.Close()
	err = <-copied
	r.Close()
	return err
}

// printConvolutions prints the GFLOP/s of the convolution kernels on the convolutions of one
// training step. It stops between convolutions when ctx is cancelled.
func printConvolutions(ctx context.Context, w io.Writer, opts BenchOptions) error {
	fmt.Fprintf(w, "convolution kernels (im2col and matrix product, %s), %s, median GFLOP/s = 2·M·N·K / time:\n",
		kernels.Implementation(), threadCount(opts.Threads))
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "convolution\tM\tN\tK\tms\tGFLOP/s\t")
	rng := rand.New(rand.NewPCG(1, 2))
	for _, c := range NetworkConvolutions {
		if err := ctx.Err(); err != nil {
			return err
		}
		median, gflops := TimeConvolution(rng, c, opts.Threads, opts.Duration/4)
		m, n, k := c.ProductDims()
		fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t%.2f\t%.0f\t\n", c.Name, m, n, k, float64(median.Microseconds())/1000, gflops)
	}
	tw.Flush()
	fmt.Fprintln(w)
	return nil
}

// threadCount returns "1 thread" or "N threads".
func threadCount(n int) string {
	if n == 1 {
		return "1 thread"
	}
	return fmt.Sprintf("%d threads", n)
}

// Convolution is one convolution of a training step, in the form GoMLX emits it.
type Convolution struct {
	Name   string
	Config kernels.ConvConfig
}

// ProductDims returns the dimensions of the convolution's matrix product: M output rows (all
// output elements per output channel), N output channels and K sums per output element.
func (c Convolution) ProductDims() (m, n, k int) {
	cfg := c.Config
	n = cfg.OutputDims[cfg.OutputChannels]
	m = product(cfg.OutputDims) / n
	k = product(cfg.KernelDims) / cfg.KernelDims[cfg.KernelOutput]
	return m, n, k
}

func product(dims []int) int {
	p := 1
	for _, d := range dims {
		p *= d
	}
	return p
}

// nhwcConv returns the forward convolution of an NHWC input [batch, size, size, in] by a
// 3×3 HWIO kernel with padding 1, or, with the kernel's channel axes swapped, the form of an
// input gradient.
func nhwcConv(batch, size, in, out int, swapKernelChannels bool) kernels.ConvConfig {
	cfg := kernels.ConvConfig{
		InputDims: []int{batch, size, size, in}, InputBatch: 0, InputChannels: 3, InputSpatial: []int{1, 2},
		KernelDims: []int{3, 3, in, out}, KernelInput: 2, KernelOutput: 3, KernelSpatial: []int{0, 1},
		OutputDims: []int{batch, size, size, out}, OutputBatch: 0, OutputChannels: 3, OutputSpatial: []int{1, 2},
		Strides: []int{1, 1}, PadLo: []int{1, 1}, PadHi: []int{1, 1}, InputDilations: []int{1, 1}, KernelDilations: []int{1, 1},
	}
	if swapKernelChannels {
		cfg.KernelDims = []int{3, 3, out, in}
		cfg.KernelInput, cfg.KernelOutput = 3, 2
	}
	return cfg
}

// kernelGradient returns the form of the kernel gradient of a 3×3 convolution with padding 1
// of an NHWC input [batch, size, size, in] with out channels. It convolves the input, with
// its batch and channel roles swapped, by the output gradient as kernel.
func kernelGradient(batch, size, in, out int) kernels.ConvConfig {
	return kernels.ConvConfig{
		InputDims: []int{batch, size, size, in}, InputBatch: 3, InputChannels: 0, InputSpatial: []int{1, 2},
		KernelDims: []int{batch, size, size, out}, KernelInput: 0, KernelOutput: 3, KernelSpatial: []int{1, 2},
		OutputDims: []int{3, 3, in, out}, OutputBatch: 2, OutputChannels: 3, OutputSpatial: []int{0, 1},
		Strides: []int{1, 1}, PadLo: []int{1, 1}, PadHi: []int{1, 1}, InputDilations: []int{1, 1}, KernelDilations: []int{1, 1},
	}
}

// NetworkConvolutions are the convolutions of one training step of the reference MNIST
// network at batch 64. The first layer's input gradient is not needed.
var NetworkConvolutions = []Convolution{
	{"conv1 forward", nhwcConv(BatchSize, 28, 1, conv1, false)},
	{"conv1 kernel gradient", kernelGradient(BatchSize, 28, 1, conv1)},
	{"conv2 forward", nhwcConv(BatchSize, 14, conv1, conv2, false)},
	{"conv2 input gradient", nhwcConv(BatchSize, 14, conv2, conv1, true)},
	{"conv2 kernel gradient", kernelGradient(BatchSize, 14, conv1, conv2)},
}

// TimeConvolution times the convolution kernel on random arrays of c's shapes for about
// duration and returns the median time and the GFLOP/s (2·M·N·K per second) it gives.
func TimeConvolution(rng *rand.Rand, c Convolution, threads int, duration time.Duration) (time.Duration, float64) {
	random := func(n int) []float32 {
		x := make([]float32, n)
		for i := range x {
			x[i] = rng.Float32()
		}
		return x
	}
	plan := kernels.NewConvPlan(c.Config)
	input, kernel := random(product(c.Config.InputDims)), random(product(c.Config.KernelDims))
	output := make([]float32, product(c.Config.OutputDims))
	plan.Run(threads, output, input, kernel)
	var times []time.Duration
	for start := time.Now(); time.Since(start) < duration || len(times) < 3; {
		t := time.Now()
		plan.Run(threads, output, input, kernel)
		times = append(times, time.Since(t))
	}
	slices.Sort(times)
	median := times[len(times)/2]
	m, n, k := c.ProductDims()
	return median, 2 * float64(m) * float64(n) * float64(k) / median.Seconds() / 1e9
}

// machine describes the CPU, from /proc/cpuinfo where it exists.
func machine() string {
	model := runtime.GOARCH
	if data, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for line := range strings.SplitSeq(string(data), "\n") {
			if name, ok := strings.CutPrefix(line, "model name"); ok {
				model = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(name), ":"))
				break
			}
		}
	}
	return fmt.Sprintf("%s, %d logical CPUs, %s", model, runtime.NumCPU(), runtime.Version())
}
