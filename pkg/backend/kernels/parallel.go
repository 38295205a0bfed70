package kernels

import "sync"

// parallelFor splits [0, n) into at most workers contiguous chunks of at least grain items and
// calls fn on each chunk, concurrently. It returns when all calls have returned. With one
// worker, or when n is below two grains, fn runs on the calling goroutine.
func parallelFor(workers, n, grain int, fn func(start, end int)) {
	parallelChunks(workers, n, grain, func(_, start, end int) { fn(start, end) })
}

// parallelChunks is parallelFor with the chunk number passed to fn; it returns the number of
// chunks, at most workers.
func parallelChunks(workers, n, grain int, fn func(chunk, start, end int)) int {
	if n <= 0 {
		return 0
	}
	grain = max(grain, 1)
	chunks := max(1, min(workers, (n+grain-1)/grain))
	if chunks == 1 {
		fn(0, 0, n)
		return 1
	}
	var wg sync.WaitGroup
	for c := 1; c < chunks; c++ {
		start, end := c*n/chunks, (c+1)*n/chunks
		wg.Add(1)
		go func() {
			defer wg.Done()
			fn(c, start, end)
		}()
	}
	fn(0, 0, n/chunks)
	wg.Wait()
	return chunks
}

// strides returns the row-major strides, in elements, of an array with the given dimensions.
func strides(dims []int) []int {
	s := make([]int, len(dims))
	stride := 1
	for axis := len(dims) - 1; axis >= 0; axis-- {
		s[axis] = stride
		stride *= dims[axis]
	}
	return s
}

// size returns the number of elements of an array with the given dimensions.
func size(dims []int) int {
	n := 1
	for _, d := range dims {
		n *= d
	}
	return n
}
