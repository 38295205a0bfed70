package backend

import (
	"github.com/gomlx/gomlx/backends"
	"github.com/gomlx/gomlx/pkg/core/shapes"
)

// kernelCall carries the buffers of one kernel run.
type kernelCall struct {
	backend *Backend
	node    *node
	inputs  []backends.Buffer
	outputs []backends.Buffer
}

// data returns the flat slice of input i, without copying.
func (k *kernelCall) data(i int) any {
	flat, err := k.backend.BufferData(k.inputs[i])
	if err != nil {
		panic(err)
	}
	return flat
}

// f32 returns input i as a []float32, without copying.
func (k *kernelCall) f32(i int) []float32 { return k.data(i).([]float32) }

// alloc adds an output buffer of the given shape and returns its flat slice. The contents are
// not initialised.
func (k *kernelCall) alloc(shape shapes.Shape) any {
	buf, flat, err := k.backend.NewSharedBuffer(0, shape)
	if err != nil {
		panic(err)
	}
	k.outputs = append(k.outputs, buf)
	return flat
}

// freeOutputs frees the outputs allocated so far, after a failed kernel.
func (k *kernelCall) freeOutputs() {
	for _, buf := range k.outputs {
		_ = k.backend.BufferFinalize(buf)
	}
	k.outputs = nil
}
