package kernels

import (
	"math/rand/v2"
	"testing"
)

// firstLayer is the first convolution's output in a training step of the reference MNIST
// network: [64, 28, 28, 32], 6.4 MB of float32.
var firstLayer = []int{64, 28, 28, 32}

// BenchmarkMaxPool times the first layer's 2×2 max-pooling and its gradient, on 1 and 2
// threads.
func BenchmarkMaxPool(b *testing.B) {
	rng := rand.New(rand.NewPCG(41, 42))
	w := Window{Dims: firstLayer, Size: []int{1, 2, 2, 1}, Strides: []int{1, 2, 2, 1},
		PadLo: []int{0, 0, 0, 0}, PadHi: []int{0, 0, 0, 0}}
	operand := randomSlice(rng, size(firstLayer))
	pooled := make([]float32, size(w.OutputDims()))
	gradient := make([]float32, len(operand))
	for _, threads := range []int{1, 2} {
		b.Run("forward/threads="+string(rune('0'+threads)), func(b *testing.B) {
			for b.Loop() {
				ReduceWindow(threads, pooled, operand, w, ReduceMax)
			}
		})
		b.Run("gradient/threads="+string(rune('0'+threads)), func(b *testing.B) {
			for b.Loop() {
				SelectAndScatter(threads, gradient, operand, pooled, w, true)
			}
		})
	}
}

// BenchmarkBiasGradient times the first layer's bias gradient: a sum over all axes but the
// channels, on 1 and 2 threads.
func BenchmarkBiasGradient(b *testing.B) {
	rng := rand.New(rand.NewPCG(43, 44))
	src := randomSlice(rng, size(firstLayer))
	dst := make([]float32, firstLayer[3])
	blocks, _ := NewReduceBlocks(firstLayer, []int{0, 1, 2})
	for _, threads := range []int{1, 2} {
		b.Run("threads="+string(rune('0'+threads)), func(b *testing.B) {
			for b.Loop() {
				Reduce(threads, dst, src, blocks, ReduceSum)
			}
		})
	}
}
