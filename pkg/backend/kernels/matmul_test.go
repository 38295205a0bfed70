package kernels

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

func randomSlice(rng *rand.Rand, n int) []float32 {
	s := make([]float32, n)
	for i := range s {
		s[i] = rng.Float32()*2 - 1
	}
	return s
}

// referenceMatMul computes A·B in float64.
func referenceMatMul(a, b Matrix) []float64 {
	c := make([]float64, a.Rows*b.Cols)
	for i := range a.Rows {
		for j := range b.Cols {
			var s float64
			for k := range a.Cols {
				s += float64(a.At(i, k)) * float64(b.At(k, j))
			}
			c[i*b.Cols+j] = s
		}
	}
	return c
}

// view returns a rows×cols matrix with random contents, row-major or stored transposed.
func view(rng *rand.Rand, rows, cols int, transposed bool) Matrix {
	if transposed {
		return RowMajor(randomSlice(rng, rows*cols), cols, rows).T()
	}
	return RowMajor(randomSlice(rng, rows*cols), rows, cols)
}

func TestMatMulMatchesFloat64(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	shapes := [][3]int{{1, 1, 1}, {4, 32, 7}, {5, 33, 3}, {13, 70, 600}, {3, 9, 1100}, {37, 64, 288}, {64, 31, 2}, {130, 96, 1030}}
	for _, s := range shapes {
		m, n, k := s[0], s[1], s[2]
		for _, ta := range []bool{false, true} {
			for _, tb := range []bool{false, true} {
				for _, workers := range []int{1, 3} {
					for _, accumulate := range []bool{false, true} {
						name := fmt.Sprintf("%dx%dx%d_ta%v_tb%v_w%d_acc%v", m, n, k, ta, tb, workers, accumulate)
						a, b := view(rng, m, k, ta), view(rng, k, n, tb)
						ldc := n + 3
						c := randomSlice(rng, m*ldc)
						initial := append([]float32(nil), c...)
						MatMul(workers, c, ldc, a, b, accumulate)
						want := referenceMatMul(a, b)
						for i := range m {
							for j := range n {
								w := want[i*n+j]
								if accumulate {
									w += float64(initial[i*ldc+j])
								}
								got := float64(c[i*ldc+j])
								if math.Abs(got-w) > 1e-5*math.Sqrt(float64(k))+1e-6 {
									t.Fatalf("%s: C[%d][%d] = %g, want %g", name, i, j, got, w)
								}
							}
							for j := n; j < ldc && i*ldc+j < len(c); j++ {
								if c[i*ldc+j] != initial[i*ldc+j] {
									t.Fatalf("%s: padding C[%d][%d] changed", name, i, j)
								}
							}
						}
					}
				}
			}
		}
	}
}

func TestMatMulEmptyInnerDimension(t *testing.T) {
	c := []float32{1, 2, 3, 4}
	MatMul(1, c, 2, RowMajor(nil, 2, 0), RowMajor(nil, 0, 2), false)
	for i, v := range c {
		if v != 0 {
			t.Fatalf("C[%d] = %g, want 0", i, v)
		}
	}
}

func TestMatMulPanicsOnMismatch(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Fatal("no panic for mismatched inner dimensions")
		}
	}()
	MatMul(1, make([]float32, 4), 2, RowMajor(make([]float32, 6), 2, 3), RowMajor(make([]float32, 4), 2, 2), false)
}

// networkShapes are the matrix products of one training step of the reference MNIST network
// at batch 64 (convolutions as im2col): M, N, K and whether A is stored transposed.
var networkShapes = []struct {
	name       string
	m, n, k    int
	transposed bool
}{
	{"conv1_forward", 50176, 32, 9, false},
	{"conv1_weight_grad", 9, 32, 50176, true},
	{"conv2_forward", 12544, 64, 288, false},
	{"conv2_weight_grad", 288, 64, 12544, true},
	{"conv2_input_grad", 12544, 32, 576, false},
}

func BenchmarkMatMul(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 2))
	for _, s := range networkShapes {
		for _, workers := range []int{1, 2} {
			b.Run(fmt.Sprintf("%s/threads=%d", s.name, workers), func(b *testing.B) {
				a, bm := view(rng, s.m, s.k, s.transposed), view(rng, s.k, s.n, false)
				c := make([]float32, s.m*s.n)
				b.ResetTimer()
				for b.Loop() {
					MatMul(workers, c, s.n, a, bm, false)
				}
				b.ReportMetric(2*float64(s.m*s.n*s.k)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
			})
		}
	}
}
