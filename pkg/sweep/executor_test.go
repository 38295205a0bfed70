package sweep

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/topocnn/topocnn/pkg/topocnn"
)

func TestTrainerConfig(t *testing.T) {
	p, _ := ProtocolFor(Quick, "mnist")
	tr := &Trainer{Protocol: p, DataDir: "/data"}
	cfg := tr.Config(Job{Reg: "ws", Lambda: 0.3, Seed: 7})
	if cfg.Reg != "ws" || cfg.Lambda != 0.3 || cfg.Seed != 7 {
		t.Errorf("config has reg %s, λ %v, seed %d; want ws, 0.3, 7", cfg.Reg, cfg.Lambda, cfg.Seed)
	}
	if cfg.Epochs != p.Epochs || cfg.TrainLimit != p.TrainLimit || cfg.DataDir != "/data" {
		t.Errorf("config has %d epochs, train limit %d, data dir %q; want the protocol's %d, %d and /data",
			cfg.Epochs, cfg.TrainLimit, cfg.DataDir, p.Epochs, p.TrainLimit)
	}
	if err := cfg.Validate(); err != nil {
		t.Errorf("job config is invalid: %v", err)
	}
	if err := tr.Config(Job{Reg: "none", Seed: 1}).Validate(); err != nil {
		t.Errorf("control config is invalid: %v", err)
	}
}

func TestTrainerStateRejectsOtherRun(t *testing.T) {
	p, _ := ProtocolFor(Smoke, "mnist")
	tr := &Trainer{Protocol: p}
	dir := t.TempDir()
	if state, err := tr.State(Job{Reg: "ws", Lambda: 1, Seed: 1}, dir); err != nil || state != Untrained {
		t.Errorf("empty directory: state %v, error %v; want Untrained", state, err)
	}

	// A complete run.json of seed 2 in the directory of a seed-1 job.
	cfg := tr.Config(Job{Reg: "ws", Lambda: 1, Seed: 2})
	run := map[string]any{"format_version": topocnn.FormatVersion, "config": cfg, "complete": true, "epochs": []any{}}
	writeJSON(t, filepath.Join(dir, RunFile), run)
	_, err := tr.State(Job{Reg: "ws", Lambda: 1, Seed: 1}, dir)
	if err == nil || !strings.Contains(err.Error(), "seed 2 ≠ 1") {
		t.Errorf("run of another seed: error %v, want one naming the seeds", err)
	}
	if state, err := tr.State(Job{Reg: "ws", Lambda: 1, Seed: 2}, dir); err != nil || state != Trained {
		t.Errorf("matching complete run: state %v, error %v; want Trained", state, err)
	}

	run["complete"] = false
	writeJSON(t, filepath.Join(dir, RunFile), run)
	if state, err := tr.State(Job{Reg: "ws", Lambda: 1, Seed: 2}, dir); err != nil || state != Interrupted {
		t.Errorf("matching incomplete run: state %v, error %v; want Interrupted", state, err)
	}
}

func writeJSON(t *testing.T, path string, v any) {
	t.Helper()
	data, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
}
