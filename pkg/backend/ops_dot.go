package backend

import (
	"github.com/gomlx/gomlx/pkg/core/dtypes"

	"github.com/topocnn/topocnn/pkg/backend/kernels"
)

// bindKernel runs float32 DotGeneral on the blocked matrix kernel.
func (c *callDotGeneral) bindKernel(b *Backend, n *node) kernelFunc {
	if c.lhs.dtype() != dtypes.Float32 || c.rhs.dtype() != dtypes.Float32 {
		return nil
	}
	lhs := kernels.DotOperand{Dims: c.lhs.shape.Dimensions, Batch: c.lhsBatchAxes, Contracting: c.lhsContractingAxes}
	rhs := kernels.DotOperand{Dims: c.rhs.shape.Dimensions, Batch: c.rhsBatchAxes, Contracting: c.rhsContractingAxes}
	return dotKernel(b, n, lhs, rhs)
}

// bindKernel runs float32 Dot (vector·vector, matrix·vector or matrix·matrix) as a DotGeneral.
func (c *callDot) bindKernel(b *Backend, n *node) kernelFunc {
	if c.lhs.dtype() != dtypes.Float32 || c.rhs.dtype() != dtypes.Float32 {
		return nil
	}
	lhsRank := c.lhs.shape.Rank()
	if lhsRank < 1 || lhsRank > 2 || c.rhs.shape.Rank() < 1 || c.rhs.shape.Rank() > 2 {
		return nil
	}
	lhs := kernels.DotOperand{Dims: c.lhs.shape.Dimensions, Contracting: []int{lhsRank - 1}}
	rhs := kernels.DotOperand{Dims: c.rhs.shape.Dimensions, Contracting: []int{0}}
	return dotKernel(b, n, lhs, rhs)
}

func dotKernel(b *Backend, n *node, lhs, rhs kernels.DotOperand) kernelFunc {
	outShape := n.outputs[0].shape
	return func(k *kernelCall) error {
		kernels.DotGeneral(b.workers, k.alloc(outShape).([]float32), k.f32(0), k.f32(1), lhs, rhs)
		return nil
	}
}
