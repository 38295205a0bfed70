package backend

import (
	"fmt"

	"github.com/gomlx/gomlx/backends"
	"github.com/gomlx/gomlx/pkg/core/dtypes"
	"github.com/gomlx/gomlx/pkg/core/shapes"

	"github.com/topocnn/topocnn/pkg/backend/kernels"
)

// fuseMinSize is the smallest number of elements for which element-wise operations run fused
// on this package's kernels. Smaller ones stay in the pure-Go backend, where they cost less
// than the step boundaries a kernel adds.
const fuseMinSize = 16384

// fusedGroup is a set of float32 element-wise nodes with one output shape that run as one
// pass over memory.
type fusedGroup struct {
	shape   shapes.Shape
	members []*node
	node    *node // the plan node that replaces the members
}

// fusion maps nodes to their groups.
type fusion struct {
	groupOf map[*node]*fusedGroup
}

// elementOp returns the fused operation of an element-wise call.
func elementOp(c call) (kernels.ElementOp, bool) {
	switch c.(type) {
	case *callAdd:
		return kernels.OpAdd, true
	case *callSub:
		return kernels.OpSub, true
	case *callMul:
		return kernels.OpMul, true
	case *callDiv:
		return kernels.OpDiv, true
	case *callMax:
		return kernels.OpMax, true
	case *callMin:
		return kernels.OpMin, true
	case *callPow:
		return kernels.OpPow, true
	case *callNeg:
		return kernels.OpNeg, true
	case *callAbs:
		return kernels.OpAbs, true
	case *callSign:
		return kernels.OpSign, true
	case *callSqrt:
		return kernels.OpSqrt, true
	case *callRsqrt:
		return kernels.OpRsqrt, true
	case *callExp:
		return kernels.OpExp, true
	case *callLog:
		return kernels.OpLog, true
	case *callTanh:
		return kernels.OpTanh, true
	case *callLogistic:
		return kernels.OpLogistic, true
	case *callFloor:
		return kernels.OpFloor, true
	case *callCeil:
		return kernels.OpCeil, true
	case *callIdentity:
		return kernels.OpIdentity, true
	}
	return 0, false
}

// fusible reports whether n can be a member of a fused group: a float32 element-wise
// operation whose operands are float32 and broadcast to its shape.
func fusible(n *node) bool {
	if len(n.outputs) != 1 {
		return false
	}
	out := n.outputs[0].shape
	if out.DType != dtypes.Float32 || out.Size() < fuseMinSize {
		return false
	}
	if _, ok := elementOp(n.call); !ok {
		return false
	}
	for _, v := range n.inputs {
		if v.dtype() != dtypes.Float32 || !broadcastsTo(v.shape, out) {
			return false
		}
	}
	return true
}

// inlinedBroadcast returns the BroadcastInDim call that computes v, if a fused group can read
// its operand in place instead of v.
func inlinedBroadcast(v *value) *callBroadcastInDim {
	bc, ok := v.node.call.(*callBroadcastInDim)
	if !ok || bc.x.dtype() != dtypes.Float32 {
		return nil
	}
	return bc
}

// source returns the value a fused group reads for operand v: the operand of an inlined
// BroadcastInDim, or v itself.
func source(v *value) *value {
	if bc := inlinedBroadcast(v); bc != nil {
		return bc.x
	}
	return v
}

// broadcastsTo reports whether an operand of shape s broadcasts to out under the rules of
// GoMLX's binary operations: a scalar, or the same rank with each dimension equal or 1.
func broadcastsTo(s, out shapes.Shape) bool {
	if s.Rank() == 0 {
		return true
	}
	if s.Rank() != out.Rank() {
		return false
	}
	for axis, d := range s.Dimensions {
		if d != 1 && d != out.Dimensions[axis] {
			return false
		}
	}
	return true
}

// fuseElementwise groups the fusible live nodes. A node joins the group of one of its operands
// when each other operand is a member of that group, was created before the group's first
// member, or has no operands itself (a parameter or constant). The group then runs at the
// position of its first member, where every external operand is already computed, so grouping
// never creates a cycle.
func fuseElementwise(b *Builder, live []bool, isOutput map[*value]bool) *fusion {
	f := &fusion{groupOf: make(map[*node]*fusedGroup)}
	var groups []*fusedGroup
	for _, n := range b.nodes {
		if !live[n.index] || !fusible(n) {
			continue
		}
		shape := n.outputs[0].shape
		var joined *fusedGroup
		for _, input := range n.inputs {
			g := f.groupOf[source(input).node]
			if g == nil || !g.shape.Equal(shape) {
				continue
			}
			ok := true
			for _, other := range n.inputs {
				src := source(other).node
				if f.groupOf[src] != g && src.index >= g.members[0].index && len(src.inputs) > 0 {
					ok = false
				}
			}
			if ok {
				joined = g
				break
			}
		}
		if joined == nil {
			// A new group may only read operands created before it.
			for _, other := range n.inputs {
				if source(other).node.index >= n.index {
					panic("backend: operand created after its consumer")
				}
			}
			joined = &fusedGroup{shape: shape}
			groups = append(groups, joined)
		}
		joined.members = append(joined.members, n)
		f.groupOf[n] = joined
	}

	// Consumers outside the group, or being a computation output, export a member's value.
	exported := make(map[*value]bool)
	for _, n := range b.nodes {
		if !live[n.index] {
			continue
		}
		for _, input := range n.inputs {
			if g := f.groupOf[input.node]; g != nil && f.groupOf[n] != g {
				exported[input] = true
			}
			if src := source(input); f.groupOf[n] != nil && src != input {
				if g := f.groupOf[src.node]; g != nil && g != f.groupOf[n] {
					exported[src] = true
				}
			}
		}
	}
	for v := range isOutput {
		exported[v] = true
	}
	for _, g := range groups {
		g.node = newFusedNode(g, exported)
	}
	return f
}

// callFused is the call of a fused group: it has no builder method and never runs in the
// pure-Go backend.
type callFused struct {
	program  *kernels.Program
	operands []*value // the kernel's inputs, distinct
	// programInputs maps each program input to its operand.
	programInputs []int
	members       int
}

func (c *callFused) opName() string          { return fmt.Sprintf("Fused[%d]", c.members) }
func (c *callFused) opType() backends.OpType { return backends.OpTypeInvalid }
func (c *callFused) inputs() []*value        { return c.operands }
func (c *callFused) replay(backends.Builder, func(*value) backends.Op) ([]backends.Op, error) {
	return nil, fmt.Errorf("a fused group of %d operations cannot run in the pure-Go backend", c.members)
}

func (c *callFused) bindKernel(b *Backend, n *node) kernelFunc {
	shapesOut := make([]shapes.Shape, len(n.outputs))
	for i, v := range n.outputs {
		shapesOut[i] = v.shape
	}
	return func(k *kernelCall) error {
		inputs := make([][]float32, len(c.programInputs))
		for i, operand := range c.programInputs {
			inputs[i] = k.f32(operand)
		}
		outputs := make([][]float32, len(shapesOut))
		for i, shape := range shapesOut {
			outputs[i] = k.alloc(shape).([]float32)
		}
		c.program.Run(b.workers, outputs, inputs)
		return nil
	}
}

// newFusedNode builds the program of g and the plan node that runs it.
func newFusedNode(g *fusedGroup, exported map[*value]bool) *node {
	dims := g.shape.Dimensions
	c := &callFused{program: &kernels.Program{Dims: dims}, members: len(g.members)}
	inGroup := make(map[*node]bool, len(g.members))
	for _, m := range g.members {
		inGroup[m] = true
	}
	type inputKey struct {
		v       *value
		strides string
	}
	inputIndex := make(map[inputKey]int)
	operandIndex := make(map[*value]int)

	// addInput returns the program value that reads external operand v with the given strides.
	// Inputs are numbered first, so programs list their inputs before their instructions.
	var pendingInstructions []kernels.Instruction
	addInput := func(v *value, strides []int) int {
		key := inputKey{v, fmt.Sprint(strides)}
		if i, ok := inputIndex[key]; ok {
			return i
		}
		if _, ok := operandIndex[v]; !ok {
			operandIndex[v] = len(c.operands)
			c.operands = append(c.operands, v)
		}
		i := len(c.program.Inputs)
		c.program.Inputs = append(c.program.Inputs, kernels.Access{Strides: strides})
		c.programInputs = append(c.programInputs, operandIndex[v])
		inputIndex[key] = i
		return i
	}
	resolve := func(v *value) int {
		if bc := inlinedBroadcast(v); bc != nil && !inGroup[bc.x.node] {
			return addInput(bc.x, broadcastInDimStrides(bc.x.shape, dims, bc.broadcastAxes))
		}
		return addInput(v, operandStrides(v.shape, dims))
	}

	// First pass: collect the inputs, with instructions referring to member values by a
	// provisional encoding (−1 − member position) resolved once the inputs are all known.
	type pending struct {
		op   kernels.ElementOp
		args [2]int
	}
	var ops []pending
	memberValue := make(map[*value]int) // member value → provisional index
	for _, m := range g.members {
		v := m.outputs[0]
		op, _ := elementOp(m.call)
		var args [2]int
		for i, operand := range m.inputs {
			switch bc := inlinedBroadcast(operand); {
			case inGroup[operand.node]:
				args[i] = memberValue[operand]
			case bc != nil && inGroup[bc.x.node]:
				// A BroadcastInDim of a member has the group's shape: it is the identity.
				args[i] = memberValue[bc.x]
			default:
				args[i] = resolve(operand)
			}
		}
		memberValue[v] = -1 - len(ops)
		ops = append(ops, pending{op: op, args: args})
	}
	numInputs := len(c.program.Inputs)
	final := func(i int) int {
		if i < 0 {
			return numInputs + (-1 - i)
		}
		return i
	}
	for _, p := range ops {
		pendingInstructions = append(pendingInstructions, kernels.Instruction{Op: p.op, Args: [2]int{final(p.args[0]), final(p.args[1])}})
	}
	c.program.Instructions = pendingInstructions

	n := &node{index: g.members[0].index, call: c, inputs: c.operands}
	for _, m := range g.members {
		v := m.outputs[0]
		if exported[v] {
			c.program.Outputs = append(c.program.Outputs, final(memberValue[v]))
			n.outputs = append(n.outputs, v)
		}
	}
	return n
}

// operandStrides returns the strides with which an operand of shape s is read for each
// element of an array with dimensions dims: s's row-major strides, 0 on broadcast axes.
func operandStrides(s shapes.Shape, dims []int) []int {
	out := make([]int, len(dims))
	if s.Rank() == 0 {
		return out
	}
	stride := 1
	for axis := len(dims) - 1; axis >= 0; axis-- {
		if s.Dimensions[axis] != 1 || dims[axis] == 1 {
			out[axis] = stride
		}
		stride *= s.Dimensions[axis]
	}
	return out
}

// broadcastInDimStrides returns the strides with which BroadcastInDim reads its operand of
// shape s for each element of its output with dimensions dims: operand axis i feeds output
// axis axes[i]; other output axes, and operand axes of size 1, are broadcast.
func broadcastInDimStrides(s shapes.Shape, dims []int, axes []int) []int {
	out := make([]int, len(dims))
	stride := 1
	for i := s.Rank() - 1; i >= 0; i-- {
		if s.Dimensions[i] == dims[axes[i]] && s.Dimensions[i] != 1 {
			out[axes[i]] = stride
		}
		stride *= s.Dimensions[i]
	}
	return out
}
