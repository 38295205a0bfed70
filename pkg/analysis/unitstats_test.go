package analysis

import (
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/mat"
	"gonum.org/v1/gonum/stat"

	"github.com/topocnn/topocnn/pkg/grid"
	"github.com/topocnn/topocnn/pkg/network"
)

func TestActivationVarianceKnownValues(t *testing.T) {
	x := mat.NewDense(4, 2, []float64{
		1, 5,
		2, 5,
		3, 5,
		4, 5,
	})
	res := ActivationVariance(x)
	if math.Abs(res.PerUnit[0]-5.0/3) > 1e-12 || res.PerUnit[1] != 0 {
		t.Errorf("per-unit variance = %v, want [5/3 0]", res.PerUnit)
	}
	if math.Abs(float64(res.Mean)-5.0/6) > 1e-12 {
		t.Errorf("mean variance = %v, want 5/6", res.Mean)
	}
}

func TestActivationEntropyKnownValues(t *testing.T) {
	x := mat.NewDense(4, 4, []float64{
		3, 3, 3, 3, // uniform: log2(4) = 2 bits
		0, 7, 0, 0, // one unit: 0 bits
		2, 1, 1, 0, // p = (1/2, 1/4, 1/4, 0): 1.5 bits
		0, 0, 0, 0, // silent
	})
	res := ActivationEntropy(x)
	if res.Images != 3 || res.Silent != 1 {
		t.Fatalf("images = %d, silent = %d; want 3 and 1", res.Images, res.Silent)
	}
	if math.Abs(float64(res.Mean)-3.5/3) > 1e-12 {
		t.Errorf("mean entropy = %v, want 3.5/3", res.Mean)
	}
	if res.Max != 2 {
		t.Errorf("max = %v, want 2", res.Max)
	}
}

func TestActivationEntropyUniformIsLog2Units(t *testing.T) {
	x := mat.NewDense(3, 121, nil)
	for i := 0; i < 3; i++ {
		for u := 0; u < 121; u++ {
			x.Set(i, u, float64(i+1))
		}
	}
	res := ActivationEntropy(x)
	if math.Abs(float64(res.Mean)-math.Log2(121)) > 1e-12 || math.Abs(res.Max-6.918863237274595) > 1e-12 {
		t.Errorf("uniform response: mean %v, max %v; want log2(121) = 6.9189", res.Mean, res.Max)
	}
}

func TestActivationEntropyNegativePanics(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error("a negative activation did not panic")
		}
	}()
	ActivationEntropy(mat.NewDense(1, 2, []float64{1, -1}))
}

func TestParticipationRatioIsotropic(t *testing.T) {
	if got := ParticipationRatio([]float64{2, 2, 2, 2, 2}); math.Abs(got-5) > 1e-12 {
		t.Errorf("equal eigenvalues: PR = %v, want 5", got)
	}
	if got := ParticipationRatio([]float64{3, 0, 0, -1e-17}); math.Abs(got-1) > 1e-12 {
		t.Errorf("one eigenvalue: PR = %v, want 1", got)
	}

	// Rows ±e_i have zero mean and covariance 2/(2d − 1) · I, an isotropic covariance.
	for _, d := range []int{3, 7, 20} {
		x := mat.NewDense(2*d, d, nil)
		for i := 0; i < d; i++ {
			x.Set(2*i, i, 1)
			x.Set(2*i+1, i, -1)
		}
		if got := EffectiveDimensionality(x); math.Abs(got-float64(d)) > 1e-9 {
			t.Errorf("isotropic covariance of dimension %d: PR = %v", d, got)
		}
	}
}

// prFromCovariance is the reference: eigenvalues of the full columns × columns covariance.
func prFromCovariance(x mat.Matrix) float64 {
	var cov mat.SymDense
	stat.CovarianceMatrix(&cov, x, nil)
	var eig mat.EigenSym
	eig.Factorize(&cov, false)
	return ParticipationRatio(eig.Values(nil))
}

func TestEffectiveDimensionalityGramEqualsCovariance(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	wide := mat.NewDense(12, 40, nil) // more columns than rows: the Gram route
	for i := 0; i < 12; i++ {
		for j := 0; j < 40; j++ {
			wide.Set(i, j, rng.NormFloat64()*float64(1+j%4))
		}
	}
	if got, want := EffectiveDimensionality(wide), prFromCovariance(wide); math.Abs(got-want) > 1e-9 {
		t.Errorf("wide matrix: PR = %v, from the full covariance %v", got, want)
	}

	// Rank one: every row is a multiple of the same vector.
	rank1 := mat.NewDense(10, 5, nil)
	for i := 0; i < 10; i++ {
		s := rng.NormFloat64()
		rank1.SetRow(i, []float64{s, 2 * s, -s, 0.5 * s, 3 * s})
	}
	if got := EffectiveDimensionality(rank1); math.Abs(got-1) > 1e-9 {
		t.Errorf("rank-one data: PR = %v, want 1", got)
	}
}

func TestTopographicWeightsTransposes(t *testing.T) {
	info := network.Info{Layer: "fc1", GridRows: 1, GridCols: 3}
	params := []network.Parameter{
		{Name: "/conv1/weights", Shape: []int{2, 3}, Layer: "conv1", Values: make([]float32, 6)},
		// [inputs = 2, units = 3]: unit u's weights are column u.
		{Name: "/fc1/dense/weights", Shape: []int{2, 3}, Layer: "fc1", Values: []float32{1, 2, 3, 4, 5, 6}},
		{Name: "/fc1/dense/biases", Shape: []int{3}, Layer: "fc1", Values: []float32{7, 8, 9}},
	}
	w, b, err := TopographicWeights(params, info)
	if err != nil {
		t.Fatal(err)
	}
	want := mat.NewDense(3, 2, []float64{1, 4, 2, 5, 3, 6})
	if !mat.Equal(w, want) {
		t.Errorf("weights = %v, want %v", mat.Formatted(w), mat.Formatted(want))
	}
	if !floats.Equal(b, []float64{7, 8, 9}) {
		t.Errorf("biases = %v, want [7 8 9]", b)
	}

	if _, _, err := TopographicWeights(params[:1], info); err == nil {
		t.Error("no fc1 tensor: no error")
	}
}

func TestWeightRowNorms(t *testing.T) {
	g := grid.Grid{Rows: 2, Cols: 2}
	w := mat.NewDense(4, 2, []float64{3, 4, 0, 1, 1, 1, 0, 0})
	res := WeightRowNorms(w, g)
	want := []float64{5, 1, math.Sqrt2, 0}
	if !floats.EqualApprox(res.PerUnit, want, 1e-12) {
		t.Errorf("norms = %v, want %v", res.PerUnit, want)
	}
	if res.Min != 0 || res.Max != 5 || math.Abs(float64(res.Mean)-stat.Mean(want, nil)) > 1e-12 {
		t.Errorf("summary = %+v", res)
	}
	if got := MoransI(want, g, grid.Queen); float64(res.MoransI) != got {
		t.Errorf("Moran's I of the norms = %v, want %v", res.MoransI, got)
	}
}
