package kernels

import "unsafe"

// microGeneric is the portable microkernel: plain Go, one scalar accumulator per element.
func microGeneric(a0, a1, a2, a3 unsafe.Pointer, cs uintptr, b unsafe.Pointer, bs uintptr, kc int, c unsafe.Pointer, ldc uintptr, load bool) {
	var acc [tileRows][tileCols]float32
	rows := [tileRows]unsafe.Pointer{a0, a1, a2, a3}
	if load {
		for i := range tileRows {
			acc[i] = *(*[tileCols]float32)(unsafe.Add(c, uintptr(i)*ldc))
		}
	}
	for k := range kc {
		bRow := (*[tileCols]float32)(unsafe.Add(b, uintptr(k)*bs))
		for i := range tileRows {
			x := *(*float32)(unsafe.Add(rows[i], uintptr(k)*cs))
			row := &acc[i]
			for j := range tileCols {
				row[j] += x * bRow[j]
			}
		}
	}
	for i := range tileRows {
		*(*[tileCols]float32)(unsafe.Add(c, uintptr(i)*ldc)) = acc[i]
	}
}

// microOffsetsGeneric is microGeneric with row k of B at b + 4·offsets[k] bytes.
func microOffsetsGeneric(a0, a1, a2, a3 unsafe.Pointer, cs uintptr, b unsafe.Pointer, offsets *int32, kc int, c unsafe.Pointer, ldc uintptr, load bool) {
	var acc [tileRows][tileCols]float32
	rows := [tileRows]unsafe.Pointer{a0, a1, a2, a3}
	if load {
		for i := range tileRows {
			acc[i] = *(*[tileCols]float32)(unsafe.Add(c, uintptr(i)*ldc))
		}
	}
	offs := unsafe.Slice(offsets, kc)
	for k, off := range offs {
		bRow := (*[tileCols]float32)(unsafe.Add(b, uintptr(off)*4))
		for i := range tileRows {
			x := *(*float32)(unsafe.Add(rows[i], uintptr(k)*cs))
			row := &acc[i]
			for j := range tileCols {
				row[j] += x * bRow[j]
			}
		}
	}
	for i := range tileRows {
		*(*[tileCols]float32)(unsafe.Add(c, uintptr(i)*ldc)) = acc[i]
	}
}
