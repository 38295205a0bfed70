package backend

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/gomlx/gomlx/backends"
	"github.com/pkg/errors"
)

// kernelFunc runs one node on its own kernel. It reads k.inputs and sets k.outputs.
type kernelFunc func(k *kernelCall) error

// accelerator is implemented by the calls this package can run on its own kernels. bindKernel
// returns nil when this instance (its dtype, shapes or arguments) is left to the pure-Go
// backend.
type accelerator interface {
	bindKernel(b *Backend, n *node) kernelFunc
}

// step is one stage of an executable: a kernel node or a compiled pure-Go segment.
type step struct {
	kernel *kernelStep
	seg    *segment
}

type kernelStep struct {
	node *node
	run  kernelFunc
}

// segment is a stretch of the graph compiled as one pure-Go executable.
type segment struct {
	exec    backends.Executable
	inputs  []*value
	outputs []*value
	members []*node
}

// nodeKind classifies a node of the plan.
type nodeKind int

const (
	parameterNode nodeKind = iota
	constantNode
	kernelNode
	fallbackNode
)

// plan is the graph as the executable runs it: the live nodes in a topological order, with
// each fused group of element-wise nodes replaced by one node at the position of its first
// member.
type plan struct {
	nodes    []*node
	producer map[*value]*node // the plan node that computes each value
	kind     map[*node]nodeKind
	kernel   map[*node]kernelFunc
	level    map[*node]int
}

// compile plans and compiles the graph of b for the given outputs.
//
// Each node of the plan gets a level. Parameters and constants have none. A node that runs in
// the pure-Go backend has the largest level of its inputs, counting one more for inputs
// computed by a kernel. A kernel node has the largest level of its inputs. The executable
// runs, for each level L in turn, the pure-Go segment of level L and then the kernels of level
// L in plan order. So there is at most one segment more than the longest chain of kernels.
func compile(b *Builder, outputs []*value) (*Executable, error) {
	live := liveNodes(b, outputs)
	isOutput := make(map[*value]bool, len(outputs))
	for _, v := range outputs {
		isOutput[v] = true
	}
	p := &plan{
		producer: make(map[*value]*node),
		kind:     make(map[*node]nodeKind),
		kernel:   make(map[*node]kernelFunc),
		level:    make(map[*node]int),
	}
	groups := fuseElementwise(b, live, isOutput)

	// The plan node of each value, then the plan nodes the outputs depend on, in order.
	planOf := make(map[*value]*node)
	for _, n := range b.nodes {
		if !live[n.index] {
			continue
		}
		target := n
		if g := groups.groupOf[n]; g != nil {
			target = g.node
		}
		for _, v := range n.outputs {
			planOf[v] = target
		}
	}
	needed := make(map[*node]bool)
	var mark func(n *node)
	mark = func(n *node) {
		if needed[n] {
			return
		}
		needed[n] = true
		for _, input := range n.inputs {
			mark(planOf[input])
		}
	}
	for _, v := range outputs {
		mark(planOf[v])
	}
	for _, n := range b.nodes {
		if !live[n.index] {
			continue
		}
		if g := groups.groupOf[n]; g != nil {
			if g.members[0] == n && needed[g.node] {
				p.add(g.node)
			}
			continue
		}
		if needed[n] {
			p.add(n)
		}
	}

	maxLevel := 0
	for _, n := range p.nodes {
		switch n.call.(type) {
		case *callParameter:
			p.kind[n] = parameterNode
			continue
		case *callConstant:
			p.kind[n] = constantNode
			continue
		}
		p.kind[n] = fallbackNode
		if acc, ok := n.call.(accelerator); ok {
			if fn := acc.bindKernel(b.backend, n); fn != nil {
				p.kind[n] = kernelNode
				p.kernel[n] = fn
			}
		}
		if p.kind[n] == fallbackNode {
			if _, own := n.call.(shapeInferrer); own {
				return nil, errors.Errorf("%s on %s: not supported by backend %q (it supports float32 and float64 here)",
					n.call.opName(), describeInputs(n), BackendName)
			}
		}
		level := 0
		for _, input := range n.inputs {
			m := p.producer[input]
			switch p.kind[m] {
			case parameterNode, constantNode:
			case kernelNode:
				if p.kind[n] == fallbackNode {
					level = max(level, p.level[m]+1)
				} else {
					level = max(level, p.level[m])
				}
			default:
				level = max(level, p.level[m])
			}
		}
		p.level[n] = level
		maxLevel = max(maxLevel, level)
	}

	e := &Executable{
		backend:   b.backend,
		name:      b.name,
		params:    b.params,
		outputs:   outputs,
		numValues: len(b.values),
		constants: make(map[int]backends.Buffer),
	}

	// Consumers of each value outside its own segment decide the segment outputs.
	consumers := make(map[*value][]*node)
	for _, n := range p.nodes {
		for _, input := range n.inputs {
			consumers[input] = append(consumers[input], n)
		}
	}
	for level := 0; level <= maxLevel; level++ {
		inLevel := func(n *node) bool { return p.kind[n] == fallbackNode && p.level[n] == level }
		var segNodes []*node
		for _, n := range p.nodes {
			if inLevel(n) {
				segNodes = append(segNodes, n)
			}
		}
		if len(segNodes) > 0 {
			usedOutside := func(v *value) bool {
				if isOutput[v] {
					return true
				}
				for _, n := range consumers[v] {
					if !inLevel(n) {
						return true
					}
				}
				return false
			}
			seg, err := buildSegment(b, fmt.Sprintf("%s#%d", b.name, level), segNodes, usedOutside, p)
			if err != nil {
				return nil, err
			}
			e.steps = append(e.steps, step{seg: seg})
		}
		for _, n := range p.nodes {
			if p.kind[n] == kernelNode && p.level[n] == level {
				e.steps = append(e.steps, step{kernel: &kernelStep{node: n, run: p.kernel[n]}})
			}
		}
	}

	// Constants read by kernels or returned as outputs get a buffer now.
	needConstant := func(v *value) error {
		if p.kind[p.producer[v]] != constantNode {
			return nil
		}
		if _, done := e.constants[v.index]; done {
			return nil
		}
		c := v.node.call.(*callConstant)
		buf, err := b.backend.BufferFromFlatData(0, c.flat, v.shape)
		if err != nil {
			return errors.WithMessagef(err, "constant %s", v.shape)
		}
		e.constants[v.index] = buf
		return nil
	}
	for _, s := range e.steps {
		if s.kernel != nil {
			for _, input := range s.kernel.node.inputs {
				if err := needConstant(input); err != nil {
					return nil, err
				}
			}
		}
	}
	for _, v := range outputs {
		if err := needConstant(v); err != nil {
			return nil, err
		}
	}

	e.countUses()
	if slog.Default().Enabled(context.Background(), slog.LevelDebug) {
		slog.Debug("compiled", "computation", b.name, "steps", len(e.steps), "plan", e.describe())
	}
	return e, nil
}

// add appends n to the plan.
func (p *plan) add(n *node) {
	p.nodes = append(p.nodes, n)
	for _, v := range n.outputs {
		p.producer[v] = n
	}
}

// liveNodes marks, by node index, the nodes that the outputs depend on.
func liveNodes(b *Builder, outputs []*value) []bool {
	live := make([]bool, len(b.nodes))
	var mark func(n *node)
	mark = func(n *node) {
		if live[n.index] {
			return
		}
		live[n.index] = true
		for _, input := range n.inputs {
			mark(input.node)
		}
	}
	for _, v := range outputs {
		mark(v.node)
	}
	return live
}

// buildSegment compiles nodes (all of one level, in plan order) as one pure-Go executable.
// Values from outside become its parameters, except constants, which it rebuilds; values that
// usedOutside reports become its outputs.
func buildSegment(b *Builder, name string, nodes []*node, usedOutside func(*value) bool, p *plan) (*segment, error) {
	sb := b.backend.Backend.Builder(name)
	ops := make(map[*value]backends.Op)
	inSegment := make(map[*node]bool, len(nodes))
	for _, n := range nodes {
		inSegment[n] = true
	}
	seg := &segment{members: nodes}
	var buildErr error
	lookup := func(v *value) backends.Op {
		if op, ok := ops[v]; ok {
			return op
		}
		var replayed []backends.Op
		var err error
		if p.kind[p.producer[v]] == constantNode {
			replayed, err = v.node.call.replay(sb, nil)
		} else {
			var op backends.Op
			op, err = sb.Parameter(fmt.Sprintf("v%d", v.index), v.shape, nil)
			replayed = []backends.Op{op}
			seg.inputs = append(seg.inputs, v)
		}
		if err != nil {
			if buildErr == nil {
				buildErr = err
			}
			return nil
		}
		ops[v] = replayed[0]
		return replayed[0]
	}
	for _, n := range nodes {
		// Parameters of the segment are created in the order the nodes first use them.
		for _, input := range n.inputs {
			if !inSegment[p.producer[input]] {
				lookup(input)
			}
		}
		if buildErr != nil {
			return nil, buildErr
		}
		outs, err := n.call.replay(sb, lookup)
		if buildErr != nil {
			return nil, buildErr
		}
		if err != nil {
			return nil, errors.WithMessagef(err, "rebuilding %s in the pure-Go backend", n.call.opName())
		}
		if len(outs) != len(n.outputs) {
			return nil, errors.Errorf("rebuilding %s: %d results, recorded %d", n.call.opName(), len(outs), len(n.outputs))
		}
		for i, v := range n.outputs {
			ops[v] = outs[i]
		}
	}
	var outOps []backends.Op
	for _, n := range nodes {
		for _, v := range n.outputs {
			if usedOutside(v) {
				seg.outputs = append(seg.outputs, v)
				outOps = append(outOps, ops[v])
			}
		}
	}
	exec, err := sb.Compile(outOps, nil)
	if err != nil {
		return nil, errors.WithMessagef(err, "compiling segment %q in the pure-Go backend", name)
	}
	seg.exec = exec
	return seg, nil
}

// describeInputs lists the shapes of n's operands, for error messages.
func describeInputs(n *node) string {
	s := ""
	for i, v := range n.inputs {
		if i > 0 {
			s += ", "
		}
		s += v.shape.String()
	}
	return "(" + s + ")"
}
