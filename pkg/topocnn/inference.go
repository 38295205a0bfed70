package topocnn

import (
	"fmt"
	"math"
	"sync"

	"github.com/gomlx/gomlx/backends"
	. "github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/core/tensors"
	gomlxctx "github.com/gomlx/gomlx/pkg/ml/context"
	"github.com/topocnn/topocnn/pkg/dataset"
	"github.com/topocnn/topocnn/pkg/network"
)

// InferenceBatch is the largest number of images per forward pass in inference. A call with
// fewer images runs them in one pass. Otherwise the last batch is padded with zero images, so
// every pass of the call runs the same compiled graph.
const InferenceBatch = 250

// inference runs an Architecture's forward pass without dropout on the variables of a context.
type inference struct {
	arch Architecture
	exec *gomlxctx.Exec
	// mu serialises runs of exec, whose variable values models swap in and out.
	mu sync.Mutex
}

// newInference builds the forward pass over ctx's variables, which must all exist (or be
// loadable from ctx's checkpoint loader): building fails rather than initialise a missing one.
func newInference(backend backends.Backend, ctx *gomlxctx.Context, arch Architecture) (*inference, error) {
	exec, err := gomlxctx.NewExec(backend, ctx.Reuse(), func(ctx *gomlxctx.Context, images *Node) []*Node {
		logits, pre := arch.Build(ctx, images)
		return []*Node{logits, pre}
	})
	if err != nil {
		return nil, fmt.Errorf("topocnn: building the inference graph: %w", err)
	}
	return &inference{arch: arch, exec: exec}, nil
}

// forward returns the logits and fc1's pre-ReLU activations of n NHWC images in [0, 1].
func (inf *inference) forward(images []float32, n int) (*network.Output, error) {
	a := inf.arch
	size := a.Height * a.Width * a.Channels
	if len(images) != n*size {
		return nil, fmt.Errorf("topocnn: %d images of %d×%d×%d need %d values, got %d",
			n, a.Height, a.Width, a.Channels, n*size, len(images))
	}
	out := &network.Output{
		N: n, Classes: a.Classes, Units: a.Units(),
		Logits: make([]float32, 0, n*a.Classes),
		Pre:    make([]float32, 0, n*a.Units()),
	}
	batchSize := min(InferenceBatch, n)
	batch := make([]float32, batchSize*size)
	for start := 0; start < n; start += batchSize {
		count := min(batchSize, n-start)
		copy(batch, images[start*size:(start+count)*size])
		clear(batch[count*size:])
		results, err := inf.exec.Exec(tensors.FromFlatDataAndDimensions(batch, batchSize, a.Height, a.Width, a.Channels))
		if err != nil {
			return nil, fmt.Errorf("topocnn: forward pass: %w", err)
		}
		logits := tensors.MustCopyFlatData[float32](results[0])
		pre := tensors.MustCopyFlatData[float32](results[1])
		for _, r := range results {
			r.MustFinalizeAll()
		}
		out.Logits = append(out.Logits, logits[:count*a.Classes]...)
		out.Pre = append(out.Pre, pre[:count*a.Units()]...)
	}
	return out, nil
}

// evaluate returns the mean cross-entropy and the accuracy of the network on set.
func (inf *inference) evaluate(set *dataset.Set) (loss, accuracy float64, err error) {
	if set.Len() == 0 {
		return 0, 0, fmt.Errorf("topocnn: cannot evaluate on an empty set")
	}
	out, err := inf.forward(set.Images, set.Len())
	if err != nil {
		return 0, 0, err
	}
	loss, accuracy = crossEntropyAndAccuracy(out.Logits, set.Labels, out.Classes)
	return loss, accuracy, nil
}

// crossEntropyAndAccuracy returns the mean of −log softmax(logits_i)[label_i] and the fraction
// of rows whose largest logit is at the label, computed in float64.
func crossEntropyAndAccuracy(logits []float32, labels []int32, classes int) (loss, accuracy float64) {
	var correct int
	for i, label := range labels {
		row := logits[i*classes : (i+1)*classes]
		best := 0
		maxLogit := math.Inf(-1)
		for k, v := range row {
			if float64(v) > maxLogit {
				maxLogit, best = float64(v), k
			}
		}
		var sum float64
		for _, v := range row {
			sum += math.Exp(float64(v) - maxLogit)
		}
		loss += maxLogit + math.Log(sum) - float64(row[label])
		if best == int(label) {
			correct++
		}
	}
	n := float64(len(labels))
	return loss / n, float64(correct) / n
}
