//go:build goexperiment.simd && amd64

package kernels

import (
	"testing"
	"unsafe"
)

func BenchmarkMicroL1(b *testing.B) {
	const kc = 256
	a := make([]float32, 4*kc)
	bp := make([]float32, kc*32)
	c := make([]float32, 4*32)
	for b.Loop() {
		micro(unsafe.Pointer(&a[0]), unsafe.Pointer(&a[kc]), unsafe.Pointer(&a[2*kc]), unsafe.Pointer(&a[3*kc]), 4,
			unsafe.Pointer(&bp[0]), 128, kc, unsafe.Pointer(&c[0]), 128, true)
	}
	b.ReportMetric(2*4*32*kc*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
}
