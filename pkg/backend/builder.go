package backend

import (
	"fmt"
	"reflect"
	"slices"

	"github.com/gomlx/gomlx/backends"
	"github.com/gomlx/gomlx/pkg/core/dtypes"
	"github.com/gomlx/gomlx/pkg/core/shapes"
	"github.com/pkg/errors"
)

// Builder implements backends.Builder. It records every call as a node of its own graph and
// forwards it to a shadow builder of the pure-Go backend, which validates the call and infers
// the output shapes. The shadow graph is never compiled.
type Builder struct {
	backend  *Backend
	name     string
	shadow   backends.Builder
	nodes    []*node
	values   []*value
	params   []*value
	compiled bool
}

var _ backends.Builder = (*Builder)(nil)

// call is one recorded builder call. The generated call types implement it.
type call interface {
	// opName is the name of the backends.Builder method.
	opName() string
	// opType is the backends.OpType of the operation, or OpTypeInvalid if there is none.
	opType() backends.OpType
	// inputs lists the operands in the order of the method's parameters.
	inputs() []*value
	// replay calls the same method on another builder, with op giving each operand there.
	replay(to backends.Builder, op func(*value) backends.Op) ([]backends.Op, error)
}

// shapeInferrer is implemented by the calls of operations the pure-Go backend lacks: their
// output shapes come from this package.
type shapeInferrer interface {
	outputShapes() ([]shapes.Shape, error)
}

// normalizer is implemented by calls whose arguments have defaults that the pure-Go backend
// does not apply. normalize fills them in before the call is replayed anywhere.
type normalizer interface {
	normalize()
}

// node is one recorded call with its operands and results.
type node struct {
	index   int // creation order, a topological order of the graph
	call    call
	inputs  []*value
	outputs []*value
}

// value is one result of a node; it is the backends.Op this builder returns.
type value struct {
	builder *Builder
	node    *node
	output  int // index among the node's outputs
	index   int // index in Builder.values
	shape   shapes.Shape
	shadow  backends.Op
}

func newBuilder(b *Backend, name string) *Builder {
	return &Builder{backend: b, name: name, shadow: b.Backend.Builder(name)}
}

// Name returns the name of the computation being built.
func (b *Builder) Name() string { return b.name }

// OpShape returns the shape of an operation's result.
func (b *Builder) OpShape(op backends.Op) (shapes.Shape, error) {
	v, err := b.input("OpShape", 0, op)
	if err != nil {
		return shapes.Invalid(), err
	}
	return v.shape, nil
}

// input checks that op is a result of this builder, which must not be compiled yet.
func (b *Builder) input(opName string, position int, op backends.Op) (*value, error) {
	if b.compiled {
		return nil, errors.Errorf("%s: builder %q was already compiled; build a new computation", opName, b.name)
	}
	v, ok := op.(*value)
	if !ok || v == nil {
		return nil, errors.Errorf("%s: operand #%d is a %T, not an operation of the %q backend", opName, position, op, BackendName)
	}
	if v.builder != b {
		return nil, errors.Errorf("%s: operand #%d was built by builder %q, not %q", opName, position, v.builder.name, b.name)
	}
	return v, nil
}

// inputList checks a list of operands with input.
func (b *Builder) inputList(opName string, position int, ops []backends.Op) ([]*value, error) {
	values := make([]*value, len(ops))
	for i, op := range ops {
		v, err := b.input(opName, position, op)
		if err != nil {
			return nil, err
		}
		values[i] = v
	}
	return values, nil
}

// record adds a node for c, with output shapes from the shadow builder or from c itself.
func (b *Builder) record(c call) ([]backends.Op, error) {
	if b.compiled {
		return nil, errors.Errorf("%s: builder %q was already compiled; build a new computation", c.opName(), b.name)
	}
	if n, ok := c.(normalizer); ok {
		n.normalize()
	}
	var outShapes []shapes.Shape
	var shadowOps []backends.Op
	if inferrer, ok := c.(shapeInferrer); ok {
		var err error
		outShapes, err = inferrer.outputShapes()
		if err != nil {
			return nil, errors.WithMessagef(err, "%s", c.opName())
		}
		// The shadow builder gets a placeholder parameter for each result, so later calls on
		// it can use them.
		for i, shape := range outShapes {
			op, err := b.shadow.Parameter(fmt.Sprintf("#%s.%d.%d", c.opName(), len(b.nodes), i), shape, nil)
			if err != nil {
				return nil, errors.WithMessagef(err, "%s", c.opName())
			}
			shadowOps = append(shadowOps, op)
		}
	} else {
		var err error
		shadowOps, err = c.replay(b.shadow, func(v *value) backends.Op { return v.shadow })
		if err != nil {
			return nil, err
		}
		for _, op := range shadowOps {
			shape, err := b.shadow.OpShape(op)
			if err != nil {
				return nil, err
			}
			outShapes = append(outShapes, shape)
		}
	}
	n := b.addNode(c, outShapes, shadowOps)
	ops := make([]backends.Op, len(n.outputs))
	for i, v := range n.outputs {
		ops[i] = v
	}
	return ops, nil
}

func (b *Builder) addNode(c call, outShapes []shapes.Shape, shadowOps []backends.Op) *node {
	n := &node{index: len(b.nodes), call: c, inputs: c.inputs()}
	for i, shape := range outShapes {
		v := &value{builder: b, node: n, output: i, index: len(b.values), shape: shape, shadow: shadowOps[i]}
		n.outputs = append(n.outputs, v)
		b.values = append(b.values, v)
	}
	b.nodes = append(b.nodes, n)
	return n
}

// callParameter records Builder.Parameter.
type callParameter struct {
	name  string
	shape shapes.Shape
	index int // position among the computation's parameters
}

func (c *callParameter) opName() string          { return "Parameter" }
func (c *callParameter) opType() backends.OpType { return backends.OpTypeParameter }
func (c *callParameter) inputs() []*value        { return nil }
func (c *callParameter) replay(to backends.Builder, _ func(*value) backends.Op) ([]backends.Op, error) {
	op, err := to.Parameter(c.name, c.shape, nil)
	if err != nil {
		return nil, err
	}
	return []backends.Op{op}, nil
}

// Parameter adds an input of the computation. Sharding is not supported: it must be nil.
func (b *Builder) Parameter(name string, shape shapes.Shape, sharding *backends.ShardingSpec) (backends.Op, error) {
	if b.compiled {
		return nil, errors.Errorf("Parameter: builder %q was already compiled; build a new computation", b.name)
	}
	if sharding != nil {
		return nil, errors.Errorf("Parameter %q: backend %q runs on one device and does not support sharding; pass a nil sharding spec",
			name, BackendName)
	}
	c := &callParameter{name: name, shape: shape.Clone(), index: len(b.params)}
	shadowOps, err := c.replay(b.shadow, nil)
	if err != nil {
		return nil, err
	}
	n := b.addNode(c, []shapes.Shape{c.shape}, shadowOps)
	b.params = append(b.params, n.outputs[0])
	return n.outputs[0], nil
}

// callConstant records Builder.Constant.
type callConstant struct {
	flat any
	dims []int
}

func (c *callConstant) opName() string          { return "Constant" }
func (c *callConstant) opType() backends.OpType { return backends.OpTypeConstant }
func (c *callConstant) inputs() []*value        { return nil }
func (c *callConstant) replay(to backends.Builder, _ func(*value) backends.Op) ([]backends.Op, error) {
	op, err := to.Constant(c.flat, c.dims...)
	if err != nil {
		return nil, err
	}
	return []backends.Op{op}, nil
}

// Constant adds a constant with the given flat values (a slice of a supported Go type) and
// dimensions. The values are copied.
func (b *Builder) Constant(flat any, dims ...int) (backends.Op, error) {
	if b.compiled {
		return nil, errors.Errorf("Constant: builder %q was already compiled; build a new computation", b.name)
	}
	flatValue := reflect.ValueOf(flat)
	if flatValue.Kind() != reflect.Slice {
		return nil, errors.Errorf("Constant: flat is a %T; want a slice of a supported element type, e.g. []float32", flat)
	}
	copied := reflect.MakeSlice(flatValue.Type(), flatValue.Len(), flatValue.Len())
	reflect.Copy(copied, flatValue)
	c := &callConstant{flat: copied.Interface(), dims: slices.Clone(dims)}
	outputs, err := b.record(c)
	if err != nil {
		return nil, err
	}
	return outputs[0], nil
}

// DistributedSPMD forwards to the pure-Go backend, which runs on one device.
func (b *Builder) DistributedSPMD(numDevices int) error {
	return b.shadow.DistributedSPMD(numDevices)
}

// DistributedAutoSharding forwards to the pure-Go backend, which runs on one device.
func (b *Builder) DistributedAutoSharding(meshes ...backends.Mesh) error {
	return b.shadow.DistributedAutoSharding(meshes...)
}

// DeviceAssignment accepts only device 0, as the pure-Go backend does.
func (b *Builder) DeviceAssignment(devices ...backends.DeviceNum) error {
	return b.shadow.DeviceAssignment(devices...)
}

// Compile returns an executable that computes outputs. Sharding specs are not supported.
func (b *Builder) Compile(outputs []backends.Op, shardings []*backends.ShardingSpec) (backends.Executable, error) {
	if len(shardings) != 0 {
		return nil, errors.Errorf("Compile: backend %q runs on one device and does not support sharding; pass nil shardings", BackendName)
	}
	outValues, err := b.inputList("Compile", 0, outputs)
	if err != nil {
		return nil, err
	}
	e, err := compile(b, outValues)
	if err != nil {
		return nil, errors.WithMessagef(err, "compiling %q", b.name)
	}
	b.compiled = true
	b.shadow = nil
	return e, nil
}

// dtypeOf returns the dtype of v's shape.
func (v *value) dtype() dtypes.DType { return v.shape.DType }
