// Package analysis computes the evaluations of a trained topographic network: accuracy,
// topography (Moran's I, inter-unit correlations, functional localisation), unit statistics,
// robustness to input degradation and weight perturbation, stimulus probes, representational
// similarity across runs and the statistics that compare conditions. It works on plain slices,
// gonum types and the network.Network interface, and does not depend on GoMLX.
package analysis

import (
	"fmt"
	"math"
	"sort"
	"sync"

	"gonum.org/v1/gonum/mat"

	"github.com/topocnn/topocnn/pkg/grid"
)

// moranKey identifies a cached neighbour list.
type moranKey struct {
	g grid.Grid
	n grid.Neighbourhood
}

// moranPairs caches grid.Pairs with open edges, because Moran's I is computed per image and the
// pair list of a grid never changes.
var moranPairs sync.Map // moranKey → [][2]int

func openPairs(g grid.Grid, n grid.Neighbourhood) [][2]int {
	key := moranKey{g, n}
	if p, ok := moranPairs.Load(key); ok {
		return p.([][2]int)
	}
	p, _ := moranPairs.LoadOrStore(key, g.Pairs(n, grid.Open))
	return p.([][2]int)
}

// MoransI returns Moran's I of a map of values laid on grid g, row-major:
//
//	I = (N / W) · Σ_i z_i Σ_j w_ij z_j / Σ_i z_i²,  z = x − mean(x),
//
// with binary weights w_ij = 1 for each directed neighbour pair of neighbourhood n, open edges
// (cells outside the grid count as absent, which equals zero-filling z there), N = g.Size() and
// W the number of directed pairs (840 for queen and 440 for rook on 11 × 11). I lies near 1 for
// a smooth map, near −1/(N−1) for spatially independent values and near −1 for a checkerboard
// under rook weights. The value equals gonum's stat/spatial.GlobalMoransI with the weight
// matrix g.Adjacency(n, grid.Open). Source: Moran (1950), doi:10.2307/2332142.
//
// MoransI returns NaN when all values are equal (Σ z² = 0) or the grid has no neighbour pairs.
// It panics if len(values) != g.Size().
func MoransI(values []float64, g grid.Grid, n grid.Neighbourhood) float64 {
	if len(values) != g.Size() {
		panic(fmt.Sprintf("analysis: MoransI got %d values for a %s grid of %d units", len(values), g, g.Size()))
	}
	pairs := openPairs(g, n)
	if len(pairs) == 0 {
		return math.NaN()
	}

	var mean float64
	for _, v := range values {
		mean += v
	}
	mean /= float64(len(values))

	var den float64
	for _, v := range values {
		den += (v - mean) * (v - mean)
	}
	if den == 0 {
		return math.NaN()
	}

	var num float64
	for _, pq := range pairs {
		num += (values[pq[0]] - mean) * (values[pq[1]] - mean)
	}
	return float64(len(values)) / float64(len(pairs)) * num / den
}

// MoranResult summarises Moran's I over the images of a test set.
type MoranResult struct {
	// Neighbourhood is "queen" or "rook", always with open edges.
	Neighbourhood string `json:"neighbourhood"`
	// Pairs is W, the number of directed neighbour pairs.
	Pairs int `json:"pairs"`
	// Images is the number of images with a defined I. Undefined counts images whose map was
	// constant (I is 0/0), which are left out of the summary.
	Images    int `json:"images"`
	Undefined int `json:"undefined"`
	// Mean, SD (n − 1 denominator), SEM and Median of I over the images with a defined I.
	Mean   Float `json:"mean"`
	SD     Float `json:"sd"`
	SEM    Float `json:"sem"`
	Median Float `json:"median"`
	// ExpectedRandom is E[I] = −1/(N − 1) for values without spatial structure.
	ExpectedRandom float64 `json:"expected_random"`
	// PerImage holds I for each image in order (NaN where undefined). It is not written to JSON.
	PerImage []float64 `json:"-"`
}

// MoransIImages computes MoransI for each row of x (images × units, the units laid row-major
// on g) and summarises it. It panics if x does not have g.Size() columns.
func MoransIImages(x mat.Matrix, g grid.Grid, n grid.Neighbourhood) *MoranResult {
	rows, cols := x.Dims()
	if cols != g.Size() {
		panic(fmt.Sprintf("analysis: MoransIImages got %d units for a %s grid", cols, g))
	}
	res := &MoranResult{
		Neighbourhood:  n.String(),
		Pairs:          len(openPairs(g, n)),
		ExpectedRandom: -1 / float64(g.Size()-1),
		PerImage:       make([]float64, rows),
	}

	row := make([]float64, cols)
	var defined []float64
	for i := 0; i < rows; i++ {
		mat.Row(row, i, x)
		v := MoransI(row, g, n)
		res.PerImage[i] = v
		if math.IsNaN(v) {
			res.Undefined++
			continue
		}
		defined = append(defined, v)
	}

	res.Images = len(defined)
	s := Summarize(defined)
	res.Mean, res.SD, res.SEM = s.Mean, s.SD, s.SEM
	res.Median = Float(median(defined))
	return res
}

// median returns the median of x (NaN if x is empty) without changing x.
func median(x []float64) float64 {
	if len(x) == 0 {
		return math.NaN()
	}
	sorted := append([]float64(nil), x...)
	sort.Float64s(sorted)
	m := len(sorted) / 2
	if len(sorted)%2 == 1 {
		return sorted[m]
	}
	return (sorted[m-1] + sorted[m]) / 2
}
