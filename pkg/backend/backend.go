// Package backend is topocnn's GoMLX backend for the CPU, written in pure Go.
//
// Importing the package registers the backend under the name "topocnn" and makes it GoMLX's
// default (backends.DefaultConfig). Its builder records the computation graph it receives and
// forwards every call to a shadow builder of GoMLX's pure-Go backend ("go"), which infers the
// shapes and validates the arguments.
//
// At compile time, the operations this package implements run on its multi-threaded kernels:
// matrix products, convolutions, pooling and its gradient, padding, reversal, batch
// normalisation, large reductions and fused chains of large element-wise operations. The
// stretches of graph between them are compiled as pure-Go executables. Buffers belong to the
// pure-Go backend and pass between the kernels and those executables without copies.
//
// The pure-Go backend of GoMLX v0.26.0 lacks Pad, Reverse, SelectAndScatterMax,
// SelectAndScatterMin and the three batch-normalisation operations, so it cannot train
// layers.Convolution, graph.MaxPool, graph.MeanPool or batchnorm. This backend implements them.
//
// Select a backend with New, which honours the GOMLX_BACKEND environment variable.
package backend

import (
	"fmt"
	"os"
	"runtime"
	"slices"
	"strconv"
	"strings"

	"github.com/gomlx/gomlx/backends"
	"github.com/gomlx/gomlx/backends/simplego"
	"github.com/pkg/errors"

	"github.com/topocnn/topocnn/pkg/backend/kernels"
)

//go:generate go run ./internal/gen -output builder_gen.go

// BackendName is the name under which the backend is registered, and the value of
// GOMLX_BACKEND that selects it.
const BackendName = "topocnn"

// xlaName is the registered name of GoMLX's XLA backend.
const xlaName = "xla"

func init() {
	backends.Register(BackendName, NewWithConfig)
	backends.DefaultConfig = BackendName
}

// New returns the backend selected by the GOMLX_BACKEND environment variable, in GoMLX's
// format "name[:config]":
//
//   - unset or empty: this package's backend ("topocnn");
//   - "go": GoMLX's plain pure-Go backend;
//   - "xla": GoMLX's XLA backend, when the binary links it (cgo builds with the xla tag); otherwise an
//     error that explains how to get it;
//   - any other registered name: that backend.
func New() (backends.Backend, error) {
	config := os.Getenv(backends.ConfigEnvVar)
	if config == "" {
		return NewWithConfig("")
	}
	name, _, _ := strings.Cut(config, ":")
	if name == BackendName {
		return backends.NewWithConfig(config)
	}
	if !slices.Contains(backends.List(), name) {
		if name == xlaName {
			return nil, errors.Errorf("%s=%q: the XLA backend is not linked into this binary: build with "+
				"CGO_ENABLED=1 and -tags xla, and install the PJRT CPU plugin as GoMLX's documentation "+
				"describes (https://github.com/gomlx/gomlx), or unset %s (or set it to %q) to train on the CPU in pure Go",
				backends.ConfigEnvVar, config, backends.ConfigEnvVar, BackendName)
		}
		list := backends.List()
		slices.Sort(list)
		return nil, errors.Errorf("%s=%q: no backend named %q is registered; registered backends: %s",
			backends.ConfigEnvVar, config, name, strings.Join(list, ", "))
	}
	return backends.NewWithConfig(config)
}

// Backend implements backends.Backend. Buffers, devices and the data interface are those of the
// pure-Go backend it wraps.
type Backend struct {
	backends.Backend // the wrapped pure-Go backend

	// workers is the number of goroutines a kernel splits its work into.
	workers int
}

var _ backends.Backend = (*Backend)(nil)

// NewWithConfig returns a new backend. The configuration is a comma-separated list of options:
//
//   - "parallelism=N": the number of goroutines a kernel splits its work into (default
//     GOMAXPROCS). The pure-Go backend's own workers follow GOMAXPROCS.
func NewWithConfig(config string) (backends.Backend, error) {
	workers := runtime.GOMAXPROCS(0)
	for option := range strings.SplitSeq(config, ",") {
		key, value, _ := strings.Cut(option, "=")
		switch key {
		case "":
		case "parallelism":
			n, err := strconv.Atoi(value)
			if err != nil || n < 1 {
				return nil, errors.Errorf("backend %q: invalid parallelism %q: want a positive integer, e.g. %s=%s:parallelism=2",
					BackendName, value, backends.ConfigEnvVar, BackendName)
			}
			workers = n
		default:
			return nil, errors.Errorf("backend %q: unknown configuration option %q; the only option is parallelism=N",
				BackendName, option)
		}
	}
	base, err := simplego.New("")
	if err != nil {
		return nil, errors.WithMessagef(err, "backend %q: creating the pure-Go backend", BackendName)
	}
	return &Backend{Backend: base, workers: workers}, nil
}

// Name returns the backend's short name, "topocnn".
func (b *Backend) Name() string { return BackendName }

// String returns the backend's short name, "topocnn".
func (b *Backend) String() string { return BackendName }

// Description returns a one-line description of the backend and its kernels.
func (b *Backend) Description() string {
	threads := "threads"
	if b.workers == 1 {
		threads = "thread"
	}
	return fmt.Sprintf("topocnn pure-Go CPU backend (%d %s, %s kernels) over GoMLX's pure-Go backend",
		b.workers, threads, kernels.Implementation())
}

// Capabilities returns the pure-Go backend's capabilities plus the operations this package adds.
func (b *Backend) Capabilities() backends.Capabilities {
	capabilities := b.Backend.Capabilities().Clone()
	for _, op := range addedOps {
		capabilities.Operations[op] = true
	}
	return capabilities
}

// addedOps are the operations this backend implements that the pure-Go backend lacks.
var addedOps = []backends.OpType{
	backends.OpTypePad,
	backends.OpTypeReverse,
	backends.OpTypeSelectAndScatterMax,
	backends.OpTypeSelectAndScatterMin,
	backends.OpTypeBatchNormForInference,
	backends.OpTypeBatchNormForTraining,
	backends.OpTypeBatchNormGradient,
}

// Builder returns a builder for a new computation with the given name.
func (b *Backend) Builder(name string) backends.Builder {
	return newBuilder(b, name)
}
