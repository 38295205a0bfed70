//go:build goexperiment.simd && amd64

package kernels

import (
	"simd/archsimd"
	"testing"
)

// fmaChains runs ten independent chains of n fused multiply-adds on 16-lane vectors, with no
// memory access: the machine's float32 FMA peak for one core.
func fmaChains(n int) archsimd.Float32x16 {
	x := archsimd.BroadcastFloat32x16(1.0001)
	y := archsimd.BroadcastFloat32x16(0.9999)
	var c0, c1, c2, c3, c4, c5, c6, c7, c8, c9 archsimd.Float32x16
	for range n {
		c0 = c0.MulAdd(x, y)
		c1 = c1.MulAdd(x, y)
		c2 = c2.MulAdd(x, y)
		c3 = c3.MulAdd(x, y)
		c4 = c4.MulAdd(x, y)
		c5 = c5.MulAdd(x, y)
		c6 = c6.MulAdd(x, y)
		c7 = c7.MulAdd(x, y)
		c8 = c8.MulAdd(x, y)
		c9 = c9.MulAdd(x, y)
	}
	return c0.Add(c1).Add(c2).Add(c3).Add(c4).Add(c5).Add(c6).Add(c7).Add(c8).Add(c9)
}

// fmaChains8 is fmaChains on 8-lane vectors, for AVX2.
func fmaChains8(n int) archsimd.Float32x8 {
	x := archsimd.BroadcastFloat32x8(1.0001)
	y := archsimd.BroadcastFloat32x8(0.9999)
	var c0, c1, c2, c3, c4, c5, c6, c7, c8, c9 archsimd.Float32x8
	for range n {
		c0 = c0.MulAdd(x, y)
		c1 = c1.MulAdd(x, y)
		c2 = c2.MulAdd(x, y)
		c3 = c3.MulAdd(x, y)
		c4 = c4.MulAdd(x, y)
		c5 = c5.MulAdd(x, y)
		c6 = c6.MulAdd(x, y)
		c7 = c7.MulAdd(x, y)
		c8 = c8.MulAdd(x, y)
		c9 = c9.MulAdd(x, y)
	}
	return c0.Add(c1).Add(c2).Add(c3).Add(c4).Add(c5).Add(c6).Add(c7).Add(c8).Add(c9)
}

var (
	fmaSink  archsimd.Float32x16
	fmaSink8 archsimd.Float32x8
)

// BenchmarkFMAPeak measures the float32 FMA peak of one core, the ceiling of the matrix
// kernel, with the widest vectors the CPU has.
func BenchmarkFMAPeak(b *testing.B) {
	const n = 10000
	lanes := 16
	switch {
	case archsimd.X86.AVX512():
		for b.Loop() {
			fmaSink = fmaChains(n)
		}
	case archsimd.X86.AVX2() && archsimd.X86.FMA():
		lanes = 8
		for b.Loop() {
			fmaSink8 = fmaChains8(n)
		}
		archsimd.ClearAVXUpperBits()
	default:
		b.Skip("needs AVX2 with FMA, or AVX-512")
	}
	b.ReportMetric(float64(n)*10*2*float64(lanes)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
}
