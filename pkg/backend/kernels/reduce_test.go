package kernels

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

func TestReduceBlocks(t *testing.T) {
	cases := []struct {
		dims, axes []int
		want       ReduceBlocks
		ok         bool
	}{
		{[]int{64, 28, 28, 32}, []int{0, 1, 2}, ReduceBlocks{1, 64 * 28 * 28, 32}, true},
		{[]int{64, 10}, []int{1}, ReduceBlocks{64, 10, 1}, true},
		{[]int{4, 5, 6}, []int{1}, ReduceBlocks{4, 5, 6}, true},
		{[]int{4, 1, 5, 6}, []int{0, 2}, ReduceBlocks{1, 20, 6}, true},
		{[]int{4, 5, 6}, []int{0, 2}, ReduceBlocks{}, false},
		{[]int{4, 5}, nil, ReduceBlocks{20, 1, 1}, true},
	}
	for _, c := range cases {
		got, ok := NewReduceBlocks(c.dims, c.axes)
		if ok != c.ok || (ok && got != c.want) {
			t.Errorf("NewReduceBlocks(%v, %v) = %+v, %v; want %+v, %v", c.dims, c.axes, got, ok, c.want, c.ok)
		}
	}
}

func TestReduceMatchesFloat64(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 12))
	for _, b := range []ReduceBlocks{{1, 50000, 32}, {3, 7, 5}, {64, 10, 1}, {5, 100000, 1}, {1, 1, 9}, {2, 40000, 3}} {
		for _, op := range []ReduceOp{ReduceSum, ReduceMax, ReduceMin} {
			for _, workers := range []int{1, 2} {
				t.Run(fmt.Sprintf("%+v/op=%d/workers=%d", b, op, workers), func(t *testing.T) {
					src := randomSlice(rng, b.Outer*b.Reduced*b.Inner)
					dst := randomSlice(rng, b.Outer*b.Inner)
					Reduce(workers, dst, src, b, op)
					for o := range b.Outer {
						for i := range b.Inner {
							want := 0.0
							switch op {
							case ReduceMax:
								want = math.Inf(-1)
							case ReduceMin:
								want = math.Inf(1)
							}
							for r := range b.Reduced {
								v := float64(src[(o*b.Reduced+r)*b.Inner+i])
								switch op {
								case ReduceSum:
									want += v
								case ReduceMax:
									want = math.Max(want, v)
								case ReduceMin:
									want = math.Min(want, v)
								}
							}
							got := float64(dst[o*b.Inner+i])
							if math.Abs(got-want) > 1e-6*float64(b.Reduced) {
								t.Fatalf("dst[%d, %d] = %g, want %g", o, i, got, want)
							}
						}
					}
				})
			}
		}
	}
}

func TestReduceMaxPropagatesNaN(t *testing.T) {
	src := []float32{1, float32(math.NaN()), 3, 4, 5, 6}
	dst := make([]float32, 2)
	Reduce(1, dst, src, ReduceBlocks{1, 3, 2}, ReduceMax)
	if !math.IsNaN(float64(dst[1])) || dst[0] != 5 {
		t.Fatalf("got %v, want [5 NaN]", dst)
	}
}
