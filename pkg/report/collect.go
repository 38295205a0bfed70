package report

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/topocnn/topocnn/pkg/analysis"
	"github.com/topocnn/topocnn/pkg/sweep"
	"github.com/topocnn/topocnn/pkg/topocnn"
)

// collect reads every job of the manifest and returns the records of the finished ones, in
// plan order, and the state of the others.
func collect(dir string, m *sweep.Manifest) (records []Record, missing []JobStatus, configs []topocnn.Config) {
	for _, job := range m.Jobs {
		runDir := sweep.RunDir(dir, job)
		rec, cfg, state := loadRecord(runDir, job)
		if state != "" {
			missing = append(missing, JobStatus{Name: job.Name(), State: state})
			continue
		}
		records = append(records, *rec)
		configs = append(configs, cfg)
	}
	return records, missing, configs
}

// loadRecord reads one job's run.json and analysis.json. For an unfinished job it returns a
// description of its state instead.
func loadRecord(runDir string, job sweep.Job) (*Record, topocnn.Config, string) {
	if _, err := os.Stat(filepath.Join(runDir, sweep.RunFile)); errors.Is(err, os.ErrNotExist) {
		return nil, topocnn.Config{}, "not started"
	}
	run, err := topocnn.LoadRun(runDir)
	if errors.Is(err, topocnn.ErrIncomplete) && run != nil {
		return nil, run.Config, fmt.Sprintf("training interrupted after epoch %d of %d", len(run.Epochs), run.Config.Epochs)
	}
	if err != nil {
		return nil, topocnn.Config{}, fmt.Sprintf("unreadable run.json: %v", err)
	}
	path := filepath.Join(runDir, sweep.AnalysisFile)
	if _, err := os.Stat(path); errors.Is(err, os.ErrNotExist) {
		return nil, run.Config, "trained, not analysed"
	}
	a, err := analysis.ReadResults(path)
	if err != nil {
		return nil, run.Config, fmt.Sprintf("unreadable analysis.json: %v", err)
	}

	rec := &Record{Job: job}
	fromAnalysis(rec, a)
	rec.Training = Training{Backend: run.Backend, Versions: run.Versions}
	var epochs Curve
	for i, e := range run.Epochs {
		rec.Training.ValAccuracy = append(rec.Training.ValAccuracy, e.ValAccuracy)
		rec.Training.TaskLoss = append(rec.Training.TaskLoss, e.TaskLoss)
		rec.Training.TopoLoss = append(rec.Training.TopoLoss, e.TopoLoss)
		rec.Training.Seconds += e.WallSeconds
		epochs.X = append(epochs.X, float64(i+1))
		epochs.Y = append(epochs.Y, e.ValAccuracy)
	}
	rec.Curves[CurveValAccuracy] = epochs
	return rec, run.Config, ""
}

func readFile(path string) ([]byte, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("report: %w", err)
	}
	return data, nil
}
