package kernels

import "fmt"

// run is a contiguous stretch of a gathered row: length elements from offset.
type run struct{ offset, dstOffset, length int }

// Strided2D describes a matrix whose element (r, c) is src[rowOffset(r) + colOffset(c)], where
// row index r decomposes row-major over RowDims with strides RowStrides, and column index c
// over ColDims with strides ColStrides (strides in elements of src).
type Strided2D struct {
	RowDims, RowStrides []int
	ColDims, ColStrides []int
}

// Rows returns the number of rows, the product of RowDims.
func (g Strided2D) Rows() int { return size(g.RowDims) }

// Cols returns the number of columns, the product of ColDims.
func (g Strided2D) Cols() int { return size(g.ColDims) }

// offsets returns the src offset of every index of dims with the given strides, row-major.
func offsets(dims, strides []int) []int {
	out := make([]int, size(dims))
	idx := make([]int, len(dims))
	for i := range out {
		off := 0
		for a, v := range idx {
			off += v * strides[a]
		}
		out[i] = off
		for a := len(idx) - 1; a >= 0; a-- {
			idx[a]++
			if idx[a] < dims[a] {
				break
			}
			idx[a] = 0
		}
	}
	return out
}

// runs compresses column offsets into contiguous runs.
func runs(colOffsets []int) []run {
	var rs []run
	for c, off := range colOffsets {
		if n := len(rs); n > 0 && rs[n-1].offset+rs[n-1].length == off {
			rs[n-1].length++
			continue
		}
		rs = append(rs, run{offset: off, dstOffset: c, length: 1})
	}
	return rs
}

// RunLength returns the average length of the contiguous column runs of g.
func (g Strided2D) RunLength() float64 {
	cols := g.Cols()
	if cols == 0 {
		return 0
	}
	return float64(cols) / float64(len(runs(offsets(g.ColDims, g.ColStrides))))
}

// GatherPlan is a Strided2D prepared for repeated gathers.
type GatherPlan struct {
	g          Strided2D
	rows, cols int
	colRuns    []run
	maxOffset  int
}

// NewGatherPlan prepares g. It panics if dimensions and strides differ in length.
func NewGatherPlan(g Strided2D) *GatherPlan {
	if len(g.RowDims) != len(g.RowStrides) || len(g.ColDims) != len(g.ColStrides) {
		panic("kernels: Gather dimensions and strides differ in length")
	}
	p := &GatherPlan{g: g, rows: g.Rows(), cols: g.Cols()}
	if p.rows == 0 || p.cols == 0 {
		return p
	}
	for a, d := range g.RowDims {
		p.maxOffset += (d - 1) * g.RowStrides[a]
	}
	for a, d := range g.ColDims {
		p.maxOffset += (d - 1) * g.ColStrides[a]
	}
	p.colRuns = runs(offsets(g.ColDims, g.ColStrides))
	return p
}

// Gather writes the matrix g of src into dst, row-major. It panics if dst has the wrong length
// or an element lies outside src.
func Gather(workers int, dst, src []float32, g Strided2D) {
	NewGatherPlan(g).Run(workers, dst, src)
}

// Run writes the planned matrix of src into dst, row-major. It panics if dst has the wrong
// length or an element lies outside src.
func (p *GatherPlan) Run(workers int, dst, src []float32) {
	rows, cols, g := p.rows, p.cols, p.g
	if len(dst) != rows*cols {
		panic(fmt.Sprintf("kernels: Gather of %d×%d into %d elements", rows, cols, len(dst)))
	}
	if rows == 0 || cols == 0 {
		return
	}
	if p.maxOffset >= len(src) {
		panic(fmt.Sprintf("kernels: Gather reaches element %d of %d", p.maxOffset, len(src)))
	}
	grain := max(1, 8192/cols)
	parallelFor(workers, rows, grain, func(start, end int) {
		idx := make([]int, len(g.RowDims))
		rem := start
		for a := len(idx) - 1; a >= 0; a-- {
			idx[a] = rem % g.RowDims[a]
			rem /= g.RowDims[a]
		}
		for r := start; r < end; r++ {
			base := 0
			for a, v := range idx {
				base += v * g.RowStrides[a]
			}
			row := dst[r*cols : (r+1)*cols]
			for _, cr := range p.colRuns {
				s := src[base+cr.offset : base+cr.offset+cr.length]
				d := row[cr.dstOffset : cr.dstOffset+cr.length]
				if cr.length <= 4 {
					for i, v := range s {
						d[i] = v
					}
				} else {
					copy(d, s)
				}
			}
			for a := len(idx) - 1; a >= 0; a-- {
				idx[a]++
				if idx[a] < g.RowDims[a] {
					break
				}
				idx[a] = 0
			}
		}
	})
}
