package backend

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/gomlx/gomlx/backends"
	"github.com/gomlx/gomlx/backends/simplego"
	"github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/core/tensors"
)

// fastAndPlain returns this package's backend and GoMLX's plain pure-Go backend.
func fastAndPlain(t testing.TB) (fast, plain backends.Backend) {
	t.Helper()
	fast, err := NewWithConfig("")
	if err != nil {
		t.Fatal(err)
	}
	plain, err = simplego.New("")
	if err != nil {
		t.Fatal(err)
	}
	return fast, plain
}

// run executes fn on backend with the given inputs and returns its outputs' flat values.
func run(t testing.TB, backend backends.Backend, fn func([]*graph.Node) []*graph.Node, inputs ...*tensors.Tensor) []any {
	t.Helper()
	exec, err := graph.NewExec(backend, fn)
	if err != nil {
		t.Fatal(err)
	}
	args := make([]any, len(inputs))
	for i, in := range inputs {
		clone, err := in.LocalClone()
		if err != nil {
			t.Fatal(err)
		}
		args[i] = clone
	}
	outputs, err := exec.Exec(args...)
	if err != nil {
		t.Fatal(err)
	}
	flats := make([]any, len(outputs))
	for i, out := range outputs {
		flats[i] = flatValues(out)
	}
	return flats
}

// flatValues copies a tensor's values into a flat slice of its Go type.
func flatValues(t *tensors.Tensor) any {
	var flat any
	t.MustConstFlatData(func(f any) { flat = cloneFlat(f) })
	return flat
}

func cloneFlat(f any) any {
	switch f := f.(type) {
	case []float32:
		return append([]float32(nil), f...)
	case []float64:
		return append([]float64(nil), f...)
	case []int32:
		return append([]int32(nil), f...)
	case []int64:
		return append([]int64(nil), f...)
	case []bool:
		return append([]bool(nil), f...)
	}
	panic("unsupported flat type")
}

// randomTensor returns a float32 tensor with uniform values in [-1, 1).
func randomTensor(rng *rand.Rand, dims ...int) *tensors.Tensor {
	n := 1
	for _, d := range dims {
		n *= d
	}
	data := make([]float32, n)
	for i := range data {
		data[i] = rng.Float32()*2 - 1
	}
	return tensors.FromFlatDataAndDimensions(data, dims...)
}

// randomTensor64 returns a float64 tensor with uniform values in [-1, 1).
func randomTensor64(rng *rand.Rand, dims ...int) *tensors.Tensor {
	n := 1
	for _, d := range dims {
		n *= d
	}
	data := make([]float64, n)
	for i := range data {
		data[i] = rng.Float64()*2 - 1
	}
	return tensors.FromFlatDataAndDimensions(data, dims...)
}

// assertClose fails unless got and want have the same length and every element is within
// tol·max(1, |want|), or both are NaN.
func assertClose(t testing.TB, name string, got, want any, tol float64) {
	t.Helper()
	g, w := asFloat64s(got), asFloat64s(want)
	if len(g) != len(w) {
		t.Fatalf("%s: %d values, want %d", name, len(g), len(w))
	}
	for i := range g {
		if math.IsNaN(w[i]) && math.IsNaN(g[i]) {
			continue
		}
		if math.Abs(g[i]-w[i]) > tol*math.Max(1, math.Abs(w[i])) || math.IsNaN(g[i]) != math.IsNaN(w[i]) {
			t.Fatalf("%s: element %d = %g, want %g", name, i, g[i], w[i])
		}
	}
}

func asFloat64s(flat any) []float64 {
	switch f := flat.(type) {
	case []float32:
		out := make([]float64, len(f))
		for i, v := range f {
			out[i] = float64(v)
		}
		return out
	case []float64:
		return f
	case []int32:
		out := make([]float64, len(f))
		for i, v := range f {
			out[i] = float64(v)
		}
		return out
	case []int64:
		out := make([]float64, len(f))
		for i, v := range f {
			out[i] = float64(v)
		}
		return out
	}
	panic("unsupported flat type")
}

// compareWithPlain runs fn on both backends and checks that their outputs agree within tol.
func compareWithPlain(t *testing.T, fn func([]*graph.Node) []*graph.Node, tol float64, inputs ...*tensors.Tensor) {
	t.Helper()
	fast, plain := fastAndPlain(t)
	got := run(t, fast, fn, inputs...)
	want := run(t, plain, fn, inputs...)
	for i := range want {
		assertClose(t, "output", got[i], want[i], tol)
	}
}

// kernelSteps returns the names of the operations e runs on this package's kernels.
func kernelSteps(e *Executable) []string {
	var names []string
	for _, s := range e.steps {
		if s.kernel != nil {
			names = append(names, s.kernel.node.call.opName())
		}
	}
	return names
}
