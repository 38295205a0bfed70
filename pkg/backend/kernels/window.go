package kernels

import (
	"fmt"
	"math"
)

// Float is the set of element types of the floating-point kernels.
type Float interface{ ~float32 | ~float64 }

// ReduceOp selects the reduction of ReduceWindow.
type ReduceOp int

const (
	ReduceSum ReduceOp = iota
	ReduceProduct
	ReduceMax
	ReduceMin
)

// Window describes a sliding window over a row-major array, as in XLA's ReduceWindow
// (https://openxla.org/xla/operation_semantics#reducewindow) without dilations.
type Window struct {
	Dims    []int // operand dimensions
	Size    []int // window dimensions, one per axis
	Strides []int // window strides, one per axis
	PadLo   []int // padding before each axis
	PadHi   []int // padding after each axis
}

// Check panics unless every list has one entry per axis, sizes and strides are positive and
// paddings are not negative.
func (w Window) Check() {
	r := len(w.Dims)
	if len(w.Size) != r || len(w.Strides) != r || len(w.PadLo) != r || len(w.PadHi) != r {
		panic(fmt.Sprintf("kernels: window of rank %d has %d sizes, %d strides and %d/%d paddings",
			r, len(w.Size), len(w.Strides), len(w.PadLo), len(w.PadHi)))
	}
	for a := range r {
		if w.Size[a] < 1 || w.Strides[a] < 1 || w.PadLo[a] < 0 || w.PadHi[a] < 0 {
			panic(fmt.Sprintf("kernels: window axis %d has size %d, stride %d and padding (%d, %d)",
				a, w.Size[a], w.Strides[a], w.PadLo[a], w.PadHi[a]))
		}
	}
}

// OutputDims returns the number of window positions along each axis:
// (dims + padLo + padHi − size) / stride + 1, or 0 where the window does not fit.
func (w Window) OutputDims() []int {
	w.Check()
	out := make([]int, len(w.Dims))
	for a, d := range w.Dims {
		span := d + w.PadLo[a] + w.PadHi[a] - w.Size[a]
		if span < 0 {
			out[a] = 0
			continue
		}
		out[a] = span/w.Strides[a] + 1
	}
	return out
}

// windowPlan is a Window prepared for iteration. When the last axis has a window of 1, a stride
// of 1 and no padding, it is folded into vectors of vec contiguous elements.
type windowPlan struct {
	rank       int // axes iterated, without the folded last axis
	vec        int
	dims       []int
	size       []int
	strides    []int
	lo         []int
	outDims    []int
	srcStrides []int // in elements, for the iterated axes
	positions  int   // number of window positions over the iterated axes
	overlap    bool  // whether two window positions share an operand element
	tiles      bool  // whether the windows cover every operand element exactly once

	// Without padding every window lies inside the operand: its elements are at the window's
	// origin plus pattern.
	unpadded bool
	pattern  []int
}

func planWindow(w Window) *windowPlan {
	outDims := w.OutputDims()
	p := &windowPlan{vec: 1}
	r := len(w.Dims)
	allStrides := strides(w.Dims)
	if r > 0 && w.Size[r-1] == 1 && w.Strides[r-1] == 1 && w.PadLo[r-1] == 0 && w.PadHi[r-1] == 0 {
		p.vec = w.Dims[r-1]
		r--
	}
	p.rank = r
	p.dims, p.size, p.strides, p.lo = w.Dims[:r], w.Size[:r], w.Strides[:r], w.PadLo[:r]
	p.outDims = outDims[:r]
	p.srcStrides = allStrides[:r]
	p.positions = size(p.outDims)
	p.unpadded = true
	p.tiles = true
	for a := range r {
		if w.Strides[a] < w.Size[a] && outDims[a] > 1 {
			p.overlap = true
		}
		if w.PadLo[a] != 0 || w.PadHi[a] != 0 {
			p.unpadded = false
		}
		if w.Strides[a] != w.Size[a] || w.Dims[a] != outDims[a]*w.Size[a] {
			p.tiles = false
		}
	}
	p.tiles = p.tiles && p.unpadded
	if p.unpadded {
		p.pattern = offsets(p.size, p.srcStrides)
	}
	return p
}

// forEach calls fn for the window positions [start, end) in row-major order, with the
// operand offsets (in elements) of the window's elements inside the operand.
func (p *windowPlan) forEach(start, end int, fn func(position int, offsets []int)) {
	r := p.rank
	out := make([]int, r)
	rem := start
	for a := r - 1; a >= 0; a-- {
		out[a] = rem % p.outDims[a]
		rem /= p.outDims[a]
	}
	k := make([]int, r)
	offsets := make([]int, 0, size(p.size))
	if p.unpadded {
		offsets = offsets[:len(p.pattern)]
	}
	for position := start; position < end; position++ {
		if p.unpadded {
			origin := 0
			for a := range r {
				origin += out[a] * p.strides[a] * p.srcStrides[a]
			}
			for j, off := range p.pattern {
				offsets[j] = origin + off
			}
			fn(position, offsets)
			for a := r - 1; a >= 0; a-- {
				out[a]++
				if out[a] < p.outDims[a] {
					break
				}
				out[a] = 0
			}
			continue
		}
		// Collect the offsets of the window elements that fall inside the operand.
		offsets = offsets[:0]
		for a := range k {
			k[a] = 0
		}
		for {
			offset, valid := 0, true
			for a := range r {
				i := out[a]*p.strides[a] - p.lo[a] + k[a]
				if i < 0 || i >= p.dims[a] {
					valid = false
					break
				}
				offset += i * p.srcStrides[a]
			}
			if valid {
				offsets = append(offsets, offset)
			}
			a := r - 1
			for ; a >= 0; a-- {
				k[a]++
				if k[a] < p.size[a] {
					break
				}
				k[a] = 0
			}
			if a < 0 {
				break
			}
		}
		fn(position, offsets)

		for a := r - 1; a >= 0; a-- {
			out[a]++
			if out[a] < p.outDims[a] {
				break
			}
			out[a] = 0
		}
	}
}

// ReduceWindow writes into dst (dimensions w.OutputDims()) the reduction op of src (dimensions
// w.Dims) over each window position. Padding contributes the identity of op (0, 1, −∞ or
// +∞). It panics if the lengths do not match the dimensions.
func ReduceWindow[T Float](workers int, dst, src []T, w Window, op ReduceOp) {
	p := planWindow(w)
	if len(src) != size(w.Dims) || len(dst) != p.positions*p.vec {
		panic(fmt.Sprintf("kernels: ReduceWindow lengths %d→%d do not match dims %v→%v", len(src), len(dst), w.Dims, w.OutputDims()))
	}
	var identity T
	switch op {
	case ReduceSum:
		identity = 0
	case ReduceProduct:
		identity = 1
	case ReduceMax:
		identity = T(math.Inf(-1))
	case ReduceMin:
		identity = T(math.Inf(1))
	default:
		panic(fmt.Sprintf("kernels: ReduceWindow op %d unknown", op))
	}
	vec := p.vec
	grain := max(1, 4096/max(vec*len(p.size), 1))
	parallelFor(workers, p.positions, grain, func(start, end int) {
		p.forEach(start, end, func(position int, offsets []int) {
			acc := dst[position*vec : (position+1)*vec]
			if acc32, ok := any(acc).([]float32); ok && op == ReduceMax && len(offsets) > 0 {
				// Padding holds the identity, which never wins a maximum.
				maxWindow(acc32, any(src).([]float32), offsets, vec)
				return
			}
			for i := range acc {
				acc[i] = identity
			}
			for _, offset := range offsets {
				x := src[offset : offset+vec]
				switch op {
				case ReduceSum:
					for i, v := range x {
						acc[i] += v
					}
				case ReduceProduct:
					for i, v := range x {
						acc[i] *= v
					}
				case ReduceMax:
					for i, v := range x {
						if v > acc[i] || v != v {
							acc[i] = v
						}
					}
				case ReduceMin:
					for i, v := range x {
						if v < acc[i] || v != v {
							acc[i] = v
						}
					}
				}
			}
		})
	})
}

// SelectAndScatter writes into dst (dimensions w.Dims, like operand) the gradient of a max (or
// min) pooling. dst starts at zero. For each window position, the value of source at that
// position is added to dst at the window element of operand with the largest (smallest)
// value, the first one in row-major window order on ties. Padding is never selected. It
// follows XLA's SelectAndScatter (https://openxla.org/xla/operation_semantics#selectandscatter)
// with the select function ≥ (≤). It panics if the lengths do not match the dimensions.
func SelectAndScatter[T Float](workers int, dst, operand, source []T, w Window, selectMax bool) {
	p := planWindow(w)
	if len(operand) != size(w.Dims) || len(dst) != len(operand) || len(source) != p.positions*p.vec {
		panic(fmt.Sprintf("kernels: SelectAndScatter lengths %d, %d, %d do not match dims %v→%v",
			len(operand), len(dst), len(source), w.Dims, w.OutputDims()))
	}
	vec := p.vec
	grain := max(1, 4096/max(vec*len(p.size), 1))
	f32, isF32 := any(dst).([]float32)
	if !(isF32 && selectMax && p.tiles) {
		parallelFor(workers, len(dst), 1<<16, func(start, end int) { clear(dst[start:end]) })
	}
	if isF32 && selectMax && !p.overlap {
		// Windows do not share elements: each window writes its source value at the selected
		// element and zero at the others, with no scatter. When the windows tile the operand,
		// that writes every element of dst.
		op, src := any(operand).([]float32), any(source).([]float32)
		parallelFor(workers, p.positions, grain, func(start, end int) {
			p.forEach(start, end, func(position int, offsets []int) {
				if len(offsets) > 0 {
					selectMaxWindow(f32, op, src, offsets, position*vec, vec)
				}
			})
		})
		return
	}
	if p.overlap {
		workers = 1 // windows share elements, so their updates would race
	}
	parallelFor(workers, p.positions, grain, func(start, end int) {
		best := make([]T, vec)
		bestOffset := make([]int, vec)
		p.forEach(start, end, func(position int, offsets []int) {
			if len(offsets) == 0 {
				return
			}
			first := offsets[0]
			copy(best, operand[first:first+vec])
			for i := range bestOffset {
				bestOffset[i] = first + i
			}
			for _, offset := range offsets[1:] {
				x := operand[offset : offset+vec]
				for i, v := range x {
					if (selectMax && v > best[i]) || (!selectMax && v < best[i]) {
						best[i] = v
						bestOffset[i] = offset + i
					}
				}
			}
			s := source[position*vec : (position+1)*vec]
			for i, g := range s {
				dst[bestOffset[i]] += g
			}
		})
	})
}

// selectMaxWindowGeneric handles one window position of a max pooling whose windows do not
// overlap: for each of vec lanes, it writes source[sourceOffset+lane] at the window element
// with the largest operand value (the first on ties) and zero at the others. offsets are the
// operand offsets of the window's elements.
func selectMaxWindowGeneric(dst, operand, source []float32, offsets []int, sourceOffset, vec int) {
	for lane := range vec {
		best, bestK := operand[offsets[0]+lane], 0
		for k := 1; k < len(offsets); k++ {
			if v := operand[offsets[k]+lane]; v > best {
				best, bestK = v, k
			}
		}
		g := source[sourceOffset+lane]
		for k, offset := range offsets {
			var x float32
			if k == bestK {
				x = g
			}
			dst[offset+lane] = x
		}
	}
}

// maxWindowGeneric writes into dst[:vec] the maximum over the window elements at offsets (not
// empty) of src, lane by lane, with NaN propagated as maxVectorsGeneric does.
func maxWindowGeneric(dst, src []float32, offsets []int, vec int) {
	maxWindowLanes(dst, src, offsets, 0, vec)
}

// maxWindowLanes is maxWindowGeneric for the lanes [from, vec).
func maxWindowLanes(dst, src []float32, offsets []int, from, vec int) {
	for lane := from; lane < vec; lane++ {
		acc := src[offsets[0]+lane]
		for _, offset := range offsets[1:] {
			if v := src[offset+lane]; v > acc || v != v {
				acc = v
			}
		}
		dst[lane] = acc
	}
}
