package kernels

import (
	"encoding/binary"
	"fmt"
	"math/rand/v2"
	"testing"
)

// referencePad pads int32 values element by element from the definition of Pad.
func referencePad(src []int32, dims []int, fill int32, lo, hi, interior []int) []int32 {
	outDims := PadOutputDims(dims, lo, hi, interior)
	out := make([]int32, size(outDims))
	for i := range out {
		out[i] = fill
	}
	idx := make([]int, len(dims))
	for i, v := range src {
		rem := i
		for a := len(dims) - 1; a >= 0; a-- {
			idx[a] = rem % dims[a]
			rem /= dims[a]
		}
		offset, inside := 0, true
		for a := range dims {
			o := lo[a] + idx[a]*(interior[a]+1)
			if o < 0 || o >= outDims[a] {
				inside = false
				break
			}
			offset = offset*outDims[a] + o
		}
		if inside {
			out[offset] = v
		}
	}
	return out
}

func int32Bytes(values []int32) []byte {
	b := make([]byte, 4*len(values))
	for i, v := range values {
		binary.LittleEndian.PutUint32(b[4*i:], uint32(v))
	}
	return b
}

func TestPadMatchesReference(t *testing.T) {
	rng := rand.New(rand.NewPCG(13, 14))
	cases := []struct {
		dims, lo, hi, interior []int
	}{
		{[]int{5}, []int{2}, []int{3}, []int{0}},
		{[]int{4, 6}, []int{1, -2}, []int{-1, 2}, []int{0, 0}},
		{[]int{3, 4, 5}, []int{1, 0, 2}, []int{2, 1, -1}, []int{1, 0, 2}},
		{[]int{2, 7, 7, 3}, []int{0, 1, 1, 0}, []int{0, 1, 1, 0}, []int{0, 0, 0, 0}},
		{[]int{2, 3}, []int{-2, 0}, []int{0, 0}, []int{0, 0}},
		{[]int{2, 3}, []int{-1, 1}, []int{0, -1}, []int{0, 0}},
	}
	for _, c := range cases {
		for _, fill := range []int32{0, -7} {
			t.Run(fmt.Sprintf("%v_lo%v_hi%v_in%v_fill%d", c.dims, c.lo, c.hi, c.interior, fill), func(t *testing.T) {
				src := make([]int32, size(c.dims))
				for i := range src {
					src[i] = int32(rng.IntN(1000)) + 1
				}
				want := referencePad(src, c.dims, fill, c.lo, c.hi, c.interior)
				dst := make([]byte, 4*len(want))
				for i := range dst {
					dst[i] = 0xAB // garbage that every element must overwrite
				}
				Pad(dst, int32Bytes(src), 4, c.dims, int32Bytes([]int32{fill}), c.lo, c.hi, c.interior)
				for i, w := range want {
					if got := int32(binary.LittleEndian.Uint32(dst[4*i:])); got != w {
						t.Fatalf("element %d = %d, want %d", i, got, w)
					}
				}
			})
		}
	}
}

func TestReverseMatchesReference(t *testing.T) {
	dims := []int{3, 4, 5}
	src := make([]int32, size(dims))
	for i := range src {
		src[i] = int32(i)
	}
	for _, axes := range [][]int{{}, {0}, {2}, {0, 2}, {0, 1, 2}} {
		dst := make([]byte, 4*len(src))
		Reverse(dst, int32Bytes(src), 4, dims, axes)
		for i := range src {
			idx := []int{i / 20, i / 5 % 4, i % 5}
			for _, a := range axes {
				idx[a] = dims[a] - 1 - idx[a]
			}
			want := int32(idx[0]*20 + idx[1]*5 + idx[2])
			if got := int32(binary.LittleEndian.Uint32(dst[4*i:])); got != want {
				t.Fatalf("axes %v: element %d = %d, want %d", axes, i, got, want)
			}
		}
	}
}
