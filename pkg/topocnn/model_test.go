package topocnn

import (
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/gomlx/gomlx/backends"
	"github.com/gomlx/gomlx/pkg/core/dtypes"
	. "github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/core/shapes"
	"github.com/gomlx/gomlx/pkg/core/tensors"
	"github.com/gomlx/gomlx/pkg/ml/context"
	"github.com/topocnn/topocnn/pkg/dataset"
)

func testBackend(t testing.TB) backends.Backend {
	t.Helper()
	b, err := Backend()
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func randomFloats(rng *rand.Rand, n int) []float32 {
	x := make([]float32, n)
	for i := range x {
		x[i] = rng.Float32()
	}
	return x
}

// countTrainable builds the network on a batch of 2 and returns the number of trainable values.
func countTrainable(t *testing.T, arch Architecture) int {
	t.Helper()
	ctx := context.New()
	exec := context.MustNewExec(testBackend(t), ctx, func(ctx *context.Context, images *Node) []*Node {
		logits, pre := arch.Build(ctx, images)
		return []*Node{logits, pre}
	})
	images := tensors.FromFlatDataAndDimensions(make([]float32, 2*arch.Height*arch.Width*arch.Channels),
		2, arch.Height, arch.Width, arch.Channels)
	out := exec.MustExec(images)
	if got := out[0].Shape().Dimensions; got[0] != 2 || got[1] != arch.Classes {
		t.Errorf("logits shape %v, want [2 %d]", got, arch.Classes)
	}
	if got := out[1].Shape().Dimensions; got[0] != 2 || got[1] != arch.Units() {
		t.Errorf("fc1 shape %v, want [2 %d]", got, arch.Units())
	}
	var n int
	for v := range ctx.IterVariables() {
		if v.Trainable {
			n += v.Shape().Size()
		}
	}
	return n
}

func TestParameterCounts(t *testing.T) {
	for _, c := range []struct {
		dataset    string
		rows, cols int
		want       int
	}{
		{dataset.MNIST, 11, 11, 27901},
		{dataset.FashionMNIST, 11, 11, 27901},
		{dataset.CIFAR10, 11, 11, 421693},
		// 16 × 16 grid: fc1 64→256 and fc2 256→10 replace 64→121 and 121→10.
		{dataset.MNIST, 16, 16, 27901 - (64*121 + 121) - (121*10 + 10) + (64*256 + 256) + (256*10 + 10)},
	} {
		arch, err := ArchitectureFor(c.dataset, c.rows, c.cols, 0.5)
		if err != nil {
			t.Fatal(err)
		}
		if got := countTrainable(t, arch); got != c.want {
			t.Errorf("%s %dx%d: %d trainable parameters, want %d", c.dataset, c.rows, c.cols, got, c.want)
		}
	}
}

func TestVariableNames(t *testing.T) {
	arch, err := ArchitectureFor(dataset.CIFAR10, 11, 11, 0.5)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.New()
	exec := context.MustNewExec(testBackend(t), ctx, func(ctx *context.Context, images *Node) *Node {
		logits, _ := arch.Build(ctx, images)
		return logits
	})
	exec.MustExec(tensors.FromShape(shapes.Make(dtypes.Float32, 1, 32, 32, 3)))
	want := map[string][]int{
		"/conv1/conv/weights":                 {3, 3, 3, 32},
		"/conv1/conv/biases":                  {32},
		"/conv4/conv/weights":                 {3, 3, 128, 256},
		"/conv4/batch_normalization/scale":    {256},
		"/conv4/batch_normalization/offset":   {256},
		"/conv4/batch_normalization/mean":     {256},
		"/conv4/batch_normalization/variance": {256},
		"/fc1/dense/weights":                  {256, 121},
		"/fc1/dense/biases":                   {121},
		"/fc2/dense/weights":                  {121, 10},
		"/fc2/dense/biases":                   {10},
	}
	for v := range ctx.IterVariables() {
		if dims, ok := want[v.ScopeAndName()]; ok {
			if !shapes.Make(dtypes.Float32, dims...).Equal(v.Shape()) {
				t.Errorf("%s has shape %s, want %v", v.ScopeAndName(), v.Shape(), dims)
			}
			delete(want, v.ScopeAndName())
		}
	}
	for name := range want {
		t.Errorf("variable %s missing", name)
	}
}

// TestConvMatchesDirectConvolution checks conv3x3 against a direct float64 loop: zero
// padding 1, stride 1, kernel [3, 3, in, out], plus the bias.
func TestConvMatchesDirectConvolution(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	const batch, height, width, in, out = 3, 5, 4, 2, 6
	xs := randomFloats(rng, batch*height*width*in)
	x := tensors.FromFlatDataAndDimensions(xs, batch, height, width, in)
	ctx := context.New()
	exec := context.MustNewExec(testBackend(t), ctx, func(ctx *context.Context, x *Node) *Node {
		return conv3x3(ctx.In("conv1"), x, out)
	})
	got := tensors.MustCopyFlatData[float32](exec.MustExec(x)[0])
	kernel := tensors.MustCopyFlatData[float32](ctx.GetVariableByScopeAndName("/conv1/conv", "weights").MustValue())
	bias := tensors.MustCopyFlatData[float32](ctx.GetVariableByScopeAndName("/conv1/conv", "biases").MustValue())

	for b := range batch {
		for r := range height {
			for c := range width {
				for o := range out {
					want := float64(bias[o])
					for dr := -1; dr <= 1; dr++ {
						for dc := -1; dc <= 1; dc++ {
							rr, cc := r+dr, c+dc
							if rr < 0 || rr >= height || cc < 0 || cc >= width {
								continue
							}
							for i := range in {
								xv := float64(xs[((b*height+rr)*width+cc)*in+i])
								wv := float64(kernel[(((dr+1)*3+dc+1)*in+i)*out+o])
								want += xv * wv
							}
						}
					}
					index := ((b*height+r)*width+c)*out + o
					if math.Abs(float64(got[index])-want) > 1e-5 {
						t.Fatalf("conv3x3 at batch %d, row %d, column %d, channel %d = %g, want %g", b, r, c, o, got[index], want)
					}
				}
			}
		}
	}
}

// TestConvGradientFiniteDifferences checks the input and kernel gradients of conv3x3.
func TestConvGradientFiniteDifferences(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	const batch, height, width, in, out = 2, 4, 3, 2, 3
	xs := make([]float64, batch*height*width*in)
	for i := range xs {
		xs[i] = rng.NormFloat64()
	}
	ws := make([]float64, 9*in*out)
	for i := range ws {
		ws[i] = rng.NormFloat64()
	}
	weights := make([]float64, batch*height*width*out) // Random weights of the summed output.
	for i := range weights {
		weights[i] = rng.NormFloat64()
	}

	backend := testBackend(t)
	loss := func(x, kernel *Node) *Node {
		y := convWithKernel(x, kernel)
		w := Const(x.Graph(), tensors.FromFlatDataAndDimensions(weights, batch, height, width, out))
		return ReduceAllSum(Mul(y, w))
	}
	exec := MustNewExec(backend, func(x, kernel *Node) []*Node {
		l := loss(x, kernel)
		return append([]*Node{l}, Gradient(l, x, kernel)...)
	})
	value := func() float64 {
		out := exec.MustExec(tensors.FromFlatDataAndDimensions(xs, batch, height, width, in),
			tensors.FromFlatDataAndDimensions(ws, 3, 3, in, out))
		return tensors.ToScalar[float64](out[0])
	}
	res := exec.MustExec(tensors.FromFlatDataAndDimensions(xs, batch, height, width, in),
		tensors.FromFlatDataAndDimensions(ws, 3, 3, in, out))
	gradX, gradW := tensors.MustCopyFlatData[float64](res[1]), tensors.MustCopyFlatData[float64](res[2])

	check := func(name string, values, grad []float64) {
		const h = 1e-6
		for i := range values {
			orig := values[i]
			values[i] = orig + h
			plus := value()
			values[i] = orig - h
			minus := value()
			values[i] = orig
			want := (plus - minus) / (2 * h)
			if math.Abs(grad[i]-want) > 1e-6*(1+math.Abs(want)) {
				t.Errorf("∂/∂%s[%d] = %g, finite difference %g", name, i, grad[i], want)
			}
		}
	}
	check("x", xs, gradX)
	check("kernel", ws, gradW)
}

// convWithKernel is conv3x3 without variables or bias, for gradient checks.
func convWithKernel(x, kernel *Node) *Node {
	return Convolve(x, kernel).Strides(1).PadSame().Done()
}

func TestMaxPoolMatchesDirectMaximum(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	const batch, height, width, channels = 2, 6, 4, 3
	xs := randomFloats(rng, batch*height*width*channels)
	x := tensors.FromFlatDataAndDimensions(xs, batch, height, width, channels)
	exec := MustNewExec(testBackend(t), maxPool2)
	got := tensors.MustCopyFlatData[float32](exec.MustExec(x)[0])
	if len(got) != batch*height*width*channels/4 {
		t.Fatalf("maxPool2 gave %d values, want %d", len(got), batch*height*width*channels/4)
	}
	for b := range batch {
		for r := range height / 2 {
			for c := range width / 2 {
				for ch := range channels {
					want := float32(math.Inf(-1))
					for dr := range 2 {
						for dc := range 2 {
							want = max(want, xs[((b*height+2*r+dr)*width+2*c+dc)*channels+ch])
						}
					}
					index := ((b*height/2+r)*width/2+c)*channels + ch
					if got[index] != want {
						t.Fatalf("maxPool2 at batch %d, row %d, column %d, channel %d = %g, want %g", b, r, c, ch, got[index], want)
					}
				}
			}
		}
	}
}

func TestBatchNorm(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	const batch, height, width, channels = 4, 3, 2, 2
	xs := randomFloats(rng, batch*height*width*channels)
	x := tensors.FromFlatDataAndDimensions(xs, batch, height, width, channels)
	ctx := context.New()
	train := context.MustNewExec(testBackend(t), ctx, func(ctx *context.Context, x *Node) *Node {
		ctx.SetTraining(x.Graph(), true)
		return batchNorm(ctx.In("bn"), x)
	})
	y := tensors.MustCopyFlatData[float32](train.MustExec(x)[0])

	n := batch * height * width
	for c := range channels {
		var mean, variance float64
		for i := range n {
			mean += float64(xs[i*channels+c])
		}
		mean /= float64(n)
		for i := range n {
			d := float64(xs[i*channels+c]) - mean
			variance += d * d
		}
		variance /= float64(n)
		for i := range n {
			want := (float64(xs[i*channels+c]) - mean) / math.Sqrt(variance+BatchNormEpsilon)
			if got := float64(y[i*channels+c]); math.Abs(got-want) > 1e-5 {
				t.Fatalf("channel %d value %d = %g, want %g", c, i, got, want)
			}
		}
		runningMean := tensors.MustCopyFlatData[float32](ctx.GetVariableByScopeAndName("/bn/batch_normalization", "mean").MustValue())
		runningVar := tensors.MustCopyFlatData[float32](ctx.GetVariableByScopeAndName("/bn/batch_normalization", "variance").MustValue())
		if want := BatchNormMomentum * mean; math.Abs(float64(runningMean[c])-want) > 1e-6 {
			t.Errorf("running mean[%d] = %g, want %g", c, runningMean[c], want)
		}
		unbiased := variance * float64(n) / float64(n-1)
		if want := 1 - BatchNormMomentum + BatchNormMomentum*unbiased; math.Abs(float64(runningVar[c])-want) > 1e-6 {
			t.Errorf("running variance[%d] = %g, want %g", c, runningVar[c], want)
		}
	}
}

// TestMaxPoolGradientTies checks that the pool's gradient goes to the first maximum of each
// window, in row-major order, and only there.
func TestMaxPoolGradientTies(t *testing.T) {
	// One image, 4 × 4, one channel: windows with 4-way, 2-way and no ties.
	x := [][][][]float32{{
		{{1}, {1}, {0}, {5}},
		{{1}, {1}, {5}, {2}},
		{{3}, {2}, {-1}, {-1}},
		{{3}, {0}, {-1}, {-4}},
	}}
	want := []float32{
		1, 0, 0, 1,
		0, 0, 0, 0,
		1, 0, 1, 0,
		0, 0, 0, 0,
	}
	exec := MustNewExec(testBackend(t), func(x *Node) *Node {
		return Gradient(ReduceAllSum(maxPool2(x)), x)[0]
	})
	got := tensors.MustCopyFlatData[float32](exec.MustExec(x)[0])
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("gradient %v, want %v", got, want)
		}
	}
}

func TestPlainBackendTrainingRejected(t *testing.T) {
	t.Setenv(backends.ConfigEnvVar, "go")
	plain, err := NewBackend()
	if err != nil {
		t.Fatal(err)
	}
	defer plain.Finalize()
	err = checkTrainable(plain)
	if err == nil {
		t.Fatal("the plain pure-Go backend was accepted for training")
	}
	if !strings.Contains(err.Error(), "unset GOMLX_BACKEND") {
		t.Errorf("error %q does not say how to fix it", err)
	}

	t.Setenv(backends.ConfigEnvVar, "")
	fast, err := NewBackend()
	if err != nil {
		t.Fatal(err)
	}
	defer fast.Finalize()
	if err := checkTrainable(fast); err != nil {
		t.Errorf("the default backend was rejected: %v", err)
	}
}
