package backend

import (
	"math"
	"math/rand/v2"
	"testing"

	. "github.com/gomlx/gomlx/pkg/core/graph" //nolint:revive // graph operations read best unqualified
	"github.com/gomlx/gomlx/pkg/core/tensors"
	"github.com/gomlx/gomlx/pkg/ml/context"
	"github.com/gomlx/gomlx/pkg/ml/layers"
	"github.com/gomlx/gomlx/pkg/ml/layers/batchnorm"
)

// checkGradient compares the gradient of loss with respect to inputs[which], computed by
// graph.Gradient on this package's backend, with central differences (f(x+h) − f(x−h)) / 2h
// at probes random elements.
func checkGradient[T float32 | float64](t *testing.T, loss func([]*Node) *Node, inputs []*tensors.Tensor, which int, h, tol float64, probes int) {
	t.Helper()
	fast, _ := fastAndPlain(t)
	withGradient := func(in []*Node) []*Node {
		l := loss(in)
		return []*Node{l, Gradient(l, in[which])[0]}
	}
	results := run(t, fast, withGradient, inputs...)
	gradient := results[1].([]T)

	lossOnly, err := NewExec(fast, func(in []*Node) *Node { return loss(in) })
	if err != nil {
		t.Fatal(err)
	}
	evaluate := func(flat []T) float64 {
		args := make([]any, len(inputs))
		for i, in := range inputs {
			if i == which {
				args[i] = tensors.FromFlatDataAndDimensions(flat, in.Shape().Dimensions...)
				continue
			}
			clone, err := in.LocalClone()
			if err != nil {
				t.Fatal(err)
			}
			args[i] = clone
		}
		out, err := lossOnly.Exec(args...)
		if err != nil {
			t.Fatal(err)
		}
		return asFloat64s(flatValues(out[0]))[0]
	}

	base := flatValues(inputs[which]).([]T)
	rng := rand.New(rand.NewPCG(uint64(len(base)), 7))
	for range probes {
		i := rng.IntN(len(base))
		plus := append([]T(nil), base...)
		plus[i] += T(h)
		minus := append([]T(nil), base...)
		minus[i] -= T(h)
		numeric := (evaluate(plus) - evaluate(minus)) / (float64(plus[i]) - float64(minus[i]))
		if math.Abs(float64(gradient[i])-numeric) > tol*math.Max(1, math.Abs(numeric)) {
			t.Fatalf("∂loss/∂x[%d] = %g, central difference %g", i, gradient[i], numeric)
		}
	}
}

// weighted returns Σ x ⊙ r for a fixed pseudo-random r: a loss whose gradient is r pulled back
// through the operations that made x.
func weighted(x *Node) *Node {
	g := x.Graph()
	r := Sin(MulScalar(ConvertDType(Iota(g, x.Shape(), x.Rank()-1), x.DType()), 1.3))
	for axis := range x.Rank() - 1 {
		r = Add(r, Cos(MulScalar(ConvertDType(Iota(g, x.Shape(), axis), x.DType()), 0.7+float64(axis))))
	}
	return ReduceAllSum(Mul(x, r))
}

func TestConvolutionGradientsMatchCentralDifferences(t *testing.T) {
	rng := rand.New(rand.NewPCG(6, 6))
	cases := []struct {
		name            string
		input, kernel   []int
		strides         []int
		paddings        [][2]int
		kernelDilations []int
	}{
		{"same_3x3", []int{2, 9, 8, 6}, []int{3, 3, 6, 5}, []int{1, 1}, [][2]int{{1, 1}, {1, 1}}, []int{1, 1}},
		{"wide_channels", []int{2, 8, 7, 40}, []int{3, 3, 40, 36}, []int{1, 1}, [][2]int{{1, 1}, {1, 1}}, []int{1, 1}},
		{"stride_2", []int{2, 11, 9, 3}, []int{3, 3, 3, 4}, []int{2, 2}, [][2]int{{1, 1}, {1, 1}}, []int{1, 1}},
		{"dilated_5x3", []int{1, 12, 9, 2}, []int{5, 3, 2, 3}, []int{1, 1}, [][2]int{{4, 4}, {1, 1}}, []int{2, 1}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			loss := func(in []*Node) *Node {
				return weighted(ConvGeneral(in[0], in[1], nhwc, c.strides, c.paddings, nil, c.kernelDilations, 1, 1))
			}
			inputs := []*tensors.Tensor{randomTensor(rng, c.input...), randomTensor(rng, c.kernel...)}
			// The loss is linear in each operand, so a large step is exact up to rounding.
			checkGradient[float32](t, loss, inputs, 0, 0.5, 2e-3, 12)
			checkGradient[float32](t, loss, inputs, 1, 0.5, 2e-3, 12)
		})
	}
}

func TestMatMulGradientsMatchCentralDifferences(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 7))
	loss := func(in []*Node) *Node {
		return weighted(DotGeneral(in[0], []int{1}, nil, in[1], []int{0}, nil))
	}
	inputs := []*tensors.Tensor{randomTensor(rng, 33, 70), randomTensor(rng, 70, 21)}
	checkGradient[float32](t, loss, inputs, 0, 0.5, 2e-3, 10)
	checkGradient[float32](t, loss, inputs, 1, 0.5, 2e-3, 10)
}

func TestPoolingGradientsMatchCentralDifferences(t *testing.T) {
	rng := rand.New(rand.NewPCG(8, 8))
	x := randomTensor64(rng, 2, 9, 8, 3)
	cases := map[string]func(x *Node) *Node{
		"max_2x2":           func(x *Node) *Node { return MaxPool(x).Window(2).Done() },
		"max_3x3_stride_1":  func(x *Node) *Node { return MaxPool(x).Window(3).Strides(1).Done() },
		"max_3x3_same":      func(x *Node) *Node { return MaxPool(x).Window(3).Strides(2).PadSame().Done() },
		"min_2x2":           func(x *Node) *Node { return MinPool(x).Window(2).Done() },
		"mean_2x2":          func(x *Node) *Node { return MeanPool(x).Window(2).Done() },
		"mean_3x3_stride_2": func(x *Node) *Node { return MeanPool(x).Window(3).Strides(2).Done() },
		"sum_3x3_padded":    func(x *Node) *Node { return SumPool(x).Window(3).Strides(2).PadSame().Done() },
	}
	for name, pool := range cases {
		t.Run(name, func(t *testing.T) {
			loss := func(in []*Node) *Node { return weighted(pool(in[0])) }
			checkGradient[float64](t, loss, []*tensors.Tensor{x}, 0, 1e-6, 1e-6, 15)
		})
	}
	t.Run("max_2x2_float32_matches_float64", func(t *testing.T) {
		// The float32 kernel (vectorised over channels) against the float64 one checked above.
		fast, _ := fastAndPlain(t)
		x32 := randomTensor(rng, 2, 10, 8, 20)
		x64 := tensors.FromFlatDataAndDimensions(asFloat64s(flatValues(x32)), 2, 10, 8, 20)
		grad := func(in []*Node) []*Node {
			return []*Node{Gradient(weighted(MaxPool(in[0]).Window(2).Done()), in[0])[0]}
		}
		got := run(t, fast, grad, x32)[0]
		want := run(t, fast, grad, x64)[0]
		assertClose(t, "gradient", got, want, 1e-5)
	})
}

// TestLayersGradientsMatchCentralDifferences checks that GoMLX's standard layers, which the pure-Go backend cannot
// differentiate, compute gradients here: a convolution, max and mean pooling and batch
// normalisation, against central differences of the same loss in float64.
func TestLayersGradientsMatchCentralDifferences(t *testing.T) {
	rng := rand.New(rand.NewPCG(10, 10))
	ctx := context.New()
	model := func(ctx *context.Context, x *Node) *Node {
		x = layers.Convolution(ctx.In("conv"), x).Channels(4).KernelSize(3).PadSame().Strides(1).Done()
		x = MaxPool(x).Window(2).Done()
		x = batchnorm.New(ctx.In("bn"), x, -1).Done()
		x = MeanPool(x).Window(2).Done()
		return weighted(x)
	}
	fast, _ := fastAndPlain(t)
	x := randomTensor64(rng, 3, 8, 8, 2)
	// Build the variables once, then differentiate with training on, so that batch
	// normalisation uses the batch statistics (BatchNormForTraining and its gradient).
	init := context.MustNewExec(fast, ctx, func(ctx *context.Context, x *Node) *Node {
		ctx.SetTraining(x.Graph(), true)
		return model(ctx, x)
	})
	xClone, _ := x.LocalClone()
	init.MustExec(xClone)
	gradExec := context.MustNewExec(fast, ctx.Reuse(), func(ctx *context.Context, x *Node) []*Node {
		ctx.SetTraining(x.Graph(), true)
		l := model(ctx, x)
		return []*Node{l, Gradient(l, x)[0]}
	})
	lossExec := context.MustNewExec(fast, ctx.Reuse(), func(ctx *context.Context, x *Node) *Node {
		ctx.SetTraining(x.Graph(), true)
		return model(ctx, x)
	})
	xClone, _ = x.LocalClone()
	outs := gradExec.MustExec(xClone)
	gradient := flatValues(outs[1]).([]float64)
	base := flatValues(x).([]float64)
	const h = 1e-6
	for _, i := range []int{0, 7, 33, 100, 191, 250, 383} {
		plus, minus := append([]float64(nil), base...), append([]float64(nil), base...)
		plus[i] += h
		minus[i] -= h
		lp := flatValues(lossExec.MustExec(tensors.FromFlatDataAndDimensions(plus, 3, 8, 8, 2))[0]).([]float64)[0]
		lm := flatValues(lossExec.MustExec(tensors.FromFlatDataAndDimensions(minus, 3, 8, 8, 2))[0]).([]float64)[0]
		numeric := (lp - lm) / (2 * h)
		if math.Abs(gradient[i]-numeric) > 1e-5*math.Max(1, math.Abs(numeric)) {
			t.Fatalf("∂loss/∂x[%d] = %g, central difference %g", i, gradient[i], numeric)
		}
	}
}
