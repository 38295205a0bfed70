package main

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/topocnn/topocnn/pkg/backend/bench"
)

func init() {
	register(&command{
		name:    "bench",
		summary: "time training steps and kernels on the topocnn backend, beside the PyTorch reference",
		run:     runBench,
	})
}

func runBench(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("bench", "[--threads N] [--duration D] [--python PATH] [--rounds N] [--round-steps N] [--no-torch]", stderr)
	threads := fs.Int("threads", 0, "threads for the Go kernels and for PyTorch, 0 for GOMAXPROCS")
	duration := fs.Duration("duration", 3*time.Second, "time spent on each benchmark after its warm-up, for example 3s; below about 1s the table's percentiles, which go-benchmarks estimates, are rough")
	python := fs.String("python", "", "Python interpreter that runs the PyTorch reference; it must import torch (default /usr/bin/python3, where Debian's python3-torch installs PyTorch; without PyTorch there, the comparison is left out)")
	rounds := fs.Int("rounds", 6, "rounds of the comparison with PyTorch; in each, Go and then PyTorch run --round-steps steps of each mode")
	roundSteps := fs.Int("round-steps", 10, "training steps per mode and round, for Go and for PyTorch")
	noTorch := fs.Bool("no-torch", false, "skip the PyTorch reference (and so --python, --rounds and --round-steps)")
	if code := fs.parse(args); code >= 0 {
		return code
	}
	if *threads < 0 {
		fmt.Fprintf(stderr, "topocnn bench: invalid --threads %d: use 0 for GOMAXPROCS or a positive count\n", *threads)
		return exitUsage
	}
	if *duration <= 0 {
		fmt.Fprintf(stderr, "topocnn bench: invalid --duration %s: use a positive duration such as 3s\n", *duration)
		return exitUsage
	}
	if *rounds <= 0 {
		fmt.Fprintf(stderr, "topocnn bench: invalid --rounds %d: use a positive count such as 6\n", *rounds)
		return exitUsage
	}
	if *roundSteps <= 0 {
		fmt.Fprintf(stderr, "topocnn bench: invalid --round-steps %d: use a positive count such as 10\n", *roundSteps)
		return exitUsage
	}

	err := bench.RunBenchmarks(ctx, stdout, bench.BenchOptions{
		Threads:    *threads,
		Duration:   *duration,
		Python:     *python,
		SkipTorch:  *noTorch,
		Rounds:     *rounds,
		RoundSteps: *roundSteps,
	})
	switch {
	case ctx.Err() != nil:
		fmt.Fprintln(stderr, "topocnn bench: interrupted")
		return exitInterrupted
	case err != nil:
		printError(stderr, "bench", err)
		return exitFailure
	}
	return exitOK
}
