package backend

import (
	"math"
	"testing"

	"github.com/gomlx/gomlx/backends"
	. "github.com/gomlx/gomlx/pkg/core/graph" //nolint:revive // graph operations read best unqualified
	"github.com/gomlx/gomlx/pkg/core/tensors"
)

func TestPadKnownValues(t *testing.T) {
	fast, _ := fastAndPlain(t)
	x := tensors.FromValue([][]int32{{1, 2, 3}, {4, 5, 6}})
	fn := func(in []*Node) []*Node {
		fill := Const(in[0].Graph(), int32(-1))
		// Axis 0: one row before, none after. Axis 1: crop the first column, one zero between
		// columns, two after.
		return []*Node{Pad(in[0], fill, backends.PadAxis{Start: 1}, backends.PadAxis{Start: -1, End: 2, Interior: 1})}
	}
	got := run(t, fast, fn, x)[0].([]int32)
	want := []int32{
		-1, -1, -1, -1, -1, -1,
		-1, 2, -1, 3, -1, -1,
		-1, 5, -1, 6, -1, -1,
	}
	if len(got) != len(want) {
		t.Fatalf("got %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("got %v, want %v", got, want)
		}
	}
}

func TestReverseKnownValues(t *testing.T) {
	fast, _ := fastAndPlain(t)
	x := tensors.FromValue([][][]float32{{{1, 2}, {3, 4}, {5, 6}}, {{7, 8}, {9, 10}, {11, 12}}})
	fn := func(in []*Node) []*Node { return []*Node{Reverse(in[0], 0, 1)} }
	got := run(t, fast, fn, x)[0].([]float32)
	want := []float32{11, 12, 9, 10, 7, 8, 5, 6, 3, 4, 1, 2}
	assertClose(t, "Reverse", got, want, 0)
}

func TestBatchNormMatchesDefinition(t *testing.T) {
	fast, _ := fastAndPlain(t)
	// Two features on axis 1, four elements each.
	x := tensors.FromValue([][]float64{{1, 10}, {2, 20}, {3, 30}, {6, 60}})
	scale := tensors.FromValue([]float64{2, 0.5})
	offset := tensors.FromValue([]float64{1, -1})
	fn := func(in []*Node) []*Node {
		normalized, mean, variance := InternalBatchNormForTraining(in[0], in[1], in[2], 1e-3, 1)
		inference := InternalBatchNormForInference(in[0], in[1], in[2], mean, variance, 1e-3, 1)
		return []*Node{normalized, mean, variance, inference}
	}
	out := run(t, fast, fn, x, scale, offset)
	mean := []float64{3, 30}
	variance := []float64{3.5, 350} // biased: mean of squared deviations
	assertClose(t, "mean", out[1], mean, 1e-12)
	assertClose(t, "variance", out[2], variance, 1e-12)
	values := [][]float64{{1, 10}, {2, 20}, {3, 30}, {6, 60}}
	s, o := []float64{2, 0.5}, []float64{1, -1}
	var want []float64
	for _, row := range values {
		for c, v := range row {
			want = append(want, (v-mean[c])/math.Sqrt(variance[c]+1e-3)*s[c]+o[c])
		}
	}
	assertClose(t, "normalized", out[0], want, 1e-10)
	assertClose(t, "inference", out[3], want, 1e-10)
}

func TestSelectAndScatterOverlappingWindows(t *testing.T) {
	fast, _ := fastAndPlain(t)
	// 1-D windows of 3 with stride 1 over [1, 5, 2, 5, 0]: maxima at 1, 1 (first of the tie),
	// 3: each window adds its source value at its maximum.
	x := tensors.FromValue([]float32{1, 5, 2, 5, 0})
	fn := func(in []*Node) []*Node {
		pooled := MaxPool(Reshape(in[0], 1, 5, 1)).Window(3).Strides(1).Done()
		return []*Node{Gradient(ReduceAllSum(Mul(pooled, Const(in[0].Graph(), [][][]float32{{{10}, {20}, {40}}}))), in[0])[0]}
	}
	got := run(t, fast, fn, x)[0].([]float32)
	assertClose(t, "gradient", got, []float32{0, 30, 0, 40, 0}, 0)
}
