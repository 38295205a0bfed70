package bench

import (
	"github.com/gomlx/gomlx/backends"
	"github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/core/tensors"
	"github.com/gomlx/gomlx/pkg/ml/context"
)

// inference is the analysis path: forward passes of the reference network over a batch of
// images, returning the logits and fc1's pre-ReLU activations.
type inference struct {
	exec   *context.Exec
	images *tensors.Tensor
}

// newInference builds the inference graph of the reference network (control weights, as
// initialised) for batches of n images.
func newInference(backend backends.Backend, n int) (*inference, error) {
	ctx := context.New()
	if err := ctx.SetRNGStateFromSeed(1); err != nil {
		return nil, err
	}
	model := referenceModel(Control)
	exec, err := context.NewExec(backend, ctx, func(ctx *context.Context, images *graph.Node) []*graph.Node {
		return model(ctx, nil, []*graph.Node{images})
	})
	if err != nil {
		return nil, err
	}
	images, _ := randomBatch(n, 2)
	inf := &inference{exec: exec, images: images}
	if err := inf.run(); err != nil { // compile and initialise the variables
		return nil, err
	}
	return inf, nil
}

// run computes one batch.
func (inf *inference) run() error {
	outputs, err := inf.exec.Exec(inf.images)
	if err != nil {
		return err
	}
	for _, out := range outputs {
		out.FinalizeAll()
	}
	return nil
}
