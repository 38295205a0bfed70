package topocnn

import (
	"fmt"

	. "github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/ml/context"
	"github.com/gomlx/gomlx/pkg/ml/layers"
	"github.com/gomlx/gomlx/pkg/ml/layers/activations"
	"github.com/topocnn/topocnn/pkg/dataset"
	"github.com/topocnn/topocnn/pkg/network"
)

// Backbone names a convolutional stack of Truong & Hasson (2025).
type Backbone string

const (
	// SmallBackbone is the MNIST network's stack: two 3 × 3 convolutions (32 and 64 channels,
	// padding 1), each followed by ReLU and a 2 × 2 max-pool.
	SmallBackbone Backbone = "small"
	// DeepBackbone is the CIFAR-10 network's stack: four 3 × 3 convolutions (32, 64, 128 and 256
	// channels, padding 1), each followed by batch normalisation and ReLU, with a 2 × 2 max-pool
	// after the first three.
	DeepBackbone Backbone = "deep"
)

// TopographicLayer is the scope name of the topographic layer.
const TopographicLayer = "fc1"

// Architecture is a network of Truong & Hasson (2025): a convolutional backbone, global
// average pooling, the topographic layer fc1 (dense, GridRows × GridCols units, laid row-major
// on the grid), ReLU, dropout and the dense classifier fc2. Images enter in [0, 1] and are
// normalised inside the graph, so any pixel-space input (stimuli, noisy images) feeds straight
// in.
//
// Variables live in the scopes conv1 … conv4 (".../conv/weights" [3, 3, in, out] and
// ".../conv/biases", plus ".../batch_normalization/..." in the deep backbone), "/fc1/dense/weights"
// [in, units], "/fc1/dense/biases", "/fc2/dense/weights" and "/fc2/dense/biases".
type Architecture struct {
	Backbone Backbone
	// Height, Width and Channels are the input image size, and Classes the number of logits.
	Height, Width, Channels, Classes int
	// Mean and Std normalise each input channel: (x − Mean[c]) / Std[c].
	Mean, Std []float32
	// GridRows × GridCols is the width of fc1.
	GridRows, GridCols int
	// Dropout is the probability of zeroing an fc1 output during training.
	Dropout float64
}

// ArchitectureFor returns the protocol's network for a dataset: SmallBackbone for "mnist" and
// "fashion-mnist", DeepBackbone for "cifar10", with the dataset's normalisation.
func ArchitectureFor(datasetName string, gridRows, gridCols int, dropout float64) (Architecture, error) {
	spec, err := dataset.SpecFor(datasetName)
	if err != nil {
		return Architecture{}, err
	}
	norm, err := dataset.NormalizationFor(datasetName)
	if err != nil {
		return Architecture{}, err
	}
	backbone := SmallBackbone
	if datasetName == dataset.CIFAR10 {
		backbone = DeepBackbone
	}
	return Architecture{
		Backbone: backbone,
		Height:   spec.Height, Width: spec.Width, Channels: spec.Channels, Classes: spec.Classes,
		Mean: norm.Mean, Std: norm.Std,
		GridRows: gridRows, GridCols: gridCols,
		Dropout: dropout,
	}, nil
}

// Units returns the width of the topographic layer.
func (a Architecture) Units() int { return a.GridRows * a.GridCols }

// Info returns the network.Info of a network with this architecture trained on datasetName.
func (a Architecture) Info(datasetName string) network.Info {
	return network.Info{
		Dataset: datasetName,
		Height:  a.Height, Width: a.Width, Channels: a.Channels,
		Classes:  a.Classes,
		Layer:    TopographicLayer,
		GridRows: a.GridRows, GridCols: a.GridCols,
	}
}

// Build adds the network to images' graph, creating or reusing the variables in ctx, and
// returns the logits [batch, Classes] and fc1's pre-ReLU activations [batch, Units()]. Images
// are [batch, Height, Width, Channels] in [0, 1]. Dropout and batch-normalisation statistics
// follow ctx.IsTraining. It panics, as GoMLX graph builders do, on an input of the wrong shape.
func (a Architecture) Build(ctx *context.Context, images *Node) (logits, pre *Node) {
	dims := images.Shape().Dimensions
	if len(dims) != 4 || dims[1] != a.Height || dims[2] != a.Width || dims[3] != a.Channels {
		panic(fmt.Errorf("topocnn: images must be [batch, %d, %d, %d], got shape %s",
			a.Height, a.Width, a.Channels, images.Shape()))
	}
	x := a.normalize(images)

	switch a.Backbone {
	case SmallBackbone:
		for i, channels := range []int{32, 64} {
			scope := ctx.In(fmt.Sprintf("conv%d", i+1))
			x = maxPool2(activations.Relu(conv3x3(scope, x, channels)))
		}
	case DeepBackbone:
		for i, channels := range []int{32, 64, 128, 256} {
			scope := ctx.In(fmt.Sprintf("conv%d", i+1))
			x = activations.Relu(batchNorm(scope, conv3x3(scope, x, channels)))
			if i < 3 {
				x = maxPool2(x)
			}
		}
	default:
		panic(fmt.Errorf("topocnn: unknown backbone %q", a.Backbone))
	}
	x = globalAveragePool(x)

	pre = layers.Dense(pytorchInit(ctx.In(TopographicLayer), x.Shape().Dimensions[1]), x, true, a.Units())
	h := layers.DropoutStatic(ctx, activations.Relu(pre), a.Dropout)
	logits = layers.Dense(pytorchInit(ctx.In("fc2"), a.Units()), h, true, a.Classes)
	return logits, pre
}

// normalize maps [0, 1] pixels to (x − Mean[c]) / Std[c] per channel.
func (a Architecture) normalize(images *Node) *Node {
	g := images.Graph()
	mean := ConvertDType(Reshape(Const(g, a.Mean), 1, 1, 1, a.Channels), images.DType())
	std := ConvertDType(Reshape(Const(g, a.Std), 1, 1, 1, a.Channels), images.DType())
	return Div(Sub(images, mean), std)
}
