package kernels

import "sync"

// scratchPool recycles large temporary float32 buffers (im2col matrices, padded inputs).
var scratchPool sync.Pool

// getScratch returns a buffer of n floats with undefined contents; release it with putScratch.
func getScratch(n int) *[]float32 {
	if p, ok := scratchPool.Get().(*[]float32); ok && cap(*p) >= n {
		*p = (*p)[:n]
		return p
	}
	s := make([]float32, n)
	return &s
}

func putScratch(p *[]float32) { scratchPool.Put(p) }
