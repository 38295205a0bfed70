package kernels

import (
	"math/rand/v2"
	"slices"
	"testing"
)

func TestTakeRowsClampsIndices(t *testing.T) {
	rng := rand.New(rand.NewPCG(31, 32))
	const rows, cols = 7, 37
	src := randomSlice(rng, rows*cols)
	indices := []int32{3, 0, 6, -4, 9, 3, 6}
	for _, workers := range []int{1, 2, 3} {
		dst := make([]float32, len(indices)*cols)
		TakeRows(workers, dst, src, cols, indices)
		for i, index := range indices {
			r := min(max(int(index), 0), rows-1)
			if !slices.Equal(dst[i*cols:(i+1)*cols], src[r*cols:(r+1)*cols]) {
				t.Fatalf("%d workers: row %d (index %d) is not row %d of the source", workers, i, index, r)
			}
		}
	}
}

func TestAddRowsRepeatsAndOutOfBounds(t *testing.T) {
	rng := rand.New(rand.NewPCG(33, 34))
	for _, cols := range []int{5, 64, 67} {
		const rows = 6
		indices := []int64{2, 5, 2, -1, 6, 0, 2, 5}
		initial := randomSlice(rng, rows*cols)
		updates := randomSlice(rng, len(indices)*cols)
		want := slices.Clone(initial)
		for i, index := range indices {
			if index < 0 || index >= rows {
				continue
			}
			for c := range cols {
				want[int(index)*cols+c] += updates[i*cols+c]
			}
		}
		for _, workers := range []int{1, 2, 4} {
			got := slices.Clone(initial)
			AddRows(workers, got, updates, cols, indices)
			for i := range want {
				if d := got[i] - want[i]; d > 1e-6 || d < -1e-6 {
					t.Fatalf("cols %d, %d workers: element %d = %g, want %g", cols, workers, i, got[i], want[i])
				}
			}
		}
	}
}
