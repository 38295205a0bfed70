package topocnn

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"

	"github.com/gomlx/gomlx/backends"
	. "github.com/gomlx/gomlx/pkg/core/graph"
	gomlxctx "github.com/gomlx/gomlx/pkg/ml/context"
	"github.com/gomlx/gomlx/pkg/ml/context/checkpoints"
	"github.com/gomlx/gomlx/pkg/ml/train"
	"github.com/gomlx/gomlx/pkg/ml/train/losses"
	"github.com/gomlx/gomlx/pkg/ml/train/metrics"
	"github.com/gomlx/gomlx/pkg/ml/train/optimizers"
	"github.com/gomlx/gomlx/ui/commandline"
	"github.com/topocnn/topocnn/pkg/dataset"
	"github.com/topocnn/topocnn/pkg/topoloss"
)

// Adam's constants, PyTorch's defaults (torch.optim.Adam).
const (
	AdamBeta1   = 0.9
	AdamBeta2   = 0.999
	AdamEpsilon = 1e-8
)

// ErrInterrupted marks a run stopped by its context before all epochs were done.
var ErrInterrupted = errors.New("training interrupted")

// ErrNonFinite marks a run stopped by a NaN or infinite loss.
var ErrNonFinite = errors.New("loss is not finite")

// Data holds the sets a run uses. Train is the whole training split: Train applies
// Config.TrainLimit itself.
type Data struct {
	Train, Val, Test *dataset.Set
}

// LoadData loads cfg's dataset from cfg.DataDir (or the default location) and splits the
// official training set into training and validation sets with cfg.ValFraction and cfg.Seed.
func LoadData(cfg Config) (*Data, error) {
	full, err := dataset.Load(cfg.Dataset, dataset.Train, cfg.DataDir)
	if err != nil {
		return nil, err
	}
	test, err := dataset.Load(cfg.Dataset, dataset.Test, cfg.DataDir)
	if err != nil {
		return nil, err
	}
	trainSet, val := dataset.Split(full, cfg.ValFraction, seedsFor(cfg).Split)
	return &Data{Train: trainSet, Val: val, Test: test}, nil
}

// Options control where and how Train runs. None of them changes the results.
type Options struct {
	// Out is the run directory: run.json and the checkpoint go there. Required.
	Out string
	// Resume continues the run in Out from its last completed epoch. The Config must equal the
	// stored one (DataDir aside). A complete run is returned as it is, and a directory without
	// run.json starts a new run.
	Resume bool
	// Progress, if set, is called after every epoch.
	Progress func(EpochMetrics)
	// ProgressBar draws GoMLX's command-line progress bar on standard output during each epoch.
	ProgressBar bool
	// Data, if set, is used instead of loading the dataset.
	Data *Data
	// Log receives one line per epoch and the start and end of the run. Nil uses slog.Default().
	Log *slog.Logger
}

// Train trains the network cfg describes and records it in opts.Out, and returns the record.
//
// Training follows Truong & Hasson (2025): Adam minimises cross-entropy plus λ times the
// topographic loss on every mini-batch. Each epoch shuffles the examples with
// dataset.Permutation(n, Seed, epoch−1), and its last batch is smaller when the batch size
// does not divide the set.
// After every epoch it evaluates the validation set and saves a GoMLX checkpoint of all
// variables, optimiser state, global step, random-number state and λ included. Only then does
// it rewrite run.json atomically to point at the checkpoint, so a crash at any moment leaves a
// consistent run that Resume continues. After the last epoch it evaluates the test set and marks the run complete.
// Resuming gives the same metrics as an uninterrupted run with the same Config on the same
// backend.
//
// A NaN or infinite loss stops training with an error wrapping ErrNonFinite that names the
// epoch, step and values, and the checkpoint of the last completed epoch stays. Cancelling ctx
// stops after the current step with an error wrapping ErrInterrupted and ctx's error, keeping
// the last completed epoch.
func Train(ctx context.Context, cfg Config, opts Options) (*Run, error) {
	cfg = cfg.normalized()
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if opts.Out == "" {
		return nil, fmt.Errorf("topocnn: Options.Out is empty: name a run directory")
	}
	log := opts.Log
	if log == nil {
		log = slog.Default()
	}

	run, err := existingRun(cfg, opts, log)
	if err != nil || (run != nil && run.Complete) {
		return run, err
	}

	// Everything that can fail for want of a backend or data fails before a new run directory
	// is written.
	backend, err := Backend()
	if err != nil {
		return nil, err
	}
	if err := checkTrainable(backend); err != nil {
		return nil, err
	}
	arch, err := ArchitectureFor(cfg.Dataset, cfg.GridRows, cfg.GridCols, cfg.Dropout)
	if err != nil {
		return nil, err
	}
	data := opts.Data
	if data == nil {
		if data, err = LoadData(cfg); err != nil {
			return nil, err
		}
	}
	trainSet := data.Train
	if cfg.TrainLimit > 0 && cfg.TrainLimit < trainSet.Len() {
		trainSet = trainSet.Head(cfg.TrainLimit)
	}
	for _, set := range []struct {
		role string
		set  *dataset.Set
	}{{"training", trainSet}, {"validation", data.Val}, {"test", data.Test}} {
		if err := checkSet(arch, cfg.Dataset, set.role, set.set); err != nil {
			return nil, err
		}
	}
	if run == nil {
		if run, err = newRun(cfg, opts.Out); err != nil {
			return nil, err
		}
	}

	run.Backend = backend.String()
	run.Network = arch.Info(cfg.Dataset)
	run.TrainExamples, run.ValExamples, run.TestExamples = trainSet.Len(), data.Val.Len(), data.Test.Len()
	t := &trainer{cfg: cfg, opts: opts, log: log, run: run, arch: arch, backend: backend,
		trainSet: trainSet, val: data.Val, test: data.Test}
	log.Info("training", "out", opts.Out, "dataset", cfg.Dataset, "reg", cfg.Reg, "epochs", cfg.Epochs,
		"epochs_done", len(run.Epochs), "train_examples", trainSet.Len(),
		"steps_per_epoch", (trainSet.Len()+cfg.BatchSize-1)/cfg.BatchSize, "backend", run.Backend)
	return t.train(ctx)
}

// existingRun returns the run in opts.Out to continue, or nil if opts.Out holds none. It
// returns an error if there is a run but opts.Resume is false or cfg differs from the stored
// configuration.
func existingRun(cfg Config, opts Options, log *slog.Logger) (*Run, error) {
	if _, err := os.Stat(filepath.Join(opts.Out, RunFile)); err != nil {
		return nil, nil
	}
	run, err := readRun(opts.Out)
	if err != nil {
		return nil, err
	}
	if !opts.Resume {
		return nil, fmt.Errorf("topocnn: %s already contains a run (%d of %d epochs done); resume it (--resume) or choose another output directory",
			opts.Out, len(run.Epochs), run.Config.Epochs)
	}
	if diffs := cfg.differences(run.Config); len(diffs) > 0 {
		return nil, fmt.Errorf("topocnn: cannot resume %s with a different configuration (%s); resume with the stored settings or choose another output directory",
			opts.Out, strings.Join(diffs, "; "))
	}
	if run.Complete {
		log.Info("run already complete", "out", opts.Out, "test_accuracy", run.TestAccuracy)
	} else {
		log.Info("resuming run", "out", opts.Out, "epochs_done", len(run.Epochs), "epochs", cfg.Epochs)
	}
	return run, nil
}

// newRun creates the run directory out and writes the record of a new run there.
func newRun(cfg Config, out string) (*Run, error) {
	if err := os.MkdirAll(filepath.Join(out, CheckpointDir), 0o755); err != nil {
		return nil, fmt.Errorf("topocnn: %w", err)
	}
	run := &Run{
		FormatVersion: FormatVersion,
		Config:        cfg,
		Seeds:         seedsFor(cfg),
		Versions:      moduleVersions(),
		Epochs:        []EpochMetrics{},
	}
	return run, run.write(out)
}

// checkSet returns an error unless set is non-empty and has the architecture's images and
// classes. role names the set in the error.
func checkSet(arch Architecture, name, role string, set *dataset.Set) error {
	if set == nil || set.Len() == 0 {
		return fmt.Errorf("topocnn: the %s set is empty", role)
	}
	if set.Height != arch.Height || set.Width != arch.Width || set.Channels != arch.Channels || set.Classes != arch.Classes {
		return fmt.Errorf("topocnn: the %s set has %d×%d×%d images and %d classes, but %s needs %d×%d×%d and %d",
			role, set.Height, set.Width, set.Channels, set.Classes, name, arch.Height, arch.Width, arch.Channels, arch.Classes)
	}
	return nil
}

// trainer holds the state of one call to Train.
type trainer struct {
	cfg      Config
	opts     Options
	log      *slog.Logger
	run      *Run
	arch     Architecture
	backend  backends.Backend
	trainSet *dataset.Set
	val      *dataset.Set
	test     *dataset.Set

	ctx        *gomlxctx.Context
	checkpoint *checkpoints.Handler
	loop       *train.Loop
	inference  *inference
	// epoch is the state of the epoch being trained, read by the loop's step hook.
	epoch *epochState
}

func (t *trainer) checkpointDir() string { return filepath.Join(t.opts.Out, CheckpointDir) }

func (t *trainer) train(stdctx context.Context) (*Run, error) {
	if err := t.setUp(); err != nil {
		return nil, err
	}
	for epoch := len(t.run.Epochs) + 1; epoch <= t.cfg.Epochs; epoch++ {
		m, err := t.trainEpoch(stdctx, epoch)
		if err != nil {
			return t.run, err
		}
		if err := t.endEpoch(m); err != nil {
			return t.run, err
		}
	}

	loss, accuracy, err := t.inference.evaluate(t.test)
	if err != nil {
		return t.run, err
	}
	t.run.TestLoss, t.run.TestAccuracy, t.run.Complete = loss, accuracy, true
	if err := t.run.write(t.opts.Out); err != nil {
		return t.run, err
	}
	t.log.Info("training complete", "out", t.opts.Out, "test_accuracy", accuracy, "test_loss", loss)
	return t.run, nil
}

// setUp creates the context (restoring the recorded checkpoint, if any), the trainer and loop.
func (t *trainer) setUp() error {
	if err := t.removeUnrecordedCheckpoints(); err != nil {
		return err
	}
	t.ctx = gomlxctx.New()
	if err := t.ctx.SetRNGStateFromSeed(t.run.Seeds.Init); err != nil {
		return fmt.Errorf("topocnn: %w", err)
	}
	var err error
	t.checkpoint, err = checkpoints.Build(t.ctx).Dir(t.checkpointDir()).Keep(-1).Done()
	if err != nil {
		return fmt.Errorf("topocnn: loading the checkpoint in %s: %w", t.checkpointDir(), err)
	}

	// A restored context already holds the model's variables, so the first graph reuses them.
	modelCtx := t.ctx
	if t.run.Checkpoint != "" {
		modelCtx = t.ctx.Reuse()
	}
	optimizer := optimizers.Adam().LearningRate(t.cfg.LearningRate).Betas(AdamBeta1, AdamBeta2).Epsilon(AdamEpsilon).Done()
	stepMetrics := []metrics.Interface{
		predictionMetric("Task loss", "task", 1),
		predictionMetric("Topographic loss", "topo", 2),
		predictionMetric("Lambda", "λ", 3),
	}
	gomlxTrainer := train.NewTrainer(t.backend, modelCtx, t.modelGraph, nil, optimizer, stepMetrics, nil)
	t.loop = train.NewLoop(gomlxTrainer)
	if t.opts.ProgressBar {
		commandline.AttachProgressBar(t.loop)
	}
	t.loop.OnStep("topocnn", 0, t.afterStep)
	return nil
}

// removeUnrecordedCheckpoints deletes checkpoint files other than the one run.json records:
// leftovers of an epoch that was interrupted before run.json pointed at its checkpoint.
func (t *trainer) removeUnrecordedCheckpoints() error {
	dir := t.checkpointDir()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("topocnn: %w", err)
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return fmt.Errorf("topocnn: %w", err)
	}
	found := t.run.Checkpoint == ""
	for _, e := range entries {
		name := e.Name()
		base := strings.TrimSuffix(strings.TrimSuffix(name, checkpoints.JsonNameSuffix), checkpoints.BinDataSuffix)
		if e.IsDir() || !strings.HasPrefix(name, "checkpoint-") {
			continue
		}
		if base == t.run.Checkpoint {
			found = true
			continue
		}
		if err := os.Remove(filepath.Join(dir, name)); err != nil {
			return fmt.Errorf("topocnn: removing an unrecorded checkpoint: %w", err)
		}
	}
	if !found {
		return fmt.Errorf("topocnn: the checkpoint %s that %s records is missing from %s; the run cannot be resumed, start it again in a new directory",
			t.run.Checkpoint, RunFile, dir)
	}
	return nil
}

// predictionMetric reports predictions[index] of modelGraph as a per-step metric.
func predictionMetric(name, shortName string, index int) metrics.Interface {
	return metrics.NewBaseMetric(name, shortName, metrics.LossMetricType,
		func(_ *gomlxctx.Context, _, predictions []*Node) *Node { return predictions[index] }, nil)
}

// modelGraph is the train.ModelFn: inputs are the images and the labels, and the outputs are
// the logits, the task loss, the topographic loss and λ. It adds the total loss with
// train.AddLoss.
func (t *trainer) modelGraph(ctx *gomlxctx.Context, _ any, inputs []*Node) []*Node {
	images, labels := inputs[0], inputs[1]
	g := images.Graph()
	logits, pre := t.arch.Build(ctx, images)
	task := losses.SparseCategoricalCrossEntropyLogits([]*Node{InsertAxes(labels, -1)}, []*Node{logits})

	topo := ScalarZero(g, task.DType())
	lambda := ScalarZero(g, task.DType())
	if t.cfg.hasTopographicLoss() {
		local, weighting := t.cfg.topographic()
		weights := ctx.GetVariableByScopeAndName("/"+TopographicLayer+"/dense", "weights").ValueGraph(g)
		switch t.cfg.Reg {
		case RegWS:
			topo = local.Weights(weights, topoloss.UnitsInColumns)
		case RegAS:
			topo = local.Activations(pre)
		case RegASGlobal:
			topo = topoloss.GlobalActivations(local.Grid, pre)
		}
		lambda = weighting.Weight(ctx.InAbsPath("/topoloss"), task, topo, weights)
		train.AddLoss(ctx, Add(task, Mul(lambda, topo)))
	} else {
		train.AddLoss(ctx, task)
	}
	return []*Node{logits, task, topo, lambda}
}
