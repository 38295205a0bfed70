package analysis

import (
	"math"
	"math/rand/v2"
	"sort"
	"testing"

	"gonum.org/v1/gonum/mat"
	"gonum.org/v1/gonum/stat"

	"github.com/topocnn/topocnn/pkg/grid"
)

// randomActivations returns images × units of standard normal values, with unit constantUnit
// (if ≥ 0) fixed at 0.25.
func randomActivations(rng *rand.Rand, images, units, constantUnit int) *mat.Dense {
	x := mat.NewDense(images, units, nil)
	for i := 0; i < images; i++ {
		shared := rng.NormFloat64()
		for u := 0; u < units; u++ {
			// A shared component gives a spread of positive correlations.
			x.Set(i, u, rng.NormFloat64()+float64(u%3)*shared)
		}
		if constantUnit >= 0 {
			x.Set(i, constantUnit, 0.25)
		}
	}
	return x
}

// smoothActivations lays units on g and makes each unit's response a weighted sum of a few
// latent signals whose weights vary smoothly over the grid, so near units correlate more.
func smoothActivations(rng *rand.Rand, images int, g grid.Grid) *mat.Dense {
	x := mat.NewDense(images, g.Size(), nil)
	for i := 0; i < images; i++ {
		a, b, c := rng.NormFloat64(), rng.NormFloat64(), rng.NormFloat64()
		for u := 0; u < g.Size(); u++ {
			r, col := g.Position(u)
			wr := float64(r) / float64(g.Rows-1)
			wc := float64(col) / float64(g.Cols-1)
			x.Set(i, u, (1-wr)*a+wr*b+wc*c+0.1*rng.NormFloat64())
		}
	}
	return x
}

func TestCorrelationsMatchGonum(t *testing.T) {
	g := grid.Grid{Rows: 3, Cols: 4}
	x := randomActivations(rand.New(rand.NewPCG(1, 2)), 300, g.Size(), 5)
	c := NewCorrelations(x, g)

	if len(c.Constant) != 1 || c.Constant[0] != 5 {
		t.Fatalf("constant units = %v, want [5]", c.Constant)
	}
	if want := 11 * 10 / 2; c.Pairs() != want {
		t.Errorf("pairs = %d, want %d", c.Pairs(), want)
	}

	var ref mat.SymDense
	stat.CorrelationMatrix(&ref, x, nil)
	k := 0
	for p := 0; p < g.Size(); p++ {
		for q := 0; q < g.Size(); q++ {
			got := c.R.At(p, q)
			if p == 5 || q == 5 {
				if !math.IsNaN(got) {
					t.Errorf("r(%d, %d) with the constant unit = %v, want NaN", p, q, got)
				}
				continue
			}
			if math.Abs(got-ref.At(p, q)) > 1e-12 {
				t.Errorf("r(%d, %d) = %v, gonum CorrelationMatrix %v", p, q, got, ref.At(p, q))
			}
			if q > p {
				pair := stat.Correlation(mat.Col(nil, p, x), mat.Col(nil, q, x), nil)
				if math.Abs(c.Values()[k]-pair) > 1e-12 {
					t.Errorf("pair value %d (%d, %d) = %v, stat.Correlation %v", k, p, q, c.Values()[k], pair)
				}
				k++
			}
		}
	}
}

func TestCorrelationsHistogramMatchesGonum(t *testing.T) {
	g := grid.Grid{Rows: 5, Cols: 5}
	c := NewCorrelations(randomActivations(rand.New(rand.NewPCG(3, 4)), 200, g.Size(), -1), g)
	h := c.Histogram(20)

	sorted := append([]float64(nil), c.Values()...)
	sort.Float64s(sorted)
	dividers := append([]float64(nil), h.Edges...)
	dividers[len(dividers)-1] = math.Nextafter(1, 2) // gonum's last bin excludes its upper edge
	want := stat.Histogram(nil, dividers, sorted, nil)

	total := 0
	for i, n := range h.Counts {
		total += n
		if float64(n) != want[i] {
			t.Errorf("bin %d [%v, %v): count %d, gonum %v", i, h.Edges[i], h.Edges[i+1], n, want[i])
		}
	}
	if total != c.Pairs() {
		t.Errorf("histogram total = %d, want %d pairs", total, c.Pairs())
	}
}

// sarleByHand computes the coefficient from central moments, independently of gonum:
// G1 = √(n(n−1))/(n−2) · m3/m2^1.5 and G2 = (n−1)/((n−2)(n−3)) · ((n+1) m4/m2² − 3(n−1)).
func sarleByHand(x []float64) float64 {
	n := float64(len(x))
	var mean float64
	for _, v := range x {
		mean += v
	}
	mean /= n
	var m2, m3, m4 float64
	for _, v := range x {
		d := v - mean
		m2 += d * d
		m3 += d * d * d
		m4 += d * d * d * d
	}
	m2, m3, m4 = m2/n, m3/n, m4/n
	g := math.Sqrt(n*(n-1)) / (n - 2) * m3 / math.Pow(m2, 1.5)
	k := (n - 1) / ((n - 2) * (n - 3)) * ((n+1)*m4/(m2*m2) - 3*(n-1))
	return (g*g + 1) / (k + 3*(n-1)*(n-1)/((n-2)*(n-3)))
}

func TestSarleBimodality(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	normal := make([]float64, 5000)
	bimodal := make([]float64, 5000)
	for i := range normal {
		normal[i] = rng.NormFloat64()
		bimodal[i] = 0.5*rng.NormFloat64() + float64(2*(i%2)-1)*3
	}

	bn, bb := SarleBimodality(normal), SarleBimodality(bimodal)
	if bn >= UniformBimodality || math.Abs(bn-1.0/3) > 0.03 {
		t.Errorf("normal sample: b = %v, want about 1/3 and below 5/9", bn)
	}
	if bb <= UniformBimodality {
		t.Errorf("bimodal sample: b = %v, want above 5/9", bb)
	}
	for name, x := range map[string][]float64{"normal": normal, "bimodal": bimodal, "small": {1, 2, 4, 8, 9}} {
		if got, want := SarleBimodality(x), sarleByHand(x); math.Abs(got-want) > 1e-9 {
			t.Errorf("%s: b = %v, from moments by hand %v", name, got, want)
		}
	}
}

func TestDistanceProfileBruteForce(t *testing.T) {
	g := grid.Grid{Rows: 6, Cols: 6}
	x := smoothActivations(rand.New(rand.NewPCG(7, 8)), 400, g)
	c := NewCorrelations(x, g)
	profile := c.DistanceProfile(1)

	if want := int(math.Hypot(5, 5)) + 1; len(profile) != want {
		t.Fatalf("profile has %d bins, want %d", len(profile), want)
	}
	bins := make([][]float64, len(profile))
	for p := 0; p < g.Size(); p++ {
		for q := p + 1; q < g.Size(); q++ {
			d := g.Distance(p, q)
			bins[int(d)] = append(bins[int(d)], stat.Correlation(mat.Col(nil, p, x), mat.Col(nil, q, x), nil))
		}
	}
	for k, bin := range profile {
		if bin.Pairs != len(bins[k]) {
			t.Errorf("bin %d: %d pairs, want %d", k, bin.Pairs, len(bins[k]))
			continue
		}
		if len(bins[k]) == 0 {
			continue
		}
		if want := stat.Mean(bins[k], nil); math.Abs(float64(bin.MeanR)-want) > 1e-12 {
			t.Errorf("bin %d: mean r = %v, want %v", k, bin.MeanR, want)
		}
	}
	// Near units of the smooth map correlate more than distant ones.
	if profile[1].MeanR <= profile[len(profile)-1].MeanR {
		t.Errorf("mean r at distance 1 (%v) is not above the farthest bin (%v)", profile[1].MeanR, profile[len(profile)-1].MeanR)
	}
}

func TestLocalisationKnownPairs(t *testing.T) {
	// On a 1 × 4 grid units 0 and 1 carry the same signal (r = 1, distance 1) and units 2
	// and 3 are independent noise, so above τ = 0.8 only the pair (0, 1) remains.
	g := grid.Grid{Rows: 1, Cols: 4}
	rng := rand.New(rand.NewPCG(9, 10))
	x := mat.NewDense(2000, 4, nil)
	for i := 0; i < 2000; i++ {
		s := rng.NormFloat64()
		x.SetRow(i, []float64{s, 2*s + 1, rng.NormFloat64(), rng.NormFloat64()})
	}
	loc := NewCorrelations(x, g).Localisation([]float64{0.8, 0.999, 1.5})

	if want := g.MeanDistance(); loc.Baseline != want {
		t.Errorf("baseline = %v, want grid.MeanDistance %v", loc.Baseline, want)
	}
	if l := loc.Levels[0]; l.Pairs != 1 || l.MeanDistance != 1 || math.Abs(float64(l.Ratio)-1/loc.Baseline) > 1e-12 {
		t.Errorf("τ = 0.8: %+v, want 1 pair at distance 1", l)
	}
	if l := loc.Levels[1]; l.Pairs != 1 {
		t.Errorf("τ = 0.999: %d pairs, want 1", l.Pairs)
	}
	if l := loc.Levels[2]; l.Pairs != 0 || !math.IsNaN(float64(l.MeanDistance)) {
		t.Errorf("τ = 1.5: %+v, want no pairs and NaN distance", l)
	}
}

func TestLocalisationSmoothMapBelowBaseline(t *testing.T) {
	g := grid.Grid{Rows: 11, Cols: 11}
	c := NewCorrelations(smoothActivations(rand.New(rand.NewPCG(11, 12)), 500, g), g)
	loc := c.Localisation(DefaultLocalisationThresholds)
	if math.Abs(loc.Baseline-5.76) > 0.005 {
		t.Errorf("11x11 baseline = %v, want 5.76", loc.Baseline)
	}
	last := loc.Levels[len(loc.Levels)-1]
	if last.Pairs == 0 || last.Ratio >= 1 {
		t.Errorf("τ = %v on a smooth map: %+v, want pairs closer than the baseline", last.Threshold, last)
	}
}

func BenchmarkCorrelations(b *testing.B) {
	g := grid.Grid{Rows: 11, Cols: 11}
	x := randomActivations(rand.New(rand.NewPCG(1, 1)), 10000, g.Size(), -1)
	for b.Loop() {
		NewCorrelations(x, g)
	}
}
