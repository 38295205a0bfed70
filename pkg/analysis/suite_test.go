package analysis

import (
	"context"
	"encoding/json"
	"errors"
	"math"
	"os"
	"path/filepath"
	"testing"

	"github.com/topocnn/topocnn/pkg/grid"
)

// requiredKeys are the analysis.json keys that the command-line contract promises.
var requiredKeys = []string{
	"test_accuracy", "morans_i", "localisation", "input_degradation", "weight_perturbation",
	"activation_variance", "entropy", "effective_dimensionality", "experts", "orientation",
	"symmetry", "eccentricity", "correlation", "ablation", "row_norms", "suite", "seed",
	"format_version", "n_images", "timings",
}

func TestSuiteQuickProducesEveryKey(t *testing.T) {
	net := newGaussianRFNet(1)
	test := blobTestSet(1200, 2)
	res, err := Run(context.Background(), net, test, Quick, 7, nil)
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
		v, ok := keys[k]
		if !ok || string(v) == "null" {
			t.Errorf("analysis.json key %q is missing or null", k)
		}
	}

	if res.NImages != QuickImages || len(res.TestIndices) != QuickImages {
		t.Errorf("quick suite analysed %d images (%d indices), want %d", res.NImages, len(res.TestIndices), QuickImages)
	}

	// The shared forward pass gives the same numbers as a direct computation on the subset.
	sub := test.Subset(res.TestIndices)
	out, err := net.Forward(sub.Images, sub.Len())
	if err != nil {
		t.Fatal(err)
	}
	if want := Accuracy(out.Logits, sub.Labels, fakeClass); res.TestAccuracy != want {
		t.Errorf("test_accuracy = %v, want %v", res.TestAccuracy, want)
	}
	g := grid.Grid{Rows: fakeGrid, Cols: fakeGrid}
	pre := Matrix(out.Pre, out.N, out.Units)
	if want := MoransIImages(pre, g, grid.Queen).Mean; math.Abs(float64(res.MoransI.Queen.Mean-want)) > 1e-12 {
		t.Errorf("morans_i.queen.mean = %v, want %v", res.MoransI.Queen.Mean, want)
	}

	// Smooth Gaussian receptive fields give smooth maps and localised correlations.
	if res.MoransI.Queen.Mean < 0.5 {
		t.Errorf("Moran's I of the smooth test network = %v, want above 0.5", res.MoransI.Queen.Mean)
	}
	if last := res.Localisation.Levels[len(res.Localisation.Levels)-1]; !(last.Ratio < 1) {
		t.Errorf("localisation at τ = %v: ratio %v, want below 1", last.Threshold, last.Ratio)
	}
	for _, name := range []string{"inference", "morans_i", "correlation", "unit_statistics", "input_degradation", "total"} {
		if _, ok := res.Timings[name]; !ok {
			t.Errorf("timings has no %q", name)
		}
	}
}

func TestSuiteSameSeedSameResults(t *testing.T) {
	net := newGaussianRFNet(1)
	test := blobTestSet(1100, 3)
	cfg := DefaultConfig(Quick, 11)
	a, err := RunConfig(context.Background(), net, test, cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	b, err := RunConfig(context.Background(), net, test, cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	a.Timings, b.Timings = nil, nil
	ja, _ := json.Marshal(a)
	jb, _ := json.Marshal(b)
	if string(ja) != string(jb) {
		t.Error("two runs with the same seed differ")
	}
}

func TestSuiteRejectsMismatchedSet(t *testing.T) {
	net := newGaussianRFNet(1)
	test := blobTestSet(20, 4)
	test.Height, test.Width = 14, 56 // same number of pixels, wrong shape
	if _, err := Run(context.Background(), net, test, Quick, 1, nil); err == nil {
		t.Error("a 14×56 test set for a 28×28 network: no error")
	}
	if _, err := Run(context.Background(), net, blobTestSet(20, 4), Suite("medium"), 1, nil); err == nil {
		t.Error("suite \"medium\": no error")
	}
}

func TestSuiteStopsOnCancel(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := Run(ctx, newGaussianRFNet(1), blobTestSet(50, 5), Quick, 1, nil)
	if !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled context: err = %v, want context.Canceled", err)
	}
}

func TestParseSuite(t *testing.T) {
	for _, s := range Suites() {
		if got, err := ParseSuite(s); err != nil || string(got) != s {
			t.Errorf("ParseSuite(%q) = %q, %v", s, got, err)
		}
	}
	if _, err := ParseSuite("slow"); err == nil {
		t.Error("ParseSuite(\"slow\"): no error")
	}
}

func TestResultsRoundTrip(t *testing.T) {
	res, err := Run(context.Background(), newGaussianRFNet(1), blobTestSet(300, 6), Full, 3, nil)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), ResultsFile)
	if err := WriteResults(path, res); err != nil {
		t.Fatal(err)
	}
	back, err := ReadResults(path)
	if err != nil {
		t.Fatal(err)
	}
	j1, _ := json.Marshal(res)
	j2, _ := json.Marshal(back)
	if string(j1) != string(j2) {
		t.Error("results changed in a write/read round trip")
	}
	info, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if mode := info.Mode().Perm(); mode != 0o644 {
		t.Errorf("%s has mode %v, want 0644", ResultsFile, mode)
	}
	entries, _ := os.ReadDir(filepath.Dir(path))
	if len(entries) != 1 {
		t.Errorf("the directory holds %d files after WriteResults, want only %s", len(entries), ResultsFile)
	}
}

func TestReadResultsRejectsUnknownVersion(t *testing.T) {
	dir := t.TempDir()
	for name, content := range map[string]string{
		"future.json":      `{"format_version": 99, "suite": "quick"}`,
		"unversioned.json": `{"suite": "quick"}`,
	} {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		if _, err := ReadResults(path); !errors.Is(err, ErrFormatVersion) {
			t.Errorf("%s: err = %v, want ErrFormatVersion", name, err)
		}
	}
}

func TestFloatJSONNull(t *testing.T) {
	data, err := json.Marshal([]Float{1.5, Float(math.NaN()), Float(math.Inf(1))})
	if err != nil {
		t.Fatal(err)
	}
	if string(data) != "[1.5,null,null]" {
		t.Errorf("JSON = %s, want [1.5,null,null]", data)
	}
	var back []Float
	if err := json.Unmarshal(data, &back); err != nil {
		t.Fatal(err)
	}
	if back[0] != 1.5 || !math.IsNaN(float64(back[1])) {
		t.Errorf("decoded %v, want [1.5 NaN NaN]", back)
	}
}

func BenchmarkSuiteQuick(b *testing.B) {
	benchmarkSuite(b, Quick)
}

func BenchmarkSuiteFull(b *testing.B) {
	benchmarkSuite(b, Full)
}

// benchmarkSuite runs a suite on the MNIST-sized test network and a 10000-image test set.
func benchmarkSuite(b *testing.B, suite Suite) {
	net := newGaussianRFNet(1)
	test := blobTestSet(10000, 2)
	for b.Loop() {
		if _, err := Run(context.Background(), net, test, suite, 1, nil); err != nil {
			b.Fatal(err)
		}
	}
}
