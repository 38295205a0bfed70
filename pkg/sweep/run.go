package sweep

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// TrainState is how far training of one job has come.
type TrainState int

const (
	// Untrained means the run directory has no run.json.
	Untrained TrainState = iota
	// Interrupted means run.json records an unfinished run that can be resumed.
	Interrupted
	// Trained means run.json records a complete run.
	Trained
)

// Executor trains and analyses the model of one job. The sweep calls it for one job at a time
// and holds the job's lock meanwhile.
type Executor interface {
	// State returns how far the job's run directory has come. It returns an error when the
	// directory contains a run of another configuration or an unreadable run.json.
	State(job Job, dir string) (TrainState, error)
	// Train trains the job's model into dir, continuing the run in dir when resume is true.
	Train(ctx context.Context, job Job, dir string, resume bool) error
	// Analyze analyses the trained model in dir and writes dir/analysis.json.
	Analyze(ctx context.Context, job Job, dir string) error
}

// errBusy reports a lock held by another process.
var errBusy = errors.New("sweep: locked by another process")

// Runner runs the jobs of one shard of a sweep.
type Runner struct {
	// Dir is the sweep directory.
	Dir      string
	Manifest *Manifest
	Shard    Shard
	Exec     Executor
	Log      *slog.Logger
}

// Summary counts what a call of Runner.Run did, by job name.
type Summary struct {
	// Trained lists jobs trained from scratch, Resumed those continued from a checkpoint and
	// Analysed those analysed in this call.
	Trained, Resumed, Analysed []string
	// Finished lists jobs that were already trained and analysed before this call.
	Finished []string
	// Busy lists jobs skipped because another process held their lock.
	Busy []string
	// Failed maps jobs whose training or analysis failed to the error.
	Failed map[string]error
}

// Run trains and analyses every job of the shard in plan order. It skips finished jobs,
// resumes interrupted ones and leaves a job whose lock another process holds to that process.
// A job that fails is logged and the sweep goes on with the next one, and Run then returns an
// error naming the failed jobs. When ctx is cancelled, the job in progress stops (training
// after its current step, the analysis suite between two analyses) and Run returns ctx's
// error. The job keeps its last completed epoch, so the next call resumes it.
func (r *Runner) Run(ctx context.Context) (*Summary, error) {
	log := r.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	if err := r.Shard.Validate(); err != nil {
		return nil, err
	}
	jobs := r.Shard.Select(r.Manifest.Jobs)
	sum := &Summary{Failed: map[string]error{}}
	log.Info("sweep started", "dir", r.Dir, "shard", r.Shard.String(), "jobs", len(jobs), "of", len(r.Manifest.Jobs))
	start := time.Now()

	for i, job := range jobs {
		if err := ctx.Err(); err != nil {
			return sum, err
		}
		jlog := log.With("job", job.Name(), "n", fmt.Sprintf("%d/%d", i+1, len(jobs)))
		err := r.runJob(ctx, job, sum, jlog)
		switch {
		case err == nil:
		case ctx.Err() != nil:
			jlog.Info("sweep stopped; run the same command again to resume", "error", err)
			return sum, ctx.Err()
		default:
			jlog.Error("job failed; going on with the next job", "error", err)
			sum.Failed[job.Name()] = err
		}
		if done := i + 1; done < len(jobs) {
			elapsed := time.Since(start)
			remaining := elapsed / time.Duration(done) * time.Duration(len(jobs)-done)
			log.Info("sweep progress", "done", done, "of", len(jobs), "elapsed", elapsed.Round(time.Second).String(),
				"remaining_estimate", remaining.Round(time.Second).String())
		}
	}

	log.Info("sweep finished", "shard", r.Shard.String(), "trained", len(sum.Trained), "resumed", len(sum.Resumed),
		"analysed", len(sum.Analysed), "already_finished", len(sum.Finished), "busy", len(sum.Busy),
		"failed", len(sum.Failed), "elapsed", time.Since(start).Round(time.Second).String())
	if len(sum.Failed) > 0 {
		var names []string
		for _, j := range jobs {
			if _, ok := sum.Failed[j.Name()]; ok {
				names = append(names, j.Name())
			}
		}
		return sum, fmt.Errorf("sweep: %d of %d jobs failed (%s); see the log for each error", len(names), len(jobs), strings.Join(names, ", "))
	}
	return sum, nil
}

// runJob brings one job to the finished state under its lock.
func (r *Runner) runJob(ctx context.Context, job Job, sum *Summary, log *slog.Logger) error {
	unlock, err := tryLock(filepath.Join(r.Dir, RunsDir, job.Name()+".lock"))
	if errors.Is(err, errBusy) {
		log.Info("job locked by another process; skipping it")
		sum.Busy = append(sum.Busy, job.Name())
		return nil
	}
	if err != nil {
		return err
	}
	defer unlock()

	dir := RunDir(r.Dir, job)
	analysisPath := filepath.Join(dir, AnalysisFile)
	state, err := r.Exec.State(job, dir)
	if err != nil {
		return err
	}
	if state == Trained && fileExists(analysisPath) {
		sum.Finished = append(sum.Finished, job.Name())
		return nil
	}

	if state != Trained {
		// An analysis of an earlier, unfinished model must not outlive it.
		if err := os.Remove(analysisPath); err != nil && !errors.Is(err, os.ErrNotExist) {
			return fmt.Errorf("sweep: %w", err)
		}
		resume := state == Interrupted
		log.Info("training", "resume", resume)
		t := time.Now()
		if err := r.Exec.Train(ctx, job, dir, resume); err != nil {
			return fmt.Errorf("training %s: %w", job.Name(), err)
		}
		log.Info("trained", "elapsed", time.Since(t).Round(time.Second).String())
		if resume {
			sum.Resumed = append(sum.Resumed, job.Name())
		} else {
			sum.Trained = append(sum.Trained, job.Name())
		}
	}

	log.Info("analysing")
	t := time.Now()
	if err := r.Exec.Analyze(ctx, job, dir); err != nil {
		return fmt.Errorf("analysing %s: %w", job.Name(), err)
	}
	if !fileExists(analysisPath) {
		return fmt.Errorf("sweep: analysis of %s returned without writing %s", job.Name(), analysisPath)
	}
	log.Info("analysed", "elapsed", time.Since(t).Round(time.Second).String())
	sum.Analysed = append(sum.Analysed, job.Name())
	return nil
}

func fileExists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}
