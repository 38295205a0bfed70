package kernels

import (
	"fmt"
	"math"
)

// Fused element-wise programs. A program computes float32 arrays of one shape from input
// arrays, in chunks that stay in the L1 cache. So a chain of element-wise operations reads and
// writes memory once instead of once per operation.

// ElementOp is an element-wise operation of a fused program.
type ElementOp int

const (
	OpAdd ElementOp = iota
	OpSub
	OpMul
	OpDiv
	OpMax
	OpMin
	OpPow
	OpNeg
	OpAbs
	OpSign
	OpSqrt
	OpRsqrt
	OpExp
	OpLog
	OpTanh
	OpLogistic
	OpFloor
	OpCeil
	OpIdentity
)

// Arity returns the number of operands of op.
func (op ElementOp) Arity() int {
	if op <= OpPow {
		return 2
	}
	return 1
}

// Access describes how a fused program reads an input array: element i of the program's shape
// reads input element Σ_a index_a(i)·Strides[a], where broadcast axes have stride 0.
type Access struct {
	Strides []int // one per axis of the program's shape
}

// Instruction applies Op to values Args and defines a new value. Values 0…len(inputs)−1 are
// the inputs; instruction j defines value len(inputs)+j.
type Instruction struct {
	Op   ElementOp
	Args [2]int
}

// Program is a fused element-wise computation over arrays with dimensions Dims.
type Program struct {
	Dims         []int
	Inputs       []Access
	Instructions []Instruction
	Outputs      []int // values written to the output arrays, in order
}

// chunk is the number of elements a program evaluates per step.
const chunk = 512

// accessKind classifies an input access for fast reads.
type accessKind int

const (
	accessFull     accessKind = iota // the input has the program's shape
	accessScalar                     // one element for all
	accessPeriodic                   // element i reads input[i mod period]
	accessRepeated                   // element i reads input[i / repeat]
	accessGeneral                    // strides per axis
)

type inputPlan struct {
	kind            accessKind
	period, repeat  int
	strides, sizeOf []int
}

func planAccess(dims []int, a Access) inputPlan {
	if len(a.Strides) != len(dims) {
		panic(fmt.Sprintf("kernels: fused access with %d strides for rank %d", len(a.Strides), len(dims)))
	}
	full := strides(dims)
	p := inputPlan{kind: accessGeneral, strides: a.Strides}
	isFull, isScalar := true, true
	for ax := range dims {
		if dims[ax] > 1 && a.Strides[ax] != full[ax] {
			isFull = false
		}
		if dims[ax] > 1 && a.Strides[ax] != 0 {
			isScalar = false
		}
	}
	switch {
	case isScalar:
		p.kind = accessScalar
		return p
	case isFull:
		p.kind = accessFull
		return p
	}
	// Periodic: broadcast leading axes, full trailing axes.
	split := 0
	for split < len(dims) && (dims[split] == 1 || a.Strides[split] == 0) {
		split++
	}
	periodic := split > 0
	for ax := split; ax < len(dims); ax++ {
		if dims[ax] > 1 && a.Strides[ax] != full[ax] {
			periodic = false
		}
	}
	if periodic {
		p.kind, p.period = accessPeriodic, size(dims[split:])
		return p
	}
	// Repeated: full leading axes (with strides of the input's own row-major layout), broadcast trailing axes.
	end := len(dims)
	for end > 0 && (dims[end-1] == 1 || a.Strides[end-1] == 0) {
		end--
	}
	repeated := end < len(dims)
	inner := size(dims[end:])
	want := 1
	for ax := end - 1; ax >= 0; ax-- {
		if dims[ax] > 1 && a.Strides[ax] != want {
			repeated = false
		}
		want *= dims[ax]
	}
	if repeated {
		p.kind, p.repeat = accessRepeated, inner
	}
	return p
}

// Run evaluates the program on inputs and writes outputs. Every output has the program's
// size; each input must cover the elements its access reads. It panics otherwise.
func (p *Program) Run(workers int, outputs, inputs [][]float32) {
	n := size(p.Dims)
	if len(inputs) != len(p.Inputs) || len(outputs) != len(p.Outputs) {
		panic(fmt.Sprintf("kernels: fused program with %d inputs and %d outputs got %d and %d",
			len(p.Inputs), len(p.Outputs), len(inputs), len(outputs)))
	}
	for i, out := range outputs {
		if len(out) != n {
			panic(fmt.Sprintf("kernels: fused output %d has length %d, want %d", i, len(out), n))
		}
	}
	plans := make([]inputPlan, len(inputs))
	for i, a := range p.Inputs {
		plans[i] = planAccess(p.Dims, a)
		last := 0
		for ax, d := range p.Dims {
			last += (d - 1) * a.Strides[ax]
		}
		if n > 0 && last >= len(inputs[i]) {
			panic(fmt.Sprintf("kernels: fused input %d of length %d read up to element %d", i, len(inputs[i]), last))
		}
	}
	numValues := len(inputs) + len(p.Instructions)
	for j, ins := range p.Instructions {
		for k := range ins.Op.Arity() {
			if ins.Args[k] < 0 || ins.Args[k] >= len(inputs)+j {
				panic(fmt.Sprintf("kernels: fused instruction %d reads value %d before it is defined", j, ins.Args[k]))
			}
		}
	}
	// An output written by an instruction is computed in place in the output array.
	outputOf := make([]int, numValues)
	for i := range outputOf {
		outputOf[i] = -1
	}
	for o, v := range p.Outputs {
		if v >= len(inputs) && outputOf[v] < 0 {
			outputOf[v] = o
		}
	}

	grain := max(1, 16384/chunk)
	numChunks := (n + chunk - 1) / chunk
	parallelFor(workers, numChunks, grain, func(startChunk, endChunk int) {
		scratch := make([]float32, numValues*chunk)
		values := make([][]float32, numValues)
		// Scalar and periodic inputs are tiled once: any chunk is then a sub-slice.
		tiles := make([][]float32, len(inputs))
		for i, in := range inputs {
			switch plans[i].kind {
			case accessScalar:
				tiles[i] = tile(in[:1], chunk)
			case accessPeriodic:
				tiles[i] = tile(in[:plans[i].period], chunk+plans[i].period)
			}
		}
		for c := startChunk; c < endChunk; c++ {
			start := c * chunk
			length := min(chunk, n-start)
			for i, in := range inputs {
				switch plans[i].kind {
				case accessScalar:
					values[i] = tiles[i][:length]
				case accessPeriodic:
					pos := start % plans[i].period
					values[i] = tiles[i][pos : pos+length]
				default:
					values[i] = readInput(in, plans[i], p.Dims, start, length, scratch[i*chunk:i*chunk+length])
				}
			}
			for j, ins := range p.Instructions {
				v := len(inputs) + j
				var dst []float32
				if o := outputOf[v]; o >= 0 {
					dst = outputs[o][start : start+length]
				} else {
					dst = scratch[v*chunk : v*chunk+length]
				}
				apply(ins.Op, dst, values[ins.Args[0]], values[ins.Args[1]])
				values[v] = dst
			}
			for o, v := range p.Outputs {
				if v < len(inputs) || outputOf[v] != o {
					copy(outputs[o][start:start+length], values[v])
				}
			}
		}
	})
}

// tile returns pattern repeated to at least n elements.
func tile(pattern []float32, n int) []float32 {
	out := make([]float32, 0, n+len(pattern))
	for len(out) < n {
		out = append(out, pattern...)
	}
	return out
}

// readInput returns the elements [start, start+length) of an input as the program reads them,
// in place when possible, else gathered into buf.
func readInput(in []float32, p inputPlan, dims []int, start, length int, buf []float32) []float32 {
	switch p.kind {
	case accessFull:
		return in[start : start+length]
	case accessScalar:
		v := in[0]
		for i := range buf {
			buf[i] = v
		}
	case accessPeriodic:
		pos := start % p.period
		for filled := 0; filled < length; {
			n := copy(buf[filled:], in[pos:p.period])
			filled += n
			pos = 0
		}
	case accessRepeated:
		for i := 0; i < length; {
			v := in[(start+i)/p.repeat]
			end := min(length, i+p.repeat-(start+i)%p.repeat)
			for ; i < end; i++ {
				buf[i] = v
			}
		}
	default:
		idx := make([]int, len(dims))
		rem := start
		for a := len(dims) - 1; a >= 0; a-- {
			idx[a] = rem % dims[a]
			rem /= dims[a]
		}
		for i := range buf {
			off := 0
			for a, v := range idx {
				off += v * p.strides[a]
			}
			buf[i] = in[off]
			for a := len(idx) - 1; a >= 0; a-- {
				idx[a]++
				if idx[a] < dims[a] {
					break
				}
				idx[a] = 0
			}
		}
	}
	return buf
}

// apply computes dst = op(a, b) element-wise (b is unused by unary operations).
func apply(op ElementOp, dst, a, b []float32) {
	a = a[:len(dst)]
	if op.Arity() == 2 {
		b = b[:len(dst)]
	}
	switch op {
	case OpAdd:
		addVectors(dst, a, b)
	case OpSub:
		subVectors(dst, a, b)
	case OpMul:
		mulVectors(dst, a, b)
	case OpDiv:
		for i := range dst {
			dst[i] = a[i] / b[i]
		}
	case OpMax:
		maxVectors(dst, a, b)
	case OpMin:
		for i := range dst {
			x, y := a[i], b[i]
			if y < x || y != y {
				x = y
			}
			dst[i] = x
		}
	case OpPow:
		for i := range dst {
			dst[i] = float32(math.Pow(float64(a[i]), float64(b[i])))
		}
	case OpNeg:
		for i := range dst {
			dst[i] = -a[i]
		}
	case OpAbs:
		for i := range dst {
			dst[i] = float32(math.Abs(float64(a[i])))
		}
	case OpSign:
		signVector(dst, a)
	case OpSqrt:
		for i := range dst {
			dst[i] = float32(math.Sqrt(float64(a[i])))
		}
	case OpRsqrt:
		for i := range dst {
			dst[i] = float32(1 / math.Sqrt(float64(a[i])))
		}
	case OpExp:
		for i := range dst {
			dst[i] = float32(math.Exp(float64(a[i])))
		}
	case OpLog:
		for i := range dst {
			dst[i] = float32(math.Log(float64(a[i])))
		}
	case OpTanh:
		for i := range dst {
			dst[i] = float32(math.Tanh(float64(a[i])))
		}
	case OpLogistic:
		for i := range dst {
			dst[i] = float32(1 / (1 + math.Exp(-float64(a[i]))))
		}
	case OpFloor:
		for i := range dst {
			dst[i] = float32(math.Floor(float64(a[i])))
		}
	case OpCeil:
		for i := range dst {
			dst[i] = float32(math.Ceil(float64(a[i])))
		}
	case OpIdentity:
		copy(dst, a)
	default:
		panic(fmt.Sprintf("kernels: fused operation %d unknown", op))
	}
}

// The operations below have SIMD versions in builds with GOEXPERIMENT=simd.

func addVectorsGeneric(dst, a, b []float32) {
	for i := range dst {
		dst[i] = a[i] + b[i]
	}
}

func subVectorsGeneric(dst, a, b []float32) {
	for i := range dst {
		dst[i] = a[i] - b[i]
	}
}

func mulVectorsGeneric(dst, a, b []float32) {
	for i := range dst {
		dst[i] = a[i] * b[i]
	}
}

// maxVectorsGeneric returns the larger element, or NaN where either is NaN, as XLA's Max.
func maxVectorsGeneric(dst, a, b []float32) {
	for i := range dst {
		x, y := a[i], b[i]
		if y > x || y != y {
			x = y
		}
		dst[i] = x
	}
}

// signVectorGeneric returns ±1 with the sign of x, or x itself for ±0 and NaN. It selects
// without branches, which random signs would mispredict.
func signVectorGeneric(dst, a []float32) {
	for i, x := range a {
		bits := math.Float32bits(x)
		s := bits&0x80000000 | 0x3f800000
		if bits&0x7fffffff-1 >= 0x7f800000 { // ±0 wraps around; NaN is above infinity
			s = bits
		}
		dst[i] = math.Float32frombits(s)
	}
}
