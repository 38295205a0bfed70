package kernels

import (
	"fmt"
	"slices"
)

// PadOutputDims returns the dimensions of Pad's result. For an axis of size d with low padding
// lo, high padding hi and interior padding p, the result has lo + hi + d + (d-1)·p elements
// (lo + hi when d is 0). Negative lo or hi remove elements. It panics if the slices differ in
// length or if an interior padding is negative.
func PadOutputDims(dims, lo, hi, interior []int) []int {
	if len(lo) != len(dims) || len(hi) != len(dims) || len(interior) != len(dims) {
		panic(fmt.Sprintf("kernels: Pad of rank %d got %d, %d and %d paddings", len(dims), len(lo), len(hi), len(interior)))
	}
	out := make([]int, len(dims))
	for axis, d := range dims {
		if interior[axis] < 0 {
			panic(fmt.Sprintf("kernels: Pad interior padding %d on axis %d is negative", interior[axis], axis))
		}
		out[axis] = lo[axis] + hi[axis]
		if d > 0 {
			out[axis] += d + (d-1)*interior[axis]
		}
	}
	return out
}

// Pad writes into dst the array src (row-major, dimensions dims, elements of elemSize bytes)
// padded along each axis a with lo[a] elements before, hi[a] after and interior[a] between
// its elements, all set to the element fill. Negative lo or hi crop. It follows XLA's Pad
// (https://openxla.org/xla/operation_semantics#pad). It panics unless dst has the size given
// by PadOutputDims.
func Pad(dst, src []byte, elemSize int, dims []int, fill []byte, lo, hi, interior []int) {
	outDims := PadOutputDims(dims, lo, hi, interior)
	for axis, d := range outDims {
		if d < 0 {
			panic(fmt.Sprintf("kernels: Pad gives a negative size %d on axis %d", d, axis))
		}
	}
	if len(fill) != elemSize || len(src) != size(dims)*elemSize || len(dst) != size(outDims)*elemSize {
		panic(fmt.Sprintf("kernels: Pad buffer sizes %d, %d and fill %d do not match dims %v→%v of %d-byte elements",
			len(src), len(dst), len(fill), dims, outDims, elemSize))
	}
	if len(dst) == 0 {
		return
	}

	// Trailing axes without padding are contiguous in both arrays: treat them as part of the
	// element, so the walk below copies whole rows.
	for len(dims) > 1 {
		last := len(dims) - 1
		if lo[last] != 0 || hi[last] != 0 || interior[last] != 0 {
			break
		}
		wide := make([]byte, 0, len(fill)*dims[last])
		for range dims[last] {
			wide = append(wide, fill...)
		}
		fill, elemSize = wide, elemSize*dims[last]
		dims, lo, hi, interior, outDims = dims[:last], lo[:last], hi[:last], interior[:last], outDims[:last]
	}

	// Fill the output. With zero fill and no interior padding, the walk below clears the
	// margins as it goes, so each element is written once.
	zeroMargins := isZero(fill) && !slices.ContainsFunc(interior, func(p int) bool { return p != 0 }) && len(src) > 0
	switch {
	case zeroMargins:
	case isZero(fill):
		clear(dst)
	default:
		copy(dst, fill)
		for filled := elemSize; filled < len(dst); filled *= 2 {
			copy(dst[filled:], dst[:filled])
		}
	}
	srcStrides, dstStrides := strides(dims), strides(outDims)
	last := len(dims) - 1
	var walk func(axis, srcOffset, dstOffset int)
	walk = func(axis, srcOffset, dstOffset int) {
		step := interior[axis] + 1
		if zeroMargins {
			// Clear the output positions of this axis that no source element reaches.
			first, end := max(0, lo[axis]), min(outDims[axis], lo[axis]+dims[axis])
			block := dstStrides[axis] * elemSize
			if end <= first {
				first, end = outDims[axis], outDims[axis]
			}
			clear(dst[dstOffset*elemSize : dstOffset*elemSize+first*block])
			clear(dst[dstOffset*elemSize+end*block : dstOffset*elemSize+outDims[axis]*block])
		}
		if axis == last && step == 1 {
			// Contiguous run: copy the part that lands inside the output.
			first := max(0, -lo[axis])
			end := min(dims[axis], outDims[axis]-lo[axis])
			if end > first {
				from := (srcOffset + first) * elemSize
				to := (dstOffset + lo[axis] + first) * elemSize
				copy(dst[to:to+(end-first)*elemSize], src[from:from+(end-first)*elemSize])
			}
			return
		}
		for i := range dims[axis] {
			o := lo[axis] + i*step
			if o < 0 || o >= outDims[axis] {
				continue
			}
			if axis == last {
				from, to := (srcOffset+i)*elemSize, (dstOffset+o)*elemSize
				copy(dst[to:to+elemSize], src[from:from+elemSize])
				continue
			}
			walk(axis+1, srcOffset+i*srcStrides[axis], dstOffset+o*dstStrides[axis])
		}
	}
	if len(dims) == 0 {
		copy(dst, src)
		return
	}
	walk(0, 0, 0)
}

// Reverse writes into dst the array src (row-major, dimensions dims, elements of elemSize
// bytes) with the order of the elements along each axis in axes reversed:
// dst[…, i_a, …] = src[…, dims[a]-1-i_a, …]. It panics on an invalid axis or buffer size.
func Reverse(dst, src []byte, elemSize int, dims []int, axes []int) {
	if len(src) != size(dims)*elemSize || len(dst) != len(src) {
		panic(fmt.Sprintf("kernels: Reverse buffer sizes %d and %d do not match dims %v of %d-byte elements",
			len(src), len(dst), dims, elemSize))
	}
	reversed := make([]bool, len(dims))
	for _, axis := range axes {
		if axis < 0 || axis >= len(dims) {
			panic(fmt.Sprintf("kernels: Reverse axis %d out of range for rank %d", axis, len(dims)))
		}
		reversed[axis] = true
	}
	if len(src) == 0 {
		return
	}
	if len(dims) == 0 {
		copy(dst, src)
		return
	}
	s := strides(dims)
	last := len(dims) - 1
	var walk func(axis, offset, srcOffset int)
	walk = func(axis, offset, srcOffset int) {
		if axis == last {
			n := dims[axis]
			if !reversed[axis] {
				copy(dst[offset*elemSize:(offset+n)*elemSize], src[srcOffset*elemSize:(srcOffset+n)*elemSize])
				return
			}
			for i := range n {
				to, from := (offset+i)*elemSize, (srcOffset+n-1-i)*elemSize
				copy(dst[to:to+elemSize], src[from:from+elemSize])
			}
			return
		}
		for i := range dims[axis] {
			j := i
			if reversed[axis] {
				j = dims[axis] - 1 - i
			}
			walk(axis+1, offset+i*s[axis], srcOffset+j*s[axis])
		}
	}
	walk(0, 0, 0)
}

func isZero(b []byte) bool {
	for _, v := range b {
		if v != 0 {
			return false
		}
	}
	return true
}
