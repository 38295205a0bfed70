package analysis

import (
	"encoding/json"
	"math"
	"slices"
	"testing"

	"github.com/topocnn/topocnn/pkg/grid"
)

// mirrorDifference returns the mean absolute difference between the first channel's pixels
// and their mirror images about the vertical axis, over the left half.
func mirrorDifference(img []float32, h, w, c int) float64 {
	var sum float64
	for i := 0; i < h; i++ {
		for j := 0; j < w/2; j++ {
			sum += math.Abs(float64(img[(i*w+j)*c] - img[(i*w+w-1-j)*c]))
		}
	}
	return sum / float64(h*(w/2))
}

func TestSymmetryKnownUnits(t *testing.T) {
	const h, w, c = 16, 16, 1
	units := []func([]float32) float64{
		// Responds to left-right agreement: 1 on a symmetric image.
		func(img []float32) float64 { return 1 - mirrorDifference(img, h, w, c) },
		// Responds to left-right disagreement: 0 on a symmetric image.
		func(img []float32) float64 { return mirrorDifference(img, h, w, c) },
		// Reads only the left half, which a pair shares.
		func(img []float32) float64 {
			var sum float64
			for i := 0; i < h; i++ {
				for j := 0; j < w/2; j++ {
					sum += float64(img[(i*w+j)*c])
				}
			}
			return sum
		},
		func([]float32) float64 { return 0.3 },
		func([]float32) float64 { return 0 },
		// Mean luminance, the same in distribution for both images of a pair.
		func(img []float32) float64 {
			var sum float64
			for _, v := range img {
				sum += float64(v)
			}
			return sum / float64(len(img))
		},
	}
	net := newProbeNet(h, w, c, grid.Grid{Rows: 2, Cols: 3}, units)
	cfg := DefaultSymmetryConfig(true)
	cfg.Seed = 12
	res, err := Symmetry(net, cfg)
	if err != nil {
		t.Fatal(err)
	}

	if res.Pairs != 100 || res.Kind != "pooled" || len(res.Kinds) != 2 || res.Kinds[0].Pairs != 50 {
		t.Fatalf("pooled %q over %d pairs with %d kinds, want pooled over 100 pairs with two kinds of 50", res.Kind, res.Pairs, len(res.Kinds))
	}
	for _, test := range append([]SymmetryTest{res.SymmetryTest}, res.Kinds...) {
		if idx := float64(test.Index[0]); idx <= 0.1 {
			t.Errorf("%s: symmetry-preferring unit has index %g, want clearly positive", test.Kind, idx)
		}
		if idx := float64(test.Index[1]); idx != -1 {
			t.Errorf("%s: asymmetry-preferring unit has index %g, want −1", test.Kind, idx)
		}
		for _, u := range []int{2, 3} {
			if float64(test.Index[u]) != 0 || float64(test.P[u]) != 1 {
				t.Errorf("%s: unit %d, equal on both images of a pair, has index %g and p %g, want 0 and 1", test.Kind, u, test.Index[u], test.P[u])
			}
		}
		if !math.IsNaN(float64(test.Index[4])) {
			t.Errorf("%s: silent unit has index %g, want undefined", test.Kind, test.Index[4])
		}
		if idx := float64(test.Index[5]); math.Abs(idx) > 0.05 {
			t.Errorf("%s: mean-luminance unit has index %g, want near 0", test.Kind, idx)
		}
		want := []bool{true, true, false, false, false}
		if !slices.Equal(test.Significant[:5], want) {
			t.Errorf("%s: significant %v, want %v for the first five units", test.Kind, test.Significant[:5], want)
		}
		count := 0
		for _, s := range test.Significant {
			if s {
				count++
			}
		}
		if test.FractionSignificant != float64(count)/6 {
			t.Errorf("%s: fraction significant %g, want %d/6", test.Kind, test.FractionSignificant, count)
		}
	}

	if _, err := json.Marshal(res); err != nil {
		t.Errorf("the result does not encode as JSON: %v", err)
	}
}

func TestSymmetryIndex(t *testing.T) {
	cases := [][3]float64{{2, 1, 1.0 / 3}, {1, 2, -1.0 / 3}, {1, 0, 1}, {0, 1, -1}, {-1, -3, 0.5}, {1, -1, 1}, {3, 3, 0}}
	for _, c := range cases {
		if got := SymmetryIndex(c[0], c[1]); math.Abs(got-c[2]) > 1e-12 {
			t.Errorf("SymmetryIndex(%g, %g) = %g, want %g", c[0], c[1], got, c[2])
		}
	}
	if got := SymmetryIndex(0, 0); !math.IsNaN(got) {
		t.Errorf("SymmetryIndex(0, 0) = %g, want NaN", got)
	}
}

func TestPairedTTestClosedForm(t *testing.T) {
	// Differences 1 … 5: t = 3/√(2.5/5) = 3√2 with 4 degrees of freedom. Student's t with
	// ν = 4 has the closed-form tail P(T > t) = ½ − (3/8)·(t/√q)·(1 − t²/(12q)), q = 1 + t²/4.
	a := []float64{2, 4, 6, 8, 10}
	b := []float64{1, 2, 3, 4, 5}
	tStat := 3 * math.Sqrt2
	q := 1 + tStat*tStat/4
	want := 2 * (0.5 - 3.0/8*tStat/math.Sqrt(q)*(1-tStat*tStat/(12*q)))
	if got := PairedTTest(a, b); math.Abs(got-want) > 1e-9 {
		t.Errorf("p = %g, want %g", got, want)
	}
	if got := PairedTTest(b, a); math.Abs(got-want) > 1e-9 {
		t.Errorf("swapped samples: p = %g, want %g", got, want)
	}
	if math.Abs(want-0.0132356) > 1e-6 {
		t.Errorf("closed form gives %g, want 0.0132356 (numerical integration of the density)", want)
	}
	if got := PairedTTest([]float64{1, 2, 3}, []float64{1, 2, 3}); got != 1 {
		t.Errorf("identical samples: p = %g, want 1", got)
	}
	if got := PairedTTest([]float64{2, 3, 4}, []float64{1, 2, 3}); got != 0 {
		t.Errorf("a constant non-zero difference: p = %g, want 0", got)
	}
}

func TestBenjaminiHochberg(t *testing.T) {
	cases := []struct {
		p     []float64
		alpha float64
		want  []bool
	}{
		// Sorted 0.005, 0.01, 0.029, 0.039, 0.2 against 0.01, 0.02, 0.03, 0.04, 0.05.
		{[]float64{0.01, 0.039, 0.029, 0.005, 0.2}, 0.05, []bool{true, true, true, true, false}},
		// Step-up: 0.04 misses its threshold 0.033, but 0.045 passes 0.05, which carries every
		// smaller p-value with it.
		{[]float64{0.045, 0.001, 0.04}, 0.05, []bool{true, true, true}},
		// 0.04 fails 0.033 and 0.06 fails 0.05: only the smallest is rejected.
		{[]float64{0.001, 0.04, 0.06}, 0.05, []bool{true, false, false}},
		{[]float64{0.3, 0.5}, 0.05, []bool{false, false}},
		// The example of the R package HDLSSkST's BenHoch documentation.
		{[]float64{0.50, 0.01, 0.001, 0.69, 0.02, 0.05, 0.0025}, 0.05, []bool{false, true, true, false, true, false, true}},
		// NaN is never rejected but counts in m: thresholds 0.025 and 0.05.
		{[]float64{0.03, math.NaN()}, 0.05, []bool{false, false}},
		{[]float64{0.02, math.NaN()}, 0.05, []bool{true, false}},
	}
	for _, c := range cases {
		if got := BenjaminiHochberg(c.p, c.alpha); !slices.Equal(got, c.want) {
			t.Errorf("BenjaminiHochberg(%v, %g) = %v, want %v", c.p, c.alpha, got, c.want)
		}
	}
}

func TestSymmetryRejectsBadConfig(t *testing.T) {
	net := newProbeNet(8, 8, 1, grid.Grid{Rows: 1, Cols: 1}, []func([]float32) float64{func([]float32) float64 { return 1 }})
	cfg := DefaultSymmetryConfig(true)
	cfg.Alpha = 0
	if _, err := Symmetry(net, cfg); err == nil {
		t.Error("α = 0: no error")
	}
	cfg = DefaultSymmetryConfig(true)
	cfg.Textures[1].Pairs = 1
	if _, err := Symmetry(net, cfg); err == nil {
		t.Error("one pair: no error")
	}
	cfg.Textures = nil
	if _, err := Symmetry(net, cfg); err == nil {
		t.Error("no texture sets: no error")
	}
}

func BenchmarkSymmetry(b *testing.B) {
	net, _ := mnistTask(1)
	cfg := DefaultSymmetryConfig(false)
	for b.Loop() {
		if _, err := Symmetry(net, cfg); err != nil {
			b.Fatal(err)
		}
	}
}
