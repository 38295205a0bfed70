package gradients

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/gomlx/gomlx/backends"
	_ "github.com/gomlx/gomlx/backends/simplego"
	"github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/core/tensors"
)

func newBackend(t testing.TB) backends.Backend {
	t.Helper()
	b, err := backends.NewWithConfig("go")
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// weightedSum returns Σ W ⊙ (A·B), whose gradient with respect to A is W·Bᵀ and with respect
// to B is Aᵀ·W.
func weightedSum(a, b, w *graph.Node) *graph.Node {
	return graph.ReduceAllSum(graph.Mul(graph.Dot(a, b), w))
}

// gradients returns ∂/∂A and ∂/∂B of weightedSum, built with the Dot gradient currently
// registered.
func gradients[T float32 | float64](t testing.TB, backend backends.Backend, a, b, w *tensors.Tensor) (dA, dB []T) {
	t.Helper()
	exec := graph.MustNewExec(backend, func(a, b, w *graph.Node) []*graph.Node {
		return graph.Gradient(weightedSum(a, b, w), a, b)
	})
	out := exec.MustExec(a, b, w)
	return tensors.MustCopyFlatData[T](out[0]), tensors.MustCopyFlatData[T](out[1])
}

// withDefaultDot runs fn with GoMLX's own Dot gradient registered. A graph.Exec builds its
// graph at the first execution, so fn must execute what it builds.
func withDefaultDot(fn func()) {
	Register()
	graph.VJPRegistration[graph.NodeTypeDot] = defaultDot
	defer func() { graph.VJPRegistration[graph.NodeTypeDot] = dotVJP }()
	fn()
}

func randomMatrix(rng *rand.Rand, rows, cols int) [][]float64 {
	m := make([][]float64, rows)
	for i := range m {
		m[i] = make([]float64, cols)
		for j := range m[i] {
			m[i][j] = rng.NormFloat64()
		}
	}
	return m
}

func toFloat32(m [][]float64) [][]float32 {
	out := make([][]float32, len(m))
	for i, row := range m {
		out[i] = make([]float32, len(row))
		for j, v := range row {
			out[i][j] = float32(v)
		}
	}
	return out
}

// weightedSumDirect evaluates Σ_ik W[i][k] Σ_j A[i][j] B[j][k] in float64.
func weightedSumDirect(a, b, w [][]float64) float64 {
	var sum float64
	for i := range a {
		for k := range w[i] {
			var c float64
			for j := range b {
				c += a[i][j] * b[j][k]
			}
			sum += w[i][k] * c
		}
	}
	return sum
}

func TestDotGradientFiniteDifferences(t *testing.T) {
	Register()
	backend := newBackend(t)
	rng := rand.New(rand.NewPCG(1, 2))
	const m, k, n = 5, 7, 3
	a, b, w := randomMatrix(rng, m, k), randomMatrix(rng, k, n), randomMatrix(rng, m, n)
	dA, dB := gradients[float64](t, backend, tensors.FromValue(a), tensors.FromValue(b), tensors.FromValue(w))

	const h = 1e-6
	central := func(x *float64) float64 {
		orig := *x
		*x = orig + h
		plus := weightedSumDirect(a, b, w)
		*x = orig - h
		minus := weightedSumDirect(a, b, w)
		*x = orig
		return (plus - minus) / (2 * h)
	}
	for i := range m {
		for j := range k {
			want := central(&a[i][j])
			if got := dA[i*k+j]; math.Abs(got-want) > 1e-6*(1+math.Abs(want)) {
				t.Errorf("∂/∂A[%d][%d] = %g, finite difference %g", i, j, got, want)
			}
		}
	}
	for j := range k {
		for l := range n {
			want := central(&b[j][l])
			if got := dB[j*n+l]; math.Abs(got-want) > 1e-6*(1+math.Abs(want)) {
				t.Errorf("∂/∂B[%d][%d] = %g, finite difference %g", j, l, got, want)
			}
		}
	}
}

func TestDotGradientMatchesDefault(t *testing.T) {
	backend := newBackend(t)
	rng := rand.New(rand.NewPCG(3, 4))
	for _, size := range [][3]int{{1, 1, 1}, {64, 9, 32}, {13, 288, 17}, {200, 5, 121}} {
		m, k, n := size[0], size[1], size[2]
		t.Run(fmt.Sprintf("%dx%dx%d", m, k, n), func(t *testing.T) {
			a := tensors.FromValue(toFloat32(randomMatrix(rng, m, k)))
			b := tensors.FromValue(toFloat32(randomMatrix(rng, k, n)))
			w := tensors.FromValue(toFloat32(randomMatrix(rng, m, n)))
			var wantA, wantB []float32
			withDefaultDot(func() { wantA, wantB = gradients[float32](t, backend, a, b, w) })
			Register()
			gotA, gotB := gradients[float32](t, backend, a, b, w)
			for name, pair := range map[string][2][]float32{"A": {gotA, wantA}, "B": {gotB, wantB}} {
				got, want := pair[0], pair[1]
				if len(got) != len(want) {
					t.Fatalf("∂/∂%s has %d values, default gradient %d", name, len(got), len(want))
				}
				for i := range got {
					if d := math.Abs(float64(got[i] - want[i])); d > 1e-4*(1+math.Abs(float64(want[i]))) {
						t.Fatalf("∂/∂%s[%d] = %g, default gradient %g", name, i, got[i], want[i])
					}
				}
			}
		})
	}
}

func TestDotGradientMatrixVector(t *testing.T) {
	Register()
	backend := newBackend(t)
	// f(A, x) = Σ_i w_i (A·x)_i, so ∂f/∂A[i][j] = w_i x_j and ∂f/∂x_j = Σ_i w_i A[i][j].
	a := [][]float64{{1, 2, 3}, {4, 5, 6}}
	x := []float64{0.5, -1, 2}
	w := []float64{3, -2}
	exec := graph.MustNewExec(backend, func(a, x, w *graph.Node) []*graph.Node {
		return graph.Gradient(graph.ReduceAllSum(graph.Mul(graph.Dot(a, x), w)), a, x)
	})
	out := exec.MustExec(a, x, w)
	dA, dx := tensors.MustCopyFlatData[float64](out[0]), tensors.MustCopyFlatData[float64](out[1])
	for i := range a {
		for j := range x {
			if want := w[i] * x[j]; dA[i*3+j] != want {
				t.Errorf("∂/∂A[%d][%d] = %g, want %g", i, j, dA[i*3+j], want)
			}
		}
	}
	for j := range x {
		want := w[0]*a[0][j] + w[1]*a[1][j]
		if dx[j] != want {
			t.Errorf("∂/∂x[%d] = %g, want %g", j, dx[j], want)
		}
	}
}

func TestRegisterIdempotent(t *testing.T) {
	Register()
	Register()
	if defaultDot == nil {
		t.Fatal("Register did not keep GoMLX's Dot gradient for rank-1 operands")
	}
	// A second registration must not wrap dotVJP around itself: a rank-1 product still reaches
	// GoMLX's own gradient, which returns one gradient per input.
	backend := newBackend(t)
	exec := graph.MustNewExec(backend, func(a, b *graph.Node) []*graph.Node {
		return graph.Gradient(graph.Dot(a, b), a, b)
	})
	out := exec.MustExec([]float32{1, 2}, []float32{3, 4})
	if got := tensors.MustCopyFlatData[float32](out[0]); got[0] != 3 || got[1] != 4 {
		t.Errorf("∂(a·b)/∂a = %v, want [3 4]", got)
	}
}

// BenchmarkDotGradient times forward and both gradients of the conv2 im2col product of the
// reference MNIST network at batch 64: [12544, 288]·[288, 64].
func BenchmarkDotGradient(b *testing.B) {
	backend := newBackend(b)
	rng := rand.New(rand.NewPCG(5, 6))
	a := tensors.FromValue(toFloat32(randomMatrix(rng, 12544, 288)))
	w := tensors.FromValue(toFloat32(randomMatrix(rng, 288, 64)))
	v := tensors.FromValue(toFloat32(randomMatrix(rng, 12544, 64)))
	for _, variant := range []string{"matmul", "default"} {
		b.Run(variant, func(b *testing.B) {
			build := func() *graph.Exec {
				return graph.MustNewExec(backend, func(a, w, v *graph.Node) []*graph.Node {
					return graph.Gradient(weightedSum(a, w, v), a, w)
				})
			}
			// Graphs are built at the first execution, which also keeps compilation out of the
			// timed loop.
			var exec *graph.Exec
			if variant == "default" {
				withDefaultDot(func() { exec = build(); exec.MustExec(a, w, v) })
			} else {
				Register()
				exec = build()
				exec.MustExec(a, w, v)
			}
			b.ResetTimer()
			for b.Loop() {
				for _, out := range exec.MustExec(a, w, v) {
					out.MustFinalizeAll()
				}
			}
		})
	}
}
