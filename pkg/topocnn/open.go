package topocnn

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/gomlx/gomlx/backends"
	"github.com/gomlx/gomlx/pkg/core/tensors"
	gomlxctx "github.com/gomlx/gomlx/pkg/ml/context"
	"github.com/gomlx/gomlx/pkg/ml/context/checkpoints"
	"github.com/topocnn/topocnn/pkg/dataset"
	"github.com/topocnn/topocnn/pkg/network"
)

// Model is a trained network ready for inference. It implements network.Network.
type Model struct {
	run       *Run
	arch      Architecture
	backend   backends.Backend
	ctx       *gomlxctx.Context
	inference *inference
	// params are the trainable tensors, in the order the network creates them.
	params []network.Parameter
	// overrides maps variable names (scope and name) to the values that replace the ones in ctx
	// while this model runs. Models made by WithParameters share ctx and the compiled inference
	// graph with the model they come from, and differ only here.
	overrides map[string]*tensors.Tensor
}

var _ network.Network = (*Model)(nil)

// Open loads the network of the complete run in dir from the checkpoint run.json records. The
// errors are those of LoadRun, plus a missing or unreadable checkpoint.
func Open(dir string) (*Model, error) {
	run, err := LoadRun(dir)
	if err != nil {
		return nil, err
	}
	arch, err := ArchitectureFor(run.Config.Dataset, run.Config.GridRows, run.Config.GridCols, run.Config.Dropout)
	if err != nil {
		return nil, err
	}
	backend, err := Backend()
	if err != nil {
		return nil, err
	}

	base := filepath.Join(dir, CheckpointDir, run.Checkpoint)
	jsonData, err := readCheckpointFile(dir, base+checkpoints.JsonNameSuffix)
	if err != nil {
		return nil, err
	}
	binData, err := readCheckpointFile(dir, base+checkpoints.BinDataSuffix)
	if err != nil {
		return nil, err
	}
	ctx := gomlxctx.New()
	if err := loadCheckpoint(ctx, jsonData, binData); err != nil {
		return nil, fmt.Errorf("topocnn: loading the checkpoint of %s: %w; the file %s may be truncated or "+
			"corrupt: restore it, or train the run again", dir, err, base+checkpoints.BinDataSuffix)
	}
	model, err := loadModel(run, arch, backend, ctx)
	if err != nil {
		return nil, fmt.Errorf("topocnn: %w; the checkpoint of %s may be truncated or corrupt: restore it, "+
			"or train the run again", err, dir)
	}
	return model, nil
}

// loadCheckpoint loads a checkpoint's variables into ctx. GoMLX v0.26.0's loader panics on some
// malformed data (a truncated .bin file), so a panic is returned as an error.
func loadCheckpoint(ctx *gomlxctx.Context, jsonData, binData []byte) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("checkpoint loader failed: %v", r)
		}
	}()
	_, err = checkpoints.Build(ctx).FromEmbed(string(jsonData), binData).Done()
	return err
}

// loadModel is newModel with a panic of the lazy variable loading returned as an error.
func loadModel(run *Run, arch Architecture, backend backends.Backend, ctx *gomlxctx.Context) (model *Model, err error) {
	defer func() {
		if r := recover(); r != nil {
			model, err = nil, fmt.Errorf("loading the network's variables failed: %v", r)
		}
	}()
	return newModel(run, arch, backend, ctx)
}

// newModel builds the inference graph over ctx's variables (loading them from ctx's checkpoint
// loader if needed) and collects the trainable ones.
func newModel(run *Run, arch Architecture, backend backends.Backend, ctx *gomlxctx.Context) (*Model, error) {
	inf, err := newInference(backend, ctx, arch)
	if err != nil {
		return nil, err
	}
	m := &Model{run: run, arch: arch, backend: backend, ctx: ctx, inference: inf}

	// Building the graph once creates (or loads) every variable of the network.
	probe := make([]float32, arch.Height*arch.Width*arch.Channels)
	if _, err := inf.forward(probe, 1); err != nil {
		return nil, err
	}
	for v := range ctx.IterVariables() {
		layer := strings.SplitN(strings.TrimPrefix(v.Scope(), "/"), "/", 2)[0]
		if !v.Trainable || !isNetworkLayer(layer) {
			continue
		}
		m.params = append(m.params, network.Parameter{
			Name:   v.ScopeAndName(),
			Shape:  slices.Clone(v.Shape().Dimensions),
			Layer:  layer,
			Values: tensors.MustCopyFlatData[float32](v.MustValue()),
		})
	}
	return m, nil
}

// isNetworkLayer reports whether a top-level scope belongs to the network (conv1 … conv4, fc1,
// fc2) rather than to the optimiser or the training loop.
func isNetworkLayer(scope string) bool {
	return strings.HasPrefix(scope, "conv") || strings.HasPrefix(scope, "fc")
}

// Run returns the record of the run the model comes from.
func (m *Model) Run() *Run { return m.run }

// Info implements network.Network.
func (m *Model) Info() network.Info { return m.arch.Info(m.run.Config.Dataset) }

// Forward implements network.Network: it runs the network without dropout on n NHWC images in
// [0, 1], InferenceBatch images at a time.
func (m *Model) Forward(images []float32, n int) (*network.Output, error) {
	var out *network.Output
	err := m.withOverrides(func() (err error) {
		out, err = m.inference.forward(images, n)
		return err
	})
	return out, err
}

// withOverrides runs fn with the model's overriding values in place of the shared context's,
// and restores the shared values afterwards. It holds the inference lock throughout, so models
// that share a context can run from several goroutines.
func (m *Model) withOverrides(fn func() error) error {
	inf := m.inference
	inf.mu.Lock()
	defer inf.mu.Unlock()
	if len(m.overrides) == 0 {
		return fn()
	}
	saved := make(map[*gomlxctx.Variable]*tensors.Tensor, len(m.overrides))
	defer func() {
		for v, value := range saved {
			_ = v.SetValuePreservingOld(value) // Restores a value that was valid before.
		}
	}()
	for name, value := range m.overrides {
		scope, varName := splitScopeAndName(name)
		v := m.ctx.GetVariableByScopeAndName(scope, varName)
		if v == nil {
			return fmt.Errorf("topocnn: variable %s not found", name)
		}
		saved[v] = v.MustValue()
		if err := v.SetValuePreservingOld(value); err != nil {
			return fmt.Errorf("topocnn: setting %s: %w", name, err)
		}
	}
	return fn()
}

// splitScopeAndName splits "/fc1/dense/weights" into "/fc1/dense" and "weights".
func splitScopeAndName(name string) (scope, varName string) {
	i := strings.LastIndex(name, "/")
	if i <= 0 {
		return "/", strings.TrimPrefix(name, "/")
	}
	return name[:i], name[i+1:]
}

// Parameters implements network.Network: copies of the trainable tensors (convolution kernels
// and biases, batch-normalisation scales and offsets, fc1 and fc2 weights and biases).
func (m *Model) Parameters() []network.Parameter {
	out := make([]network.Parameter, len(m.params))
	for i, p := range m.params {
		out[i] = p.Clone()
	}
	return out
}

// WithParameters implements network.Network: it returns a model whose trainable tensors named
// in params take the given values. It returns an error for an unknown name or a shape that
// differs from the stored one. The new model shares the compiled inference graph with m, so it
// costs a copy of the given values and no compilation.
func (m *Model) WithParameters(params []network.Parameter) (network.Network, error) {
	derived := *m
	derived.params = m.Parameters()
	derived.overrides = make(map[string]*tensors.Tensor, len(m.overrides)+len(params))
	for name, value := range m.overrides {
		derived.overrides[name] = value
	}
	for _, p := range params {
		i := slices.IndexFunc(m.params, func(q network.Parameter) bool { return q.Name == p.Name })
		if i < 0 {
			_, err := network.Find(m.params, p.Name)
			return nil, fmt.Errorf("topocnn: %w", err)
		}
		size := 1
		for _, d := range p.Shape {
			size *= d
		}
		if !slices.Equal(m.params[i].Shape, p.Shape) || len(p.Values) != size {
			return nil, fmt.Errorf("topocnn: parameter %s has shape %v, got shape %v with %d values",
				p.Name, m.params[i].Shape, p.Shape, len(p.Values))
		}
		values := slices.Clone(p.Values)
		derived.params[i].Values = values
		derived.overrides[p.Name] = tensors.FromFlatDataAndDimensions(slices.Clone(values), p.Shape...)
	}
	return &derived, nil
}

// Evaluate returns the accuracy of the model on set.
func (m *Model) Evaluate(set *dataset.Set) (accuracy float64, err error) {
	if err := checkSet(m.arch, m.run.Config.Dataset, "evaluation", set); err != nil {
		return 0, err
	}
	err = m.withOverrides(func() (err error) {
		_, accuracy, err = m.inference.evaluate(set)
		return err
	})
	return accuracy, err
}

// readCheckpointFile reads one file of the checkpoint of the run in dir. The error for a missing
// file names the recovery steps.
func readCheckpointFile(dir, path string) ([]byte, error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("topocnn: the checkpoint of %s is missing %s: restore the file from a copy of the run, "+
			"or train the run again (topocnn train with its configuration and a new --out)", dir, filepath.Base(path))
	}
	if err != nil {
		return nil, fmt.Errorf("topocnn: reading the checkpoint of %s: %w", dir, err)
	}
	return data, nil
}
