//go:build integration

package analysis

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/topocnn/topocnn/pkg/dataset"
	"github.com/topocnn/topocnn/pkg/topocnn"
)

// benchRunEnv names an environment variable that points the integration test and benchmarks
// at an existing complete run directory. Without it they train a small run first.
const benchRunEnv = "TOPOCNN_ANALYSIS_RUN"

// trainSmallRun trains a WS network on 2,000 MNIST examples for one epoch and returns its
// directory.
func trainSmallRun(tb testing.TB) string {
	tb.Helper()
	dir := filepath.Join(tb.TempDir(), "run")
	cfg := topocnn.DefaultConfig("mnist")
	cfg.Reg = "ws"
	cfg.Epochs = 1
	cfg.TrainLimit = 2000
	cfg.Seed = 1
	if _, err := topocnn.Train(context.Background(), cfg, topocnn.Options{Out: dir}); err != nil {
		tb.Fatal(err)
	}
	return dir
}

func openRun(tb testing.TB, dir string) (*topocnn.Model, *dataset.Set) {
	tb.Helper()
	model, err := topocnn.Open(dir)
	if err != nil {
		tb.Fatal(err)
	}
	run := model.Run()
	test, err := dataset.Load(run.Config.Dataset, dataset.Test, run.Config.DataDir)
	if err != nil {
		tb.Fatal(err)
	}
	return model, test
}

func TestSuiteQuickOnTrainedRun(t *testing.T) {
	dir := os.Getenv(benchRunEnv)
	if dir == "" {
		dir = trainSmallRun(t)
	}
	model, test := openRun(t, dir)
	res, err := Run(context.Background(), model, test, Quick, 1, nil)
	if err != nil {
		t.Fatal(err)
	}

	data, err := json.Marshal(res)
	if err != nil {
		t.Fatal(err)
	}
	var keys map[string]json.RawMessage
	if err := json.Unmarshal(data, &keys); err != nil {
		t.Fatal(err)
	}
	for _, k := range requiredKeys {
		if v, ok := keys[k]; !ok || string(v) == "null" {
			t.Errorf("analysis.json key %q is missing or null", k)
		}
	}
	sub := test.Subset(res.TestIndices)
	out, err := model.Forward(sub.Images, sub.Len())
	if err != nil {
		t.Fatal(err)
	}
	if want := Accuracy(out.Logits, sub.Labels, sub.Classes); res.TestAccuracy != want {
		t.Errorf("test accuracy = %v, want %v from a direct forward pass", res.TestAccuracy, want)
	}
	if res.MoransI.Queen.Images != QuickImages {
		t.Errorf("Moran's I over %d images, want %d", res.MoransI.Queen.Images, QuickImages)
	}
	t.Logf("quick suite: accuracy %.4f, Moran's I %.3f, timings %v", res.TestAccuracy, res.MoransI.Queen.Mean, res.Timings)
}

func BenchmarkSuiteQuickTrainedRun(b *testing.B) { benchmarkTrainedRun(b, Quick) }

func BenchmarkSuiteFullTrainedRun(b *testing.B) { benchmarkTrainedRun(b, Full) }

func benchmarkTrainedRun(b *testing.B, suite Suite) {
	dir := os.Getenv(benchRunEnv)
	if dir == "" {
		dir = trainSmallRun(b)
	}
	model, test := openRun(b, dir)
	b.ResetTimer()
	for b.Loop() {
		res, err := Run(context.Background(), model, test, suite, 1, nil)
		if err != nil {
			b.Fatal(err)
		}
		for name, seconds := range res.Timings {
			b.ReportMetric(seconds, name+"-s")
		}
	}
}
