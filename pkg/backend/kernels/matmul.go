package kernels

import (
	"fmt"
	"sync"
	"unsafe"
)

// Matrix is a read-only view of a float32 matrix: element (i, j) is
// Data[i·RowStride + j·ColStride]. A row-major matrix has ColStride 1; its transpose, as a
// view, has RowStride 1.
type Matrix struct {
	Data                 []float32
	Rows, Cols           int
	RowStride, ColStride int
}

// RowMajor returns the view of data as a rows×cols row-major matrix.
func RowMajor(data []float32, rows, cols int) Matrix {
	return Matrix{Data: data, Rows: rows, Cols: cols, RowStride: cols, ColStride: 1}
}

// T returns the transposed view of m.
func (m Matrix) T() Matrix {
	return Matrix{Data: m.Data, Rows: m.Cols, Cols: m.Rows, RowStride: m.ColStride, ColStride: m.RowStride}
}

// At returns element (i, j).
func (m Matrix) At(i, j int) float32 { return m.Data[i*m.RowStride+j*m.ColStride] }

// check panics unless every element of the view lies inside Data.
func (m Matrix) check(name string) {
	if m.Rows < 0 || m.Cols < 0 || m.RowStride < 0 || m.ColStride < 0 {
		panic(fmt.Sprintf("kernels: matrix %s has negative dimensions or strides: %+v", name, m.describe()))
	}
	if m.Rows == 0 || m.Cols == 0 {
		return
	}
	last := (m.Rows-1)*m.RowStride + (m.Cols-1)*m.ColStride
	if last >= len(m.Data) {
		panic(fmt.Sprintf("kernels: matrix %s %s reaches element %d of %d", name, m.describe(), last, len(m.Data)))
	}
}

func (m Matrix) describe() string {
	return fmt.Sprintf("%d×%d (strides %d, %d)", m.Rows, m.Cols, m.RowStride, m.ColStride)
}

// Register tile of the matrix product: tileRows rows of C by tileCols columns, which the
// microkernel keeps in vector registers.
const (
	tileRows = 4
	tileCols = 32
)

// kBlock is the number of products summed into C per pass over a tile. A panel of B for one
// block (kBlock×32 floats, 64 KiB) fits in the L2 cache.
const kBlock = 512

// microOffsetsFunc is microFunc with row k of B at b + 4·offsets[k] bytes. offsets has kc+1
// entries: a kernel may read the last one, which must be a valid row too, and not use it.
type microOffsetsFunc func(a0, a1, a2, a3 unsafe.Pointer, cs uintptr, b unsafe.Pointer, offsets *int32, kc int, c unsafe.Pointer, ldc uintptr, load bool)

// microFunc computes a tileRows×tileCols tile of C from kc steps:
// C[i][j] (+)= Σ_k A[i][k]·B[k][j], with A[i][k] at a_i + k·cs bytes, B row k at b + k·bs
// bytes (tileCols contiguous floats) and C row i at c + i·ldc bytes. With load false the tile
// starts at zero.
type microFunc func(a0, a1, a2, a3 unsafe.Pointer, cs uintptr, b unsafe.Pointer, bs uintptr, kc int, c unsafe.Pointer, ldc uintptr, load bool)

// panel is a block of tileCols columns of B, read in place or from a packed copy.
type panel struct {
	data   []float32 // B rows of the panel, each tileCols floats at stride floats
	stride int
	cols   int // columns of C the panel covers (≤ tileCols)

	// rowOffsets, when set, replaces stride: row k of the panel is at data[rowOffsets[k]]. It
	// has one entry more than the panel has rows, a copy of the last (see microOffsetsFunc).
	rowOffsets []int32
}

var packPool = sync.Pool{New: func() any { return new([]float32) }}

// MatMul computes C = A·B, or C += A·B when accumulate is true. C is row-major with M = a.Rows
// rows of N = b.Cols elements at a stride of ldc elements; a is M×K and b is K×N. A is read in
// place whatever its strides; B is read in place when it is row-major, else packed. The rows
// of C are split among workers goroutines, or the K sums when C has few rows. It panics if the
// dimensions do not match or a view lies outside its data.
func MatMul(workers int, c []float32, ldc int, a, b Matrix, accumulate bool) {
	m, n, k := a.Rows, b.Cols, a.Cols
	if b.Rows != k {
		panic(fmt.Sprintf("kernels: MatMul of %s by %s: inner dimensions differ", a.describe(), b.describe()))
	}
	a.check("A")
	b.check("B")
	if m == 0 || n == 0 {
		return
	}
	if ldc < n || len(c) < (m-1)*ldc+n {
		panic(fmt.Sprintf("kernels: MatMul C of length %d and stride %d too small for %d×%d", len(c), ldc, m, n))
	}
	if k == 0 {
		if !accumulate {
			for i := range m {
				clear(c[i*ldc : i*ldc+n])
			}
		}
		return
	}

	panels, packed := makePanels(b)
	defer func() {
		if packed != nil {
			packPool.Put(packed)
		}
	}()

	src := aSource{data: a.Data, rowStride: a.RowStride, colStride: a.ColStride}
	src.groups = kBlocks(k, a.ColStride)
	runGemm(workers, c, ldc, m, n, k, &src, panels, accumulate)
}

// aSource locates the elements of A. Row i starts at data[rowBase(i)]. The sums are cut into
// groups of segments, and a segment covers A[i][kStart…kStart+length) at
// data[rowBase(i) + offset + t·colStride] for t in [0, length).
type aSource struct {
	data      []float32
	rowStride int   // rowBase(i) = i·rowStride, unless rowTable is set
	rowTable  []int // rowBase(i) = rowTable[i]
	colStride int
	groups    [][]kSegment
}

// kSegment is a stretch of sums read with a constant stride.
type kSegment struct {
	offset, kStart, length int
}

func (s *aSource) rowBase(i int) int {
	if s.rowTable != nil {
		return s.rowTable[i]
	}
	return i * s.rowStride
}

// kBlocks cuts k sums read with colStride into groups of one segment of at most kBlock.
func kBlocks(k, colStride int) [][]kSegment {
	var groups [][]kSegment
	for kb := 0; kb < k; kb += kBlock {
		groups = append(groups, []kSegment{{offset: kb * colStride, kStart: kb, length: min(kBlock, k-kb)}})
	}
	return groups
}

// runGemm computes C (+)= A·B for A described by src, splitting the rows of C among workers,
// or the sums when C has few rows and many sums.
func runGemm(workers int, c []float32, ldc, m, n, k int, src *aSource, panels []panel, accumulate bool) {
	tiles := (m + tileRows - 1) / tileRows
	flops := 2 * m * n * k
	workers = max(1, min(workers, flops/(1<<18)+1)) // below ~256 kFLOP a goroutine costs more than it saves
	if tiles >= 2*workers || len(src.groups) < 2*workers || workers == 1 {
		parallelFor(workers, tiles, 1, func(start, end int) {
			gemmRows(c, ldc, src, src.groups, panels, start*tileRows, min(end*tileRows, m), accumulate)
		})
		return
	}

	// Few rows and long sums: split the groups of sums, then add the partial products.
	partials := make([][]float32, workers)
	parallelChunks(workers, len(src.groups), 1, func(chunk, start, end int) {
		if chunk == 0 {
			gemmRows(c, ldc, src, src.groups[start:end], panels, 0, m, accumulate)
			return
		}
		partial := make([]float32, m*n)
		gemmRows(partial, n, src, src.groups[start:end], panels, 0, m, false)
		partials[chunk] = partial
	})
	for _, partial := range partials[1:] {
		if partial == nil {
			continue
		}
		for i := range m {
			addTo(c[i*ldc:i*ldc+n], partial[i*n:(i+1)*n])
		}
	}
}

// makePanels splits B into panels of tileCols columns. Full panels of a row-major B are read
// in place; the others are packed into one buffer, returned so the caller can recycle it.
func makePanels(b Matrix) ([]panel, *[]float32) {
	n, k := b.Cols, b.Rows
	numPanels := (n + tileCols - 1) / tileCols
	panels := make([]panel, numPanels)
	var toPack []int
	for p := range panels {
		cols := min(tileCols, n-p*tileCols)
		panels[p].cols = cols
		if b.ColStride == 1 && cols == tileCols {
			start := p * tileCols
			panels[p].data = b.Data[start : start+(k-1)*b.RowStride+tileCols]
			panels[p].stride = b.RowStride
			continue
		}
		toPack = append(toPack, p)
	}
	if len(toPack) == 0 {
		return panels, nil
	}
	packed := packPool.Get().(*[]float32)
	need := len(toPack) * k * tileCols
	if cap(*packed) < need {
		*packed = make([]float32, need)
	}
	buf := (*packed)[:need]
	for i, p := range toPack {
		dst := buf[i*k*tileCols : (i+1)*k*tileCols]
		j0, cols := p*tileCols, panels[p].cols
		for kk := range k {
			row := dst[kk*tileCols : (kk+1)*tileCols]
			src := kk*b.RowStride + j0*b.ColStride
			if b.ColStride == 1 {
				copy(row, b.Data[src:src+cols])
			} else {
				for j := range cols {
					row[j] = b.Data[src+j*b.ColStride]
				}
			}
			clear(row[cols:])
		}
		panels[p].data = dst
		panels[p].stride = tileCols
	}
	return panels, packed
}

// panelMajorBytes is the size of B's panels for one group of sums above which gemmRows takes
// each panel over all its row tiles before the next panel. The panel then stays in the L2
// cache; below the size, gemmRows takes each row tile over all panels.
const panelMajorBytes = 256 << 10

// gemmRows computes rows [i0, i1) of C over the sums of the given groups.
func gemmRows(c []float32, ldc int, src *aSource, groups [][]kSegment, panels []panel, i0, i1 int, accumulate bool) {
	const f32 = 4
	var scratch [tileRows * tileCols]float32
	cs := uintptr(src.colStride * f32)
	base := unsafe.Pointer(unsafe.SliceData(src.data))
	panelMajor := len(panels)*kBlock*tileCols*f32 > panelMajorBytes

	// tile computes the tile of C at row i and panel p over one group of sums.
	tile := func(g int, group []kSegment, i, p int) {
		rows := min(tileRows, i1-i)
		// Rows past the end of C repeat the last row; their results are dropped.
		var rowBase [tileRows]int
		for r := range tileRows {
			rowBase[r] = src.rowBase(i + min(r, rows-1))
		}
		pn := &panels[p]
		j := p * tileCols
		full := rows == tileRows && pn.cols == tileCols
		cTile, ldcBytes := unsafe.Pointer(&scratch[0]), uintptr(tileCols*f32)
		if full {
			cTile, ldcBytes = unsafe.Pointer(&c[i*ldc+j]), uintptr(ldc*f32)
		} else if accumulate || g > 0 {
			for r := range rows {
				copy(scratch[r*tileCols:r*tileCols+pn.cols], c[(i+r)*ldc+j:(i+r)*ldc+j+pn.cols])
			}
		}
		bs := uintptr(pn.stride * f32)
		for sIdx, seg := range group {
			load := accumulate || g > 0 || sIdx > 0
			a0 := unsafe.Add(base, uintptr(rowBase[0]+seg.offset)*f32)
			a1 := unsafe.Add(base, uintptr(rowBase[1]+seg.offset)*f32)
			a2 := unsafe.Add(base, uintptr(rowBase[2]+seg.offset)*f32)
			a3 := unsafe.Add(base, uintptr(rowBase[3]+seg.offset)*f32)
			if pn.rowOffsets != nil {
				microOffsets(a0, a1, a2, a3, cs, unsafe.Pointer(unsafe.SliceData(pn.data)),
					&pn.rowOffsets[seg.kStart], seg.length, cTile, ldcBytes, load)
				continue
			}
			micro(a0, a1, a2, a3, cs, unsafe.Pointer(&pn.data[seg.kStart*pn.stride]), bs, seg.length, cTile, ldcBytes, load)
		}
		if !full {
			for r := range rows {
				copy(c[(i+r)*ldc+j:(i+r)*ldc+j+pn.cols], scratch[r*tileCols:r*tileCols+pn.cols])
			}
		}
	}

	for g, group := range groups {
		if panelMajor {
			for p := range panels {
				for i := i0; i < i1; i += tileRows {
					tile(g, group, i, p)
				}
			}
			continue
		}
		for i := i0; i < i1; i += tileRows {
			for p := range panels {
				tile(g, group, i, p)
			}
		}
	}
}

// addTo adds src to dst element-wise.
func addTo(dst, src []float32) {
	for i, v := range src {
		dst[i] += v
	}
}
