package bench

import (
	"fmt"
	"math/rand/v2"

	"github.com/gomlx/gomlx/backends"
	. "github.com/gomlx/gomlx/pkg/core/graph" //nolint:revive // GoMLX models read best with the graph operations unqualified.
	"github.com/gomlx/gomlx/pkg/core/tensors"
	"github.com/gomlx/gomlx/pkg/ml/context"
	"github.com/gomlx/gomlx/pkg/ml/layers"
	"github.com/gomlx/gomlx/pkg/ml/layers/activations"
	"github.com/gomlx/gomlx/pkg/ml/train"
	"github.com/gomlx/gomlx/pkg/ml/train/losses"
	"github.com/gomlx/gomlx/pkg/ml/train/optimizers"

	"github.com/topocnn/topocnn/pkg/gradients"
	"github.com/topocnn/topocnn/pkg/grid"
)

// Mode is the topographic loss a benchmarked training step adds.
type Mode string

const (
	Control Mode = "control" // cross-entropy only
	WS      Mode = "ws"      // plus weight similarity on fc1's incoming weights
	AS      Mode = "as"      // plus activation similarity on fc1's pre-ReLU batch activations
)

// Modes lists the three benchmarked modes.
var Modes = []Mode{Control, WS, AS}

// Reference MNIST network and training settings (Truong & Hasson 2025, arXiv 2508.00043).
const (
	BatchSize    = 64
	imageSize    = 28
	mnistMean    = 0.1307
	mnistStd     = 0.3081
	conv1        = 32
	conv2        = 64
	gridSide     = 11 // fc1 has gridSide² = 121 units
	numClasses   = 10
	dropoutRate  = 0.5
	learningRate = 1e-3
	// topoLambda weights the topographic loss; its value does not change the step's cost.
	topoLambda = 1.0
)

// referenceModel returns the model function of the reference MNIST network, built from GoMLX's
// standard layers. It has two 3×3 convolutions (32 and 64 channels, padding 1), each followed
// by ReLU and 2×2 max-pooling, global average pooling, fc1 (64 → 121 units on an 11×11 grid),
// ReLU, dropout 0.5 and fc2 (121 → 10). WS and AS add the mean Euclidean distance between the
// vectors of the 840 directed 8-neighbour pairs of fc1's units. The vectors are their incoming
// weights (WS) or their pre-ReLU activations over the batch (AS).
func referenceModel(mode Mode) train.ModelFn {
	pairs := grid.Grid{Rows: gridSide, Cols: gridSide}.Pairs(grid.Queen, grid.Open)
	return func(ctx *context.Context, _ any, inputs []*Node) []*Node {
		g := inputs[0].Graph()
		x := DivScalar(AddScalar(inputs[0], -mnistMean), mnistStd)
		x = layers.Convolution(ctx.In("conv1"), x).Channels(conv1).KernelSize(3).PadSame().Strides(1).Done()
		x = MaxPool(activations.Relu(x)).Window(2).Done()
		x = layers.Convolution(ctx.In("conv2"), x).Channels(conv2).KernelSize(3).PadSame().Strides(1).Done()
		x = MaxPool(activations.Relu(x)).Window(2).Done()
		x = ReduceMean(x, 1, 2)
		pre := layers.Dense(ctx.In("fc1"), x, true, gridSide*gridSide)
		x = layers.DropoutStatic(ctx, activations.Relu(pre), dropoutRate)
		logits := layers.Dense(ctx.In("fc2"), x, true, numClasses)

		if ctx.IsTraining(g) && mode != Control {
			var unitVectors *Node
			switch mode {
			case WS:
				weights := ctx.GetVariableByScopeAndName("/fc1/dense", "weights")
				unitVectors = Transpose(weights.ValueGraph(g), 0, 1)
			case AS:
				unitVectors = Transpose(pre, 0, 1)
			}
			train.AddLoss(ctx, MulScalar(neighbourDistance(unitVectors, pairs), topoLambda))
		}
		return []*Node{logits, pre}
	}
}

// neighbourDistance returns the mean over pairs (p, q) of ‖v_p − v_q‖₂, for the rows of v.
func neighbourDistance(v *Node, pairs [][2]int) *Node {
	g := v.Graph()
	first, second := make([]int32, len(pairs)), make([]int32, len(pairs))
	for i, p := range pairs {
		first[i], second[i] = int32(p[0]), int32(p[1])
	}
	vp := Gather(v, Reshape(Const(g, first), len(pairs), 1))
	vq := Gather(v, Reshape(Const(g, second), len(pairs), 1))
	distances := Sqrt(ReduceSum(Square(Sub(vp, vq)), -1))
	return ReduceAllMean(distances)
}

// classificationLoss is the cross-entropy of the logits, the first prediction.
func classificationLoss(labels, predictions []*Node) *Node {
	return losses.SparseCategoricalCrossEntropyLogits(labels, predictions[:1])
}

// trainingStep is one reference network with its trainer and a fixed batch of random images.
type trainingStep struct {
	trainer *train.Trainer
	images  *tensors.Tensor
	labels  *tensors.Tensor
}

// newTrainingStep builds the reference network for mode on backend, with a random batch drawn
// from a fixed seed.
func newTrainingStep(backend backends.Backend, mode Mode) (*trainingStep, error) {
	gradients.Register()
	ctx := context.New()
	if err := ctx.SetRNGStateFromSeed(1); err != nil {
		return nil, err
	}
	trainer := train.NewTrainer(backend, ctx, referenceModel(mode), classificationLoss,
		optimizers.Adam().LearningRate(learningRate).Done(), nil, nil)
	images, labels := randomBatch(BatchSize, 1)
	return &trainingStep{trainer: trainer, images: images, labels: labels}, nil
}

// run executes one training step and returns its loss.
func (s *trainingStep) run() (float32, error) {
	metrics, err := s.trainer.TrainStep(nil, []*tensors.Tensor{s.images}, []*tensors.Tensor{s.labels})
	if err != nil {
		return 0, err
	}
	if len(metrics) == 0 {
		return 0, fmt.Errorf("training step returned no loss")
	}
	return tensors.ToScalar[float32](metrics[0]), nil
}

// randomBatch returns n uniform random 28×28×1 images in [0, 1] and labels in [0, 10).
func randomBatch(n int, seed uint64) (images, labels *tensors.Tensor) {
	rng := rand.New(rand.NewPCG(seed, 0))
	pixels := make([]float32, n*imageSize*imageSize)
	for i := range pixels {
		pixels[i] = rng.Float32()
	}
	classes := make([]int32, n)
	for i := range classes {
		classes[i] = int32(rng.IntN(numClasses))
	}
	return tensors.FromFlatDataAndDimensions(pixels, n, imageSize, imageSize, 1),
		tensors.FromFlatDataAndDimensions(classes, n, 1)
}
