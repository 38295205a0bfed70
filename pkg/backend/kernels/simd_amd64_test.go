//go:build goexperiment.simd && amd64

package kernels

import (
	"math"
	"math/rand/v2"
	"simd/archsimd"
	"testing"
	"unsafe"
)

// TestMicrokernelsMatchGeneric runs every microkernel this CPU supports, including the ones
// not chosen for it, against the portable one.
func TestMicrokernelsMatchGeneric(t *testing.T) {
	type variant struct {
		name    string
		micro   microFunc
		offsets microOffsetsFunc
	}
	var variants []variant
	if archsimd.X86.AVX2() && archsimd.X86.FMA() {
		variants = append(variants, variant{"AVX2", microAVX2, microOffsetsAVX2})
	}
	if archsimd.X86.AVX512() {
		variants = append(variants, variant{"AVX-512", microAVX512, microOffsetsAVX512})
	}
	if len(variants) == 0 {
		t.Skip("the CPU has neither AVX2 with FMA nor AVX-512")
	}
	rng := rand.New(rand.NewPCG(19, 20))
	const kc, ldc = 37, 40 // C rows of 40 floats: the tile's 32 and 8 that must not change
	a := randomSlice(rng, 4*kc)
	b := randomSlice(rng, kc*48)
	offsets := make([]int32, kc)
	for k := range offsets {
		offsets[k] = int32(rng.IntN(kc*48 - 32))
	}
	rowsOf := func(a []float32) [4]unsafe.Pointer {
		return [4]unsafe.Pointer{unsafe.Pointer(&a[0]), unsafe.Pointer(&a[kc]), unsafe.Pointer(&a[2*kc]), unsafe.Pointer(&a[3*kc])}
	}
	rows := rowsOf(a)
	for _, v := range variants {
		for _, load := range []bool{false, true} {
			initial := randomSlice(rng, 4*ldc)
			want, got := append([]float32(nil), initial...), append([]float32(nil), initial...)
			microGeneric(rows[0], rows[1], rows[2], rows[3], 4, unsafe.Pointer(&b[0]), 48*4, kc, unsafe.Pointer(&want[0]), ldc*4, load)
			v.micro(rows[0], rows[1], rows[2], rows[3], 4, unsafe.Pointer(&b[0]), 48*4, kc, unsafe.Pointer(&got[0]), ldc*4, load)
			compareTiles(t, v.name, got, want)

			want, got = append([]float32(nil), initial...), append([]float32(nil), initial...)
			microOffsetsGeneric(rows[0], rows[1], rows[2], rows[3], 4, unsafe.Pointer(&b[0]), &offsets[0], kc, unsafe.Pointer(&want[0]), ldc*4, load)
			v.offsets(rows[0], rows[1], rows[2], rows[3], 4, unsafe.Pointer(&b[0]), &offsets[0], kc, unsafe.Pointer(&got[0]), ldc*4, load)
			compareTiles(t, v.name+" with row offsets", got, want)
		}
	}
}

func compareTiles(t *testing.T, name string, got, want []float32) {
	t.Helper()
	for i := range want {
		if math.Abs(float64(got[i]-want[i])) > 1e-5 {
			t.Fatalf("%s: element %d = %g, want %g", name, i, got[i], want[i])
		}
	}
}
