package report

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/topocnn/topocnn/pkg/sweep"
	"github.com/topocnn/topocnn/pkg/topocnn"
)

func writeRunJSON(t *testing.T, dir string, complete bool, epochs int) {
	t.Helper()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	cfg := topocnn.DefaultConfig("mnist")
	cfg.Epochs = 2
	var eps []map[string]any
	for i := range epochs {
		eps = append(eps, map[string]any{"epoch": i + 1, "val_accuracy": 0.5})
	}
	data, _ := json.Marshal(map[string]any{"format_version": topocnn.FormatVersion, "config": cfg, "complete": complete, "epochs": eps})
	if err := os.WriteFile(filepath.Join(dir, sweep.RunFile), data, 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestCollectJobStates(t *testing.T) {
	dir := t.TempDir()
	p, _ := sweep.ProtocolFor(sweep.Smoke, "mnist")
	m, err := sweep.Prepare(dir, p)
	if err != nil {
		t.Fatal(err)
	}
	// control-s1: interrupted; ws-l1-s1: trained, not analysed; as-l1-s1: not started.
	writeRunJSON(t, sweep.RunDir(dir, m.Jobs[0]), false, 1)
	writeRunJSON(t, sweep.RunDir(dir, m.Jobs[1]), true, 2)

	records, missing, _ := collect(dir, m)
	if len(records) != 0 {
		t.Errorf("%d finished records, want 0", len(records))
	}
	want := map[string]string{
		"control-s1": "training interrupted after epoch 1 of 2",
		"ws-l1-s1":   "trained, not analysed",
		"as-l1-s1":   "not started",
	}
	if len(missing) != len(want) {
		t.Fatalf("missing %v, want 3 jobs", missing)
	}
	for _, j := range missing {
		if j.State != want[j.Name] {
			t.Errorf("%s: state %q, want %q", j.Name, j.State, want[j.Name])
		}
	}

	// A corrupt analysis.json is reported, not fatal.
	if err := os.WriteFile(filepath.Join(sweep.RunDir(dir, m.Jobs[1]), sweep.AnalysisFile), []byte("{"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, missing, _ = collect(dir, m)
	if !strings.Contains(missing[1].State, "unreadable analysis.json") {
		t.Errorf("corrupt analysis.json: state %q", missing[1].State)
	}
}
