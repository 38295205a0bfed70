package topocnn

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/gomlx/gomlx/pkg/core/tensors"
	"github.com/topocnn/topocnn/pkg/dataset"
	"github.com/topocnn/topocnn/pkg/network"
)

// mnistSplits loads MNIST and its 80/20 split with seed 0 once for all tests.
var mnistSplits = sync.OnceValues(func() (*Data, error) {
	return LoadData(DefaultConfig(dataset.MNIST))
})

// testData returns MNIST's training split and the first nVal and nTest validation and test
// images, which keep evaluation short.
func testData(t *testing.T, nVal, nTest int) *Data {
	t.Helper()
	data, err := mnistSplits()
	if err != nil {
		t.Fatalf("loading MNIST: %v", err)
	}
	return &Data{Train: data.Train, Val: data.Val.Head(nVal), Test: data.Test.Head(nTest)}
}

func quietLog() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

// smallConfig trains on 512 examples: 8 steps per epoch.
func smallConfig(reg string) Config {
	cfg := DefaultConfig(dataset.MNIST)
	cfg.Reg = reg
	cfg.TrainLimit = 512
	cfg.Epochs = 2
	cfg.Seed = 7
	return cfg
}

// withoutTimes returns the epochs with wall times and step rates cleared.
func withoutTimes(epochs []EpochMetrics) []EpochMetrics {
	out := make([]EpochMetrics, len(epochs))
	for i, e := range epochs {
		e.WallSeconds, e.StepsPerSecond = 0, 0
		out[i] = e
	}
	return out
}

func compareRuns(t *testing.T, got, want *Run) {
	t.Helper()
	g, w := withoutTimes(got.Epochs), withoutTimes(want.Epochs)
	if len(g) != len(w) {
		t.Fatalf("%d epochs, want %d", len(g), len(w))
	}
	for i := range g {
		if g[i] != w[i] {
			t.Errorf("epoch %d metrics differ:\n got  %+v\n want %+v", i+1, g[i], w[i])
		}
	}
	if got.TestAccuracy != want.TestAccuracy || got.TestLoss != want.TestLoss {
		t.Errorf("test accuracy %v and loss %v, want %v and %v", got.TestAccuracy, got.TestLoss, want.TestAccuracy, want.TestLoss)
	}
}

// TestTrainLearnsMNIST trains the control network for 250 steps. The protocol's network,
// which averages its feature maps globally before fc1, learns slowly at first: PyTorch on the
// same protocol and data reaches 0.22–0.27 validation accuracy after 64 steps, and this
// configuration reaches about 0.45 test accuracy. Test accuracy above 0.3 on 1,000 images is
// more than twenty standard errors above chance (0.1).
func TestTrainLearnsMNIST(t *testing.T) {
	cfg := DefaultConfig(dataset.MNIST)
	cfg.TrainLimit = 8000
	cfg.Epochs = 2
	cfg.Seed = 1
	dir := t.TempDir()
	var progress []EpochMetrics
	run, err := Train(context.Background(), cfg, Options{
		Out: dir, Data: testData(t, 1000, 1000), Log: quietLog(),
		Progress: func(m EpochMetrics) { progress = append(progress, m) },
	})
	if err != nil {
		t.Fatal(err)
	}

	if !run.Complete || len(run.Epochs) != 2 {
		t.Fatalf("run complete %v with %d epochs, want complete with 2", run.Complete, len(run.Epochs))
	}
	if len(progress) != 2 || progress[1] != run.Epochs[1] {
		t.Errorf("Progress saw %d epochs, want the 2 of the run", len(progress))
	}
	if run.TestAccuracy <= 0.3 {
		t.Errorf("test accuracy %.3f, want > 0.3", run.TestAccuracy)
	}
	e1, e2 := run.Epochs[0], run.Epochs[1]
	if !(e2.ValLoss < e1.ValLoss && e1.ValLoss < math.Log(10)) {
		t.Errorf("validation loss %.4f then %.4f, want a decrease from below ln 10 = 2.303", e1.ValLoss, e2.ValLoss)
	}
	if e1.Steps != 125 || e1.TopoLoss != 0 || e1.Lambda != 0 {
		t.Errorf("epoch 1: %d steps, topographic loss %g, λ %g; want 125, 0, 0", e1.Steps, e1.TopoLoss, e1.Lambda)
	}
	if n := e2.FC1RowNorms; !(n.Min > 0 && n.Min <= n.Mean && n.Mean <= n.Max && n.SD > 0) {
		t.Errorf("fc1 row norms %+v are not ordered min ≤ mean ≤ max with sd > 0", n)
	}
	if run.TrainExamples != 8000 || run.ValExamples != 1000 || run.TestExamples != 1000 || run.Parameters != 27901 {
		t.Errorf("examples %d/%d/%d and %d parameters, want 8000/1000/1000 and 27901", run.TrainExamples, run.ValExamples, run.TestExamples, run.Parameters)
	}
	if run.Backend == "" || run.Versions["go"] == "" || run.Seeds != (Seeds{Init: 1, Split: 1, Shuffle: 1}) {
		t.Errorf("backend %q, versions %v, seeds %+v are not recorded", run.Backend, run.Versions, run.Seeds)
	}

	// run.json holds what Train returned.
	stored, err := LoadRun(dir)
	if err != nil {
		t.Fatal(err)
	}
	compareRuns(t, stored, run)

	// The saved network reproduces the recorded test accuracy and exposes its parameters.
	model, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	data := testData(t, 1000, 1000)
	accuracy, err := model.Evaluate(data.Test)
	if err != nil {
		t.Fatal(err)
	}
	if accuracy != run.TestAccuracy {
		t.Errorf("reopened model: test accuracy %v, run.json %v", accuracy, run.TestAccuracy)
	}
	checkModel(t, model, data.Test)
}

// checkModel checks Forward, Parameters and WithParameters of a reopened MNIST model.
func checkModel(t *testing.T, model *Model, test *dataset.Set) {
	t.Helper()
	info := model.Info()
	if info.Layer != "fc1" || info.Units() != 121 || info.Classes != 10 {
		t.Errorf("info %+v", info)
	}
	var total int
	for _, p := range model.Parameters() {
		total += len(p.Values)
	}
	if total != 27901 {
		t.Errorf("Parameters hold %d values, want 27901", total)
	}

	// Forward over a count that is not a multiple of InferenceBatch.
	n := InferenceBatch + 3
	out, err := model.Forward(test.Images[:n*test.ImageSize()], n)
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Logits) != n*10 || len(out.Pre) != n*121 {
		t.Fatalf("Forward gave %d logits and %d activations, want %d and %d", len(out.Logits), len(out.Pre), n*10, n*121)
	}
	single, err := model.Forward(test.Image(n-1), 1)
	if err != nil {
		t.Fatal(err)
	}
	for k := range 10 {
		if d := math.Abs(float64(single.Logits[k] - out.Logits[(n-1)*10+k])); d > 1e-5 {
			t.Errorf("logit %d of image %d alone differs by %g from the batched pass", k, n-1, d)
		}
	}

	// fc1 pre-activations are the dense layer of the global-average-pooled features: zeroing
	// fc1's weights leaves its biases.
	fc1, err := network.Find(model.Parameters(), "/fc1/dense/weights")
	if err != nil {
		t.Fatal(err)
	}
	bias, _ := network.Find(model.Parameters(), "/fc1/dense/biases")
	clear(fc1.Values)
	zeroed, err := model.WithParameters([]network.Parameter{fc1})
	if err != nil {
		t.Fatal(err)
	}
	zout, err := zeroed.Forward(test.Images[:test.ImageSize()], 1)
	if err != nil {
		t.Fatal(err)
	}
	for p := range 121 {
		if zout.Pre[p] != bias.Values[p] {
			t.Fatalf("with fc1 weights zeroed, unit %d = %g, want its bias %g", p, zout.Pre[p], bias.Values[p])
		}
	}
	// The original model is unchanged.
	again, _ := model.Forward(test.Image(n-1), 1)
	if again.Logits[0] != single.Logits[0] {
		t.Error("WithParameters changed the original model")
	}

	// Invalid replacements are rejected.
	if _, err := model.WithParameters([]network.Parameter{{Name: "/fc9/dense/weights"}}); err == nil {
		t.Error("WithParameters accepted an unknown parameter")
	}
	fc1.Shape = []int{121, 64}
	if _, err := model.WithParameters([]network.Parameter{fc1}); err == nil {
		t.Error("WithParameters accepted a transposed shape")
	}
}

func TestTrainSameSeedSameMetrics(t *testing.T) {
	cfg := smallConfig(RegWS)
	data := testData(t, 250, 250)
	a, err := Train(context.Background(), cfg, Options{Out: t.TempDir(), Data: data, Log: quietLog()})
	if err != nil {
		t.Fatal(err)
	}
	b, err := Train(context.Background(), cfg, Options{Out: t.TempDir(), Data: data, Log: quietLog()})
	if err != nil {
		t.Fatal(err)
	}
	compareRuns(t, b, a)
	if a.Epochs[1].TopoLoss <= 0 || a.Epochs[1].Lambda != 1 {
		t.Errorf("WS run: topographic loss %g and λ %g, want > 0 and 1", a.Epochs[1].TopoLoss, a.Epochs[1].Lambda)
	}

	cfg.Seed++
	cfg.Epochs = 1
	c, err := Train(context.Background(), cfg, Options{Out: t.TempDir(), Data: data, Log: quietLog()})
	if err != nil {
		t.Fatal(err)
	}
	if c.Epochs[0].TaskLoss == a.Epochs[0].TaskLoss {
		t.Error("seeds 7 and 8 gave the same task loss")
	}
}

// TestResumeMatchesUninterrupted interrupts a run after its first epoch, resumes it, and
// compares it with an uninterrupted run. It then resumes a copy of the interrupted run on
// data with a NaN pixel and checks that the checkpoint of epoch 1 survives.
func TestResumeMatchesUninterrupted(t *testing.T) {
	cfg := smallConfig(RegAS)
	cfg.Rho = 0.5 // Gradient-matched λ lives in a variable that must be restored too.
	data := testData(t, 250, 250)
	whole, err := Train(context.Background(), cfg, Options{Out: t.TempDir(), Data: data, Log: quietLog()})
	if err != nil {
		t.Fatal(err)
	}

	dir := t.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	_, err = Train(ctx, cfg, Options{Out: dir, Data: data, Log: quietLog(), Progress: func(EpochMetrics) { cancel() }})
	if !errors.Is(err, ErrInterrupted) || !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled run returned %v, want ErrInterrupted wrapping context.Canceled", err)
	}
	partial, err := LoadRun(dir)
	if !errors.Is(err, ErrIncomplete) || partial == nil || len(partial.Epochs) != 1 {
		t.Fatalf("LoadRun of the interrupted run: %v with %v, want ErrIncomplete and 1 epoch", err, partial)
	}
	if !strings.Contains(err.Error(), "--resume") {
		t.Errorf("incomplete-run error %q does not say how to continue", err)
	}
	if _, err := Open(dir); !errors.Is(err, ErrIncomplete) {
		t.Errorf("Open of an incomplete run: %v, want ErrIncomplete", err)
	}
	if _, err := Train(context.Background(), cfg, Options{Out: dir, Data: data, Log: quietLog()}); err == nil {
		t.Error("Train without Resume overwrote an existing run")
	}
	other := cfg
	other.Lambda = 2
	if _, err := Train(context.Background(), other, Options{Out: dir, Data: data, Log: quietLog(), Resume: true}); err == nil || !strings.Contains(err.Error(), "Lambda") {
		t.Errorf("resuming with another λ: %v, want an error naming Lambda", err)
	}

	poisoned := copyDir(t, dir)
	resumed, err := Train(context.Background(), cfg, Options{Out: dir, Data: data, Log: quietLog(), Resume: true})
	if err != nil {
		t.Fatal(err)
	}
	compareRuns(t, resumed, whole)
	if resumed.Epochs[1].Lambda == cfg.Lambda {
		t.Errorf("gradient-matched λ stayed at its start %g", cfg.Lambda)
	}
	checkpoints, _ := filepath.Glob(filepath.Join(dir, CheckpointDir, "checkpoint-*"))
	if len(checkpoints) != 2 { // One .json and one .bin.
		t.Errorf("checkpoint folder holds %v, want the last checkpoint only", checkpoints)
	}

	// A NaN pixel makes the loss NaN in epoch 2, so training stops and keeps epoch 1.
	bad := *data
	bad.Train = data.Train.Subset(seq(cfg.TrainLimit))
	bad.Train.Images[0] = float32(math.NaN())
	before := readFiles(t, filepath.Join(poisoned, CheckpointDir))
	_, err = Train(context.Background(), cfg, Options{Out: poisoned, Data: &bad, Log: quietLog(), Resume: true})
	if !errors.Is(err, ErrNonFinite) || !strings.Contains(err.Error(), "epoch 2") || !strings.Contains(err.Error(), "--lr") {
		t.Fatalf("NaN input returned %v, want ErrNonFinite naming epoch 2 and the learning-rate flag", err)
	}
	after := readFiles(t, filepath.Join(poisoned, CheckpointDir))
	if len(after) != len(before) {
		t.Fatalf("checkpoint files changed from %d to %d", len(before), len(after))
	}
	for name, content := range before {
		if !bytes.Equal(after[name], content) {
			t.Errorf("checkpoint file %s changed after the NaN", name)
		}
	}
	kept, _ := LoadRun(poisoned)
	if kept == nil || len(kept.Epochs) != 1 {
		t.Errorf("run.json after the NaN: %v, want epoch 1 only", kept)
	}
}

func TestAbsurdLearningRateStops(t *testing.T) {
	cfg := smallConfig(RegNone)
	cfg.LearningRate = 1e30
	dir := t.TempDir()
	_, err := Train(context.Background(), cfg, Options{Out: dir, Data: testData(t, 250, 250), Log: quietLog()})
	if !errors.Is(err, ErrNonFinite) || !strings.Contains(err.Error(), "epoch 1") {
		t.Fatalf("learning rate 1e30 returned %v, want ErrNonFinite in epoch 1", err)
	}
	run, err := LoadRun(dir)
	if !errors.Is(err, ErrIncomplete) || run == nil || len(run.Epochs) != 0 || run.Checkpoint != "" {
		t.Errorf("run.json after the NaN: %+v, %v; want no epoch and no checkpoint", run, err)
	}
}

func TestTrainRegularisers(t *testing.T) {
	data := testData(t, 100, 100)
	for _, c := range []struct {
		name string
		edit func(*Config)
	}{
		{"ws-cosine-rook", func(c *Config) { c.Reg, c.Metric, c.Neighbourhood = RegWS, "cosine", "rook" }},
		{"as-correlation-toroidal", func(c *Config) { c.Reg, c.Metric, c.Edges = RegAS, "correlation", "toroidal" }},
		{"as-global", func(c *Config) { c.Reg = RegASGlobal }},
		{"ws-rho-16x16", func(c *Config) { c.Reg, c.Rho, c.Lambda, c.GridRows, c.GridCols = RegWS, 1, 0, 16, 16 }},
	} {
		t.Run(c.name, func(t *testing.T) {
			cfg := smallConfig(RegNone)
			cfg.TrainLimit, cfg.Epochs, cfg.BatchSize = 96, 1, 32
			c.edit(&cfg)
			run, err := Train(context.Background(), cfg, Options{Out: t.TempDir(), Data: data, Log: quietLog()})
			if err != nil {
				t.Fatal(err)
			}
			e := run.Epochs[0]
			if !(e.TopoLoss > 0) || math.IsInf(e.TopoLoss, 0) {
				t.Errorf("topographic loss %g, want a positive finite value", e.TopoLoss)
			}
			if cfg.Rho == 0 && e.Lambda != cfg.Lambda {
				t.Errorf("fixed λ reported as %g, want %g", e.Lambda, cfg.Lambda)
			}
			if cfg.Rho > 0 && !(e.Lambda > 0) {
				t.Errorf("gradient-matched λ = %g after 3 steps from 0, want > 0", e.Lambda)
			}
			if run.Network.GridRows != cfg.GridRows || run.Network.Units() != cfg.GridRows*cfg.GridCols {
				t.Errorf("network %+v does not have the %dx%d grid", run.Network, cfg.GridRows, cfg.GridCols)
			}
		})
	}
}

func TestConfigValidate(t *testing.T) {
	if err := DefaultConfig(dataset.CIFAR10).Validate(); err != nil {
		t.Errorf("default CIFAR-10 config: %v", err)
	}
	for _, c := range []struct {
		field string
		edit  func(*Config)
	}{
		{"Dataset", func(c *Config) { c.Dataset = "imagenet" }},
		{"Reg", func(c *Config) { c.Reg = "l2" }},
		{"Lambda", func(c *Config) { c.Lambda = -1 }},
		{"Lambda", func(c *Config) { c.Lambda = math.Inf(1) }},
		{"Rho", func(c *Config) { c.Rho = math.NaN() }},
		{"Metric", func(c *Config) { c.Metric = "manhattan" }},
		{"Neighbourhood", func(c *Config) { c.Neighbourhood = "king" }},
		{"Edges", func(c *Config) { c.Edges = "mirror" }},
		{"GridRows", func(c *Config) { c.GridCols = 0 }},
		{"Dropout", func(c *Config) { c.Dropout = 1 }},
		{"Epochs", func(c *Config) { c.Epochs = 0 }},
		{"BatchSize", func(c *Config) { c.BatchSize = 0 }},
		{"LearningRate", func(c *Config) { c.LearningRate = 0 }},
		{"TrainLimit", func(c *Config) { c.TrainLimit = -5 }},
		{"ValFraction", func(c *Config) { c.ValFraction = 1 }},
	} {
		cfg := DefaultConfig(dataset.MNIST)
		c.edit(&cfg)
		err := cfg.Validate()
		var fe *FieldError
		if !errors.As(err, &fe) || fe.Field != c.field || fe.Accepted == "" {
			t.Errorf("%s: Validate() = %v, want a FieldError for %s with the accepted values", c.field, err, c.field)
		}
	}
}

func TestLoadRunErrors(t *testing.T) {
	dir := t.TempDir()
	check := func(dir, want string) {
		t.Helper()
		_, err := LoadRun(dir)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("LoadRun(%s) = %v, want an error containing %q", filepath.Base(dir), err, want)
		}
	}
	check(filepath.Join(dir, "missing"), "does not exist")
	check(dir, "no run.json")
	if err := os.WriteFile(filepath.Join(dir, RunFile), []byte("{\"format_version\": 1, "), 0o644); err != nil {
		t.Fatal(err)
	}
	check(dir, "corrupt")
	if err := os.WriteFile(filepath.Join(dir, RunFile), []byte(`{"format_version": 99}`), 0o644); err != nil {
		t.Fatal(err)
	}
	check(dir, "format version 99")
}

func TestOpenTruncatedCheckpoint(t *testing.T) {
	dir := t.TempDir()
	cfg := smallConfig("none")
	if _, err := Train(context.Background(), cfg, Options{Out: dir, Data: testData(t, 64, 64), Log: quietLog()}); err != nil {
		t.Fatal(err)
	}
	bins, err := filepath.Glob(filepath.Join(dir, CheckpointDir, "*.bin"))
	if err != nil || len(bins) == 0 {
		t.Fatalf("no checkpoint .bin file in %s (%v)", dir, err)
	}
	for _, bin := range bins {
		if err := os.Truncate(bin, 1000); err != nil {
			t.Fatal(err)
		}
	}

	_, err = Open(dir)
	if err == nil {
		t.Fatal("Open accepted a truncated checkpoint")
	}
	if !strings.Contains(err.Error(), "truncated or corrupt") {
		t.Errorf("error %q does not say the checkpoint may be truncated", err)
	}

	for _, bin := range bins {
		if err := os.Remove(bin); err != nil {
			t.Fatal(err)
		}
	}
	_, err = Open(dir)
	if err == nil {
		t.Fatal("Open accepted a checkpoint without its .bin file")
	}
	if !strings.Contains(err.Error(), "is missing") || !strings.Contains(err.Error(), "train the run again") {
		t.Errorf("error %q does not name the missing file and the fix", err)
	}
}

func TestCrossEntropyAndAccuracy(t *testing.T) {
	// Two examples: logits (0, ln 3) with label 1, and (2, 0) with label 1.
	logits := []float32{0, float32(math.Log(3)), 2, 0}
	loss, accuracy := crossEntropyAndAccuracy(logits, []int32{1, 1}, 2)
	want := (math.Log(4.0/3) + math.Log(1+math.Exp(2))) / 2
	if math.Abs(loss-want) > 1e-6 || accuracy != 0.5 {
		t.Errorf("loss %g, accuracy %g; want %g, 0.5", loss, accuracy, want)
	}
}

func TestUnitNorms(t *testing.T) {
	// [in=2, units=3]: column p holds unit p's weights.
	w := []float32{3, 0, 1, 4, 2, 1}
	got := unitNorms(w, 2, 3)
	want := []float64{5, 2, math.Sqrt2}
	for p := range want {
		if math.Abs(got[p]-want[p]) > 1e-12 {
			t.Errorf("unit %d norm %g, want %g", p, got[p], want[p])
		}
	}
}

func seq(n int) []int {
	s := make([]int, n)
	for i := range s {
		s[i] = i
	}
	return s
}

// copyDir copies a run directory (run.json and the checkpoint folder) into a new temporary one.
func copyDir(t *testing.T, src string) string {
	t.Helper()
	dst := t.TempDir()
	err := filepath.WalkDir(src, func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, path)
		if d.IsDir() {
			return os.MkdirAll(filepath.Join(dst, rel), 0o755)
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dst, rel), data, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
	return dst
}

func readFiles(t *testing.T, dir string) map[string][]byte {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	files := map[string][]byte{}
	for _, e := range entries {
		data, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		files[e.Name()] = data
	}
	return files
}

// randomSet returns n random CIFAR-10-shaped images with random labels.
func randomSet(seed uint64, n int) *dataset.Set {
	spec, _ := dataset.SpecFor(dataset.CIFAR10)
	rng := rand.New(rand.NewPCG(seed, 0))
	s := &dataset.Set{Name: spec.Name, Height: spec.Height, Width: spec.Width, Channels: spec.Channels,
		Classes: spec.Classes, ClassNames: spec.ClassNames,
		Images: make([]float32, n*spec.Height*spec.Width*spec.Channels), Labels: make([]int32, n)}
	for i := range s.Images {
		s.Images[i] = rng.Float32()
	}
	for i := range s.Labels {
		s.Labels[i] = int32(rng.IntN(spec.Classes))
	}
	return s
}

// TestTrainCIFARNetwork trains the CIFAR-10 network, with batch normalisation, for two steps
// on random images and checks that the running statistics are trained and saved.
func TestTrainCIFARNetwork(t *testing.T) {
	cfg := DefaultConfig(dataset.CIFAR10)
	cfg.Reg, cfg.Epochs, cfg.BatchSize = RegWS, 1, 32
	data := &Data{Train: randomSet(1, 64), Val: randomSet(2, 16), Test: randomSet(3, 16)}
	dir := t.TempDir()
	run, err := Train(context.Background(), cfg, Options{Out: dir, Data: data, Log: quietLog()})
	if err != nil {
		t.Fatal(err)
	}
	if run.Parameters != 421693 || run.Epochs[0].Steps != 2 {
		t.Errorf("%d parameters and %d steps, want 421693 and 2", run.Parameters, run.Epochs[0].Steps)
	}

	model, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	var scale, mean []float32
	for v := range model.ctx.IterVariables() {
		switch v.ScopeAndName() {
		case "/conv4/batch_normalization/scale":
			scale = tensors.MustCopyFlatData[float32](v.MustValue())
		case "/conv4/batch_normalization/mean":
			mean = tensors.MustCopyFlatData[float32](v.MustValue())
		}
	}
	if len(scale) != 256 || len(mean) != 256 {
		t.Fatalf("conv4 batch normalisation: %d scales and %d running means, want 256 each", len(scale), len(mean))
	}
	if scale[0] == 1 || mean[0] == 0 {
		t.Errorf("after 2 steps conv4's scale[0] = %g and running mean[0] = %g are still at their start", scale[0], mean[0])
	}
	accuracy, err := model.Evaluate(data.Test)
	if err != nil {
		t.Fatal(err)
	}
	if accuracy != run.TestAccuracy {
		t.Errorf("reopened model: test accuracy %v, run.json %v", accuracy, run.TestAccuracy)
	}
}
