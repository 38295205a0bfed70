package kernels

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// referenceOp computes op in float64.
func referenceOp(op ElementOp, a, b float64) float64 {
	switch op {
	case OpAdd:
		return a + b
	case OpSub:
		return a - b
	case OpMul:
		return a * b
	case OpDiv:
		return a / b
	case OpMax:
		if math.IsNaN(a) || math.IsNaN(b) {
			return math.NaN()
		}
		return math.Max(a, b)
	case OpMin:
		if math.IsNaN(a) || math.IsNaN(b) {
			return math.NaN()
		}
		return math.Min(a, b)
	case OpPow:
		return math.Pow(a, b)
	case OpNeg:
		return -a
	case OpAbs:
		return math.Abs(a)
	case OpSign:
		switch {
		case a > 0:
			return 1
		case a < 0:
			return -1
		}
		return a
	case OpSqrt:
		return math.Sqrt(a)
	case OpRsqrt:
		return 1 / math.Sqrt(a)
	case OpExp:
		return math.Exp(a)
	case OpLog:
		return math.Log(a)
	case OpTanh:
		return math.Tanh(a)
	case OpLogistic:
		return 1 / (1 + math.Exp(-a))
	case OpFloor:
		return math.Floor(a)
	case OpCeil:
		return math.Ceil(a)
	case OpIdentity:
		return a
	}
	panic("unknown op")
}

func closeTo(got float32, want float64) bool {
	if math.IsNaN(want) {
		return math.IsNaN(float64(got))
	}
	if math.IsInf(want, 0) {
		return float64(got) == want
	}
	return math.Abs(float64(got)-want) <= 1e-6*math.Max(1, math.Abs(want))
}

func TestFusedOpsMatchFloat64(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	const n = 1000 // not a multiple of the chunk or the vector width
	a := randomSlice(rng, n)
	b := randomSlice(rng, n)
	// Special values, including ones that make branches and vector lanes differ.
	special := []float32{0, float32(math.Copysign(0, -1)), float32(math.NaN()), float32(math.Inf(1)), float32(math.Inf(-1)), 2, -3}
	copy(a[100:], special)
	copy(b[105:], special)
	for op := OpAdd; op <= OpIdentity; op++ {
		x, y := a, b
		if op == OpSqrt || op == OpRsqrt || op == OpLog || op == OpPow {
			x = make([]float32, n)
			for i := range x {
				x[i] = float32(math.Abs(float64(a[i]))) + 0.5
			}
		}
		p := &Program{
			Dims:         []int{n},
			Inputs:       []Access{{Strides: []int{1}}, {Strides: []int{1}}},
			Instructions: []Instruction{{Op: op, Args: [2]int{0, 1}}},
			Outputs:      []int{2},
		}
		out := make([]float32, n)
		p.Run(2, [][]float32{out}, [][]float32{x, y})
		for i := range out {
			want := referenceOp(op, float64(x[i]), float64(y[i]))
			if !closeTo(out[i], want) {
				t.Fatalf("op %d at %d: f(%g, %g) = %g, want %g", op, i, x[i], y[i], out[i], want)
			}
			if op == OpSign && want == 0 && math.Signbit(float64(out[i])) != math.Signbit(want) {
				t.Fatalf("Sign(%g) = %g lost the sign of zero", x[i], out[i])
			}
		}
	}
}

func TestFusedAccessPatterns(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 10))
	dims := []int{3, 5, 70}
	n := size(dims)
	full := randomSlice(rng, n)
	cases := []struct {
		name    string
		dims    []int // the operand's own dims, broadcast to dims
		strides []int
	}{
		{"scalar", []int{}, []int{0, 0, 0}},
		{"periodic", []int{1, 1, 70}, []int{0, 0, 1}},
		{"periodic_two_axes", []int{1, 5, 70}, []int{0, 70, 1}},
		{"repeated", []int{3, 1, 1}, []int{1, 0, 0}},
		{"repeated_two_axes", []int{3, 5, 1}, []int{5, 1, 0}},
		{"general", []int{3, 1, 70}, []int{70, 0, 1}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			operand := randomSlice(rng, size(c.dims))
			p := &Program{
				Dims:         dims,
				Inputs:       []Access{{Strides: strides(dims)}, {Strides: c.strides}},
				Instructions: []Instruction{{Op: OpSub, Args: [2]int{0, 1}}, {Op: OpMul, Args: [2]int{2, 1}}},
				Outputs:      []int{3, 2, 1},
			}
			outs := [][]float32{make([]float32, n), make([]float32, n), make([]float32, n)}
			p.Run(3, outs, [][]float32{full, operand})
			for i := range n {
				i0, i1, i2 := i/(dims[1]*dims[2]), i/dims[2]%dims[1], i%dims[2]
				o := float64(operand[i0*c.strides[0]+i1*c.strides[1]+i2*c.strides[2]])
				diff := float64(full[i]) - o
				if !closeTo(outs[0][i], diff*o) || !closeTo(outs[1][i], diff) || outs[2][i] != float32(o) {
					t.Fatalf("element %d: got %g, %g, %g; want %g, %g, %g", i, outs[0][i], outs[1][i], outs[2][i], diff*o, diff, o)
				}
			}
		})
	}
}

func TestFusedRejectsUndefinedValue(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Fatal("no panic for an instruction reading a later value")
		}
	}()
	p := &Program{Dims: []int{4}, Inputs: []Access{{Strides: []int{1}}},
		Instructions: []Instruction{{Op: OpNeg, Args: [2]int{1, 0}}}, Outputs: []int{1}}
	p.Run(1, [][]float32{make([]float32, 4)}, [][]float32{make([]float32, 4)})
}

func BenchmarkFusedReLUMask(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 1))
	dims := []int{64, 28, 28, 32}
	x := randomSlice(rng, size(dims))
	bias := randomSlice(rng, 32)
	zero := []float32{0}
	// y = max(x + bias, 0); mask = sign(y − x − bias)
	p := &Program{
		Dims:   dims,
		Inputs: []Access{{Strides: strides(dims)}, {Strides: []int{0, 0, 0, 1}}, {Strides: []int{0, 0, 0, 0}}},
		Instructions: []Instruction{
			{Op: OpAdd, Args: [2]int{0, 1}}, {Op: OpMax, Args: [2]int{3, 2}},
			{Op: OpSub, Args: [2]int{4, 3}}, {Op: OpSign, Args: [2]int{5, 0}},
		},
		Outputs: []int{4, 6},
	}
	outs := [][]float32{make([]float32, len(x)), make([]float32, len(x))}
	for _, workers := range []int{1, 2} {
		b.Run(fmt.Sprintf("threads=%d", workers), func(b *testing.B) {
			for b.Loop() {
				p.Run(workers, outs, [][]float32{x, bias, zero})
			}
			b.ReportMetric(float64(len(x))*float64(b.N)/b.Elapsed().Seconds()/1e9, "Gelem/s")
		})
	}
}
