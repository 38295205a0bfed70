package kernels

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// referenceWindows returns, for each window position, the operand offsets of its elements
// inside the operand, from the definition of a padded sliding window.
func referenceWindows(w Window) [][]int {
	outDims := w.OutputDims()
	s := strides(w.Dims)
	var windows [][]int
	for pos := range size(outDims) {
		out := make([]int, len(outDims))
		rem := pos
		for a := len(outDims) - 1; a >= 0; a-- {
			out[a] = rem % outDims[a]
			rem /= outDims[a]
		}
		var offsets []int
		for k := range size(w.Size) {
			kIdx := make([]int, len(w.Size))
			r := k
			for a := len(w.Size) - 1; a >= 0; a-- {
				kIdx[a] = r % w.Size[a]
				r /= w.Size[a]
			}
			offset, inside := 0, true
			for a := range w.Dims {
				i := out[a]*w.Strides[a] - w.PadLo[a] + kIdx[a]
				if i < 0 || i >= w.Dims[a] {
					inside = false
					break
				}
				offset += i * s[a]
			}
			if inside {
				offsets = append(offsets, offset)
			}
		}
		windows = append(windows, offsets)
	}
	return windows
}

var windowCases = []Window{
	{Dims: []int{2, 8, 6, 20}, Size: []int{1, 2, 2, 1}, Strides: []int{1, 2, 2, 1}, PadLo: []int{0, 0, 0, 0}, PadHi: []int{0, 0, 0, 0}},
	{Dims: []int{2, 7, 6, 3}, Size: []int{1, 3, 3, 1}, Strides: []int{1, 2, 2, 1}, PadLo: []int{0, 1, 1, 0}, PadHi: []int{0, 1, 1, 0}},
	{Dims: []int{2, 7, 6, 3}, Size: []int{1, 3, 2, 1}, Strides: []int{1, 1, 1, 1}, PadLo: []int{0, 0, 0, 0}, PadHi: []int{0, 0, 0, 0}},
	{Dims: []int{3, 9}, Size: []int{2, 3}, Strides: []int{1, 3}, PadLo: []int{1, 0}, PadHi: []int{0, 2}},
	// Windows that do not overlap but leave the last row and column uncovered.
	{Dims: []int{2, 7, 5, 9}, Size: []int{1, 2, 2, 1}, Strides: []int{1, 2, 2, 1}, PadLo: []int{0, 0, 0, 0}, PadHi: []int{0, 0, 0, 0}},
}

func TestReduceWindowMatchesReference(t *testing.T) {
	rng := rand.New(rand.NewPCG(15, 16))
	for _, w := range windowCases {
		for _, op := range []ReduceOp{ReduceSum, ReduceProduct, ReduceMax, ReduceMin} {
			t.Run(fmt.Sprintf("%v_%v_op%d", w.Dims, w.Size, op), func(t *testing.T) {
				src := randomSlice(rng, size(w.Dims))
				dst := make([]float32, size(w.OutputDims()))
				ReduceWindow(2, dst, src, w, op)
				for pos, offsets := range referenceWindows(w) {
					want := map[ReduceOp]float64{ReduceSum: 0, ReduceProduct: 1, ReduceMax: math.Inf(-1), ReduceMin: math.Inf(1)}[op]
					for _, o := range offsets {
						v := float64(src[o])
						switch op {
						case ReduceSum:
							want += v
						case ReduceProduct:
							want *= v
						case ReduceMax:
							want = math.Max(want, v)
						case ReduceMin:
							want = math.Min(want, v)
						}
					}
					if !closeTo(dst[pos], want) {
						t.Fatalf("position %d = %g, want %g", pos, dst[pos], want)
					}
				}
			})
		}
	}
}

func TestSelectAndScatterMatchesReference(t *testing.T) {
	rng := rand.New(rand.NewPCG(17, 18))
	for _, w := range windowCases {
		for _, selectMax := range []bool{true, false} {
			t.Run(fmt.Sprintf("%v_%v_max%v", w.Dims, w.Size, selectMax), func(t *testing.T) {
				operand := randomSlice(rng, size(w.Dims))
				// Ties: the first element of each window wins.
				operand[1] = operand[0]
				source := randomSlice(rng, size(w.OutputDims()))
				dst := randomSlice(rng, len(operand))
				SelectAndScatter(2, dst, operand, source, w, selectMax)
				want := make([]float64, len(operand))
				for pos, offsets := range referenceWindows(w) {
					if len(offsets) == 0 {
						continue
					}
					best := offsets[0]
					for _, o := range offsets[1:] {
						if (selectMax && operand[o] > operand[best]) || (!selectMax && operand[o] < operand[best]) {
							best = o
						}
					}
					want[best] += float64(source[pos])
				}
				for i := range want {
					if !closeTo(dst[i], want[i]) {
						t.Fatalf("element %d = %g, want %g", i, dst[i], want[i])
					}
				}
			})
		}
	}
}
