package sweep

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"github.com/topocnn/topocnn/pkg/analysis"
	"github.com/topocnn/topocnn/pkg/dataset"
	"github.com/topocnn/topocnn/pkg/topocnn"
)

// Trainer is the Executor that trains with topocnn.Train and analyses with the analysis suite.
type Trainer struct {
	Protocol Protocol
	// DataDir is the dataset folder (see dataset.Load); empty uses the default location.
	DataDir string
	// ProgressBar draws GoMLX's progress bar during each epoch.
	ProgressBar bool
	// Log receives the training and analysis progress; nil discards it.
	Log *slog.Logger

	testOnce sync.Once
	test     *dataset.Set
	testErr  error
}

var _ Executor = (*Trainer)(nil)

// Config returns the training configuration of a job: the protocol's defaults for the dataset
// with the job's regulariser, λ and seed and the protocol's epochs and training limit.
func (t *Trainer) Config(job Job) topocnn.Config {
	cfg := topocnn.DefaultConfig(t.Protocol.Dataset)
	cfg.DataDir = t.DataDir
	cfg.Reg = job.Reg
	cfg.Lambda = job.Lambda
	cfg.Seed = job.Seed
	cfg.Epochs = t.Protocol.Epochs
	cfg.TrainLimit = t.Protocol.TrainLimit
	return cfg
}

func (t *Trainer) log() *slog.Logger {
	if t.Log == nil {
		return slog.New(slog.DiscardHandler)
	}
	return t.Log
}

// State reads dir/run.json. It returns an error when the stored configuration is not the job's,
// because training on would mix two experiments in one run directory.
func (t *Trainer) State(job Job, dir string) (TrainState, error) {
	if _, err := os.Stat(filepath.Join(dir, RunFile)); errors.Is(err, os.ErrNotExist) {
		return Untrained, nil
	}
	run, err := topocnn.LoadRun(dir)
	state := Trained
	if errors.Is(err, topocnn.ErrIncomplete) && run != nil {
		state, err = Interrupted, nil
	}
	if err != nil {
		return 0, err
	}
	if diff := configDiff(run.Config, t.Config(job)); diff != "" {
		return 0, fmt.Errorf("sweep: %s contains a run with another configuration (%s); delete it or use another --out directory", dir, diff)
	}
	return state, nil
}

// configDiff lists the fields other than DataDir in which the stored configuration differs from
// the wanted one, as "field stored ≠ wanted".
func configDiff(stored, want topocnn.Config) string {
	stored.DataDir, want.DataDir = "", ""
	if stored == want {
		return ""
	}
	var diffs []string
	add := func(name string, a, b any) {
		if a != b {
			diffs = append(diffs, fmt.Sprintf("%s %v ≠ %v", name, a, b))
		}
	}
	add("dataset", stored.Dataset, want.Dataset)
	add("reg", stored.Reg, want.Reg)
	add("lambda", stored.Lambda, want.Lambda)
	add("seed", stored.Seed, want.Seed)
	add("epochs", stored.Epochs, want.Epochs)
	add("train limit", stored.TrainLimit, want.TrainLimit)
	if len(diffs) == 0 {
		diffs = append(diffs, fmt.Sprintf("%+v ≠ %+v", stored, want))
	}
	return strings.Join(diffs, ", ")
}

// Train trains the job's model into dir with topocnn.Train, validating and testing on the
// first Protocol.EvalLimit images when that is positive.
func (t *Trainer) Train(ctx context.Context, job Job, dir string, resume bool) error {
	cfg := t.Config(job)
	data, err := topocnn.LoadData(cfg)
	if err != nil {
		return err
	}
	if n := t.Protocol.EvalLimit; n > 0 {
		data.Val, data.Test = data.Val.Head(n), data.Test.Head(n)
	}
	_, err = topocnn.Train(ctx, cfg, topocnn.Options{
		Out:         dir,
		Resume:      resume,
		ProgressBar: t.ProgressBar,
		Data:        data,
		Log:         t.log().With("job", job.Name()),
	})
	return err
}

// Analyze runs the protocol's analysis suite on the model in dir, seeded with the job's seed,
// and writes dir/analysis.json. Protocol.TestLimit and Protocol.Draws, when positive, replace
// the suite's number of test images and of perturbation and ablation draws.
func (t *Trainer) Analyze(ctx context.Context, job Job, dir string) error {
	t.testOnce.Do(func() {
		t.test, t.testErr = dataset.Load(t.Protocol.Dataset, dataset.Test, t.DataDir)
	})
	if t.testErr != nil {
		return t.testErr
	}
	net, err := topocnn.Open(dir)
	if err != nil {
		return err
	}
	cfg := analysis.DefaultConfig(analysis.Suite(t.Protocol.Suite), job.Seed)
	if t.Protocol.TestLimit > 0 {
		cfg.Images = t.Protocol.TestLimit
	}
	if t.Protocol.Draws > 0 {
		cfg.Perturbation.Draws = t.Protocol.Draws
		cfg.Ablation.Draws = t.Protocol.Draws
	}
	res, err := analysis.RunConfig(ctx, net, t.test, cfg, t.log().With("job", job.Name()))
	if err != nil {
		return err
	}
	return analysis.WriteResults(filepath.Join(dir, AnalysisFile), res)
}
