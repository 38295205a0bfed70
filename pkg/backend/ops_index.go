package backend

import (
	"slices"

	"github.com/gomlx/gomlx/pkg/core/dtypes"

	"github.com/topocnn/topocnn/pkg/backend/kernels"
)

// rowIndices reports whether indices has the form [N, 1] with the index vector on its last
// axis, in a dtype the row kernels read.
func rowIndices(indices *value, indexVectorAxis int) bool {
	dims := indices.shape.Dimensions
	return len(dims) == 2 && dims[1] == 1 && indexVectorAxis == 1 &&
		(indices.dtype() == dtypes.Int32 || indices.dtype() == dtypes.Int64)
}

// trailingAxes returns [from, from+1, …, to).
func trailingAxes(from, to int) []int {
	axes := make([]int, 0, max(0, to-from))
	for a := from; a < to; a++ {
		axes = append(axes, a)
	}
	return axes
}

// bindKernel runs, on this package's kernel, a float32 Gather of at least fuseMinSize
// elements that takes whole slices along the operand's first axis: operand[indices[i], …]
// for indices of shape [N, 1]. The pure-Go backend runs the other forms.
func (c *callGather) bindKernel(b *Backend, n *node) kernelFunc {
	dims := c.operand.shape.Dimensions
	out := n.outputs[0].shape
	if c.operand.dtype() != dtypes.Float32 || out.Size() < fuseMinSize || len(dims) == 0 || dims[0] == 0 ||
		!rowIndices(c.startIndices, c.indexVectorAxis) ||
		!slices.Equal(c.startIndexMap, []int{0}) || !slices.Equal(c.collapsedSliceAxes, []int{0}) ||
		!slices.Equal(c.sliceSizes, append([]int{1}, dims[1:]...)) ||
		!slices.Equal(c.offsetOutputAxes, trailingAxes(1, len(dims))) {
		return nil
	}
	cols := c.operand.shape.Size() / dims[0]
	return func(k *kernelCall) error {
		dst := k.alloc(out).([]float32)
		switch indices := k.data(1).(type) {
		case []int32:
			kernels.TakeRows(b.workers, dst, k.f32(0), cols, indices)
		case []int64:
			kernels.TakeRows(b.workers, dst, k.f32(0), cols, indices)
		}
		return nil
	}
}

// bindKernel runs, on this package's kernel, a float32 ScatterSum of at least fuseMinSize
// updates that adds whole slices along the operand's first axis: operand[indices[i], …] +=
// updates[i, …] for indices of shape [N, 1]. The pure-Go backend runs the other forms.
func (c *callScatterSum) bindKernel(b *Backend, n *node) kernelFunc {
	dims := c.operand.shape.Dimensions
	out := n.outputs[0].shape
	if c.operand.dtype() != dtypes.Float32 || c.updates.shape.Size() < fuseMinSize || len(dims) == 0 || dims[0] == 0 ||
		!rowIndices(c.scatterIndices, c.indexVectorAxis) ||
		!slices.Equal(c.scatterAxesToOperandAxes, []int{0}) || !slices.Equal(c.insertedWindowAxes, []int{0}) ||
		!slices.Equal(c.updateWindowAxes, trailingAxes(1, len(dims))) ||
		!slices.Equal(c.updates.shape.Dimensions, append([]int{c.scatterIndices.shape.Dimensions[0]}, dims[1:]...)) {
		return nil
	}
	cols := c.operand.shape.Size() / dims[0]
	return func(k *kernelCall) error {
		dst := k.alloc(out).([]float32)
		copy(dst, k.f32(0))
		switch indices := k.data(1).(type) {
		case []int32:
			kernels.AddRows(b.workers, dst, k.f32(2), cols, indices)
		case []int64:
			kernels.AddRows(b.workers, dst, k.f32(2), cols, indices)
		}
		return nil
	}
}

// bindKernel runs float32 broadcasts to at least fuseMinSize elements on this package's
// strided gather: each output element reads the input element its broadcast axes map to.
func (c *callBroadcastInDim) bindKernel(b *Backend, n *node) kernelFunc {
	out := n.outputs[0].shape
	if c.x.dtype() != dtypes.Float32 || out.Size() < fuseMinSize || out.Rank() == 0 {
		return nil
	}
	xDims := c.x.shape.Dimensions
	outStrides := make([]int, out.Rank()) // input stride of each output axis, 0 where broadcast
	stride := 1
	for i := len(xDims) - 1; i >= 0; i-- {
		if xDims[i] != 1 {
			outStrides[c.broadcastAxes[i]] = stride
		}
		stride *= xDims[i]
	}
	last := out.Rank() - 1
	plan := kernels.NewGatherPlan(kernels.Strided2D{
		RowDims: out.Dimensions[:last], RowStrides: outStrides[:last],
		ColDims: out.Dimensions[last:], ColStrides: outStrides[last:],
	})
	return func(k *kernelCall) error {
		plan.Run(b.workers, k.alloc(out).([]float32), k.f32(0))
		return nil
	}
}
