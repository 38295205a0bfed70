package analysis

import (
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/mat"
	"gonum.org/v1/gonum/stat/spatial"

	"github.com/topocnn/topocnn/pkg/grid"
)

// gonumMoransI is the reference: gonum's GlobalMoransI with the dense open-edge adjacency.
func gonumMoransI(values []float64, g grid.Grid, n grid.Neighbourhood) float64 {
	adj := g.Adjacency(n, grid.Open)
	w := mat.NewDense(g.Size(), g.Size(), nil)
	for i, row := range adj {
		w.SetRow(i, row)
	}
	i, _, _ := spatial.GlobalMoransI(values, nil, w)
	return i
}

func gradientMap(g grid.Grid) []float64 {
	v := make([]float64, g.Size())
	for k := range v {
		r, c := g.Position(k)
		v[k] = float64(r + c)
	}
	return v
}

func checkerboardMap(g grid.Grid) []float64 {
	v := make([]float64, g.Size())
	for k := range v {
		r, c := g.Position(k)
		v[k] = float64((r + c) % 2)
	}
	return v
}

func TestMoransIGradientNearOne(t *testing.T) {
	// A linear ramp on a small grid has I below 1 because border cells have fewer neighbours;
	// on a larger grid the ramp is smoother per neighbour and I approaches 1.
	for _, tc := range []struct {
		g    grid.Grid
		n    grid.Neighbourhood
		want float64
	}{
		{grid.Grid{Rows: 11, Cols: 11}, grid.Queen, 0.80},
		{grid.Grid{Rows: 11, Cols: 11}, grid.Rook, 0.85},
		{grid.Grid{Rows: 64, Cols: 64}, grid.Queen, 0.95},
		{grid.Grid{Rows: 64, Cols: 64}, grid.Rook, 0.97},
	} {
		got := MoransI(gradientMap(tc.g), tc.g, tc.n)
		if got < tc.want || got > 1 {
			t.Errorf("%s %s gradient: I = %v, want in [%v, 1]", tc.g, tc.n, got, tc.want)
		}
	}
}

func TestMoransICheckerboardRook(t *testing.T) {
	for _, g := range []grid.Grid{{Rows: 10, Cols: 10}, {Rows: 11, Cols: 11}, {Rows: 4, Cols: 7}} {
		got := MoransI(checkerboardMap(g), g, grid.Rook)
		if math.Abs(got+1) > 1e-9 {
			t.Errorf("%s checkerboard, rook: I = %v, want −1", g, got)
		}
	}
}

func TestMoransINoiseExpectation(t *testing.T) {
	g := grid.Grid{Rows: 11, Cols: 11}
	want := -1 / float64(g.Size()-1)
	rng := rand.New(rand.NewPCG(1, 2))
	const draws = 4000
	for _, n := range []grid.Neighbourhood{grid.Queen, grid.Rook} {
		values := make([]float64, draws)
		m := make([]float64, g.Size())
		for d := range values {
			for k := range m {
				m[k] = rng.NormFloat64()
			}
			values[d] = MoransI(m, g, n)
		}
		s := Summarize(values)
		if math.Abs(float64(s.Mean)-want) > 4*float64(s.SEM) {
			t.Errorf("%s noise: mean I = %v ± %v (SEM), want %v", n, s.Mean, s.SEM, want)
		}
	}
}

func TestMoransIMatchesGonum(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for _, g := range []grid.Grid{{Rows: 11, Cols: 11}, {Rows: 16, Cols: 16}, {Rows: 3, Cols: 5}, {Rows: 1, Cols: 6}} {
		for _, n := range []grid.Neighbourhood{grid.Queen, grid.Rook} {
			noise := make([]float64, g.Size())
			for k := range noise {
				noise[k] = rng.NormFloat64()
			}
			for name, values := range map[string][]float64{
				"gradient": gradientMap(g), "checkerboard": checkerboardMap(g), "noise": noise,
			} {
				got, want := MoransI(values, g, n), gonumMoransI(values, g, n)
				if math.Abs(got-want) > 1e-12 {
					t.Errorf("%s %s %s: I = %v, gonum %v", g, n, name, got, want)
				}
			}
		}
	}
}

func TestMoransIPairsCount(t *testing.T) {
	// W is the number of directed pairs: 840 queen and 440 rook pairs on 11 × 11.
	g := grid.Grid{Rows: 11, Cols: 11}
	if got := MoransIImages(mat.NewDense(2, 121, nil), g, grid.Queen).Pairs; got != 840 {
		t.Errorf("queen pairs = %d, want 840", got)
	}
	if got := MoransIImages(mat.NewDense(2, 121, nil), g, grid.Rook).Pairs; got != 440 {
		t.Errorf("rook pairs = %d, want 440", got)
	}
}

func TestMoransIConstantIsNaN(t *testing.T) {
	g := grid.Grid{Rows: 3, Cols: 3}
	if got := MoransI(make([]float64, 9), g, grid.Queen); !math.IsNaN(got) {
		t.Errorf("constant map: I = %v, want NaN", got)
	}
}

func TestMoransIWrongLengthPanics(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error("MoransI with 8 values on a 3x3 grid did not panic")
		}
	}()
	MoransI(make([]float64, 8), grid.Grid{Rows: 3, Cols: 3}, grid.Queen)
}

func TestMoransIImagesSummary(t *testing.T) {
	g := grid.Grid{Rows: 4, Cols: 4}
	rng := rand.New(rand.NewPCG(5, 6))
	x := mat.NewDense(5, g.Size(), nil)
	for i := 0; i < 4; i++ {
		for k := 0; k < g.Size(); k++ {
			x.Set(i, k, rng.NormFloat64())
		}
	}
	// Row 4 stays constant (all zero), so its I is undefined.
	res := MoransIImages(x, g, grid.Queen)

	if res.Images != 4 || res.Undefined != 1 {
		t.Fatalf("images = %d, undefined = %d; want 4 and 1", res.Images, res.Undefined)
	}
	var want []float64
	for i := 0; i < 4; i++ {
		v := gonumMoransI(mat.Row(nil, i, x), g, grid.Queen)
		if math.Abs(res.PerImage[i]-v) > 1e-12 {
			t.Errorf("image %d: I = %v, gonum %v", i, res.PerImage[i], v)
		}
		want = append(want, v)
	}
	if !math.IsNaN(res.PerImage[4]) {
		t.Errorf("constant image: I = %v, want NaN", res.PerImage[4])
	}
	s := Summarize(want)
	if math.Abs(float64(res.Mean-s.Mean)) > 1e-12 || math.Abs(float64(res.SD-s.SD)) > 1e-12 {
		t.Errorf("mean, SD = %v, %v; want %v, %v", res.Mean, res.SD, s.Mean, s.SD)
	}
	if res.ExpectedRandom != -1.0/15 {
		t.Errorf("expected random I = %v, want −1/15", res.ExpectedRandom)
	}
}

func BenchmarkMoransI(b *testing.B) {
	g := grid.Grid{Rows: 11, Cols: 11}
	rng := rand.New(rand.NewPCG(1, 1))
	values := make([]float64, g.Size())
	for k := range values {
		values[k] = rng.NormFloat64()
	}
	for b.Loop() {
		MoransI(values, g, grid.Queen)
	}
}
