package backend

import (
	"fmt"
	"reflect"
	"slices"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/gomlx/gomlx/backends"
	"github.com/gomlx/gomlx/pkg/core/shapes"
	"github.com/pkg/errors"
)

// Executable implements backends.Executable: it runs its steps in order, kernels on this
// package's code and segments on the pure-Go backend. It is safe for concurrent use.
type Executable struct {
	backend   *Backend
	name      string
	params    []*value
	outputs   []*value
	numValues int
	steps     []step

	// constants holds the buffers of the constants that kernels read or that are outputs,
	// by value index. They are never donated, reused or freed before Finalize.
	constants map[int]backends.Buffer

	// uses counts, for each value, the steps that read it.
	uses     []int
	isOutput []bool

	finalizeOnce sync.Once
	finalized    atomic.Bool
}

var _ backends.Executable = (*Executable)(nil)

func (e *Executable) countUses() {
	e.uses = make([]int, e.numValues)
	e.isOutput = make([]bool, e.numValues)
	for _, s := range e.steps {
		for _, v := range stepInputs(s) {
			e.uses[v.index]++
		}
	}
	for _, v := range e.outputs {
		e.isOutput[v.index] = true
	}
}

// stepInputs returns the distinct values a step reads.
func stepInputs(s step) []*value {
	if s.seg != nil {
		return s.seg.inputs
	}
	var distinct []*value
	for _, v := range s.kernel.node.inputs {
		if !slices.Contains(distinct, v) {
			distinct = append(distinct, v)
		}
	}
	return distinct
}

// Finalize releases the compiled segments and the constants' buffers.
func (e *Executable) Finalize() {
	e.finalizeOnce.Do(func() {
		e.finalized.Store(true)
		for _, s := range e.steps {
			if s.seg != nil {
				s.seg.exec.Finalize()
			}
		}
		for _, buf := range e.constants {
			_ = e.backend.BufferFinalize(buf)
		}
		e.constants = nil
	})
}

// Inputs returns the names and shapes of the parameters, in the order they were created.
func (e *Executable) Inputs() (names []string, inputShapes []shapes.Shape) {
	for _, p := range e.params {
		names = append(names, p.node.call.(*callParameter).name)
		inputShapes = append(inputShapes, p.shape)
	}
	return names, inputShapes
}

// Outputs returns the shapes of the outputs, in the order given to Compile.
func (e *Executable) Outputs() []shapes.Shape {
	outputShapes := make([]shapes.Shape, len(e.outputs))
	for i, v := range e.outputs {
		outputShapes[i] = v.shape
	}
	return outputShapes
}

// execution is the state of one Execute call.
type execution struct {
	e         *Executable
	bufs      []backends.Buffer
	owned     []bool
	remaining []int
}

// Execute runs the computation. Donated inputs become invalid; the outputs are new buffers
// owned by the caller.
func (e *Executable) Execute(inputs []backends.Buffer, donate []bool, _ backends.DeviceNum) ([]backends.Buffer, error) {
	if e.finalized.Load() {
		return nil, errors.Errorf("Execute %q: the executable was finalized", e.name)
	}
	if len(inputs) != len(e.params) {
		return nil, errors.Errorf("Execute %q: got %d inputs, want %d", e.name, len(inputs), len(e.params))
	}
	if len(donate) != 0 && len(donate) != len(inputs) {
		return nil, errors.Errorf("Execute %q: got %d donate flags for %d inputs", e.name, len(donate), len(inputs))
	}
	x := &execution{
		e:         e,
		bufs:      make([]backends.Buffer, e.numValues),
		owned:     make([]bool, e.numValues),
		remaining: slices.Clone(e.uses),
	}
	for i, p := range e.params {
		if inputs[i] == nil {
			return nil, errors.Errorf("Execute %q: input #%d (%s) is nil", e.name, i, p.node.call.(*callParameter).name)
		}
		shape, err := e.backend.BufferShape(inputs[i])
		if err != nil {
			return nil, errors.WithMessagef(err, "Execute %q: input #%d", e.name, i)
		}
		if !shape.Equal(p.shape) {
			return nil, errors.Errorf("Execute %q: input #%d (%s) has shape %s, want %s",
				e.name, i, p.node.call.(*callParameter).name, shape, p.shape)
		}
		x.bufs[p.index] = inputs[i]
		x.owned[p.index] = len(donate) > 0 && donate[i]
	}
	for index, buf := range e.constants {
		x.bufs[index] = buf
	}

	for _, s := range e.steps {
		var err error
		if s.seg != nil {
			err = x.runSegment(s.seg)
		} else {
			err = x.runKernel(s.kernel)
		}
		if err != nil {
			x.freeAll()
			return nil, err
		}
	}

	results := make([]backends.Buffer, len(e.outputs))
	for i, v := range e.outputs {
		if x.owned[v.index] {
			results[i] = x.bufs[v.index]
			x.owned[v.index] = false // a repeated output gets a copy
			continue
		}
		clone, err := x.clone(x.bufs[v.index], v.shape)
		if err != nil {
			x.freeAll()
			return nil, err
		}
		results[i] = clone
	}
	x.freeAll()
	return results, nil
}

// lastUse reports whether the step now running is the last reader of v, so that its buffer can
// be donated to a segment.
func (x *execution) lastUse(v *value) bool {
	return x.owned[v.index] && x.remaining[v.index] == 1 && !x.e.isOutput[v.index]
}

// release counts one use of each value and frees the owned buffers no longer needed.
func (x *execution) release(values []*value) {
	for _, v := range values {
		x.remaining[v.index]--
		if x.remaining[v.index] == 0 && x.owned[v.index] && !x.e.isOutput[v.index] {
			_ = x.e.backend.BufferFinalize(x.bufs[v.index])
			x.bufs[v.index] = nil
			x.owned[v.index] = false
		}
	}
}

func (x *execution) runSegment(seg *segment) error {
	ins := make([]backends.Buffer, len(seg.inputs))
	donate := make([]bool, len(seg.inputs))
	for i, v := range seg.inputs {
		ins[i] = x.bufs[v.index]
		donate[i] = x.lastUse(v)
	}
	outs, err := seg.exec.Execute(ins, donate, 0)
	if err != nil {
		return errors.WithMessagef(err, "executing %d operations in the pure-Go backend", len(seg.members))
	}
	for i, v := range seg.inputs {
		if donate[i] {
			// The segment owns the buffer now.
			x.bufs[v.index] = nil
			x.owned[v.index] = false
		}
	}
	x.release(seg.inputs)
	for i, v := range seg.outputs {
		x.bufs[v.index] = outs[i]
		x.owned[v.index] = true
	}
	return nil
}

func (x *execution) runKernel(ks *kernelStep) error {
	n := ks.node
	k := &kernelCall{
		backend: x.e.backend,
		inputs:  make([]backends.Buffer, len(n.inputs)),
		node:    n,
	}
	for i, v := range n.inputs {
		k.inputs[i] = x.bufs[v.index]
	}
	if err := ks.run(k); err != nil {
		k.freeOutputs()
		return errors.WithMessagef(err, "%s%s", n.call.opName(), describeInputs(n))
	}
	if len(k.outputs) != len(n.outputs) {
		k.freeOutputs()
		return errors.Errorf("%s: kernel returned %d results, want %d", n.call.opName(), len(k.outputs), len(n.outputs))
	}
	x.release(stepInputs(step{kernel: ks}))
	for i, v := range n.outputs {
		x.bufs[v.index] = k.outputs[i]
		x.owned[v.index] = true
	}
	return nil
}

// clone copies buf into a new buffer.
func (x *execution) clone(buf backends.Buffer, shape shapes.Shape) (backends.Buffer, error) {
	b := x.e.backend
	clone, flat, err := b.NewSharedBuffer(0, shape)
	if err != nil {
		return nil, err
	}
	src, err := b.BufferData(buf)
	if err != nil {
		return nil, err
	}
	reflect.Copy(reflect.ValueOf(flat), reflect.ValueOf(src))
	return clone, nil
}

// freeAll frees every buffer the execution still owns.
func (x *execution) freeAll() {
	for i, buf := range x.bufs {
		if x.owned[i] && buf != nil {
			_ = x.e.backend.BufferFinalize(buf)
		}
		x.bufs[i] = nil
		x.owned[i] = false
	}
}

// describe lists the steps of the executable: for each kernel its operation and operand shapes,
// for each segment its size and its operations on large arrays.
func (e *Executable) describe() string {
	var s strings.Builder
	for i, st := range e.steps {
		if st.kernel != nil {
			n := st.kernel.node
			fmt.Fprintf(&s, "%3d kernel  %s%s -> %s\n", i, n.call.opName(), describeInputs(n), n.outputs[0].shape)
			continue
		}
		fmt.Fprintf(&s, "%3d segment %d operations, %d inputs, %d outputs\n", i, len(st.seg.members), len(st.seg.inputs), len(st.seg.outputs))
		for _, n := range st.seg.members {
			if len(n.outputs) > 0 && n.outputs[0].shape.Size() >= fuseMinSize {
				fmt.Fprintf(&s, "      %s%s -> %s\n", n.call.opName(), describeInputs(n), n.outputs[0].shape)
			}
		}
	}
	return s.String()
}
