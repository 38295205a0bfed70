package topoloss

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/gomlx/gomlx/backends"
	_ "github.com/gomlx/gomlx/backends/simplego"
	"github.com/gomlx/gomlx/pkg/core/dtypes"
	"github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/core/shapes"
	"github.com/gomlx/gomlx/pkg/core/tensors"
	"github.com/gomlx/gomlx/pkg/ml/context"
	"github.com/topocnn/topocnn/pkg/grid"
	"gonum.org/v1/gonum/stat"
)

var testBackend = func() backends.Backend {
	b, err := backends.NewWithConfig("go")
	if err != nil {
		panic(err)
	}
	return b
}()

// --- Float64 references, written as direct double loops. ---

func refDistance(m Metric, u, v []float64) float64 {
	switch m {
	case Euclidean:
		var s float64
		for i := range u {
			s += (u[i] - v[i]) * (u[i] - v[i])
		}
		return math.Sqrt(s + Epsilon)
	case Cosine:
		return 1 - refCosine(u, v)
	case Correlation:
		return 1 - stat.Correlation(u, v, nil)
	}
	panic("unknown metric")
}

func refCosine(u, v []float64) float64 {
	var dot, uu, vv float64
	for i := range u {
		dot += u[i] * v[i]
		uu += u[i] * u[i]
		vv += v[i] * v[i]
	}
	return dot / math.Sqrt(uu*vv+Epsilon*Epsilon)
}

// refLocal is the mean of d over the directed neighbour pairs of the rows of x.
func refLocal(l Local, x [][]float64) float64 {
	var sum float64
	var count int
	g := l.Grid
	for p := range g.Size() {
		rp, cp := g.Position(p)
		for q := range g.Size() {
			rq, cq := g.Position(q)
			dr, dc := abs(rp-rq), abs(cp-cq)
			if l.Edges == grid.Toroidal {
				dr, dc = min(dr, g.Rows-dr), min(dc, g.Cols-dc)
			}
			neighbour := p != q && dr <= 1 && dc <= 1
			if l.Neighbourhood == grid.Rook {
				neighbour = neighbour && dr+dc == 1
			}
			if neighbour {
				sum += refDistance(l.Metric, x[p], x[q])
				count++
			}
		}
	}
	return sum / float64(count)
}

// refGlobal is the global AS loss of the rows of x, one row per unit.
func refGlobal(g grid.Grid, x [][]float64) float64 {
	var sum float64
	var count int
	for i := range x {
		for j := i + 1; j < len(x); j++ {
			d := refCosine(x[i], x[j]) - 1/(g.UnitSquareDistance(i, j)+1)
			sum += d * d
			count++
		}
	}
	return sum / float64(count)
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}

func randomMatrix(rng *rand.Rand, rows, cols int) [][]float64 {
	m := make([][]float64, rows)
	for i := range m {
		m[i] = make([]float64, cols)
		for j := range m[i] {
			m[i][j] = rng.NormFloat64()
		}
	}
	return m
}

func transpose(m [][]float64) [][]float64 {
	t := make([][]float64, len(m[0]))
	for j := range t {
		t[j] = make([]float64, len(m))
		for i := range m {
			t[j][i] = m[i][j]
		}
	}
	return t
}

func toFloat32(m [][]float64) [][]float32 {
	out := make([][]float32, len(m))
	for i, row := range m {
		out[i] = make([]float32, len(row))
		for j, v := range row {
			out[i][j] = float32(v)
		}
	}
	return out
}

// evalLoss returns loss(x) and its gradient with respect to x.
func evalLoss(t *testing.T, loss func(x *graph.Node) *graph.Node, x any) (float64, []float64) {
	t.Helper()
	exec, err := graph.NewExec(testBackend, func(x *graph.Node) []*graph.Node {
		l := loss(x)
		return []*graph.Node{l, graph.Gradient(l, x)[0]}
	})
	if err != nil {
		t.Fatal(err)
	}
	out, err := exec.Exec(x)
	if err != nil {
		t.Fatal(err)
	}
	if out[0].DType() == dtypes.Float32 {
		grad32 := tensors.MustCopyFlatData[float32](out[1])
		grad := make([]float64, len(grad32))
		for i, v := range grad32 {
			grad[i] = float64(v)
		}
		return float64(tensors.ToScalar[float32](out[0])), grad
	}
	return tensors.ToScalar[float64](out[0]), tensors.MustCopyFlatData[float64](out[1])
}

func relativeError(got, want float64) float64 {
	return math.Abs(got-want) / math.Max(math.Abs(want), 1e-12)
}

var geometries = []struct {
	rows, cols int
	n          grid.Neighbourhood
	e          grid.Edges
}{
	{11, 11, grid.Queen, grid.Open},
	{11, 11, grid.Rook, grid.Open},
	{4, 6, grid.Queen, grid.Toroidal},
	{5, 3, grid.Rook, grid.Toroidal},
}

func TestLocalValuesMatchReference(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 1))
	for _, geo := range geometries {
		for _, metric := range []Metric{Euclidean, Cosine, Correlation} {
			l := Local{Grid: grid.Grid{Rows: geo.rows, Cols: geo.cols}, Neighbourhood: geo.n, Edges: geo.e, Metric: metric}
			units := l.Grid.Size()
			name := fmt.Sprintf("%s-%s-%s-%s", l.Grid, geo.n, geo.e, metric)
			t.Run(name+"/weights-columns", func(t *testing.T) {
				w := randomMatrix(rng, 64, units) // [inputs, units], as layers.Dense stores it.
				want := refLocal(l, transpose(w))
				got, _ := evalLoss(t, func(x *graph.Node) *graph.Node { return l.Weights(x, UnitsInColumns) }, toFloat32(w))
				if e := relativeError(got, want); e > 1e-5 {
					t.Errorf("WS = %.8g, reference %.8g (relative error %.2g)", got, want, e)
				}
			})
			t.Run(name+"/weights-rows", func(t *testing.T) {
				w := randomMatrix(rng, units, 20) // [units, inputs], as nn.Linear stores it.
				want := refLocal(l, w)
				got, _ := evalLoss(t, func(x *graph.Node) *graph.Node { return l.Weights(x, UnitsInRows) }, toFloat32(w))
				if e := relativeError(got, want); e > 1e-5 {
					t.Errorf("WS = %.8g, reference %.8g (relative error %.2g)", got, want, e)
				}
			})
			t.Run(name+"/activations", func(t *testing.T) {
				a := randomMatrix(rng, 64, units) // [batch, units]
				want := refLocal(l, transpose(a))
				got, _ := evalLoss(t, l.Activations, toFloat32(a))
				if e := relativeError(got, want); e > 1e-5 {
					t.Errorf("local AS = %.8g, reference %.8g (relative error %.2g)", got, want, e)
				}
			})
		}
	}
}

func TestActivationsFlattenLeadingAxes(t *testing.T) {
	rng := rand.New(rand.NewPCG(2, 2))
	l := Local{Grid: grid.Grid{Rows: 2, Cols: 3}, Metric: Correlation}
	// [2, 5, 6] activations: 10 samples of 6 units.
	a := make([][][]float64, 2)
	var flat [][]float64
	for i := range a {
		a[i] = randomMatrix(rng, 5, 6)
		flat = append(flat, a[i]...)
	}
	want := refLocal(l, transpose(flat))
	exec := graph.MustNewExec(testBackend, l.Activations)
	got := tensors.ToScalar[float64](exec.MustExec(a)[0])
	if e := relativeError(got, want); e > 1e-12 {
		t.Errorf("local AS of [2, 5, 6] = %.12g, reference over 10 samples %.12g", got, want)
	}
	gotGlobal := tensors.ToScalar[float64](graph.MustExecOnce(testBackend, func(x *graph.Node) *graph.Node {
		return GlobalActivations(l.Grid, x)
	}, a))
	if wantGlobal := refGlobal(l.Grid, transpose(flat)); relativeError(gotGlobal, wantGlobal) > 1e-12 {
		t.Errorf("global AS of [2, 5, 6] = %.12g, reference %.12g", gotGlobal, wantGlobal)
	}
}

func TestGlobalValuesMatchReference(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 3))
	for _, size := range [][2]int{{11, 11}, {16, 16}, {3, 7}, {1, 2}} {
		g := grid.Grid{Rows: size[0], Cols: size[1]}
		t.Run(g.String(), func(t *testing.T) {
			a := randomMatrix(rng, 64, g.Size())
			want := refGlobal(g, transpose(a))
			got, _ := evalLoss(t, func(x *graph.Node) *graph.Node { return GlobalActivations(g, x) }, toFloat32(a))
			if e := relativeError(got, want); e > 1e-5 {
				t.Errorf("global AS = %.8g, reference %.8g (relative error %.2g)", got, want, e)
			}
		})
	}
}

func TestPairCounts(t *testing.T) {
	for _, c := range []struct {
		size string
		n    grid.Neighbourhood
		e    grid.Edges
		want int
	}{
		{"11x11", grid.Queen, grid.Open, 840},
		{"11x11", grid.Rook, grid.Open, 440},
		{"11x11", grid.Queen, grid.Toroidal, 968},
		{"16x16", grid.Queen, grid.Open, 1860},
	} {
		g, err := grid.Parse(c.size)
		if err != nil {
			t.Fatal(err)
		}
		l := Local{Grid: g, Neighbourhood: c.n, Edges: c.e}
		if got := len(l.Pairs()); got != c.want {
			t.Errorf("%s %s %s: %d directed pairs, want %d", c.size, c.n, c.e, got, c.want)
		}
	}
}

// finiteDifference returns the central difference of f at x[i].
func finiteDifference(f func() float64, x *float64) float64 {
	const h = 1e-6
	orig := *x
	*x = orig + h
	plus := f()
	*x = orig - h
	minus := f()
	*x = orig
	return (plus - minus) / (2 * h)
}

func checkGradient(t *testing.T, got []float64, x [][]float64, f func() float64) {
	t.Helper()
	cols := len(x[0])
	for i := range x {
		for j := range x[i] {
			want := finiteDifference(f, &x[i][j])
			if math.Abs(got[i*cols+j]-want) > 1e-6*(1+math.Abs(want)) {
				t.Errorf("gradient[%d][%d] = %.9g, finite difference %.9g", i, j, got[i*cols+j], want)
			}
		}
	}
}

func TestGradientsMatchFiniteDifferences(t *testing.T) {
	rng := rand.New(rand.NewPCG(4, 4))
	g := grid.Grid{Rows: 3, Cols: 4}
	for _, metric := range []Metric{Euclidean, Cosine, Correlation} {
		l := Local{Grid: g, Neighbourhood: grid.Queen, Edges: grid.Open, Metric: metric}
		t.Run(metric.String()+"/weights", func(t *testing.T) {
			w := randomMatrix(rng, 5, g.Size())
			_, grad := evalLoss(t, func(x *graph.Node) *graph.Node { return l.Weights(x, UnitsInColumns) }, w)
			checkGradient(t, grad, w, func() float64 { return refLocal(l, transpose(w)) })
		})
		t.Run(metric.String()+"/activations", func(t *testing.T) {
			a := randomMatrix(rng, 6, g.Size())
			_, grad := evalLoss(t, l.Activations, a)
			checkGradient(t, grad, a, func() float64 { return refLocal(l, transpose(a)) })
		})
	}
	t.Run("global", func(t *testing.T) {
		a := randomMatrix(rng, 6, g.Size())
		_, grad := evalLoss(t, func(x *graph.Node) *graph.Node { return GlobalActivations(g, x) }, a)
		checkGradient(t, grad, a, func() float64 { return refGlobal(g, transpose(a)) })
	})
}

func TestGradientFiniteAtDegenerateVectors(t *testing.T) {
	g := grid.Grid{Rows: 2, Cols: 2}
	identical := [][]float32{{1, 1, 1, 1}, {2, 2, 2, 2}, {-1, -1, -1, -1}} // [inputs, units]: all units equal.
	zero := [][]float32{{0, 0, 0, 0}, {0, 0, 0, 0}}
	cases := []struct {
		name string
		loss func(x *graph.Node) *graph.Node
		x    [][]float32
	}{
		{"euclidean-identical", Local{Grid: g, Metric: Euclidean}.Activations, identical},
		{"cosine-zero", Local{Grid: g, Metric: Cosine}.Activations, zero},
		{"correlation-constant", Local{Grid: g, Metric: Correlation}.Activations, identical},
		{"global-zero", func(x *graph.Node) *graph.Node { return GlobalActivations(g, x) }, zero},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			value, grad := evalLoss(t, c.loss, c.x)
			if math.IsNaN(value) || math.IsInf(value, 0) {
				t.Errorf("loss = %g, want a finite value", value)
			}
			for i, v := range grad {
				if math.IsNaN(v) || math.IsInf(v, 0) {
					t.Fatalf("gradient[%d] = %g, want a finite value", i, v)
				}
			}
		})
	}
	// At identical vectors the Euclidean distance is at its minimum, so the gradient is 0.
	_, grad := evalLoss(t, Local{Grid: g, Metric: Euclidean}.Activations, identical)
	for i, v := range grad {
		if v != 0 {
			t.Errorf("Euclidean gradient[%d] at identical vectors = %g, want 0", i, v)
		}
	}
}

func TestGridThatDoesNotFitIsRejected(t *testing.T) {
	l := Local{Grid: grid.Grid{Rows: 10, Cols: 10}}
	err := l.Check(121)
	if err == nil {
		t.Fatal("Check(121) on a 10x10 grid returned nil")
	}
	if !strings.Contains(err.Error(), "11x11") {
		t.Errorf("error %q does not name the fitting size 11x11", err)
	}

	// Inside a graph the same error surfaces from the execution.
	exec := graph.MustNewExec(testBackend, func(x *graph.Node) *graph.Node { return l.Weights(x, UnitsInColumns) })
	_, err = exec.Exec(tensors.FromShape(shapes.Make(dtypes.Float32, 64, 121)))
	if err == nil {
		t.Fatal("WS on a [64, 121] matrix with a 10x10 grid did not fail")
	}
	if !strings.Contains(err.Error(), "11x11") {
		t.Errorf("graph error %q does not name the fitting size 11x11", err)
	}

	exec = graph.MustNewExec(testBackend, func(x *graph.Node) *graph.Node { return GlobalActivations(l.Grid, x) })
	if _, err = exec.Exec(tensors.FromShape(shapes.Make(dtypes.Float32, 64, 99))); err == nil || !strings.Contains(err.Error(), "9x11") {
		t.Errorf("global AS on 99 units with a 10x10 grid: error %v, want one naming the fitting size 9x11", err)
	}
}

func TestParseMetric(t *testing.T) {
	for _, m := range []Metric{Euclidean, Cosine, Correlation} {
		got, err := ParseMetric(strings.ToUpper(m.String()))
		if err != nil || got != m {
			t.Errorf("ParseMetric(%q) = %v, %v", strings.ToUpper(m.String()), got, err)
		}
	}
	_, err := ParseMetric("manhattan")
	if err == nil || !strings.Contains(err.Error(), "euclidean, cosine, correlation") {
		t.Errorf("ParseMetric(manhattan) error = %v, want the accepted names", err)
	}
}

func TestWeightingFixed(t *testing.T) {
	ctx := context.New()
	exec := context.MustNewExec(testBackend, ctx, func(ctx *context.Context, x *graph.Node) *graph.Node {
		ctx.SetTraining(x.Graph(), true)
		return Weighting{Lambda: 0.3}.Weight(ctx, graph.ReduceAllSum(x), graph.ReduceAllSum(x), x)
	})
	if got := tensors.ToScalar[float32](exec.MustExec([]float32{1, 2})[0]); got != 0.3 {
		t.Errorf("fixed λ = %g, want 0.3", got)
	}
	if ctx.InspectVariable(ctx.Scope(), LambdaVariable) != nil {
		t.Error("a fixed λ created a context variable")
	}
}

func TestWeightingGradientMatched(t *testing.T) {
	// L_task = Σ x², L_topo = 3·Σ x, so ‖∇L_task‖ = 2‖x‖ and ‖∇L_topo‖ = 3√n.
	x := []float64{1, -2, 2}
	const rho, lambda0 = 0.5, 1.0
	taskNorm, topoNorm := 2*3.0, 3*math.Sqrt(3)
	target := rho * taskNorm / (topoNorm + Epsilon)

	ctx := context.New().In("topo")
	w := Weighting{Lambda: lambda0, Rho: rho}
	exec := context.MustNewExec(testBackend, ctx, func(ctx *context.Context, x *graph.Node) *graph.Node {
		ctx.SetTraining(x.Graph(), true)
		task := graph.ReduceAllSum(graph.Square(x))
		topo := graph.MulScalar(graph.ReduceAllSum(x), 3)
		return w.Weight(ctx, task, topo, x)
	})
	want := lambda0
	for step := range 3 {
		want = LambdaSmoothing*want + (1-LambdaSmoothing)*target
		got := tensors.ToScalar[float64](exec.MustExec(x)[0])
		if relativeError(got, want) > 1e-12 {
			t.Errorf("step %d: λ = %.15g, want %.15g", step, got, want)
		}
	}
	v := ctx.InspectVariable("/topo", LambdaVariable)
	if v == nil {
		t.Fatal("gradient matching kept no variable /topo/lambda")
	}
	if got := tensors.ToScalar[float64](v.MustValue()); relativeError(got, want) > 1e-12 {
		t.Errorf("stored λ = %.15g, want %.15g", got, want)
	}

	// An inference graph reads λ without updating it.
	infer := context.MustNewExec(testBackend, ctx.Reuse(), func(ctx *context.Context, x *graph.Node) *graph.Node {
		task := graph.ReduceAllSum(graph.Square(x))
		return w.Weight(ctx, task, task, x)
	})
	if got := tensors.ToScalar[float64](infer.MustExec(x)[0]); relativeError(got, want) > 1e-12 {
		t.Errorf("inference λ = %.15g, want the stored %.15g", got, want)
	}
}

func TestWeightingClamped(t *testing.T) {
	// The topographic gradient is zero, so λ* is huge and λ is clamped to LambdaMax.
	ctx := context.New()
	exec := context.MustNewExec(testBackend, ctx, func(ctx *context.Context, x *graph.Node) *graph.Node {
		ctx.SetTraining(x.Graph(), true)
		task := graph.ReduceAllSum(graph.Square(x))
		topo := graph.ReduceAllSum(graph.StopGradient(x))
		return Weighting{Lambda: 1, Rho: 1}.Weight(ctx, task, topo, x)
	})
	if got := tensors.ToScalar[float32](exec.MustExec([]float32{1, 2})[0]); got != LambdaMax {
		t.Errorf("λ = %g, want the clamp %g", got, float64(LambdaMax))
	}
}

func TestWeightingCheck(t *testing.T) {
	for _, c := range []struct {
		w    Weighting
		fail bool
	}{
		{Weighting{Lambda: 1}, false},
		{Weighting{Lambda: 0, Rho: 0.1}, false},
		{Weighting{Lambda: -1}, true},
		{Weighting{Rho: -0.1}, true},
		{Weighting{Lambda: 2e4, Rho: 1}, true},
	} {
		err := c.w.Check()
		if (err != nil) != c.fail {
			t.Errorf("%+v.Check() = %v, want failure %v", c.w, err, c.fail)
		}
	}
}
