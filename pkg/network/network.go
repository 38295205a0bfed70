// Package network is the plain-data view of a trained topographic classifier that analysis
// code works with. It has no dependency on GoMLX, so analyses can run on any implementation:
// a trained GoMLX model, a test double or a network loaded from elsewhere.
package network

import "fmt"

// Info describes a network's input, output and topographic layer.
type Info struct {
	// Dataset is the dataset the network was trained on ("mnist", "fashion-mnist", "cifar10").
	Dataset string
	// Height, Width and Channels are the input image size (NHWC).
	Height, Width, Channels int
	// Classes is the number of output logits.
	Classes int
	// Layer is the name of the topographic layer, "fc1" for the reference networks.
	Layer string
	// GridRows and GridCols lay the topographic layer's units on a sheet, row-major.
	GridRows, GridCols int
}

// Units returns the number of units in the topographic layer.
func (i Info) Units() int { return i.GridRows * i.GridCols }

// ImageSize returns the number of values in one input image.
func (i Info) ImageSize() int { return i.Height * i.Width * i.Channels }

// Output is the result of a forward pass over n images.
type Output struct {
	N, Classes, Units int
	// Logits is n × Classes, row-major.
	Logits []float32
	// Pre is the topographic layer before its ReLU, n × Units, row-major.
	Pre []float32
}

// Parameter is one trainable tensor, with its values in row-major order.
type Parameter struct {
	// Name is the variable's scope path, for example "/fc1/dense/weights".
	Name  string
	Shape []int
	// Layer is the layer the tensor belongs to, for example "fc1"; empty if unknown.
	Layer  string
	Values []float32
}

// Network is a trained classifier with a topographic layer.
type Network interface {
	Info() Info
	// Forward runs inference, without dropout, on n images in [0, 1] pixel space, NHWC and
	// row-major (the network applies its own input normalisation). Implementations batch
	// internally, so n may be large.
	Forward(images []float32, n int) (*Output, error)
	// Parameters returns copies of every trainable tensor.
	Parameters() []Parameter
	// WithParameters returns a network that uses the given tensors in place of the ones with
	// the same names; tensors not named keep their values. The receiver is not changed.
	WithParameters(params []Parameter) (Network, error)
}

// Find returns the parameter with the given name, or an error listing the names there are.
func Find(params []Parameter, name string) (Parameter, error) {
	var names []string
	for _, p := range params {
		if p.Name == name {
			return p, nil
		}
		names = append(names, p.Name)
	}
	return Parameter{}, fmt.Errorf("network: no parameter %q; parameters are %v", name, names)
}

// Clone returns a deep copy of p.
func (p Parameter) Clone() Parameter {
	q := p
	q.Shape = append([]int(nil), p.Shape...)
	q.Values = append([]float32(nil), p.Values...)
	return q
}
