// Package gradients replaces GoMLX gradients that are slow on the pure-Go backend with
// formulations that compute the same values faster.
//
// GoMLX v0.26.0 writes the gradient of a matrix product (graph.Dot) as a broadcast multiply
// followed by a reduction. XLA fuses that back into a matrix product, but the pure-Go backend
// materialises the [m, k, n] intermediate, which for an im2col convolution is hundreds of
// millions of values per step. Register installs a gradient written as two matrix products.
package gradients

import (
	"sync"

	"github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/core/shapes"
)

var (
	registerOnce sync.Once
	defaultDot   graph.VJP
)

// Register installs the matrix-product gradient of graph.Dot in graph.VJPRegistration. It is
// idempotent and safe to call from several goroutines. Graphs built before the call keep the
// gradient they were built with.
//
// For C = A·B with A of shape [m, k] and B of shape [k, n] and an incoming adjoint V = ∂L/∂C of
// shape [m, n], it computes
//
//	∂L/∂A = V·Bᵀ  (shape [m, k]),   ∂L/∂B = Aᵀ·V  (shape [k, n]),
//
// each as one graph.DotGeneral contracting the shared axis, so no transposed copy is built.
// Products with a rank-1 operand keep GoMLX's own gradient.
//
// In GoMLX v0.26.0, layers.Dense and graph.MatMul on rank-2 operands emit graph.Dot, while
// graph.Einsum and operands of higher rank emit graph.DotGeneral. The gradient of DotGeneral
// is not replaced here, because its contracting axes are private fields of the node.
func Register() {
	registerOnce.Do(func() {
		defaultDot = graph.VJPRegistration[graph.NodeTypeDot]
		graph.VJPRegistration[graph.NodeTypeDot] = dotVJP
	})
}

// dotVJP is the graph.VJP of graph.Dot.
func dotVJP(node *graph.Node, adjoints []*graph.Node, outputShape shapes.Shape) []*graph.Node {
	inputs := node.Inputs()
	lhs, rhs := inputs[0], inputs[1]
	if lhs.Rank() != 2 || rhs.Rank() != 2 {
		return defaultDot(node, adjoints, outputShape)
	}
	v := adjoints[0]

	// ∂L/∂A[i, j] = Σ_k V[i, k] B[j, k]: contract axis 1 of V with axis 1 of B.
	gradLHS := graph.DotGeneral(v, []int{1}, nil, rhs, []int{1}, nil)

	// ∂L/∂B[j, k] = Σ_i A[i, j] V[i, k]: contract axis 0 of A with axis 0 of V.
	gradRHS := graph.DotGeneral(lhs, []int{0}, nil, v, []int{0}, nil)
	return []*graph.Node{gradLHS, gradRHS}
}
