package kernels

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// referenceDotGeneral computes DotGeneral from its definition, in float64.
func referenceDotGeneral(lhsData, rhsData []float32, lhs, rhs DotOperand) []float64 {
	lhsFree, rhsFree := lhs.free(), rhs.free()
	var outDims []int
	for _, a := range lhs.Batch {
		outDims = append(outDims, lhs.Dims[a])
	}
	for _, a := range lhsFree {
		outDims = append(outDims, lhs.Dims[a])
	}
	for _, a := range rhsFree {
		outDims = append(outDims, rhs.Dims[a])
	}
	var cDims []int
	for _, a := range lhs.Contracting {
		cDims = append(cDims, lhs.Dims[a])
	}
	ls, rs := strides(lhs.Dims), strides(rhs.Dims)
	out := make([]float64, size(outDims))
	idx := make([]int, len(outDims))
	cIdx := make([]int, len(cDims))
	for o := range out {
		rem := o
		for a := len(idx) - 1; a >= 0; a-- {
			idx[a] = rem % outDims[a]
			rem /= outDims[a]
		}
		lOff, rOff := 0, 0
		pos := 0
		for i, a := range lhs.Batch {
			lOff += idx[pos] * ls[a]
			rOff += idx[pos] * rs[rhs.Batch[i]]
			pos++
		}
		for _, a := range lhsFree {
			lOff += idx[pos] * ls[a]
			pos++
		}
		for _, a := range rhsFree {
			rOff += idx[pos] * rs[a]
			pos++
		}
		var sum float64
		for c := range size(cDims) {
			r := c
			for i := len(cIdx) - 1; i >= 0; i-- {
				cIdx[i] = r % cDims[i]
				r /= cDims[i]
			}
			l, rr := lOff, rOff
			for i, v := range cIdx {
				l += v * ls[lhs.Contracting[i]]
				rr += v * rs[rhs.Contracting[i]]
			}
			sum += float64(lhsData[l]) * float64(rhsData[rr])
		}
		out[o] = sum
	}
	return out
}

func TestDotGeneralMatchesFloat64(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	cases := []struct {
		name     string
		lhs, rhs DotOperand
	}{
		{"matmul", DotOperand{[]int{37, 70}, nil, []int{1}}, DotOperand{[]int{70, 33}, nil, []int{0}}},
		{"lhs_transposed", DotOperand{[]int{70, 37}, nil, []int{0}}, DotOperand{[]int{70, 33}, nil, []int{0}}},
		{"rhs_transposed", DotOperand{[]int{37, 70}, nil, []int{1}}, DotOperand{[]int{33, 70}, nil, []int{1}}},
		{"vector_dot", DotOperand{[]int{50}, nil, []int{0}}, DotOperand{[]int{50}, nil, []int{0}}},
		{"matrix_vector", DotOperand{[]int{9, 50}, nil, []int{1}}, DotOperand{[]int{50}, nil, []int{0}}},
		{"batched", DotOperand{[]int{3, 5, 7}, []int{0}, []int{2}}, DotOperand{[]int{3, 7, 6}, []int{0}, []int{1}}},
		{"batch_in_middle", DotOperand{[]int{5, 3, 7}, []int{1}, []int{2}}, DotOperand{[]int{7, 3, 6}, []int{1}, []int{0}}},
		{"two_contracting_swapped", DotOperand{[]int{4, 5, 6}, nil, []int{2, 1}}, DotOperand{[]int{5, 3, 6}, nil, []int{2, 0}}},
		{"several_free", DotOperand{[]int{2, 3, 8}, nil, []int{2}}, DotOperand{[]int{8, 4, 5}, nil, []int{0}}},
	}
	for _, c := range cases {
		for _, workers := range []int{1, 2} {
			t.Run(fmt.Sprintf("%s/workers=%d", c.name, workers), func(t *testing.T) {
				l, r := randomSlice(rng, size(c.lhs.Dims)), randomSlice(rng, size(c.rhs.Dims))
				want := referenceDotGeneral(l, r, c.lhs, c.rhs)
				out := randomSlice(rng, len(want))
				DotGeneral(workers, out, l, r, c.lhs, c.rhs)
				for i, w := range want {
					if math.Abs(float64(out[i])-w) > 1e-5 {
						t.Fatalf("out[%d] = %g, want %g", i, out[i], w)
					}
				}
			})
		}
	}
}
