package topocnn

import (
	"context"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/gomlx/gomlx/pkg/core/tensors"
	"github.com/gomlx/gomlx/pkg/ml/context/checkpoints"
	"github.com/gomlx/gomlx/pkg/ml/train"
	"github.com/topocnn/topocnn/pkg/dataset"
	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/stat"
)

// This file holds one training epoch: its batches, the per-step checks, the validation and
// the checkpoint at its end.

// epochState accumulates the per-step metrics of one epoch and records why it stopped early.
type epochState struct {
	stdctx      context.Context
	epoch       int
	steps       int
	batches     *epochBatches
	examples    int
	taskSum     float64
	topoSum     float64
	lambda      float64
	nonFinite   error
	interrupted error
}

// afterStep is the loop's step hook: it checks the losses, accumulates them and stops the
// epoch when the context is cancelled.
func (t *trainer) afterStep(loop *train.Loop, values []*tensors.Tensor) error {
	e := t.epoch
	first := len(loop.Trainer.TrainMetrics()) - 3
	total := float64(tensors.ToScalar[float32](values[0]))
	task := float64(tensors.ToScalar[float32](values[first]))
	topo := float64(tensors.ToScalar[float32](values[first+1]))
	lambda := float64(tensors.ToScalar[float32](values[first+2]))
	step := loop.LoopStep - loop.StartStep + 1
	if !isFinite(total) || !isFinite(task) || !isFinite(topo) {
		e.nonFinite = fmt.Errorf("topocnn: %w at epoch %d, step %d of %d: total loss %g, task loss %g, topographic loss %g, λ %g; "+
			"%s keeps the checkpoint of epoch %d; retry with a lower λ (--lambda) or learning rate (--lr)",
			ErrNonFinite, e.epoch, step, e.steps, total, task, topo, lambda, t.opts.Out, e.epoch-1)
		return e.nonFinite
	}

	n := e.batches.lastSize
	e.examples += n
	e.taskSum += task * float64(n)
	e.topoSum += topo * float64(n)
	e.lambda = lambda
	if err := e.stdctx.Err(); err != nil {
		e.interrupted = fmt.Errorf("topocnn: %w at epoch %d, step %d of %d (%w); %s keeps the checkpoint of epoch %d; resume to continue",
			ErrInterrupted, e.epoch, step, e.steps, err, t.opts.Out, e.epoch-1)
		return e.interrupted
	}
	return nil
}

func isFinite(x float64) bool { return !math.IsNaN(x) && !math.IsInf(x, 0) }

// trainEpoch runs one epoch of optimiser steps and returns its metrics.
func (t *trainer) trainEpoch(stdctx context.Context, epoch int) (EpochMetrics, error) {
	if err := stdctx.Err(); err != nil {
		return EpochMetrics{}, fmt.Errorf("topocnn: %w before epoch %d (%w); %s keeps the checkpoint of epoch %d; resume to continue",
			ErrInterrupted, epoch, err, t.opts.Out, epoch-1)
	}
	start := time.Now()
	order := dataset.Permutation(t.trainSet.Len(), t.run.Seeds.Shuffle, epoch-1)
	e := &epochState{
		stdctx:  stdctx,
		epoch:   epoch,
		steps:   (len(order) + t.cfg.BatchSize - 1) / t.cfg.BatchSize,
		batches: &epochBatches{set: t.trainSet, order: order, batchSize: t.cfg.BatchSize},
	}
	t.epoch = e
	if _, err := t.loop.RunSteps(e.batches, e.steps); err != nil {
		switch {
		case e.nonFinite != nil:
			return EpochMetrics{}, e.nonFinite
		case e.interrupted != nil:
			return EpochMetrics{}, e.interrupted
		}
		return EpochMetrics{}, fmt.Errorf("topocnn: training epoch %d: %w", epoch, err)
	}
	trainSeconds := time.Since(start).Seconds()

	m := EpochMetrics{
		Epoch:          epoch,
		Steps:          e.steps,
		TaskLoss:       e.taskSum / float64(e.examples),
		TopoLoss:       e.topoSum / float64(e.examples),
		Lambda:         e.lambda,
		StepsPerSecond: float64(e.steps) / trainSeconds,
	}
	if !t.cfg.hasTopographicLoss() {
		m.Lambda = 0
	}
	var err error
	if t.inference == nil {
		if t.inference, err = newInference(t.backend, t.ctx, t.arch); err != nil {
			return m, err
		}
	}
	if m.ValLoss, m.ValAccuracy, err = t.inference.evaluate(t.val); err != nil {
		return m, err
	}
	if m.FC1RowNorms, err = t.rowNorms(); err != nil {
		return m, err
	}
	m.WallSeconds = time.Since(start).Seconds()
	return m, nil
}

// endEpoch saves the checkpoint, records the epoch in run.json and then removes the previous
// checkpoint.
func (t *trainer) endEpoch(m EpochMetrics) error {
	if err := t.checkpoint.Save(); err != nil {
		return fmt.Errorf("topocnn: saving the checkpoint of epoch %d: %w", m.Epoch, err)
	}
	list, err := t.checkpoint.ListCheckpoints()
	if err != nil || len(list) == 0 {
		return fmt.Errorf("topocnn: listing the checkpoint of epoch %d: %v", m.Epoch, err)
	}
	latest := list[len(list)-1]
	if err := syncFiles(t.checkpointDir(), latest+checkpoints.JsonNameSuffix, latest+checkpoints.BinDataSuffix); err != nil {
		return fmt.Errorf("topocnn: saving the checkpoint of epoch %d: %w", m.Epoch, err)
	}

	previous := t.run.Checkpoint
	t.run.Checkpoint = latest
	t.run.Parameters = t.countParameters()
	t.run.Epochs = append(t.run.Epochs, m)
	if err := t.run.write(t.opts.Out); err != nil {
		return err
	}
	if previous != "" {
		for _, suffix := range []string{checkpoints.JsonNameSuffix, checkpoints.BinDataSuffix} {
			if err := os.Remove(filepath.Join(t.checkpointDir(), previous+suffix)); err != nil {
				t.log.Warn("failed to remove the previous checkpoint", "error", err)
			}
		}
	}

	t.log.Info("epoch done", "epoch", m.Epoch, "of", t.cfg.Epochs,
		"task_loss", m.TaskLoss, "topo_loss", m.TopoLoss, "lambda", m.Lambda,
		"val_accuracy", m.ValAccuracy, "val_loss", m.ValLoss,
		"fc1_row_norm_mean", m.FC1RowNorms.Mean, "seconds", math.Round(m.WallSeconds*10)/10,
		"steps_per_second", math.Round(m.StepsPerSecond*100)/100)
	if t.opts.Progress != nil {
		t.opts.Progress(m)
	}
	return nil
}

// syncFiles flushes the named files in dir and dir's entries to disk, because GoMLX's
// checkpoint writer does not, and run.json must never point at a checkpoint a crash can lose.
func syncFiles(dir string, names ...string) error {
	for _, name := range names {
		f, err := os.Open(filepath.Join(dir, name))
		if err != nil {
			return err
		}
		err = f.Sync()
		f.Close()
		if err != nil {
			return err
		}
	}
	return syncDir(dir)
}

// countParameters returns the number of trainable values of the network's layers.
func (t *trainer) countParameters() int {
	var n int
	for v := range t.ctx.IterVariables() {
		layer := strings.SplitN(strings.TrimPrefix(v.Scope(), "/"), "/", 2)[0]
		if v.Trainable && isNetworkLayer(layer) {
			n += v.Shape().Size()
		}
	}
	return n
}

// rowNorms summarises the norms of fc1's incoming weight vectors, the columns of its
// [in, units] weight matrix.
func (t *trainer) rowNorms() (RowNormStats, error) {
	v := t.ctx.GetVariableByScopeAndName("/"+TopographicLayer+"/dense", "weights")
	if v == nil {
		return RowNormStats{}, fmt.Errorf("topocnn: the context has no /%s/dense/weights", TopographicLayer)
	}
	dims := v.Shape().Dimensions
	w := tensors.MustCopyFlatData[float32](v.MustValue())
	norms := unitNorms(w, dims[0], dims[1])
	mean, sd := stat.MeanStdDev(norms, nil)
	return RowNormStats{Mean: mean, SD: sd, Min: floats.Min(norms), Max: floats.Max(norms)}, nil
}

// unitNorms returns ‖column p‖₂ of a row-major [in, units] matrix for each unit p.
func unitNorms(w []float32, in, units int) []float64 {
	norms := make([]float64, units)
	for i := range in {
		for p := range units {
			x := float64(w[i*units+p])
			norms[p] += x * x
		}
	}
	for p := range norms {
		norms[p] = math.Sqrt(norms[p])
	}
	return norms
}

// epochBatches is the train.Dataset of one epoch: batches of the set in the given order. It
// yields the images and labels as inputs, so the model graph can compute the task loss, and
// the labels again as labels.
type epochBatches struct {
	set       *dataset.Set
	order     []int
	batchSize int
	next      int
	// lastSize is the number of examples in the batch yielded last.
	lastSize int
}

func (b *epochBatches) Name() string { return b.set.Name + " training" }

func (b *epochBatches) Reset() { b.next = 0 }

func (b *epochBatches) Yield() (spec any, inputs, labels []*tensors.Tensor, err error) {
	if b.next >= len(b.order) {
		return nil, nil, nil, errEndOfEpoch
	}
	idx := b.order[b.next:min(b.next+b.batchSize, len(b.order))]
	b.next += len(idx)
	b.lastSize = len(idx)

	s := b.set
	size := s.ImageSize()
	images := make([]float32, len(idx)*size)
	ys := make([]int32, len(idx))
	for i, k := range idx {
		copy(images[i*size:(i+1)*size], s.Image(k))
		ys[i] = s.Labels[k]
	}
	imagesT := tensors.FromFlatDataAndDimensions(images, len(idx), s.Height, s.Width, s.Channels)
	return nil, []*tensors.Tensor{imagesT, tensors.FromValue(ys)}, []*tensors.Tensor{tensors.FromValue(ys)}, nil
}

// errEndOfEpoch is returned if the loop requests more batches than an epoch has.
var errEndOfEpoch = errors.New("topocnn: no batches left in the epoch")
