package backend

import (
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/gomlx/gomlx/backends"
	"github.com/gomlx/gomlx/pkg/core/dtypes"
	. "github.com/gomlx/gomlx/pkg/core/graph" //nolint:revive // graph operations read best unqualified
	"github.com/gomlx/gomlx/pkg/core/shapes"
	"github.com/gomlx/gomlx/pkg/core/tensors"
)

func TestNewHonoursEnvironment(t *testing.T) {
	t.Setenv("GOMLX_NO_AUTO_INSTALL", "1")

	t.Setenv(backends.ConfigEnvVar, "")
	b, err := New()
	if err != nil || b.Name() != BackendName {
		t.Fatalf("unset: got %v, %v; want the %q backend", b, err, BackendName)
	}

	t.Setenv(backends.ConfigEnvVar, BackendName+":parallelism=1")
	b, err = New()
	if err != nil || b.(*Backend).workers != 1 {
		t.Fatalf("%s:parallelism=1: got %v, %v", BackendName, b, err)
	}

	t.Setenv(backends.ConfigEnvVar, "go")
	b, err = New()
	if err != nil || b.String() != "go" {
		t.Fatalf("go: got %v, %v; want the pure-Go backend", b, err)
	}

	t.Setenv(backends.ConfigEnvVar, "xla")
	b, err = New()
	if err == nil {
		// Only with the PJRT plugin installed, which these tests do not assume.
		t.Logf("the XLA backend is available: %s", b.Description())
	} else if !slices.Contains(backends.List(), "xla") && !strings.Contains(err.Error(), "PJRT") {
		t.Fatalf("xla not linked: error %q does not say how to get the plugin", err)
	}

	t.Setenv(backends.ConfigEnvVar, "no-such-backend")
	if _, err = New(); err == nil || !strings.Contains(err.Error(), "no-such-backend") {
		t.Fatalf("unknown name: got error %v", err)
	}

	if _, err := NewWithConfig("parallelism=zero"); err == nil {
		t.Fatal("parallelism=zero accepted")
	}
	if _, err := NewWithConfig("colour=blue"); err == nil {
		t.Fatal("unknown option accepted")
	}
}

func TestDefaultBackendIsRegistered(t *testing.T) {
	if backends.DefaultConfig != BackendName {
		t.Fatalf("backends.DefaultConfig = %q, want %q", backends.DefaultConfig, BackendName)
	}
	t.Setenv(backends.ConfigEnvVar, "")
	os.Unsetenv(backends.ConfigEnvVar)
	b, err := backends.New()
	if err != nil || b.Name() != BackendName {
		t.Fatalf("backends.New() = %v, %v; want the %q backend", b, err, BackendName)
	}
}

// TestBuilderForwardsEveryMethod checks that Builder implements every method of
// backends.Builder, and that the generated forwarding code covers all but the hand-written ones.
func TestBuilderForwardsEveryMethod(t *testing.T) {
	iface := reflect.TypeFor[backends.Builder]()
	handWritten := []string{"Compile", "Name", "OpShape", "Parameter", "Constant", "DistributedSPMD", "DistributedAutoSharding", "DeviceAssignment"}
	if got, want := iface.NumMethod()-len(handWritten), generatedMethods; got != want {
		t.Fatalf("backends.Builder has %d methods besides the hand-written ones; the generated code has %d: run go generate", got, want)
	}
}

// TestGeneratedCodeIsCurrent regenerates the forwarding code and compares it with the file.
func TestGeneratedCodeIsCurrent(t *testing.T) {
	if testing.Short() {
		t.Skip("type-checks GoMLX from source")
	}
	out := filepath.Join(t.TempDir(), "builder_gen.go")
	if err := runGo(t, "run", "./internal/gen", "-output", out); err != nil {
		t.Fatal(err)
	}
	fresh, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	current, err := os.ReadFile("builder_gen.go")
	if err != nil {
		t.Fatal(err)
	}
	if string(fresh) != string(current) {
		t.Fatal("builder_gen.go differs from the generator's output: run go generate ./pkg/backend/...")
	}
}

func TestFallbackOpsAndDTypes(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 11))
	ints := make([]int32, 64*32*16)
	for i := range ints {
		ints[i] = int32(rng.IntN(100)) - 50
	}
	t.Run("int32_elementwise", func(t *testing.T) {
		x := tensors.FromFlatDataAndDimensions(ints, 64, 32, 16)
		compareWithPlain(t, func(in []*Node) []*Node {
			return []*Node{Add(Mul(in[0], in[0]), in[0]), ReduceSum(in[0], 0, 1)}
		}, 0, x)
	})
	t.Run("float64_matmul_and_conv", func(t *testing.T) {
		compareWithPlain(t, func(in []*Node) []*Node {
			return []*Node{
				Dot(in[0], in[1]),
				ConvGeneral(in[2], in[3], nhwc, []int{1, 1}, [][2]int{{1, 1}, {1, 1}}, []int{1, 1}, []int{1, 1}, 1, 1),
			}
		}, 1e-12, randomTensor64(rng, 20, 30), randomTensor64(rng, 30, 10), randomTensor64(rng, 2, 6, 5, 3), randomTensor64(rng, 3, 3, 3, 4))
	})
	t.Run("grouped_convolution", func(t *testing.T) {
		compareWithPlain(t, func(in []*Node) []*Node {
			return []*Node{ConvGeneral(in[0], in[1], nhwc, []int{1, 1}, [][2]int{{1, 1}, {1, 1}}, []int{1, 1}, []int{1, 1}, 2, 1)}
		}, tol32, randomTensor(rng, 2, 6, 5, 4), randomTensor(rng, 3, 3, 2, 6))
	})

	// The plans: none of these run on the kernels.
	fast, _ := fastAndPlain(t)
	b := fast.Builder("fallback")
	x, _ := b.Parameter("x", shapes.Make(dtypes.Float64, 20, 30), nil)
	y, _ := b.Parameter("y", shapes.Make(dtypes.Float64, 30, 10), nil)
	dot, _ := b.Dot(x, y)
	e, err := b.Compile([]backends.Op{dot}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if steps := kernelSteps(e.(*Executable)); len(steps) != 0 {
		t.Fatalf("float64 Dot ran on kernels %v", steps)
	}
}

func TestUnsupportedAddedOpFailsAtCompile(t *testing.T) {
	fast, _ := fastAndPlain(t)
	b := fast.Builder("unsupported")
	x, _ := b.Parameter("x", shapes.Make(dtypes.Int32, 4, 4), nil)
	s, _ := b.Parameter("s", shapes.Make(dtypes.Int32, 2, 2), nil)
	if _, err := b.SelectAndScatterMax(x, s, []int{2, 2}, []int{2, 2}, nil); err == nil {
		t.Fatal("SelectAndScatterMax on int32 accepted")
	}
}

// TestExecutableBufferOwnership checks outputs that are parameters, constants or repeated,
// donated inputs, and repeated executions.
func TestExecutableBufferOwnership(t *testing.T) {
	fast, _ := fastAndPlain(t)
	b := fast.Builder("ownership")
	shape := shapes.Make(dtypes.Float32, 128, 256)
	x, _ := b.Parameter("x", shape, nil)
	c, _ := b.Constant([]float32{2})
	bc, _ := b.BroadcastInDim(c, shape, nil)
	y, _ := b.Mul(x, bc) // fused: 32768 elements
	z, _ := b.Add(y, x)
	e, err := b.Compile([]backends.Op{x, y, y, c, z}, nil)
	if err != nil {
		t.Fatal(err)
	}
	data := make([]float32, shape.Size())
	for i := range data {
		data[i] = float32(i % 7)
	}
	for _, donate := range []bool{false, false, true} {
		in, err := fast.BufferFromFlatData(0, data, shape)
		if err != nil {
			t.Fatal(err)
		}
		outs, err := e.Execute([]backends.Buffer{in}, []bool{donate}, 0)
		if err != nil {
			t.Fatal(err)
		}
		if (!donate && outs[0] == in) || outs[1] == outs[2] {
			t.Fatal("an output shares a buffer with an undonated input or another output")
		}
		values := make([][]float32, len(outs))
		for i, out := range outs {
			s, _ := fast.BufferShape(out)
			values[i] = make([]float32, s.Size())
			if err := fast.BufferToFlatData(out, values[i]); err != nil {
				t.Fatal(err)
			}
		}
		for i, v := range data {
			if values[0][i] != v || values[1][i] != 2*v || values[2][i] != 2*v || values[4][i] != 3*v {
				t.Fatalf("element %d: got %g, %g, %g, %g; want %g, %g, %g, %g",
					i, values[0][i], values[1][i], values[2][i], values[4][i], v, 2*v, 2*v, 3*v)
			}
		}
		if values[3][0] != 2 {
			t.Fatalf("constant output = %g, want 2", values[3][0])
		}
		if !donate {
			// The input stays valid and unchanged.
			check := make([]float32, shape.Size())
			if err := fast.BufferToFlatData(in, check); err != nil || check[5] != data[5] {
				t.Fatalf("input changed or invalid after a run without donation: %v", err)
			}
		}
	}
}
