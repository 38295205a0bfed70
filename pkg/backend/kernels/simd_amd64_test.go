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
	offsets := make([]int32, kc+1) // the kernels may read one past the last sum
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

// TestElementwiseMatchGeneric runs every SIMD element-wise kernel this CPU supports, including
// the ones not chosen for it, against the portable loop on lengths that leave tails, with
// NaN, infinities and signed zeros among the inputs.
func TestElementwiseMatchGeneric(t *testing.T) {
	type binary struct {
		name           string
		simd, portable func(dst, a, b []float32)
	}
	type unary struct {
		name           string
		simd, portable func(dst, a []float32)
	}

	var binaries []binary
	var unaries []unary
	if archsimd.X86.AVX2() {
		binaries = append(binaries,
			binary{"add AVX2", addVectorsAVX2, addVectorsGeneric},
			binary{"sub AVX2", subVectorsAVX2, subVectorsGeneric},
			binary{"mul AVX2", mulVectorsAVX2, mulVectorsGeneric},
			binary{"max AVX2", maxVectorsAVX2, maxVectorsGeneric})
		unaries = append(unaries, unary{"sign AVX2", signVectorAVX2, signVectorGeneric})
	}
	if archsimd.X86.AVX512() {
		binaries = append(binaries,
			binary{"add AVX-512", addVectorsAVX512, addVectorsGeneric},
			binary{"sub AVX-512", subVectorsAVX512, subVectorsGeneric},
			binary{"mul AVX-512", mulVectorsAVX512, mulVectorsGeneric},
			binary{"max AVX-512", maxVectorsAVX512, maxVectorsGeneric})
		unaries = append(unaries, unary{"sign AVX-512", signVectorAVX512, signVectorGeneric})
	}
	if len(binaries) == 0 {
		t.Skip("the CPU has neither AVX2 nor AVX-512")
	}

	rng := rand.New(rand.NewPCG(21, 22))
	special := []float32{float32(math.NaN()), float32(math.Inf(1)), float32(math.Inf(-1)), 0, float32(math.Copysign(0, -1))}
	input := func(n int) []float32 {
		x := randomSlice(rng, n)
		for i := range x {
			if rng.IntN(4) == 0 {
				x[i] = special[rng.IntN(len(special))]
			}
		}
		return x
	}
	same := func(x, y float32) bool {
		return math.Float32bits(x) == math.Float32bits(y) || (x != x && y != y)
	}

	for _, n := range []int{0, 1, 7, 8, 15, 16, 17, 33, 100} {
		a, b := input(n), input(n)
		for _, op := range binaries {
			got, want := make([]float32, n), make([]float32, n)
			op.simd(got, a, b)
			op.portable(want, a, b)
			for i := range want {
				if !same(got[i], want[i]) {
					t.Fatalf("%s, length %d: element %d of (%g, %g) = %g, want %g", op.name, n, i, a[i], b[i], got[i], want[i])
				}
			}
		}
		for _, op := range unaries {
			got, want := make([]float32, n), make([]float32, n)
			op.simd(got, a)
			op.portable(want, a)
			for i := range want {
				if !same(got[i], want[i]) {
					t.Fatalf("%s, length %d: element %d of %g = %g, want %g", op.name, n, i, a[i], got[i], want[i])
				}
			}
		}
	}
}

// TestSelectMaxWindowMatchGeneric checks the SIMD max-pooling gradient kernels against the
// portable one on lane counts that leave tails and on windows with tied maxima.
func TestSelectMaxWindowMatchGeneric(t *testing.T) {
	type variant struct {
		name string
		run  func(dst, operand, source []float32, offsets []int, sourceOffset, vec int)
	}
	var variants []variant
	if archsimd.X86.AVX2() {
		variants = append(variants, variant{"AVX2", selectMaxWindowAVX2})
	}
	if archsimd.X86.AVX512() {
		variants = append(variants, variant{"AVX-512", selectMaxWindowAVX512})
	}
	if len(variants) == 0 {
		t.Skip("the CPU has neither AVX2 nor AVX-512")
	}
	rng := rand.New(rand.NewPCG(23, 24))
	for _, vec := range []int{1, 8, 13, 16, 32, 37} {
		offsets := []int{0, vec, 2 * vec, 3 * vec} // a 2×2 window, vec channels apart
		operand := randomSlice(rng, 4*vec)
		for lane := 0; lane < vec; lane += 3 {
			operand[2*vec+lane] = operand[lane] // a tie: the first element wins
		}
		source := randomSlice(rng, vec+5)
		for _, v := range variants {
			got, want := randomSlice(rng, 4*vec), make([]float32, 4*vec)
			v.run(got, operand, source, offsets, 5, vec)
			selectMaxWindowGeneric(want, operand, source, offsets, 5, vec)
			for i := range want {
				if got[i] != want[i] {
					t.Fatalf("%s, %d lanes: element %d = %g, want %g", v.name, vec, i, got[i], want[i])
				}
			}
		}
	}
}

// TestMaxWindowMatchGeneric checks the SIMD max-pooling kernels against the portable one on lane
// counts that leave tails, with NaN and signed zeros among the values.
func TestMaxWindowMatchGeneric(t *testing.T) {
	type variant struct {
		name string
		run  func(dst, src []float32, offsets []int, vec int)
	}
	var variants []variant
	if archsimd.X86.AVX2() {
		variants = append(variants, variant{"AVX2", maxWindowAVX2})
	}
	if archsimd.X86.AVX512() {
		variants = append(variants, variant{"AVX-512", maxWindowAVX512})
	}
	if len(variants) == 0 {
		t.Skip("the CPU has neither AVX2 nor AVX-512")
	}

	rng := rand.New(rand.NewPCG(25, 26))
	special := []float32{float32(math.NaN()), 0, float32(math.Copysign(0, -1)), float32(math.Inf(-1))}
	for _, vec := range []int{1, 8, 13, 16, 37, 64} {
		offsets := []int{0, vec, 2 * vec, 3 * vec}
		src := randomSlice(rng, 4*vec)
		for i := range src {
			if rng.IntN(5) == 0 {
				src[i] = special[rng.IntN(len(special))]
			}
		}
		want := make([]float32, vec)
		maxWindowGeneric(want, src, offsets, vec)
		for _, v := range variants {
			got := randomSlice(rng, vec)
			v.run(got, src, offsets, vec)
			for i := range want {
				if math.Float32bits(got[i]) != math.Float32bits(want[i]) && !(got[i] != got[i] && want[i] != want[i]) {
					t.Fatalf("%s, %d lanes: lane %d = %g, want %g", v.name, vec, i, got[i], want[i])
				}
			}
		}
	}
}

// addKeepingUpperHalves is addVectorsAVX2 without the final clearing of the upper halves.
func addKeepingUpperHalves(dst, a, b []float32) {
	for i := 0; i+8 <= len(dst); i += 8 {
		x := archsimd.LoadFloat32x8((*[8]float32)(a[i : i+8]))
		y := archsimd.LoadFloat32x8((*[8]float32)(b[i : i+8]))
		x.Add(y).Store((*[8]float32)(dst[i : i+8]))
	}
}

var scalarSink = []float32{1, 2}

// BenchmarkUpperHalvesBeforeScalar shows why every kernel clears the upper halves of the
// vector registers: it adds rows of 32 floats with AVX2 and stores one float32 scalar after
// each row, with the halves cleared (the kernels' way) and left holding data.
func BenchmarkUpperHalvesBeforeScalar(b *testing.B) {
	if !archsimd.X86.AVX2() {
		b.Skip("needs AVX2")
	}
	const rows, cols = 4096, 32
	acc := make([]float32, cols)
	src := make([]float32, rows*cols)
	for _, c := range []struct {
		name string
		add  func(dst, a, b []float32)
	}{{"cleared", addVectorsAVX2}, {"kept", addKeepingUpperHalves}} {
		b.Run(c.name, func(b *testing.B) {
			for b.Loop() {
				for r := range rows {
					c.add(acc, acc, src[r*cols:(r+1)*cols])
					scalarSink[r&1] = scalarSink[(r+1)&1] + 1
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*rows), "ns/row")
		})
	}
	archsimd.ClearAVXUpperBits()
}
