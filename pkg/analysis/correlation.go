package analysis

import (
	"fmt"
	"math"
	"sort"

	"gonum.org/v1/gonum/mat"
	"gonum.org/v1/gonum/stat"

	"github.com/topocnn/topocnn/pkg/grid"
)

// Correlations is the Pearson correlation between every pair of units over a set of images,
// with each pair's distance on the grid. It is computed once and shared by the histogram,
// bimodality, distance-profile and localisation analyses.
type Correlations struct {
	// Grid lays the units out, row-major.
	Grid grid.Grid
	// Images is the number of images the correlations were computed over.
	Images int
	// R is the units × units correlation matrix. Rows and columns of constant units are NaN,
	// and the diagonal of the other units is 1.
	R *mat.SymDense
	// Constant lists the units whose activation is identical on every image, for which r is
	// undefined. Their pairs are left out of every summary.
	Constant []int

	// r and dist hold, for each unordered pair of non-constant units p < q in order, r_pq and
	// the grid distance between p and q in cells.
	r, dist []float64
}

// NewCorrelations computes Pearson's r = cov(x_p, x_q) / (σ_p σ_q) between every pair of
// columns (units) of x, which is images × units with the units laid row-major on g. The values
// equal gonum's stat.CorrelationMatrix (both come from stat.CovarianceMatrix). Units with the
// same value on every image are listed in Constant and get NaN. It panics if x does not have
// g.Size() columns or has fewer than 2 rows.
func NewCorrelations(x mat.Matrix, g grid.Grid) *Correlations {
	rows, units := x.Dims()
	if units != g.Size() {
		panic(fmt.Sprintf("analysis: NewCorrelations got %d units for a %s grid", units, g))
	}
	if rows < 2 {
		panic(fmt.Sprintf("analysis: NewCorrelations needs at least 2 images, got %d", rows))
	}

	constant := make([]bool, units)
	c := &Correlations{Grid: g, Images: rows}
	for u := 0; u < units; u++ {
		constant[u] = isConstantColumn(x, u)
		if constant[u] {
			c.Constant = append(c.Constant, u)
		}
	}

	var cov mat.SymDense
	stat.CovarianceMatrix(&cov, x, nil)
	sd := make([]float64, units)
	for u := range sd {
		sd[u] = math.Sqrt(cov.At(u, u))
	}
	c.R = mat.NewSymDense(units, nil)
	for p := 0; p < units; p++ {
		for q := p; q < units; q++ {
			r := math.NaN()
			switch {
			case constant[p] || constant[q]:
			case p == q:
				r = 1
			default:
				// Rounding can carry |r| a hair past 1.
				r = math.Max(-1, math.Min(1, cov.At(p, q)/(sd[p]*sd[q])))
			}
			c.R.SetSym(p, q, r)
		}
	}

	for p := 0; p < units; p++ {
		for q := p + 1; q < units; q++ {
			if constant[p] || constant[q] {
				continue
			}
			c.r = append(c.r, c.R.At(p, q))
			c.dist = append(c.dist, g.Distance(p, q))
		}
	}
	return c
}

func isConstantColumn(x mat.Matrix, col int) bool {
	rows, _ := x.Dims()
	first := x.At(0, col)
	for i := 1; i < rows; i++ {
		if x.At(i, col) != first {
			return false
		}
	}
	return true
}

// Pairs returns the number of unordered pairs of non-constant units.
func (c *Correlations) Pairs() int { return len(c.r) }

// Values returns r of every unordered pair of non-constant units p < q, in order of p then q.
// The slice is shared: do not modify it.
func (c *Correlations) Values() []float64 { return c.r }

// Histogram is a histogram of values over equal-width bins.
type Histogram struct {
	// Edges are the bin edges, len(Counts) + 1 of them. Bin i is [Edges[i], Edges[i+1]), the
	// last bin also includes its upper edge.
	Edges  []float64 `json:"edges"`
	Counts []int     `json:"counts"`
}

// Histogram counts the pair correlations in bins equal-width bins over [−1, 1]. It panics if
// bins < 1.
func (c *Correlations) Histogram(bins int) Histogram {
	if bins < 1 {
		panic(fmt.Sprintf("analysis: Histogram needs at least one bin, got %d", bins))
	}
	h := Histogram{Edges: make([]float64, bins+1), Counts: make([]int, bins)}
	for i := range h.Edges {
		h.Edges[i] = -1 + 2*float64(i)/float64(bins)
	}
	for _, r := range c.r {
		i := int((r + 1) / 2 * float64(bins))
		h.Counts[min(max(i, 0), bins-1)]++
	}
	return h
}

// Bimodality returns Sarle's bimodality coefficient of the pair correlations (see
// SarleBimodality), or NaN with fewer than 4 pairs.
func (c *Correlations) Bimodality() float64 {
	if len(c.r) < 4 {
		return math.NaN()
	}
	return SarleBimodality(c.r)
}

// UniformBimodality is Sarle's bimodality coefficient of a uniform distribution, 5/9. Values
// above it suggest a bimodal or heavily skewed distribution.
const UniformBimodality = 5.0 / 9

// SarleBimodality returns Sarle's bimodality coefficient with the sample-size correction used
// by SAS:
//
//	b = (g² + 1) / (k + 3(n − 1)² / ((n − 2)(n − 3))),
//
// where g is the sample skewness (stat.Skew) and k the sample excess kurtosis
// (stat.ExKurtosis) of the n values. b is 1/3 for a normal distribution, 5/9 for a uniform one
// and approaches 1 for two well-separated modes (SAS Institute, SAS/STAT 12.1 User's Guide,
// 2012; Freeman & Dale 2013, doi:10.3758/s13428-012-0225-x). It returns NaN when all values are
// equal and panics if n < 4.
func SarleBimodality(x []float64) float64 {
	n := float64(len(x))
	if len(x) < 4 {
		panic(fmt.Sprintf("analysis: SarleBimodality needs at least 4 values, got %d", len(x)))
	}
	g := stat.Skew(x, nil)
	k := stat.ExKurtosis(x, nil)
	return (g*g + 1) / (k + 3*(n-1)*(n-1)/((n-2)*(n-3)))
}

// DistanceBin is the correlation of the unit pairs whose grid distance falls in [Lo, Hi).
type DistanceBin struct {
	Lo    float64 `json:"lo"`
	Hi    float64 `json:"hi"`
	Pairs int     `json:"pairs"`
	MeanR Float   `json:"mean_r"`
	SDR   Float   `json:"sd_r"`
}

// DistanceProfile bins the pairs by grid distance d into [k·width, (k+1)·width), k = 0, 1, …,
// and returns the mean and SD of r in each bin up to the largest distance on the grid, a
// curve of correlation against cortical distance. Empty bins have NaN mean and SD. It panics
// if width ≤ 0.
func (c *Correlations) DistanceProfile(width float64) []DistanceBin {
	if !(width > 0) {
		panic(fmt.Sprintf("analysis: DistanceProfile needs a positive bin width, got %v", width))
	}
	maxDistance := c.Grid.Distance(0, c.Grid.Size()-1)
	bins := int(maxDistance/width) + 1
	values := make([][]float64, bins)
	for i, r := range c.r {
		k := min(int(c.dist[i]/width), bins-1)
		values[k] = append(values[k], r)
	}

	profile := make([]DistanceBin, bins)
	for k, v := range values {
		s := Summarize(v)
		profile[k] = DistanceBin{
			Lo: float64(k) * width, Hi: float64(k+1) * width,
			Pairs: len(v), MeanR: s.Mean, SDR: s.SD,
		}
	}
	return profile
}

// DefaultLocalisationThresholds are the correlation thresholds τ of the localisation analysis.
var DefaultLocalisationThresholds = []float64{0.1, 0.3, 0.5, 0.6, 0.7, 0.8}

// Localisation is the mean grid distance of strongly correlated unit pairs, against chance.
type Localisation struct {
	// Baseline is the mean distance between two distinct units drawn at random
	// (grid.MeanDistance: 5.76 cells on 11 × 11).
	Baseline float64 `json:"baseline"`
	// Levels has one entry per threshold.
	Levels []LocalisationLevel `json:"levels"`
}

// LocalisationLevel is the result at one threshold τ.
type LocalisationLevel struct {
	Threshold float64 `json:"threshold"`
	// Pairs is the number of unordered unit pairs with r ≥ Threshold.
	Pairs int `json:"pairs"`
	// MeanDistance is their mean grid distance in cells (NaN when there are none).
	MeanDistance Float `json:"mean_distance"`
	// Ratio is MeanDistance / Baseline. Below 1, correlated units sit closer than chance.
	Ratio Float `json:"ratio"`
}

// Localisation returns, for each threshold τ, the mean grid distance of the unit pairs with
// r ≥ τ, beside the random baseline grid.MeanDistance. A functionally localised map has
// distances well below the baseline at high τ.
func (c *Correlations) Localisation(thresholds []float64) Localisation {
	thresholds = append([]float64(nil), thresholds...)
	sort.Float64s(thresholds)
	loc := Localisation{Baseline: c.Grid.MeanDistance()}
	for _, tau := range thresholds {
		var sum float64
		var count int
		for i, r := range c.r {
			if r >= tau {
				sum += c.dist[i]
				count++
			}
		}
		mean := math.NaN()
		if count > 0 {
			mean = sum / float64(count)
		}
		loc.Levels = append(loc.Levels, LocalisationLevel{
			Threshold: tau, Pairs: count, MeanDistance: Float(mean), Ratio: Float(mean / loc.Baseline),
		})
	}
	return loc
}
