package topocnn

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"

	"github.com/topocnn/topocnn/pkg/network"
)

// Files of a run directory.
const (
	// RunFile is the run's record, rewritten atomically after every epoch.
	RunFile = "run.json"
	// CheckpointDir is the folder of the GoMLX checkpoint of the last completed epoch.
	CheckpointDir = "checkpoint"
	// FormatVersion is the version of run.json this package writes and reads.
	FormatVersion = 1
)

// ErrIncomplete marks a run that has not finished all its epochs.
var ErrIncomplete = errors.New("run is incomplete")

// Seeds records every seed a run used. All are derived from Config.Seed.
type Seeds struct {
	// Init seeds GoMLX's random number generator: weight initialisation and dropout.
	Init int64 `json:"init"`
	// Split seeds dataset.Split, the train/validation split.
	Split uint64 `json:"split"`
	// Shuffle seeds dataset.Permutation, the order of the training examples in each epoch.
	Shuffle uint64 `json:"shuffle"`
}

func seedsFor(c Config) Seeds {
	return Seeds{Init: int64(c.Seed), Split: c.Seed, Shuffle: c.Seed}
}

// RowNormStats summarises the norms ‖w_p‖₂ of the topographic layer's incoming weight vectors,
// one per unit. SD is the sample standard deviation.
type RowNormStats struct {
	Mean float64 `json:"mean"`
	SD   float64 `json:"sd"`
	Min  float64 `json:"min"`
	Max  float64 `json:"max"`
}

// EpochMetrics are the measurements of one training epoch.
type EpochMetrics struct {
	// Epoch counts from 1.
	Epoch int `json:"epoch"`
	// Steps is the number of optimiser steps in the epoch.
	Steps int `json:"steps"`
	// TaskLoss and TopoLoss are the cross-entropy and the unweighted topographic loss, averaged
	// over the epoch's training examples (each batch weighted by its size). TopoLoss is 0 for
	// Reg "none".
	TaskLoss float64 `json:"task_loss"`
	TopoLoss float64 `json:"topo_loss"`
	// Lambda is λ after the epoch's last step: Config.Lambda when fixed, 0 for Reg "none".
	Lambda float64 `json:"lambda"`
	// ValLoss and ValAccuracy are the mean cross-entropy and the accuracy on the validation
	// split after the epoch, without dropout.
	ValLoss     float64 `json:"val_loss"`
	ValAccuracy float64 `json:"val_accuracy"`
	// FC1RowNorms summarises the norms of fc1's incoming weight vectors after the epoch.
	FC1RowNorms RowNormStats `json:"fc1_row_norms"`
	// WallSeconds is the epoch's wall-clock time, training and validation. StepsPerSecond is the
	// training steps per second of wall-clock time. Both vary between identical runs.
	WallSeconds    float64 `json:"wall_seconds"`
	StepsPerSecond float64 `json:"steps_per_second"`
}

// Run is the record of a training run, stored as OUT/run.json.
type Run struct {
	FormatVersion int    `json:"format_version"`
	Config        Config `json:"config"`
	Seeds         Seeds  `json:"seeds"`
	// Backend is the GoMLX backend that trained the network, for example "go".
	Backend string `json:"backend"`
	// Versions maps "go", "github.com/gomlx/gomlx", "gonum.org/v1/gonum" and
	// "github.com/topocnn/topocnn" to the versions built into the program.
	Versions map[string]string `json:"versions"`
	Network  network.Info      `json:"network"`
	// Parameters is the number of trainable values.
	Parameters int `json:"parameters"`
	// TrainExamples, ValExamples and TestExamples are the sizes of the sets used.
	TrainExamples int `json:"train_examples"`
	ValExamples   int `json:"val_examples"`
	TestExamples  int `json:"test_examples"`
	// Epochs holds one entry per completed epoch.
	Epochs []EpochMetrics `json:"epochs"`
	// Checkpoint is the base name, inside CheckpointDir, of the checkpoint saved after the last
	// completed epoch. It is empty before the first epoch completes.
	Checkpoint string `json:"checkpoint"`
	// TestAccuracy and TestLoss are measured on the official test set once all epochs are done.
	TestAccuracy float64 `json:"test_accuracy"`
	TestLoss     float64 `json:"test_loss"`
	// Complete is true once all epochs and the test evaluation are done.
	Complete bool `json:"complete"`
}

// LoadRun reads dir/run.json. It returns an error if dir or run.json is missing, if run.json
// cannot be decoded, or if its format version is not FormatVersion. For a run that has not
// finished it returns the run together with an error wrapping ErrIncomplete, which explains
// how to continue it.
func LoadRun(dir string) (*Run, error) {
	run, err := readRun(dir)
	if err != nil {
		return nil, err
	}
	if !run.Complete {
		return run, fmt.Errorf("topocnn: %w: %s has %d of %d epochs; continue it with topocnn train --resume --out %s",
			ErrIncomplete, dir, len(run.Epochs), run.Config.Epochs, dir)
	}
	return run, nil
}

// readRun reads dir/run.json, complete or not.
func readRun(dir string) (*Run, error) {
	info, err := os.Stat(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("topocnn: run directory %s does not exist; pass the folder a training run wrote (topocnn train --out)", dir)
	}
	if err != nil {
		return nil, fmt.Errorf("topocnn: %w", err)
	}
	if !info.IsDir() {
		return nil, fmt.Errorf("topocnn: %s is not a directory; pass the folder given to train --out", dir)
	}
	path := filepath.Join(dir, RunFile)
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("topocnn: %s has no %s: it is not a run directory, or its training never started", dir, RunFile)
	}
	if err != nil {
		return nil, fmt.Errorf("topocnn: %w", err)
	}
	var run Run
	if err := json.Unmarshal(data, &run); err != nil {
		return nil, fmt.Errorf("topocnn: %s is corrupt: %v", path, err)
	}
	if run.FormatVersion != FormatVersion {
		return nil, fmt.Errorf("topocnn: %s has format version %d, but this program reads version %d; use the topocnn version that wrote it",
			path, run.FormatVersion, FormatVersion)
	}
	return &run, nil
}

// write stores the run as dir/run.json atomically: it writes a temporary file, syncs it and
// renames it over the old one, so a crash leaves either the old or the new record.
func (r *Run) write(dir string) error {
	data, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return fmt.Errorf("topocnn: encoding %s: %w", RunFile, err)
	}
	data = append(data, '\n')
	tmp, err := os.CreateTemp(dir, RunFile+".*.tmp")
	if err != nil {
		return fmt.Errorf("topocnn: %w", err)
	}
	defer os.Remove(tmp.Name()) // Fails harmlessly after the rename.
	if err := tmp.Chmod(0o644); err != nil {
		tmp.Close()
		return fmt.Errorf("topocnn: %w", err)
	}
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return fmt.Errorf("topocnn: writing %s: %w", tmp.Name(), err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return fmt.Errorf("topocnn: syncing %s: %w", tmp.Name(), err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("topocnn: %w", err)
	}
	if err := os.Rename(tmp.Name(), filepath.Join(dir, RunFile)); err != nil {
		return fmt.Errorf("topocnn: %w", err)
	}
	return syncDir(dir)
}

// syncDir flushes a directory's entries, so a rename in it survives a crash.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("topocnn: %w", err)
	}
	defer d.Close()
	if err := d.Sync(); err != nil && !errors.Is(err, errors.ErrUnsupported) {
		return fmt.Errorf("topocnn: syncing %s: %w", dir, err)
	}
	return nil
}

// moduleVersions returns the versions of Go and of the modules that shape the results.
func moduleVersions() map[string]string {
	versions := map[string]string{"go": runtime.Version()}
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return versions
	}
	wanted := map[string]bool{
		"github.com/gomlx/gomlx":     true,
		"gonum.org/v1/gonum":         true,
		"github.com/topocnn/topocnn": true,
	}
	if wanted[info.Main.Path] {
		versions[info.Main.Path] = info.Main.Version
	}
	for _, dep := range info.Deps {
		if wanted[dep.Path] {
			versions[dep.Path] = dep.Version
		}
	}
	for _, s := range info.Settings {
		if s.Key == "vcs.revision" {
			versions["vcs.revision"] = s.Value
		}
	}
	return versions
}
