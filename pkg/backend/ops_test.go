package backend

import (
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/gomlx/gomlx/backends"
	"github.com/gomlx/gomlx/pkg/core/dtypes"
	. "github.com/gomlx/gomlx/pkg/core/graph" //nolint:revive // graph operations read best unqualified
	"github.com/gomlx/gomlx/pkg/core/shapes"
	"github.com/gomlx/gomlx/pkg/core/tensors"
)

// float32 results of the kernels agree with the pure-Go backend to this relative tolerance.
const tol32 = 2e-5

func TestDotGeneralMatchesPlain(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 1))
	cases := []struct {
		name string
		a, b *tensors.Tensor
		dot  func(a, b *Node) *Node
	}{
		{"matmul_odd", randomTensor(rng, 37, 70), randomTensor(rng, 70, 33), func(a, b *Node) *Node { return Dot(a, b) }},
		{"lhs_transposed", randomTensor(rng, 70, 37), randomTensor(rng, 70, 33), func(a, b *Node) *Node {
			return DotGeneral(a, []int{0}, nil, b, []int{0}, nil)
		}},
		{"rhs_transposed", randomTensor(rng, 37, 70), randomTensor(rng, 33, 70), func(a, b *Node) *Node {
			return DotGeneral(a, []int{1}, nil, b, []int{1}, nil)
		}},
		{"batched", randomTensor(rng, 3, 5, 7), randomTensor(rng, 3, 7, 6), func(a, b *Node) *Node {
			return DotGeneral(a, []int{2}, []int{0}, b, []int{1}, []int{0})
		}},
		{"matrix_vector", randomTensor(rng, 9, 50), randomTensor(rng, 50), func(a, b *Node) *Node { return Dot(a, b) }},
		{"long_sum", randomTensor(rng, 9, 5000), randomTensor(rng, 5000, 32), func(a, b *Node) *Node { return Dot(a, b) }},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			// Both backends sum in float32, in different orders: long sums differ more.
			tol := tol32 * max(1, float64(c.a.Shape().Dimensions[c.a.Rank()-1])/100)
			compareWithPlain(t, func(in []*Node) []*Node { return []*Node{c.dot(in[0], in[1])} }, tol, c.a, c.b)
		})
	}
}

// convCase is one ConvGeneral configuration, for an NHWC input and an HWIO kernel unless axes
// is set.
type convCase struct {
	name                       string
	input, kernel              []int
	axes                       *backends.ConvolveAxesConfig
	strides                    []int
	paddings                   [][2]int
	inputDilations, kDilations []int
}

var nhwc = backends.ConvolveAxesConfig{
	InputBatch: 0, InputChannels: 3, InputSpatial: []int{1, 2},
	KernelInputChannels: 2, KernelOutputChannels: 3, KernelSpatial: []int{0, 1},
	OutputBatch: 0, OutputChannels: 3, OutputSpatial: []int{1, 2},
}

func TestConvGeneralMatchesPlain(t *testing.T) {
	rng := rand.New(rand.NewPCG(2, 2))
	nchw := backends.ConvolveAxesConfig{
		InputBatch: 0, InputChannels: 1, InputSpatial: []int{2, 3},
		KernelInputChannels: 1, KernelOutputChannels: 0, KernelSpatial: []int{2, 3},
		OutputBatch: 0, OutputChannels: 1, OutputSpatial: []int{2, 3},
	}
	cases := []convCase{
		{name: "same_padding", input: []int{3, 9, 8, 5}, kernel: []int{3, 3, 5, 7}, strides: []int{1, 1}, paddings: [][2]int{{1, 1}, {1, 1}}},
		{name: "one_channel", input: []int{4, 12, 11, 1}, kernel: []int{3, 3, 1, 32}, strides: []int{1, 1}, paddings: [][2]int{{1, 1}, {1, 1}}},
		{name: "wide_channels", input: []int{2, 9, 7, 40}, kernel: []int{3, 3, 40, 33}, strides: []int{1, 1}, paddings: [][2]int{{1, 1}, {1, 1}}},
		{name: "strides_asymmetric_padding", input: []int{2, 11, 9, 6}, kernel: []int{3, 2, 6, 5}, strides: []int{2, 3}, paddings: [][2]int{{2, 1}, {0, 2}}},
		{name: "kernel_dilation", input: []int{2, 12, 10, 3}, kernel: []int{3, 3, 3, 4}, strides: []int{1, 1}, paddings: [][2]int{{2, 2}, {1, 1}}, kDilations: []int{2, 3}},
		{name: "input_dilation", input: []int{2, 7, 6, 4}, kernel: []int{3, 3, 4, 3}, strides: []int{1, 1}, paddings: [][2]int{{2, 2}, {1, 2}}, inputDilations: []int{2, 3}},
		{name: "nchw", input: []int{2, 5, 8, 7}, kernel: []int{6, 5, 3, 3}, axes: &nchw, strides: []int{1, 1}, paddings: [][2]int{{1, 1}, {1, 1}}},
		{name: "no_padding", input: []int{2, 10, 10, 8}, kernel: []int{5, 5, 8, 16}, strides: []int{1, 1}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			axes := nhwc
			if c.axes != nil {
				axes = *c.axes
			}
			// The pure-Go backend needs explicit dilations.
			inputDilations, kDilations := c.inputDilations, c.kDilations
			if inputDilations == nil {
				inputDilations = []int{1, 1}
			}
			if kDilations == nil {
				kDilations = []int{1, 1}
			}
			fn := func(in []*Node) []*Node {
				return []*Node{ConvGeneral(in[0], in[1], axes, c.strides, c.paddings, inputDilations, kDilations, 1, 1)}
			}
			compareWithPlain(t, fn, tol32, randomTensor(rng, c.input...), randomTensor(rng, c.kernel...))
		})
	}
}

func TestReduceWindowMatchesPlain(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 3))
	x := randomTensor(rng, 3, 11, 10, 5)
	cases := []struct {
		name    string
		op      backends.ReduceOpType
		window  []int
		strides []int
		pad     [][2]int
	}{
		{"max_2x2", backends.ReduceOpMax, []int{1, 2, 2, 1}, []int{1, 2, 2, 1}, nil},
		{"sum_3x3_overlapping_padded", backends.ReduceOpSum, []int{1, 3, 3, 1}, []int{1, 1, 2, 1}, [][2]int{{0, 0}, {1, 1}, {1, 2}, {0, 0}}},
		{"min_over_channels", backends.ReduceOpMin, []int{1, 1, 2, 3}, []int{1, 1, 2, 2}, nil},
		{"max_batch_window", backends.ReduceOpMax, []int{2, 2, 1, 1}, []int{1, 3, 1, 1}, [][2]int{{1, 0}, {0, 0}, {0, 0}, {0, 0}}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			fn := func(in []*Node) []*Node {
				return []*Node{BackendReduceWindow(in[0], c.op, c.window, c.strides, nil, nil, c.pad)}
			}
			compareWithPlain(t, fn, tol32, x)
		})
	}
}

func TestElementwiseFusionMatchesPlain(t *testing.T) {
	rng := rand.New(rand.NewPCG(4, 4))
	x := randomTensor(rng, 4, 33, 17, 16)
	bias := randomTensor(rng, 1, 1, 1, 16)
	rows := randomTensor(rng, 4, 1, 1, 1)
	fn := func(in []*Node) []*Node {
		x, bias, rows := in[0], in[1], in[2]
		y := Add(x, bias)
		relu := Max(y, ZerosLike(y))
		mask := Sign(Sub(relu, y))
		z := Mul(Sub(relu, rows), Sqrt(AddScalar(Abs(x), 1)))
		w := Div(Neg(z), AddScalar(Square(y), 0.5))
		return []*Node{relu, mask, w, Min(w, x), Exp(MulScalar(Tanh(x), 0.5)), Logistic(x)}
	}
	compareWithPlain(t, fn, tol32, x, bias, rows)
}

func TestReduceSumMatchesPlain(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 5))
	x := randomTensor(rng, 16, 20, 9, 32)
	fn := func(in []*Node) []*Node {
		return []*Node{ReduceSum(in[0], 0, 1, 2), ReduceSum(in[0], 3), ReduceMax(in[0], 1, 2), ReduceMin(in[0], 1), ReduceAllSum(in[0])}
	}
	compareWithPlain(t, fn, 1e-4, x)
}

// TestAcceleratedOpsUseKernels checks that the operations this package accelerates are bound
// to its kernels, and that others stay in the pure-Go backend.
func TestAcceleratedOpsUseKernels(t *testing.T) {
	fast, _ := fastAndPlain(t)
	b := fast.Builder("kernels")
	x, _ := b.Parameter("x", tensors.FromFlatDataAndDimensions(make([]float32, 8*16*16*32), 8, 16, 16, 32).Shape(), nil)
	w, _ := b.Parameter("w", tensors.FromFlatDataAndDimensions(make([]float32, 3*3*32*32), 3, 3, 32, 32).Shape(), nil)
	conv, err := b.ConvGeneral(x, w, nhwc, []int{1, 1}, [][2]int{{1, 1}, {1, 1}}, nil, nil, 1, 1)
	if err != nil {
		t.Fatal(err)
	}
	zero, _ := b.Constant([]float32{0})
	relu, _ := b.Max(conv, zero)
	pooled, _ := b.ReduceWindow(relu, backends.ReduceOpMax, []int{1, 2, 2, 1}, []int{1, 2, 2, 1}, nil, nil, nil)
	sum, _ := b.ReduceSum(pooled, 0, 1, 2)
	small, _ := b.Add(sum, sum) // 32 elements: below the fusion threshold
	e, err := b.Compile([]backends.Op{pooled, small}, nil)
	if err != nil {
		t.Fatal(err)
	}
	got := kernelSteps(e.(*Executable))
	for _, want := range []string{"ConvGeneral", "Fused[1]", "ReduceWindow", "ReduceSum"} {
		if !slices.Contains(got, want) {
			t.Errorf("kernel steps %v lack %s", got, want)
		}
	}
	if slices.Contains(got, "Add") {
		t.Errorf("kernel steps %v include the small Add", got)
	}
	if plan := e.(*Executable).describe(); !strings.Contains(plan, "kernel  ConvGeneral") || !strings.Contains(plan, "segment") {
		t.Errorf("plan description lacks the convolution kernel or the segment:\n%s", plan)
	}
}

func TestRowGatherScatterAndBroadcastMatchPlain(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 5))
	table := randomTensor(rng, 121, 64) // below fuseMinSize: the updates decide for ScatterSum
	updates := randomTensor(rng, 840, 64)
	// Units of an 11×11 grid, with repeats. (The pure-Go backend panics on indices out of
	// bounds; the kernels' tests cover them.)
	indices := make([]int32, 840)
	for i := range indices {
		indices[i] = int32(rng.IntN(121))
	}
	idx := tensors.FromFlatDataAndDimensions(indices, 840, 1)
	small := randomTensor(rng, 64, 1, 1, 64)

	fn := func(in []*Node) []*Node {
		gathered := Gather(in[0], in[1])
		scattered := ScatterSum(in[0], in[1], in[2], false, false)
		broadcast := BroadcastToDims(in[3], 64, 7, 7, 64)
		return []*Node{gathered, scattered, broadcast}
	}
	compareWithPlain(t, fn, tol32, table, idx, updates, small)

	// The graph package emits the forms the kernels take.
	fast, _ := fastAndPlain(t)
	b := fast.Builder("rows")
	tableOp, _ := b.Parameter("table", table.Shape(), nil)
	idxOp, _ := b.Parameter("indices", idx.Shape(), nil)
	updatesOp, _ := b.Parameter("updates", updates.Shape(), nil)
	smallOp, _ := b.Parameter("small", small.Shape(), nil)
	gathered, err := b.Gather(tableOp, idxOp, 1, []int{1}, []int{0}, []int{0}, []int{1, 64}, false)
	if err != nil {
		t.Fatal(err)
	}
	scattered, err := b.ScatterSum(tableOp, idxOp, updatesOp, 1, []int{1}, []int{0}, []int{0}, false, false)
	if err != nil {
		t.Fatal(err)
	}
	broadcast, err := b.BroadcastInDim(smallOp, shapes.Make(dtypes.Float32, 64, 7, 7, 64), []int{0, 1, 2, 3})
	if err != nil {
		t.Fatal(err)
	}
	e, err := b.Compile([]backends.Op{gathered, scattered, broadcast}, nil)
	if err != nil {
		t.Fatal(err)
	}
	got := kernelSteps(e.(*Executable))
	for _, want := range []string{"Gather", "ScatterSum", "BroadcastInDim"} {
		if !slices.Contains(got, want) {
			t.Errorf("kernel steps %v lack %s", got, want)
		}
	}
}
