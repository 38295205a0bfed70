package topoloss

import (
	"fmt"

	. "github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/core/shapes"
	"github.com/gomlx/gomlx/pkg/ml/context"
)

// Gradient-norm matching constants, from Sander & Hasson (2026).
const (
	// LambdaSmoothing is the weight of the previous λ in λ_t = s·λ_{t−1} + (1 − s)·λ*.
	LambdaSmoothing = 0.9
	// LambdaMax is the upper clamp of a gradient-matched λ, whose lower clamp is 0.
	LambdaMax = 1e4
	// LambdaVariable is the name of the context variable that keeps a gradient-matched λ.
	LambdaVariable = "lambda"
)

// Weighting chooses the weight λ of the topographic loss in L = L_task + λ·L_topo.
type Weighting struct {
	// Lambda is the fixed λ when Rho is 0, and the starting value λ_0 when Rho > 0.
	Lambda float64
	// Rho, when positive, selects gradient-norm matching (Sander & Hasson 2026): every training
	// step computes λ* = ρ·‖∇L_task‖ / (‖∇L_topo‖ + Epsilon) and moves λ towards it,
	// λ_t = 0.9·λ_{t−1} + 0.1·λ*, clamped to [0, LambdaMax].
	Rho float64
}

// Check returns an error if λ or ρ is negative, or λ exceeds LambdaMax when ρ is used.
func (w Weighting) Check() error {
	if w.Lambda < 0 {
		return fmt.Errorf("topoloss: invalid λ %g: it must be ≥ 0", w.Lambda)
	}
	if w.Rho < 0 {
		return fmt.Errorf("topoloss: invalid ρ %g: it must be ≥ 0 (0 keeps λ fixed)", w.Rho)
	}
	if w.Rho > 0 && w.Lambda > LambdaMax {
		return fmt.Errorf("topoloss: invalid starting λ %g: gradient matching clamps λ to [0, %g]", w.Lambda, LambdaMax)
	}
	return nil
}

// Weight returns λ for this step as a scalar node of taskLoss's dtype, with its gradient
// stopped, so the total loss is taskLoss + λ·topoLoss.
//
// With Rho = 0 it is the constant Lambda. With Rho > 0, λ lives in the non-trainable context
// variable LambdaVariable in ctx's scope, created with the value Lambda, so it is saved with
// checkpoints. A training graph (ctx.IsTraining) updates it from the gradient norms of both
// losses with respect to wrt, each an L2 norm over all of wrt's entries together, and returns
// the updated value. Other graphs return the stored value unchanged.
//
// Both gradients are taken with respect to wrt only, usually the topographic layer's weights,
// which both losses reach directly and which keep the two extra backward passes short.
func (w Weighting) Weight(ctx *context.Context, taskLoss, topoLoss *Node, wrt ...*Node) *Node {
	g := taskLoss.Graph()
	dtype := taskLoss.DType()
	if w.Rho <= 0 {
		return Scalar(g, dtype, w.Lambda)
	}
	if len(wrt) == 0 {
		panic(fmt.Errorf("topoloss: gradient matching needs at least one node to take gradients with respect to"))
	}

	v := ctx.Checked(false).VariableWithValue(LambdaVariable, shapes.CastAsDType(w.Lambda, dtype)).SetTrainable(false)
	previous := v.ValueGraph(g)
	if !ctx.IsTraining(g) {
		return StopGradient(previous)
	}

	taskNorm := gradientNorm(taskLoss, wrt)
	topoNorm := gradientNorm(topoLoss, wrt)
	target := MulScalar(Div(taskNorm, AddScalar(topoNorm, Epsilon)), w.Rho)
	lambda := Add(MulScalar(previous, LambdaSmoothing), MulScalar(target, 1-LambdaSmoothing))
	lambda = StopGradient(ClipScalar(lambda, 0, LambdaMax))
	v.SetValueGraph(lambda)
	return lambda
}

// gradientNorm returns ‖∂loss/∂wrt‖₂ over all entries of all wrt nodes.
func gradientNorm(loss *Node, wrt []*Node) *Node {
	var sum *Node
	for _, grad := range Gradient(loss, wrt...) {
		s := ReduceAllSum(Square(grad))
		if sum == nil {
			sum = s
		} else {
			sum = Add(sum, s)
		}
	}
	return Sqrt(sum)
}
