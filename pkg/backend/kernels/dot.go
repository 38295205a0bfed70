package kernels

import "fmt"

// mergeAxes returns the stride of the single index that walks the given axes (in the given
// order) of an array with strides allStrides, and whether such an index exists. Axes of size 1
// are ignored; no axes give stride 0.
func mergeAxes(dims, allStrides, axes []int) (stride int, ok bool) {
	var kept []int
	for _, a := range axes {
		if dims[a] != 1 {
			kept = append(kept, a)
		}
	}
	if len(kept) == 0 {
		return 0, true
	}
	for i := 0; i+1 < len(kept); i++ {
		if allStrides[kept[i]] != allStrides[kept[i+1]]*dims[kept[i+1]] {
			return 0, false
		}
	}
	return allStrides[kept[len(kept)-1]], true
}

// DotOperand is one operand of DotGeneral: its dimensions and the roles of its axes.
type DotOperand struct {
	Dims        []int
	Batch       []int // batch axes, paired in order with the other operand's
	Contracting []int // contracting axes, paired in order with the other operand's
}

// free returns the axes that are neither batch nor contracting, in increasing order.
func (o DotOperand) free() []int {
	var axes []int
	for a := range o.Dims {
		isBatch, isContracting := false, false
		for _, b := range o.Batch {
			isBatch = isBatch || a == b
		}
		for _, c := range o.Contracting {
			isContracting = isContracting || a == c
		}
		if !isBatch && !isContracting {
			axes = append(axes, a)
		}
	}
	return axes
}

func product(dims, axes []int) int {
	n := 1
	for _, a := range axes {
		n *= dims[a]
	}
	return n
}

// DotGeneral computes XLA's DotGeneral (https://openxla.org/xla/operation_semantics#dotgeneral)
// of two float32 arrays: for each batch index b,
// out[b, i, j] = Σ_k lhs[b, i, k] · rhs[b, k, j], where i runs over the free axes of lhs, j
// over those of rhs and k over the paired contracting axes. The output is row-major with
// dimensions (batch…, lhs free…, rhs free…). Operands are read in place when their axes
// merge into matrix strides, else gathered first. It panics if the operands do not match.
func DotGeneral(workers int, out, lhsData, rhsData []float32, lhs, rhs DotOperand) {
	if len(lhs.Batch) != len(rhs.Batch) || len(lhs.Contracting) != len(rhs.Contracting) {
		panic(fmt.Sprintf("kernels: DotGeneral with %d/%d batch and %d/%d contracting axes",
			len(lhs.Batch), len(rhs.Batch), len(lhs.Contracting), len(rhs.Contracting)))
	}
	for i := range lhs.Batch {
		if lhs.Dims[lhs.Batch[i]] != rhs.Dims[rhs.Batch[i]] {
			panic(fmt.Sprintf("kernels: DotGeneral batch axis %d: %d ≠ %d", i, lhs.Dims[lhs.Batch[i]], rhs.Dims[rhs.Batch[i]]))
		}
	}
	for i := range lhs.Contracting {
		if lhs.Dims[lhs.Contracting[i]] != rhs.Dims[rhs.Contracting[i]] {
			panic(fmt.Sprintf("kernels: DotGeneral contracting axis %d: %d ≠ %d", i, lhs.Dims[lhs.Contracting[i]], rhs.Dims[rhs.Contracting[i]]))
		}
	}
	if len(lhsData) != size(lhs.Dims) || len(rhsData) != size(rhs.Dims) {
		panic(fmt.Sprintf("kernels: DotGeneral lengths %d, %d do not match dims %v, %v", len(lhsData), len(rhsData), lhs.Dims, rhs.Dims))
	}
	lhsFree, rhsFree := lhs.free(), rhs.free()
	batch := product(lhs.Dims, lhs.Batch)
	m, n := product(lhs.Dims, lhsFree), product(rhs.Dims, rhsFree)
	if len(out) != batch*m*n {
		panic(fmt.Sprintf("kernels: DotGeneral output length %d, want %d", len(out), batch*m*n))
	}

	lhsView, lhsBatchStride, release := operandView(workers, lhsData, lhs.Dims, lhs.Batch, lhsFree, lhs.Contracting, false)
	defer release()
	rhsView, rhsBatchStride, releaseRHS := operandView(workers, rhsData, rhs.Dims, rhs.Batch, rhsFree, rhs.Contracting, true)
	defer releaseRHS()
	for b := range batch {
		a := lhsView
		a.Data = lhsView.Data[b*lhsBatchStride:]
		bm := rhsView
		bm.Data = rhsView.Data[b*rhsBatchStride:]
		MatMul(workers, out[b*m*n:(b+1)*m*n], n, a, bm, false)
	}
}

// operandView returns the matrix of one batch entry of an operand and the stride between
// batch entries. The matrix has the free axes as rows and the contracting axes as columns,
// transposed for the right operand. When the axes do not merge into strides, operandView
// gathers the operand into a scratch buffer, which release returns to the pool.
func operandView(workers int, data []float32, dims, batchAxes, freeAxes, contractingAxes []int, right bool) (Matrix, int, func()) {
	s := strides(dims)
	free, contracting := product(dims, freeAxes), product(dims, contractingAxes)
	batchStride, okBatch := mergeAxes(dims, s, batchAxes)
	freeStride, okFree := mergeAxes(dims, s, freeAxes)
	contractingStride, okContracting := mergeAxes(dims, s, contractingAxes)
	var view Matrix
	release := func() {}
	if !okBatch || !okFree || !okContracting {
		// Gather as [batch, free, contracting].
		scratch := getScratch(len(data))
		release = func() { putScratch(scratch) }
		var rowDims, rowStrides []int
		for _, axes := range [][]int{batchAxes, freeAxes} {
			for _, a := range axes {
				rowDims = append(rowDims, dims[a])
				rowStrides = append(rowStrides, s[a])
			}
		}
		var colDims, colStrides []int
		for _, a := range contractingAxes {
			colDims = append(colDims, dims[a])
			colStrides = append(colStrides, s[a])
		}
		Gather(workers, *scratch, data, Strided2D{RowDims: rowDims, RowStrides: rowStrides, ColDims: colDims, ColStrides: colStrides})
		data = *scratch
		batchStride, freeStride, contractingStride = free*contracting, contracting, 1
	}
	view = Matrix{Data: data, Rows: free, Cols: contracting, RowStride: freeStride, ColStride: contractingStride}
	if right {
		view = view.T()
	}
	return view, batchStride, release
}
