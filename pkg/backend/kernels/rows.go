package kernels

import "fmt"

// TakeRows copies row indices[i] of src to row i of dst, for arrays of rows of cols floats.
// Each index is clamped into the rows of src, as XLA's Gather clamps its start indices. It
// panics if the lengths do not match.
func TakeRows[I int32 | int64](workers int, dst, src []float32, cols int, indices []I) {
	if cols <= 0 || len(src)%cols != 0 || len(dst) != len(indices)*cols {
		panic(fmt.Sprintf("kernels: TakeRows of %d indices, rows of %d, from %d into %d elements", len(indices), cols, len(src), len(dst)))
	}
	rows := len(src) / cols
	if rows == 0 {
		return
	}
	parallelFor(workers, len(indices), max(1, 8192/cols), func(start, end int) {
		for i := start; i < end; i++ {
			r := min(max(int(indices[i]), 0), rows-1)
			copy(dst[i*cols:(i+1)*cols], src[r*cols:(r+1)*cols])
		}
	})
}

// AddRows adds row i of updates to row indices[i] of dst, for arrays of rows of cols floats.
// Indices outside the rows of dst are skipped, as XLA's Scatter skips out-of-bounds updates;
// repeated indices add up. Workers split the columns, so no two write the same element. It
// panics if the lengths do not match.
func AddRows[I int32 | int64](workers int, dst, updates []float32, cols int, indices []I) {
	if cols <= 0 || len(dst)%cols != 0 || len(updates) != len(indices)*cols {
		panic(fmt.Sprintf("kernels: AddRows of %d indices, rows of %d, from %d into %d elements", len(indices), cols, len(updates), len(dst)))
	}
	rows := len(dst) / cols
	// Chunks of columns are multiples of 16 floats, a cache line, unless cols is smaller.
	chunks := max(1, min(workers, cols/16))
	parallelChunks(chunks, chunks, 1, func(_, start, end int) {
		c0, c1 := start*cols/chunks, end*cols/chunks
		for i, index := range indices {
			r := int(index)
			if r < 0 || r >= rows {
				continue
			}
			row := dst[r*cols+c0 : r*cols+c1]
			addVectors(row, row, updates[i*cols+c0:i*cols+c1])
		}
	})
}
