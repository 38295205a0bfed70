package backend

import (
	"github.com/gomlx/gomlx/pkg/core/dtypes"

	"github.com/topocnn/topocnn/pkg/backend/kernels"
)

// normalize sets empty strides and dilations to 1 on every spatial axis: the convolution
// gradients of GoMLX v0.26.0 pass nil strides, which its shape inference rejects, and its
// pure-Go backend fails on nil dilations.
func (c *callConvGeneral) normalize() {
	numSpatial := len(c.axes.InputSpatial)
	if len(c.strides) == 0 {
		c.strides = ones(numSpatial)
	}
	if len(c.inputDilations) == 0 {
		c.inputDilations = ones(numSpatial)
	}
	if len(c.kernelDilations) == 0 {
		c.kernelDilations = ones(numSpatial)
	}
}

func ones(n int) []int {
	s := make([]int, n)
	for i := range s {
		s[i] = 1
	}
	return s
}

// bindKernel runs float32 convolutions with one channel group and one batch group, the forms a
// convolution layer and its gradients use. The pure-Go backend runs the others.
func (c *callConvGeneral) bindKernel(b *Backend, n *node) kernelFunc {
	if c.input.dtype() != dtypes.Float32 || c.kernel.dtype() != dtypes.Float32 ||
		c.channelGroupCount > 1 || c.batchGroupCount > 1 {
		return nil
	}
	numSpatial := len(c.axes.InputSpatial)
	cfg := kernels.ConvConfig{
		InputDims:  c.input.shape.Dimensions,
		InputBatch: c.axes.InputBatch, InputChannels: c.axes.InputChannels, InputSpatial: c.axes.InputSpatial,
		KernelDims:  c.kernel.shape.Dimensions,
		KernelInput: c.axes.KernelInputChannels, KernelOutput: c.axes.KernelOutputChannels, KernelSpatial: c.axes.KernelSpatial,
		OutputDims:  n.outputs[0].shape.Dimensions,
		OutputBatch: c.axes.OutputBatch, OutputChannels: c.axes.OutputChannels, OutputSpatial: c.axes.OutputSpatial,
		Strides:         c.strides,
		PadLo:           make([]int, numSpatial),
		PadHi:           make([]int, numSpatial),
		InputDilations:  ones(numSpatial),
		KernelDilations: ones(numSpatial),
	}
	for i, p := range c.paddings {
		cfg.PadLo[i], cfg.PadHi[i] = p[0], p[1]
	}
	if len(c.inputDilations) > 0 {
		cfg.InputDilations = c.inputDilations
	}
	if len(c.kernelDilations) > 0 {
		cfg.KernelDilations = c.kernelDilations
	}
	plan := kernels.NewConvPlan(cfg)
	outShape := n.outputs[0].shape
	return func(k *kernelCall) error {
		plan.Run(b.workers, k.alloc(outShape).([]float32), k.f32(0), k.f32(1))
		return nil
	}
}
