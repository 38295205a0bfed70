package analysis

import (
	"fmt"
	"math"
	"sort"

	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/mat"
	"gonum.org/v1/gonum/stat"
)

// RDM returns the representational dissimilarity matrix of the rows of x: entry (i, j) is
// 1 − Pearson r between row i and row j, so 0 for identical patterns and up to 2 for opposite
// ones (Kriegeskorte et al. 2008, doi:10.3389/neuro.06.004.2008). Rows are the items compared:
// stimuli with their activation patterns over units (images × units), or units with their
// weight vectors (units × inputs). Entries involving a constant row are NaN. It panics if x
// has fewer than 2 columns.
func RDM(x mat.Matrix) *mat.SymDense {
	rows, cols := x.Dims()
	if cols < 2 {
		panic(fmt.Sprintf("analysis: RDM needs patterns of at least 2 values, got %d", cols))
	}

	// Centre and scale each row to unit norm, so the Gram matrix holds the correlations.
	z := mat.NewDense(rows, cols, nil)
	row := make([]float64, cols)
	constant := make([]bool, rows)
	for i := 0; i < rows; i++ {
		mat.Row(row, i, x)
		m := stat.Mean(row, nil)
		floats.AddConst(-m, row)
		norm := floats.Norm(row, 2)
		if norm == 0 || floats.Max(row) == floats.Min(row) {
			constant[i] = true
			continue
		}
		floats.Scale(1/norm, row)
		z.SetRow(i, row)
	}

	var gram mat.SymDense
	gram.SymOuterK(1, z)
	rdm := mat.NewSymDense(rows, nil)
	for i := 0; i < rows; i++ {
		for j := i; j < rows; j++ {
			d := math.NaN()
			switch {
			case constant[i] || constant[j]:
			case i == j:
				d = 0
			default:
				d = 1 - math.Max(-1, math.Min(1, gram.At(i, j)))
			}
			rdm.SetSym(i, j, d)
		}
	}
	return rdm
}

// RDMSimilarity returns the Pearson R² between the upper triangles (without the diagonal) of
// two RDMs of the same items, leaving out entries that are NaN in either. It returns NaN when
// fewer than 2 entries remain or either triangle is constant, and panics if the sizes differ.
func RDMSimilarity(a, b mat.Symmetric) float64 {
	n := a.SymmetricDim()
	if b.SymmetricDim() != n {
		panic(fmt.Sprintf("analysis: RDMSimilarity got RDMs of %d and %d items", n, b.SymmetricDim()))
	}
	var x, y []float64
	for i := 0; i < n; i++ {
		for j := i + 1; j < n; j++ {
			u, v := a.At(i, j), b.At(i, j)
			if math.IsNaN(u) || math.IsNaN(v) {
				continue
			}
			x = append(x, u)
			y = append(y, v)
		}
	}
	if len(x) < 2 {
		return math.NaN()
	}
	r := stat.Correlation(x, y, nil)
	return r * r
}

// RSAResult is the pairwise RDM similarity (R²) of a set of runs, grouped by condition.
type RSAResult struct {
	// Runs names each run, and Conditions gives its condition.
	Runs       []string `json:"runs"`
	Conditions []string `json:"conditions"`
	// Similarity is the runs × runs matrix of R² (1 on the diagonal).
	Similarity [][]Float `json:"similarity"`
	// Within summarises R² over pairs of distinct runs of the same condition, and Across over
	// pairs from two different conditions, keyed "A|B" with A < B.
	Within map[string]Summary `json:"within"`
	Across map[string]Summary `json:"across"`
}

// CompareRDMs computes RDMSimilarity between every pair of RDMs (one per run, all over the same
// items) and summarises it within and across conditions. It panics if the lengths of rdms,
// runs and conditions differ.
func CompareRDMs(rdms []mat.Symmetric, runs, conditions []string) *RSAResult {
	if len(runs) != len(rdms) || len(conditions) != len(rdms) {
		panic(fmt.Sprintf("analysis: CompareRDMs got %d RDMs, %d run names and %d conditions", len(rdms), len(runs), len(conditions)))
	}
	n := len(rdms)
	res := &RSAResult{
		Runs: runs, Conditions: conditions, Similarity: make([][]Float, n),
		Within: map[string]Summary{}, Across: map[string]Summary{},
	}
	for i := range res.Similarity {
		res.Similarity[i] = make([]Float, n)
		res.Similarity[i][i] = 1
	}

	within := map[string][]float64{}
	across := map[string][]float64{}
	for i := 0; i < n; i++ {
		for j := i + 1; j < n; j++ {
			s := RDMSimilarity(rdms[i], rdms[j])
			res.Similarity[i][j], res.Similarity[j][i] = Float(s), Float(s)
			if math.IsNaN(s) {
				continue
			}
			if conditions[i] == conditions[j] {
				within[conditions[i]] = append(within[conditions[i]], s)
				continue
			}
			pair := []string{conditions[i], conditions[j]}
			sort.Strings(pair)
			key := pair[0] + "|" + pair[1]
			across[key] = append(across[key], s)
		}
	}
	for k, v := range within {
		res.Within[k] = Summarize(v)
	}
	for k, v := range across {
		res.Across[k] = Summarize(v)
	}
	return res
}
