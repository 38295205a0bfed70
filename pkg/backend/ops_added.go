package backend

import (
	"reflect"
	"unsafe"

	"github.com/gomlx/gomlx/backends"
	"github.com/gomlx/gomlx/backends/shapeinference"
	"github.com/gomlx/gomlx/pkg/core/dtypes"
	"github.com/gomlx/gomlx/pkg/core/shapes"
	"github.com/pkg/errors"

	"github.com/topocnn/topocnn/pkg/backend/kernels"
)

// This file implements the operations the pure-Go backend of GoMLX v0.26.0 lacks: their shape
// inference and their kernels.

// bytesOf returns the memory of a flat slice as bytes, without copying.
func bytesOf(flat any) []byte {
	v := reflect.ValueOf(flat)
	n := v.Len() * int(v.Type().Elem().Size())
	if n == 0 {
		return nil
	}
	return unsafe.Slice((*byte)(v.UnsafePointer()), n)
}

// isFloat reports whether the kernels for floating-point types handle dtype.
func isFloat(dtype dtypes.DType) bool {
	return dtype == dtypes.Float32 || dtype == dtypes.Float64
}

// Pad -------------------------------------------------------------------------------------------

func (c *callPad) paddings() (lo, hi, interior []int) {
	rank := c.x.shape.Rank()
	lo, hi, interior = make([]int, rank), make([]int, rank), make([]int, rank)
	for axis, p := range c.axesConfig {
		lo[axis], hi[axis], interior[axis] = p.Start, p.End, p.Interior
	}
	return lo, hi, interior
}

func (c *callPad) outputShapes() ([]shapes.Shape, error) {
	x, fill := c.x.shape, c.fillValue.shape
	if fill.Rank() != 0 || fill.DType != x.DType {
		return nil, errors.Errorf("fill value has shape %s; want a scalar of dtype %s", fill, x.DType)
	}
	if len(c.axesConfig) > x.Rank() {
		return nil, errors.Errorf("%d axis paddings for operand %s of rank %d; give at most one per axis", len(c.axesConfig), x, x.Rank())
	}
	for axis, p := range c.axesConfig {
		if p.Interior < 0 {
			return nil, errors.Errorf("interior padding %d on axis %d is negative; it must be 0 or more", p.Interior, axis)
		}
	}
	lo, hi, interior := c.paddings()
	dims := kernels.PadOutputDims(x.Dimensions, lo, hi, interior)
	for axis, d := range dims {
		if d < 0 {
			return nil, errors.Errorf("padding %+v on axis %d of %s gives a negative size %d", c.axesConfig[axis], axis, x, d)
		}
	}
	return []shapes.Shape{shapes.Make(x.DType, dims...)}, nil
}

func (c *callPad) bindKernel(b *Backend, n *node) kernelFunc {
	lo, hi, interior := c.paddings()
	dims := c.x.shape.Dimensions
	elemSize := int(c.x.shape.DType.Size())
	outShape := n.outputs[0].shape
	return func(k *kernelCall) error {
		src, fill := bytesOf(k.data(0)), bytesOf(k.data(1))
		dst := bytesOf(k.alloc(outShape))
		kernels.Pad(dst, src, elemSize, dims, fill, lo, hi, interior)
		return nil
	}
}

// Reverse ---------------------------------------------------------------------------------------

func (c *callReverse) outputShapes() ([]shapes.Shape, error) {
	x := c.x.shape
	seen := make(map[int]bool)
	for _, axis := range c.axes {
		if axis < 0 || axis >= x.Rank() {
			return nil, errors.Errorf("axis %d out of range for operand %s", axis, x)
		}
		if seen[axis] {
			return nil, errors.Errorf("axis %d given twice", axis)
		}
		seen[axis] = true
	}
	return []shapes.Shape{x.Clone()}, nil
}

func (c *callReverse) bindKernel(b *Backend, n *node) kernelFunc {
	dims := c.x.shape.Dimensions
	elemSize := int(c.x.shape.DType.Size())
	shape := c.x.shape
	return func(k *kernelCall) error {
		src := bytesOf(k.data(0))
		dst := bytesOf(k.alloc(shape))
		kernels.Reverse(dst, src, elemSize, dims, c.axes)
		return nil
	}
}

// SelectAndScatterMax and SelectAndScatterMin ---------------------------------------------------

// newWindow returns the window of a pooling over an operand with the given dimensions. Missing
// strides default to the window sizes, missing paddings to zero.
func newWindow(dims, windowDimensions, strides []int, paddings [][2]int) kernels.Window {
	rank := len(dims)
	w := kernels.Window{
		Dims:    dims,
		Size:    make([]int, rank),
		Strides: make([]int, rank),
		PadLo:   make([]int, rank),
		PadHi:   make([]int, rank),
	}
	for axis := range rank {
		w.Size[axis] = 1
		if len(windowDimensions) > 0 {
			w.Size[axis] = windowDimensions[axis]
		}
		w.Strides[axis] = w.Size[axis]
		if len(strides) > 0 {
			w.Strides[axis] = strides[axis]
		}
		if len(paddings) > 0 {
			w.PadLo[axis], w.PadHi[axis] = paddings[axis][0], paddings[axis][1]
		}
	}
	return w
}

func selectAndScatterShapes(operand, source *value, windowDimensions, strides []int, paddings [][2]int) ([]shapes.Shape, error) {
	if !isFloat(operand.dtype()) {
		return nil, errors.Errorf("operand dtype %s is not supported; convert it to float32 or float64", operand.dtype())
	}
	if len(windowDimensions) != operand.shape.Rank() {
		return nil, errors.Errorf("%d window dimensions for operand %s; give one per axis", len(windowDimensions), operand.shape)
	}
	pooled, err := shapeinference.ReduceWindowOp(operand.shape, windowDimensions, strides, nil, nil, paddings)
	if err != nil {
		return nil, err
	}
	if !source.shape.Equal(pooled) {
		return nil, errors.Errorf("source has shape %s; the windows over operand %s give %s", source.shape, operand.shape, pooled)
	}
	return []shapes.Shape{operand.shape.Clone()}, nil
}

func selectAndScatterKernel(b *Backend, operand *value, windowDimensions, strides []int, paddings [][2]int, selectMax bool) kernelFunc {
	w := newWindow(operand.shape.Dimensions, windowDimensions, strides, paddings)
	shape := operand.shape
	switch shape.DType {
	case dtypes.Float32:
		return func(k *kernelCall) error {
			kernels.SelectAndScatter(b.workers, k.alloc(shape).([]float32), k.f32(0), k.f32(1), w, selectMax)
			return nil
		}
	case dtypes.Float64:
		return func(k *kernelCall) error {
			kernels.SelectAndScatter(b.workers, k.alloc(shape).([]float64), k.data(0).([]float64), k.data(1).([]float64), w, selectMax)
			return nil
		}
	}
	return nil
}

func (c *callSelectAndScatterMax) outputShapes() ([]shapes.Shape, error) {
	return selectAndScatterShapes(c.operand, c.source, c.windowDimensions, c.windowStrides, c.paddings)
}

func (c *callSelectAndScatterMax) bindKernel(b *Backend, n *node) kernelFunc {
	return selectAndScatterKernel(b, c.operand, c.windowDimensions, c.windowStrides, c.paddings, true)
}

func (c *callSelectAndScatterMin) outputShapes() ([]shapes.Shape, error) {
	return selectAndScatterShapes(c.operand, c.source, c.windowDimensions, c.windowStrides, c.paddings)
}

func (c *callSelectAndScatterMin) bindKernel(b *Backend, n *node) kernelFunc {
	return selectAndScatterKernel(b, c.operand, c.windowDimensions, c.windowStrides, c.paddings, false)
}

// ReduceWindow ----------------------------------------------------------------------------------

// bindKernel runs ReduceWindow for float32 and float64 without dilations; the pure-Go backend runs
// the other cases.
func (c *callReduceWindow) bindKernel(b *Backend, n *node) kernelFunc {
	if !isFloat(c.x.dtype()) {
		return nil
	}
	for _, d := range append(append([]int{}, c.baseDilations...), c.windowDilations...) {
		if d != 1 {
			return nil
		}
	}
	var op kernels.ReduceOp
	switch c.reductionType {
	case backends.ReduceOpSum:
		op = kernels.ReduceSum
	case backends.ReduceOpProduct:
		op = kernels.ReduceProduct
	case backends.ReduceOpMax:
		op = kernels.ReduceMax
	case backends.ReduceOpMin:
		op = kernels.ReduceMin
	default:
		return nil
	}
	w := newWindow(c.x.shape.Dimensions, c.windowDimensions, c.strides, c.paddings)
	outShape := n.outputs[0].shape
	if c.x.dtype() == dtypes.Float32 {
		return func(k *kernelCall) error {
			kernels.ReduceWindow(b.workers, k.alloc(outShape).([]float32), k.f32(0), w, op)
			return nil
		}
	}
	return func(k *kernelCall) error {
		kernels.ReduceWindow(b.workers, k.alloc(outShape).([]float64), k.data(0).([]float64), w, op)
		return nil
	}
}

// Batch normalisation ---------------------------------------------------------------------------

// checkBatchNorm checks the operand, the feature axis and the per-feature operands.
func checkBatchNorm(operand *value, featureAxis int, perFeature ...*value) error {
	x := operand.shape
	if !isFloat(x.DType) {
		return errors.Errorf("operand dtype %s is not supported; convert it to float32 or float64", x.DType)
	}
	if featureAxis < 0 || featureAxis >= x.Rank() {
		return errors.Errorf("feature axis %d out of range for operand %s", featureAxis, x)
	}
	want := shapes.Make(x.DType, x.Dimensions[featureAxis])
	for _, v := range perFeature {
		if !v.shape.Equal(want) {
			return errors.Errorf("per-feature operand has shape %s; want %s for operand %s with feature axis %d",
				v.shape, want, x, featureAxis)
		}
	}
	return nil
}

func (c *callBatchNormForTraining) outputShapes() ([]shapes.Shape, error) {
	if err := checkBatchNorm(c.operand, c.featureAxis, c.scale, c.offset); err != nil {
		return nil, err
	}
	return []shapes.Shape{c.operand.shape.Clone(), c.scale.shape.Clone(), c.scale.shape.Clone()}, nil
}

func (c *callBatchNormForTraining) bindKernel(b *Backend, n *node) kernelFunc {
	x := c.operand.shape
	l := kernels.NewFeatureLayout(x.Dimensions, c.featureAxis)
	perFeature := c.scale.shape
	eps := float64(c.epsilon)
	return func(k *kernelCall) error {
		switch x.DType {
		case dtypes.Float32:
			y, mean, variance := k.alloc(x).([]float32), k.alloc(perFeature).([]float32), k.alloc(perFeature).([]float32)
			kernels.BatchNormTraining(y, mean, variance, k.f32(0), k.f32(1), k.f32(2), eps, l)
		default:
			y, mean, variance := k.alloc(x).([]float64), k.alloc(perFeature).([]float64), k.alloc(perFeature).([]float64)
			kernels.BatchNormTraining(y, mean, variance, k.data(0).([]float64), k.data(1).([]float64), k.data(2).([]float64), eps, l)
		}
		return nil
	}
}

func (c *callBatchNormForInference) outputShapes() ([]shapes.Shape, error) {
	if err := checkBatchNorm(c.operand, c.featureAxis, c.scale, c.offset, c.mean, c.variance); err != nil {
		return nil, err
	}
	return []shapes.Shape{c.operand.shape.Clone()}, nil
}

func (c *callBatchNormForInference) bindKernel(b *Backend, n *node) kernelFunc {
	x := c.operand.shape
	l := kernels.NewFeatureLayout(x.Dimensions, c.featureAxis)
	eps := float64(c.epsilon)
	return func(k *kernelCall) error {
		switch x.DType {
		case dtypes.Float32:
			kernels.BatchNormInference(k.alloc(x).([]float32), k.f32(0), k.f32(1), k.f32(2), k.f32(3), k.f32(4), eps, l)
		default:
			f := func(i int) []float64 { return k.data(i).([]float64) }
			kernels.BatchNormInference(k.alloc(x).([]float64), f(0), f(1), f(2), f(3), f(4), eps, l)
		}
		return nil
	}
}

func (c *callBatchNormGradient) outputShapes() ([]shapes.Shape, error) {
	if err := checkBatchNorm(c.operand, c.featureAxis, c.scale, c.mean, c.variance); err != nil {
		return nil, err
	}
	if !c.gradOutput.shape.Equal(c.operand.shape) {
		return nil, errors.Errorf("gradOutput has shape %s; want the operand's shape %s", c.gradOutput.shape, c.operand.shape)
	}
	return []shapes.Shape{c.operand.shape.Clone(), c.scale.shape.Clone(), c.scale.shape.Clone()}, nil
}

func (c *callBatchNormGradient) bindKernel(b *Backend, n *node) kernelFunc {
	x := c.operand.shape
	l := kernels.NewFeatureLayout(x.Dimensions, c.featureAxis)
	perFeature := c.scale.shape
	eps := float64(c.epsilon)
	return func(k *kernelCall) error {
		switch x.DType {
		case dtypes.Float32:
			dx, dScale, dOffset := k.alloc(x).([]float32), k.alloc(perFeature).([]float32), k.alloc(perFeature).([]float32)
			kernels.BatchNormGradient(dx, dScale, dOffset, k.f32(0), k.f32(1), k.f32(2), k.f32(3), k.f32(4), eps, l)
		default:
			f := func(i int) []float64 { return k.data(i).([]float64) }
			dx, dScale, dOffset := k.alloc(x).([]float64), k.alloc(perFeature).([]float64), k.alloc(perFeature).([]float64)
			kernels.BatchNormGradient(dx, dScale, dOffset, f(0), f(1), f(2), f(3), f(4), eps, l)
		}
		return nil
	}
}
