//go:build goexperiment.simd && amd64

package kernels

import (
	"simd/archsimd"
	"unsafe"
)

var implementation, micro, microOffsets = chooseMicro()

// chooseMicro picks the widest microkernels the CPU supports.
func chooseMicro() (string, microFunc, microOffsetsFunc) {
	switch {
	case archsimd.X86.AVX512():
		return "AVX-512", microAVX512, microOffsetsAVX512
	case archsimd.X86.AVX2() && archsimd.X86.FMA():
		return "AVX2", microAVX2, microOffsetsAVX2
	}
	return "portable Go", microGeneric, microOffsetsGeneric
}

// leaveAVX clears the upper halves of the vector registers. Every function here calls it
// before scalar code runs, because Go compiles float32 scalar arithmetic to legacy SSE
// instructions, and on some CPUs each of those stalls while the upper halves hold data. On an
// AMD Zen 3 virtual machine, a loop of 32-float additions with a scalar store after each ran
// 20 times slower without it.
func leaveAVX() { archsimd.ClearAVXUpperBits() }

func load16(p unsafe.Pointer) archsimd.Float32x16 {
	return archsimd.LoadFloat32x16((*[16]float32)(p))
}

func store16(p unsafe.Pointer, v archsimd.Float32x16) {
	v.Store((*[16]float32)(p))
}

// microAVX512 keeps the 4×32 tile in eight 16-lane registers.
func microAVX512(a0, a1, a2, a3 unsafe.Pointer, cs uintptr, b unsafe.Pointer, bs uintptr, kc int, c unsafe.Pointer, ldc uintptr, load bool) {
	var c00, c01, c10, c11, c20, c21, c30, c31 archsimd.Float32x16
	if load {
		c00, c01 = load16(c), load16(unsafe.Add(c, 64))
		c10, c11 = load16(unsafe.Add(c, ldc)), load16(unsafe.Add(c, ldc+64))
		c20, c21 = load16(unsafe.Add(c, 2*ldc)), load16(unsafe.Add(c, 2*ldc+64))
		c30, c31 = load16(unsafe.Add(c, 3*ldc)), load16(unsafe.Add(c, 3*ldc+64))
	}
	for range kc {
		b0, b1 := load16(b), load16(unsafe.Add(b, 64))
		x := archsimd.BroadcastFloat32x16(*(*float32)(a0))
		c00 = x.MulAdd(b0, c00)
		c01 = x.MulAdd(b1, c01)
		x = archsimd.BroadcastFloat32x16(*(*float32)(a1))
		c10 = x.MulAdd(b0, c10)
		c11 = x.MulAdd(b1, c11)
		x = archsimd.BroadcastFloat32x16(*(*float32)(a2))
		c20 = x.MulAdd(b0, c20)
		c21 = x.MulAdd(b1, c21)
		x = archsimd.BroadcastFloat32x16(*(*float32)(a3))
		c30 = x.MulAdd(b0, c30)
		c31 = x.MulAdd(b1, c31)
		a0, a1, a2, a3 = unsafe.Add(a0, cs), unsafe.Add(a1, cs), unsafe.Add(a2, cs), unsafe.Add(a3, cs)
		b = unsafe.Add(b, bs)
	}
	store16(c, c00)
	store16(unsafe.Add(c, 64), c01)
	store16(unsafe.Add(c, ldc), c10)
	store16(unsafe.Add(c, ldc+64), c11)
	store16(unsafe.Add(c, 2*ldc), c20)
	store16(unsafe.Add(c, 2*ldc+64), c21)
	store16(unsafe.Add(c, 3*ldc), c30)
	store16(unsafe.Add(c, 3*ldc+64), c31)
	leaveAVX()
}

// microOffsetsAVX512 is microAVX512 with row k of B at b + 4·offsets[k] bytes.
func microOffsetsAVX512(a0, a1, a2, a3 unsafe.Pointer, cs uintptr, b unsafe.Pointer, offsets *int32, kc int, c unsafe.Pointer, ldc uintptr, load bool) {
	var c00, c01, c10, c11, c20, c21, c30, c31 archsimd.Float32x16
	if load {
		c00, c01 = load16(c), load16(unsafe.Add(c, 64))
		c10, c11 = load16(unsafe.Add(c, ldc)), load16(unsafe.Add(c, ldc+64))
		c20, c21 = load16(unsafe.Add(c, 2*ldc)), load16(unsafe.Add(c, 2*ldc+64))
		c30, c31 = load16(unsafe.Add(c, 3*ldc)), load16(unsafe.Add(c, 3*ldc+64))
	}

	off := unsafe.Pointer(offsets)
	for range kc {
		row := unsafe.Add(b, uintptr(*(*int32)(off))*4)
		b0, b1 := load16(row), load16(unsafe.Add(row, 64))
		x := archsimd.BroadcastFloat32x16(*(*float32)(a0))
		c00 = x.MulAdd(b0, c00)
		c01 = x.MulAdd(b1, c01)
		x = archsimd.BroadcastFloat32x16(*(*float32)(a1))
		c10 = x.MulAdd(b0, c10)
		c11 = x.MulAdd(b1, c11)
		x = archsimd.BroadcastFloat32x16(*(*float32)(a2))
		c20 = x.MulAdd(b0, c20)
		c21 = x.MulAdd(b1, c21)
		x = archsimd.BroadcastFloat32x16(*(*float32)(a3))
		c30 = x.MulAdd(b0, c30)
		c31 = x.MulAdd(b1, c31)
		a0, a1, a2, a3 = unsafe.Add(a0, cs), unsafe.Add(a1, cs), unsafe.Add(a2, cs), unsafe.Add(a3, cs)
		off = unsafe.Add(off, 4)
	}

	store16(c, c00)
	store16(unsafe.Add(c, 64), c01)
	store16(unsafe.Add(c, ldc), c10)
	store16(unsafe.Add(c, ldc+64), c11)
	store16(unsafe.Add(c, 2*ldc), c20)
	store16(unsafe.Add(c, 2*ldc+64), c21)
	store16(unsafe.Add(c, 3*ldc), c30)
	store16(unsafe.Add(c, 3*ldc+64), c31)
	leaveAVX()
}

func load8(p unsafe.Pointer) archsimd.Float32x8 {
	return archsimd.LoadFloat32x8((*[8]float32)(p))
}

func store8(p unsafe.Pointer, v archsimd.Float32x8) {
	v.Store((*[8]float32)(p))
}

// microAVX2 computes the 4×32 tile as two 2×32 halves, each in eight 8-lane registers. Rows
// rather than columns are split so that each element of A is broadcast once: on AVX2
// machines the broadcasts, not the multiply-adds, limit the kernel.
func microAVX2(a0, a1, a2, a3 unsafe.Pointer, cs uintptr, b unsafe.Pointer, bs uintptr, kc int, c unsafe.Pointer, ldc uintptr, load bool) {
	microAVX2Half(a0, a1, cs, b, bs, kc, c, ldc, load)
	microAVX2Half(a2, a3, cs, b, bs, kc, unsafe.Add(c, 2*ldc), ldc, load)
	leaveAVX()
}

// microOffsetsAVX2 is microAVX2 with row k of B at b + 4·offsets[k] bytes.
func microOffsetsAVX2(a0, a1, a2, a3 unsafe.Pointer, cs uintptr, b unsafe.Pointer, offsets *int32, kc int, c unsafe.Pointer, ldc uintptr, load bool) {
	microOffsetsAVX2Half(a0, a1, cs, b, offsets, kc, c, ldc, load)
	microOffsetsAVX2Half(a2, a3, cs, b, offsets, kc, unsafe.Add(c, 2*ldc), ldc, load)
	leaveAVX()
}

func microAVX2Half(a0, a1 unsafe.Pointer, cs uintptr, b unsafe.Pointer, bs uintptr, kc int, c unsafe.Pointer, ldc uintptr, load bool) {
	var c00, c01, c02, c03, c10, c11, c12, c13 archsimd.Float32x8
	if load {
		c00, c01, c02, c03 = load8(c), load8(unsafe.Add(c, 32)), load8(unsafe.Add(c, 64)), load8(unsafe.Add(c, 96))
		c10, c11, c12, c13 = load8(unsafe.Add(c, ldc)), load8(unsafe.Add(c, ldc+32)), load8(unsafe.Add(c, ldc+64)), load8(unsafe.Add(c, ldc+96))
	}
	// One pointer walks A, with row 1 at a fixed distance, and the loop ends on it. The loads
	// call archsimd directly, because an inlined wrapper leaves a NOP in the loop. Each
	// instruction saved here is about 3 % of the kernel's time.
	d1 := uintptr(a1) - uintptr(a0)
	end := unsafe.Add(a0, uintptr(kc)*cs)
	for a := a0; a != end; a = unsafe.Add(a, cs) {
		b0 := archsimd.LoadFloat32x8((*[8]float32)(b))
		b1 := archsimd.LoadFloat32x8((*[8]float32)(unsafe.Add(b, 32)))
		b2 := archsimd.LoadFloat32x8((*[8]float32)(unsafe.Add(b, 64)))
		b3 := archsimd.LoadFloat32x8((*[8]float32)(unsafe.Add(b, 96)))
		x := archsimd.BroadcastFloat32x8(*(*float32)(a))
		c00 = x.MulAdd(b0, c00)
		c01 = x.MulAdd(b1, c01)
		c02 = x.MulAdd(b2, c02)
		c03 = x.MulAdd(b3, c03)
		x = archsimd.BroadcastFloat32x8(*(*float32)(unsafe.Add(a, d1)))
		c10 = x.MulAdd(b0, c10)
		c11 = x.MulAdd(b1, c11)
		c12 = x.MulAdd(b2, c12)
		c13 = x.MulAdd(b3, c13)
		b = unsafe.Add(b, bs)
	}
	store8(c, c00)
	store8(unsafe.Add(c, 32), c01)
	store8(unsafe.Add(c, 64), c02)
	store8(unsafe.Add(c, 96), c03)
	store8(unsafe.Add(c, ldc), c10)
	store8(unsafe.Add(c, ldc+32), c11)
	store8(unsafe.Add(c, ldc+64), c12)
	store8(unsafe.Add(c, ldc+96), c13)
}

func microOffsetsAVX2Half(a0, a1 unsafe.Pointer, cs uintptr, b unsafe.Pointer, offsets *int32, kc int, c unsafe.Pointer, ldc uintptr, load bool) {
	var c00, c01, c02, c03, c10, c11, c12, c13 archsimd.Float32x8
	if load {
		c00, c01, c02, c03 = load8(c), load8(unsafe.Add(c, 32)), load8(unsafe.Add(c, 64)), load8(unsafe.Add(c, 96))
		c10, c11, c12, c13 = load8(unsafe.Add(c, ldc)), load8(unsafe.Add(c, ldc+32)), load8(unsafe.Add(c, ldc+64)), load8(unsafe.Add(c, ldc+96))
	}
	// The next row of B is found at the end of each step, from offsets[k+1], so that the
	// loads address the row in a register with constant displacements.
	off := unsafe.Pointer(offsets)
	row := unsafe.Add(b, uintptr(*(*int32)(off))*4)
	d1 := uintptr(a1) - uintptr(a0)
	end := unsafe.Add(a0, uintptr(kc)*cs)
	for a := a0; a != end; a = unsafe.Add(a, cs) {
		b0 := archsimd.LoadFloat32x8((*[8]float32)(row))
		b1 := archsimd.LoadFloat32x8((*[8]float32)(unsafe.Add(row, 32)))
		b2 := archsimd.LoadFloat32x8((*[8]float32)(unsafe.Add(row, 64)))
		b3 := archsimd.LoadFloat32x8((*[8]float32)(unsafe.Add(row, 96)))
		x := archsimd.BroadcastFloat32x8(*(*float32)(a))
		c00 = x.MulAdd(b0, c00)
		c01 = x.MulAdd(b1, c01)
		c02 = x.MulAdd(b2, c02)
		c03 = x.MulAdd(b3, c03)
		x = archsimd.BroadcastFloat32x8(*(*float32)(unsafe.Add(a, d1)))
		c10 = x.MulAdd(b0, c10)
		c11 = x.MulAdd(b1, c11)
		c12 = x.MulAdd(b2, c12)
		c13 = x.MulAdd(b3, c13)
		off = unsafe.Add(off, 4)
		row = unsafe.Add(b, uintptr(*(*int32)(off))*4)
	}
	store8(c, c00)
	store8(unsafe.Add(c, 32), c01)
	store8(unsafe.Add(c, 64), c02)
	store8(unsafe.Add(c, 96), c03)
	store8(unsafe.Add(c, ldc), c10)
	store8(unsafe.Add(c, ldc+32), c11)
	store8(unsafe.Add(c, ldc+64), c12)
	store8(unsafe.Add(c, ldc+96), c13)
}

// Element-wise operations: the widest SIMD versions the CPU has, else the portable loops.
var (
	addVectors = pick(addVectorsAVX512, addVectorsAVX2, addVectorsGeneric)
	subVectors = pick(subVectorsAVX512, subVectorsAVX2, subVectorsGeneric)
	mulVectors = pick(mulVectorsAVX512, mulVectorsAVX2, mulVectorsGeneric)
	maxVectors = pick(maxVectorsAVX512, maxVectorsAVX2, maxVectorsGeneric)
	signVector = pick(signVectorAVX512, signVectorAVX2, signVectorGeneric)

	selectMaxWindow = pick(selectMaxWindowAVX512, selectMaxWindowAVX2, selectMaxWindowGeneric)
	maxWindow       = pick(maxWindowAVX512, maxWindowAVX2, maxWindowGeneric)
)

func pick[F any](avx512, avx2, generic F) F {
	switch {
	case archsimd.X86.AVX512():
		return avx512
	case archsimd.X86.AVX2():
		return avx2
	}
	return generic
}

func addVectorsAVX512(dst, a, b []float32) {
	i := 0
	for ; i+16 <= len(dst); i += 16 {
		x := archsimd.LoadFloat32x16((*[16]float32)(a[i : i+16]))
		y := archsimd.LoadFloat32x16((*[16]float32)(b[i : i+16]))
		x.Add(y).Store((*[16]float32)(dst[i : i+16]))
	}
	leaveAVX()
	addVectorsGeneric(dst[i:], a[i:], b[i:])
}

func subVectorsAVX512(dst, a, b []float32) {
	i := 0
	for ; i+16 <= len(dst); i += 16 {
		x := archsimd.LoadFloat32x16((*[16]float32)(a[i : i+16]))
		y := archsimd.LoadFloat32x16((*[16]float32)(b[i : i+16]))
		x.Sub(y).Store((*[16]float32)(dst[i : i+16]))
	}
	leaveAVX()
	subVectorsGeneric(dst[i:], a[i:], b[i:])
}

func mulVectorsAVX512(dst, a, b []float32) {
	i := 0
	for ; i+16 <= len(dst); i += 16 {
		x := archsimd.LoadFloat32x16((*[16]float32)(a[i : i+16]))
		y := archsimd.LoadFloat32x16((*[16]float32)(b[i : i+16]))
		x.Mul(y).Store((*[16]float32)(dst[i : i+16]))
	}
	leaveAVX()
	mulVectorsGeneric(dst[i:], a[i:], b[i:])
}

// maxVectorsAVX512 propagates NaN from either operand, as maxVectorsGeneric.
func maxVectorsAVX512(dst, a, b []float32) {
	i := 0
	for ; i+16 <= len(dst); i += 16 {
		x := archsimd.LoadFloat32x16((*[16]float32)(a[i : i+16]))
		y := archsimd.LoadFloat32x16((*[16]float32)(b[i : i+16]))
		// VMAXPS returns its second operand, x, on ties (as maxVectorsGeneric keeps a) and when
		// either is NaN, so only a NaN in y needs a merge.
		m := y.Max(x)
		m = y.Merge(m, y.NotEqual(y))
		m.Store((*[16]float32)(dst[i : i+16]))
	}
	leaveAVX()
	maxVectorsGeneric(dst[i:], a[i:], b[i:])
}

// signVectorAVX512 returns ±1 with the sign of x, or x itself for ±0 and NaN.
func signVectorAVX512(dst, a []float32) {
	one := archsimd.BroadcastInt32x16(0x3f800000)
	signBit := archsimd.BroadcastInt32x16(-0x80000000)
	zero := one.Xor(one).AsFloat32x16() // VPXOR: BroadcastFloat32x16(0) compiles to a legacy SSE XORPS
	i := 0
	for ; i+16 <= len(dst); i += 16 {
		x := archsimd.LoadFloat32x16((*[16]float32)(a[i : i+16]))
		signed := x.AsInt32x16().And(signBit).Or(one).AsFloat32x16()
		keep := x.Equal(zero).Or(x.NotEqual(x))
		x.Merge(signed, keep).Store((*[16]float32)(dst[i : i+16]))
	}
	leaveAVX()
	signVectorGeneric(dst[i:], a[i:])
}

// selectMaxWindowAVX512 is selectMaxWindowGeneric with sixteen lanes at a time.
func selectMaxWindowAVX512(dst, operand, source []float32, offsets []int, sourceOffset, vec int) {
	lane := 0
	for ; lane+16 <= vec; lane += 16 {
		first := offsets[0] + lane
		best := archsimd.LoadFloat32x16((*[16]float32)(operand[first : first+16]))
		bestIndex := archsimd.BroadcastInt32x16(0)
		for k := 1; k < len(offsets); k++ {
			o := offsets[k] + lane
			v := archsimd.LoadFloat32x16((*[16]float32)(operand[o : o+16]))
			greater := v.Greater(best)
			best = v.Merge(best, greater)
			bestIndex = archsimd.BroadcastInt32x16(int32(k)).Merge(bestIndex, greater)
		}
		s := sourceOffset + lane
		g := archsimd.LoadFloat32x16((*[16]float32)(source[s : s+16]))
		for k, offset := range offsets {
			o := offset + lane
			g.Masked(bestIndex.Equal(archsimd.BroadcastInt32x16(int32(k)))).Store((*[16]float32)(dst[o : o+16]))
		}
	}
	leaveAVX()
	if lane < vec {
		tail := make([]int, len(offsets))
		for k, offset := range offsets {
			tail[k] = offset + lane
		}
		selectMaxWindowGeneric(dst, operand, source, tail, sourceOffset+lane, vec-lane)
	}
}

func addVectorsAVX2(dst, a, b []float32) {
	i := 0
	for ; i+8 <= len(dst); i += 8 {
		x := archsimd.LoadFloat32x8((*[8]float32)(a[i : i+8]))
		y := archsimd.LoadFloat32x8((*[8]float32)(b[i : i+8]))
		x.Add(y).Store((*[8]float32)(dst[i : i+8]))
	}
	leaveAVX()
	addVectorsGeneric(dst[i:], a[i:], b[i:])
}

func subVectorsAVX2(dst, a, b []float32) {
	i := 0
	for ; i+8 <= len(dst); i += 8 {
		x := archsimd.LoadFloat32x8((*[8]float32)(a[i : i+8]))
		y := archsimd.LoadFloat32x8((*[8]float32)(b[i : i+8]))
		x.Sub(y).Store((*[8]float32)(dst[i : i+8]))
	}
	leaveAVX()
	subVectorsGeneric(dst[i:], a[i:], b[i:])
}

func mulVectorsAVX2(dst, a, b []float32) {
	i := 0
	for ; i+8 <= len(dst); i += 8 {
		x := archsimd.LoadFloat32x8((*[8]float32)(a[i : i+8]))
		y := archsimd.LoadFloat32x8((*[8]float32)(b[i : i+8]))
		x.Mul(y).Store((*[8]float32)(dst[i : i+8]))
	}
	leaveAVX()
	mulVectorsGeneric(dst[i:], a[i:], b[i:])
}

// maxVectorsAVX2 propagates NaN from either operand, as maxVectorsGeneric.
func maxVectorsAVX2(dst, a, b []float32) {
	i := 0
	for ; i+8 <= len(dst); i += 8 {
		x := archsimd.LoadFloat32x8((*[8]float32)(a[i : i+8]))
		y := archsimd.LoadFloat32x8((*[8]float32)(b[i : i+8]))
		// VMAXPS returns its second operand, x, on ties (as maxVectorsGeneric keeps a) and when
		// either is NaN, so only a NaN in y needs a merge.
		m := y.Max(x)
		m = y.Merge(m, y.NotEqual(y))
		m.Store((*[8]float32)(dst[i : i+8]))
	}
	leaveAVX()
	maxVectorsGeneric(dst[i:], a[i:], b[i:])
}

// signVectorAVX2 returns ±1 with the sign of x, or x itself for ±0 and NaN.
func signVectorAVX2(dst, a []float32) {
	one := archsimd.BroadcastInt32x8(0x3f800000)
	signBit := archsimd.BroadcastInt32x8(-0x80000000)
	zero := one.Xor(one).AsFloat32x8() // VPXOR: BroadcastFloat32x8(0) compiles to a legacy SSE XORPS
	i := 0
	for ; i+8 <= len(dst); i += 8 {
		x := archsimd.LoadFloat32x8((*[8]float32)(a[i : i+8]))
		signed := x.AsInt32x8().And(signBit).Or(one).AsFloat32x8()
		keep := x.Equal(zero).Or(x.NotEqual(x))
		x.Merge(signed, keep).Store((*[8]float32)(dst[i : i+8]))
	}
	leaveAVX()
	signVectorGeneric(dst[i:], a[i:])
}

// selectMaxWindowAVX2 is selectMaxWindowGeneric with eight lanes at a time.
func selectMaxWindowAVX2(dst, operand, source []float32, offsets []int, sourceOffset, vec int) {
	lane := 0
	for ; lane+8 <= vec; lane += 8 {
		first := offsets[0] + lane
		best := archsimd.LoadFloat32x8((*[8]float32)(operand[first : first+8]))
		bestIndex := archsimd.BroadcastInt32x8(0)
		for k := 1; k < len(offsets); k++ {
			o := offsets[k] + lane
			v := archsimd.LoadFloat32x8((*[8]float32)(operand[o : o+8]))
			greater := v.Greater(best)
			best = v.Merge(best, greater)
			bestIndex = archsimd.BroadcastInt32x8(int32(k)).Merge(bestIndex, greater)
		}
		s := sourceOffset + lane
		g := archsimd.LoadFloat32x8((*[8]float32)(source[s : s+8]))
		for k, offset := range offsets {
			o := offset + lane
			g.Masked(bestIndex.Equal(archsimd.BroadcastInt32x8(int32(k)))).Store((*[8]float32)(dst[o : o+8]))
		}
	}
	leaveAVX()
	if lane < vec {
		tail := make([]int, len(offsets))
		for k, offset := range offsets {
			tail[k] = offset + lane
		}
		selectMaxWindowGeneric(dst, operand, source, tail, sourceOffset+lane, vec-lane)
	}
}

// maxWindowAVX2 is maxWindowGeneric with 8 lanes at a time, NaN propagated as
// maxVectorsAVX2 does.
func maxWindowAVX2(dst, src []float32, offsets []int, vec int) {
	lane := 0
	for ; lane+8 <= vec; lane += 8 {
		o := offsets[0] + lane
		acc := archsimd.LoadFloat32x8((*[8]float32)(src[o : o+8]))
		for _, offset := range offsets[1:] {
			o := offset + lane
			x := archsimd.LoadFloat32x8((*[8]float32)(src[o : o+8]))
			// VMAXPS returns its second operand, acc, on ties and when either is NaN, so only a
			// NaN in x needs a merge.
			m := x.Max(acc)
			acc = x.Merge(m, x.NotEqual(x))
		}
		acc.Store((*[8]float32)(dst[lane : lane+8]))
	}
	leaveAVX()
	maxWindowLanes(dst, src, offsets, lane, vec)
}

// maxWindowAVX512 is maxWindowGeneric with 16 lanes at a time, NaN propagated as
// maxVectorsAVX512 does.
func maxWindowAVX512(dst, src []float32, offsets []int, vec int) {
	lane := 0
	for ; lane+16 <= vec; lane += 16 {
		o := offsets[0] + lane
		acc := archsimd.LoadFloat32x16((*[16]float32)(src[o : o+16]))
		for _, offset := range offsets[1:] {
			o := offset + lane
			x := archsimd.LoadFloat32x16((*[16]float32)(src[o : o+16]))
			// VMAXPS returns its second operand, acc, on ties and when either is NaN, so only a
			// NaN in x needs a merge.
			m := x.Max(acc)
			acc = x.Merge(m, x.NotEqual(x))
		}
		acc.Store((*[16]float32)(dst[lane : lane+16]))
	}
	leaveAVX()
	maxWindowLanes(dst, src, offsets, lane, vec)
}
