package topocnn

import (
	"io"
	"log/slog"
	"math/rand/v2"
	"testing"

	"github.com/gomlx/gomlx/pkg/core/tensors"
	"github.com/topocnn/topocnn/pkg/dataset"
)

// newStepper returns a function that runs one training step of cfg's network on a fixed
// random batch of cfg.BatchSize MNIST-shaped images.
func newStepper(tb testing.TB, cfg Config) func() {
	tb.Helper()
	arch, err := ArchitectureFor(cfg.Dataset, cfg.GridRows, cfg.GridCols, cfg.Dropout)
	if err != nil {
		tb.Fatal(err)
	}
	backend, err := Backend()
	if err != nil {
		tb.Fatal(err)
	}
	t := &trainer{
		cfg: cfg.normalized(), opts: Options{Out: tb.TempDir()}, log: slog.New(slog.NewTextHandler(io.Discard, nil)),
		run: &Run{Seeds: seedsFor(cfg)}, arch: arch, backend: backend,
	}
	if err := t.setUp(); err != nil {
		tb.Fatal(err)
	}

	rng := rand.New(rand.NewPCG(1, 1))
	n := cfg.BatchSize
	images := make([]float32, n*arch.Height*arch.Width*arch.Channels)
	for i := range images {
		images[i] = rng.Float32()
	}
	labels := make([]int32, n)
	for i := range labels {
		labels[i] = int32(rng.IntN(arch.Classes))
	}

	return func() {
		inputs := []*tensors.Tensor{
			tensors.FromFlatDataAndDimensions(images, n, arch.Height, arch.Width, arch.Channels),
			tensors.FromValue(labels),
		}
		values, err := t.loop.Trainer.TrainStep(nil, inputs, []*tensors.Tensor{tensors.FromValue(labels)})
		if err != nil {
			tb.Fatal(err)
		}
		for _, v := range values {
			v.MustFinalizeAll()
		}
	}
}

// BenchmarkTrainStep times one Adam step of the reference MNIST network at batch 64, without
// a topographic loss (control), with Euclidean WS and with Euclidean local AS, λ = 1.
func BenchmarkTrainStep(b *testing.B) {
	for _, reg := range []struct{ name, reg string }{{"control", RegNone}, {"ws", RegWS}, {"as", RegAS}} {
		b.Run(reg.name, func(b *testing.B) {
			cfg := DefaultConfig(dataset.MNIST)
			cfg.Reg = reg.reg
			step := newStepper(b, cfg)
			step() // Builds and compiles the graph outside the timed loop.
			b.ResetTimer()
			for b.Loop() {
				step()
			}
		})
	}
}
