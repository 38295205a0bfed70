package kernels

import (
	"fmt"
	"math"
	"slices"
)

// ReduceBlocks describes a reduction of a row-major array over some axes, with adjacent axes
// of the same kind merged: the array is [Outer, Reduced, Inner] and the result [Outer, Inner].
type ReduceBlocks struct {
	Outer, Reduced, Inner int
}

// NewReduceBlocks merges the axes of an array with dimensions dims reduced over axes into
// blocks. It returns false when the reduced axes are not contiguous once axes of size 1 are
// dropped, a layout Reduce does not handle.
func NewReduceBlocks(dims []int, axes []int) (ReduceBlocks, bool) {
	b := ReduceBlocks{Outer: 1, Reduced: 1, Inner: 1}
	state := 0 // 0: before the reduced axes, 1: inside them, 2: after them
	for axis, d := range dims {
		reduced := slices.Contains(axes, axis)
		if d == 1 {
			continue
		}
		switch {
		case reduced && state == 2:
			return b, false
		case reduced:
			state = 1
			b.Reduced *= d
		case state == 0:
			b.Outer *= d
		default:
			state = 2
			b.Inner *= d
		}
	}
	return b, true
}

// Reduce writes into dst ([Outer, Inner]) the sum, maximum or minimum of src
// ([Outer, Reduced, Inner]) over its middle axis, in float32. Max and min propagate NaN.
// It panics on other operations or mismatched lengths.
func Reduce(workers int, dst, src []float32, b ReduceBlocks, op ReduceOp) {
	if len(src) != b.Outer*b.Reduced*b.Inner || len(dst) != b.Outer*b.Inner {
		panic(fmt.Sprintf("kernels: Reduce lengths %d→%d do not match %+v", len(src), len(dst), b))
	}
	var identity float32
	var combine func(acc, x []float32)
	switch op {
	case ReduceSum:
		identity, combine = 0, func(acc, x []float32) { addVectors(acc, acc, x) }
	case ReduceMax:
		identity, combine = float32(math.Inf(-1)), func(acc, x []float32) { maxVectors(acc, acc, x) }
	case ReduceMin:
		identity = float32(math.Inf(1))
		combine = func(acc, x []float32) {
			for i, v := range x {
				if v < acc[i] || v != v {
					acc[i] = v
				}
			}
		}
	default:
		panic(fmt.Sprintf("kernels: Reduce op %d not supported", op))
	}

	if b.Inner == 1 {
		// Reduce contiguous rows: one result per outer index.
		parallelFor(workers, b.Outer, max(1, 16384/max(b.Reduced, 1)), func(start, end int) {
			for o := start; o < end; o++ {
				dst[o] = reduceRow(src[o*b.Reduced:(o+1)*b.Reduced], op, identity)
			}
		})
		return
	}

	// Reduce rows of Inner elements. With few outer indices, split the reduced axis among
	// workers and combine their partial results.
	rowsPerOuter := b.Reduced
	if b.Outer >= workers || b.Reduced*b.Inner < 1<<16 {
		parallelFor(workers, b.Outer, 1, func(start, end int) {
			for o := start; o < end; o++ {
				acc := dst[o*b.Inner : (o+1)*b.Inner]
				for i := range acc {
					acc[i] = identity
				}
				base := o * rowsPerOuter * b.Inner
				for r := range rowsPerOuter {
					combine(acc, src[base+r*b.Inner:base+(r+1)*b.Inner])
				}
			}
		})
		return
	}
	for o := range b.Outer {
		partials := make([][]float32, workers)
		base := o * rowsPerOuter * b.Inner
		parallelChunks(workers, rowsPerOuter, 64, func(c, start, end int) {
			acc := make([]float32, b.Inner)
			for i := range acc {
				acc[i] = identity
			}
			for r := start; r < end; r++ {
				combine(acc, src[base+r*b.Inner:base+(r+1)*b.Inner])
			}
			partials[c] = acc
		})
		out := dst[o*b.Inner : (o+1)*b.Inner]
		for i := range out {
			out[i] = identity
		}
		for _, p := range partials {
			if p != nil {
				combine(out, p)
			}
		}
	}
}

// reduceRow reduces a contiguous row with several accumulators, so the additions overlap.
func reduceRow(row []float32, op ReduceOp, identity float32) float32 {
	if op != ReduceSum {
		acc := []float32{identity}
		for i := range row {
			switch op {
			case ReduceMax:
				maxVectorsGeneric(acc, acc, row[i:i+1])
			default:
				if v := row[i]; v < acc[0] || v != v {
					acc[0] = v
				}
			}
		}
		return acc[0]
	}
	var s0, s1, s2, s3 float32
	i := 0
	for ; i+4 <= len(row); i += 4 {
		s0 += row[i]
		s1 += row[i+1]
		s2 += row[i+2]
		s3 += row[i+3]
	}
	for ; i < len(row); i++ {
		s0 += row[i]
	}
	return (s0 + s1) + (s2 + s3)
}
