package backend

import (
	"github.com/gomlx/gomlx/pkg/core/dtypes"

	"github.com/topocnn/topocnn/pkg/backend/kernels"
)

// reduceKernel runs a float32 reduction of at least fuseMinSize elements whose reduced axes
// are contiguous; the pure-Go backend runs the others.
func reduceKernel(b *Backend, n *node, x *value, axes []int, op kernels.ReduceOp) kernelFunc {
	if x.dtype() != dtypes.Float32 || x.shape.Size() < fuseMinSize {
		return nil
	}
	if len(axes) == 0 {
		axes = make([]int, x.shape.Rank())
		for i := range axes {
			axes[i] = i
		}
	}
	blocks, ok := kernels.NewReduceBlocks(x.shape.Dimensions, axes)
	if !ok {
		return nil
	}
	outShape := n.outputs[0].shape
	return func(k *kernelCall) error {
		kernels.Reduce(b.workers, k.alloc(outShape).([]float32), k.f32(0), blocks, op)
		return nil
	}
}

// bindKernel runs large float32 sums on this package's kernel.
func (c *callReduceSum) bindKernel(b *Backend, n *node) kernelFunc {
	return reduceKernel(b, n, c.x, c.axes, kernels.ReduceSum)
}

// bindKernel runs large float32 maxima on this package's kernel.
func (c *callReduceMax) bindKernel(b *Backend, n *node) kernelFunc {
	return reduceKernel(b, n, c.x, c.axes, kernels.ReduceMax)
}

// bindKernel runs large float32 minima on this package's kernel.
func (c *callReduceMin) bindKernel(b *Backend, n *node) kernelFunc {
	return reduceKernel(b, n, c.x, c.axes, kernels.ReduceMin)
}
