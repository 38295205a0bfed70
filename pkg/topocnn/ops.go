package topocnn

import (
	"fmt"
	"math"

	. "github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/core/shapes"
	"github.com/gomlx/gomlx/pkg/ml/context"
	"github.com/gomlx/gomlx/pkg/ml/layers"
)

// This file holds the layers the networks are built from. Their gradients need backend
// operations (Reverse, SelectAndScatterMax) that GoMLX v0.26.0's plain pure-Go backend lacks;
// the topocnn backend (package backend) and XLA have them.

// Batch normalisation constants, PyTorch's defaults (nn.BatchNorm2d).
const (
	// BatchNormEpsilon is added to the variance before the square root.
	BatchNormEpsilon = 1e-5
	// BatchNormMomentum is the weight of the current batch in the running mean and variance.
	BatchNormMomentum = 0.1
)

// conv3x3 is a 3 × 3 convolution with stride 1, zero padding 1 and a bias, on NHWC input, with
// the variables "weights" [3, 3, in, out] and "biases" [out] in scope ctx/conv. Weights and
// biases start uniform in ±1/√(9·in), PyTorch's nn.Conv2d default.
func conv3x3(ctx *context.Context, x *Node, channels int) *Node {
	in := x.Shape().Dimensions[3]
	return layers.Convolution(pytorchInit(ctx, 9*in), x).
		Filters(channels).KernelSize(3).PadSame().Strides(1).Done()
}

// maxPool2 is a 2 × 2 max-pool with stride 2 on NHWC input. It panics if the height or width
// is odd.
func maxPool2(x *Node) *Node {
	dims := x.Shape().Dimensions
	if dims[1]%2 != 0 || dims[2]%2 != 0 {
		panic(fmt.Errorf("topocnn: 2×2 max-pool needs an even height and width, got %d×%d", dims[1], dims[2]))
	}
	return MaxPool(x).Window(2).Done()
}

// globalAveragePool averages NHWC input over height and width, giving [B, C].
func globalAveragePool(x *Node) *Node {
	return ReduceMean(x, 1, 2)
}

// batchNorm normalises NHWC input per channel as PyTorch's nn.BatchNorm2d does, with variables
// in scope ctx/batch_normalization: trainable "scale" (γ, starts at 1) and "offset" (β, starts
// at 0), and the running "mean" and "variance" (start at 0 and 1).
//
// Training graphs normalise with the batch mean and biased variance, backpropagate through
// both, and update running = (1 − BatchNormMomentum)·running + BatchNormMomentum·batch, the
// variance unbiased. Other graphs normalise with the running values:
//
//	y = γ·(x − μ)/√(σ² + BatchNormEpsilon) + β.
func batchNorm(ctx *context.Context, x *Node) *Node {
	g := x.Graph()
	dtype := x.DType()
	channels := x.Shape().Dimensions[x.Rank()-1]
	ctx = ctx.In("batch_normalization")
	shape := shapes.Make(dtype, channels)
	scale := ctx.WithInitializer(constantInitializer(1)).VariableWithShape("scale", shape).ValueGraph(g)
	offset := ctx.WithInitializer(constantInitializer(0)).VariableWithShape("offset", shape).ValueGraph(g)
	meanVar := ctx.WithInitializer(constantInitializer(0)).VariableWithShape("mean", shape).SetTrainable(false)
	varianceVar := ctx.WithInitializer(constantInitializer(1)).VariableWithShape("variance", shape).SetTrainable(false)

	// Statistics are shaped [1, 1, 1, C] to broadcast over NHWC.
	var mean, variance *Node
	if ctx.IsTraining(g) {
		axes := []int{0, 1, 2}
		mean = ReduceAndKeep(x, ReduceMean, axes...)
		variance = ReduceAndKeep(Square(Sub(x, mean)), ReduceMean, axes...)

		n := float64(x.Shape().Size() / channels)
		batchMean := Reshape(StopGradient(mean), channels)
		batchVariance := MulScalar(Reshape(StopGradient(variance), channels), n/math.Max(n-1, 1))
		keep := 1 - BatchNormMomentum
		meanVar.SetValueGraph(Add(MulScalar(meanVar.ValueGraph(g), keep), MulScalar(batchMean, BatchNormMomentum)))
		varianceVar.SetValueGraph(Add(MulScalar(varianceVar.ValueGraph(g), keep), MulScalar(batchVariance, BatchNormMomentum)))
	} else {
		mean = Reshape(meanVar.ValueGraph(g), 1, 1, 1, channels)
		variance = Reshape(varianceVar.ValueGraph(g), 1, 1, 1, channels)
	}
	normalized := Div(Sub(x, mean), Sqrt(AddScalar(variance, BatchNormEpsilon)))
	return Add(Mul(normalized, Reshape(scale, 1, 1, 1, channels)), Reshape(offset, 1, 1, 1, channels))
}

// pytorchInit returns ctx with an initializer that draws every variable uniformly from
// [−1/√fanIn, 1/√fanIn]: PyTorch's default for the weights (kaiming_uniform with a = √5) and
// biases of nn.Conv2d and nn.Linear.
func pytorchInit(ctx *context.Context, fanIn int) *context.Context {
	bound := 1 / math.Sqrt(float64(fanIn))
	return ctx.WithInitializer(func(g *Graph, shape shapes.Shape) *Node {
		u := ctx.RandomUniform(g, shape) // [0, 1)
		return MulScalar(AddScalar(MulScalar(u, 2), -1), bound)
	})
}

// constantInitializer returns an initializer that fills a variable with value.
func constantInitializer(value float64) context.VariableInitializer {
	return func(g *Graph, shape shapes.Shape) *Node {
		return BroadcastToShape(Scalar(g, shape.DType, value), shape)
	}
}
