package analysis

import (
	"fmt"
	"math"

	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/mat"
	"gonum.org/v1/gonum/stat"

	"github.com/topocnn/topocnn/pkg/grid"
)

// VarianceResult is the activation variance of each unit over images.
type VarianceResult struct {
	// Mean is the mean over units of the per-unit variance, in squared activation units.
	Mean Float `json:"mean"`
	// PerUnit is the sample variance (denominator n − 1) of each unit over the images.
	PerUnit []float64 `json:"per_unit"`
}

// ActivationVariance returns the sample variance (n − 1) of each column (unit) of x over its
// rows (images), and the mean over units. Apply it to pre-ReLU activations. It panics if x has
// fewer than 2 rows.
func ActivationVariance(x mat.Matrix) VarianceResult {
	rows, cols := x.Dims()
	if rows < 2 {
		panic(fmt.Sprintf("analysis: ActivationVariance needs at least 2 images, got %d", rows))
	}
	res := VarianceResult{PerUnit: make([]float64, cols)}
	col := make([]float64, rows)
	for u := 0; u < cols; u++ {
		mat.Col(col, u, x)
		res.PerUnit[u] = stat.Variance(col, nil)
	}
	res.Mean = Float(stat.Mean(res.PerUnit, nil))
	return res
}

// EntropyResult is the entropy of the distribution of activity across units, per image.
type EntropyResult struct {
	// Mean, SD and SEM over images of the entropy in bits.
	Mean Float `json:"mean"`
	SD   Float `json:"sd"`
	SEM  Float `json:"sem"`
	// Max is log2(units), the entropy of a uniform response.
	Max float64 `json:"max"`
	// Images is the number of images summarised. Silent counts images on which every unit's
	// activation is 0, for which the entropy is undefined and which are left out.
	Images int `json:"images"`
	Silent int `json:"silent"`
}

// ActivationEntropy returns, for each row (image) of post-ReLU activations a, the Shannon
// entropy in bits H = −Σ_i p_i log2 p_i of p_i = a_i / Σ_j a_j over the units (0 · log 0 = 0),
// summarised over images. A response spread evenly over the units gives log2(units), a single
// active unit gives 0. Rows summing to 0 are counted in Silent and skipped. It panics if a
// contains a negative value.
func ActivationEntropy(a mat.Matrix) EntropyResult {
	rows, cols := a.Dims()
	res := EntropyResult{Max: math.Log2(float64(cols))}
	row := make([]float64, cols)
	var entropies []float64
	for i := 0; i < rows; i++ {
		mat.Row(row, i, a)
		if floats.Min(row) < 0 {
			panic(fmt.Sprintf("analysis: ActivationEntropy got a negative activation in image %d; pass post-ReLU values", i))
		}
		sum := floats.Sum(row)
		if sum == 0 {
			res.Silent++
			continue
		}
		floats.Scale(1/sum, row)
		entropies = append(entropies, stat.Entropy(row)/math.Ln2)
	}
	res.Images = len(entropies)
	s := Summarize(entropies)
	res.Mean, res.SD, res.SEM = s.Mean, s.SD, s.SEM
	return res
}

// ParticipationRatio returns (Σλ)² / Σλ² of the eigenvalues λ, the effective number of
// dimensions over which variance is spread: d for d equal eigenvalues, 1 when one eigenvalue
// carries all variance (Gao et al. 2017, doi:10.1101/214262). Negative eigenvalues, which arise
// only from rounding in a covariance matrix, count as 0. It returns NaN when every eigenvalue
// is 0.
func ParticipationRatio(eigenvalues []float64) float64 {
	var sum, sumSquares float64
	for _, l := range eigenvalues {
		l = math.Max(l, 0)
		sum += l
		sumSquares += l * l
	}
	if sumSquares == 0 {
		return math.NaN()
	}
	return sum * sum / sumSquares
}

// EffectiveDimensionality returns the ParticipationRatio of the eigenvalues of the covariance
// matrix of x, whose rows are observations and columns variables: images × units for
// activations, units × inputs for the fc1 weights. When x has more columns than rows it uses
// the rows × rows Gram matrix of the centred data, which has the same non-zero eigenvalues up
// to the factor 1/(n − 1) that the ratio ignores. It panics if x has fewer than 2 rows or if
// the eigendecomposition fails.
func EffectiveDimensionality(x mat.Matrix) float64 {
	rows, cols := x.Dims()
	if rows < 2 {
		panic(fmt.Sprintf("analysis: EffectiveDimensionality needs at least 2 observations, got %d", rows))
	}

	var sym mat.SymDense
	if cols <= rows {
		stat.CovarianceMatrix(&sym, x, nil)
	} else {
		centred := mat.DenseCopyOf(x)
		col := make([]float64, rows)
		for j := 0; j < cols; j++ {
			mat.Col(col, j, centred)
			m := stat.Mean(col, nil)
			for i := range col {
				col[i] -= m
			}
			centred.SetCol(j, col)
		}
		sym.SymOuterK(1, centred)
	}

	var eig mat.EigenSym
	if !eig.Factorize(&sym, false) {
		panic("analysis: EffectiveDimensionality: eigendecomposition of the covariance matrix failed")
	}
	return ParticipationRatio(eig.Values(nil))
}

// RowNorms is the Euclidean norm of each unit's incoming weight vector.
type RowNorms struct {
	PerUnit []float64 `json:"per_unit"`
	Mean    Float     `json:"mean"`
	SD      Float     `json:"sd"`
	Min     float64   `json:"min"`
	Max     float64   `json:"max"`
	// MoransI is Moran's I (queen, open edges) of the norm map on the grid.
	MoransI Float `json:"morans_i"`
}

// WeightRowNorms returns ‖w_u‖₂ for each row u of w (units × inputs, see TopographicWeights),
// their mean, SD, extremes and the Moran's I of the norm map on g. It panics if w does not have
// g.Size() rows.
func WeightRowNorms(w mat.Matrix, g grid.Grid) RowNorms {
	units, _ := w.Dims()
	if units != g.Size() {
		panic(fmt.Sprintf("analysis: WeightRowNorms got %d rows for a %s grid", units, g))
	}
	norms := make([]float64, units)
	for u := range norms {
		norms[u] = floats.Norm(mat.Row(nil, u, w), 2)
	}
	s := Summarize(norms)
	return RowNorms{
		PerUnit: norms, Mean: s.Mean, SD: s.SD,
		Min: floats.Min(norms), Max: floats.Max(norms),
		MoransI: Float(MoransI(norms, g, grid.Queen)),
	}
}
