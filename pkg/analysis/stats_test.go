package analysis

import (
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/stat/distuv"
)

func TestSummarizeKnownValues(t *testing.T) {
	s := Summarize([]float64{2, 4, 4, 4, 5, 5, 7, 9})
	sd := math.Sqrt(32.0 / 7)
	if s.N != 8 || s.Mean != 5 || math.Abs(float64(s.SD)-sd) > 1e-12 || math.Abs(float64(s.SEM)-sd/math.Sqrt(8)) > 1e-12 {
		t.Errorf("summary = %+v, want n 8, mean 5, SD %v, SEM %v", s, sd, sd/math.Sqrt(8))
	}
	one := Summarize([]float64{3})
	if one.Mean != 3 || !math.IsNaN(float64(one.SD)) || !math.IsNaN(float64(one.SEM)) {
		t.Errorf("summary of one value = %+v, want mean 3 and NaN SD, SEM", one)
	}
}

// Welch's first example on Wikipedia ("Welch's t-test", Examples): t = −2.46, ν ≈ 25.0,
// p = 0.021. SciPy 1.10 ttest_ind(equal_var=False) gives t = −2.455356398286006 and
// p = 0.021378001462866985.
var (
	welchA = []float64{27.5, 21.0, 19.0, 23.6, 17.0, 17.9, 16.9, 20.1, 21.9, 22.6, 23.1, 19.6, 19.0, 21.7, 21.4}
	welchB = []float64{27.1, 22.0, 20.8, 23.4, 23.4, 23.5, 25.8, 22.0, 24.8, 20.2, 21.9, 22.1, 22.9, 20.5, 24.4}
)

func TestWelchTTestTextbook(t *testing.T) {
	res := WelchTTest(welchA, welchB)
	if math.Abs(float64(res.T)+2.455356398286006) > 1e-9 {
		t.Errorf("t = %v, want −2.4554", res.T)
	}
	if math.Abs(float64(res.DF)-25.0) > 0.05 {
		t.Errorf("df = %v, want about 25.0", res.DF)
	}
	if math.Abs(float64(res.P)-0.021378001462866985) > 1e-6 {
		t.Errorf("p = %v, want 0.021378", res.P)
	}
}

func TestWelchTTestAgreesWithStudentsT(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for trial := 0; trial < 20; trial++ {
		a := make([]float64, 3+trial%5)
		b := make([]float64, 4+trial%7)
		for i := range a {
			a[i] = rng.NormFloat64()
		}
		for i := range b {
			b[i] = 2*rng.NormFloat64() + 0.5
		}
		res := WelchTTest(a, b)
		want := 2 * distuv.StudentsT{Mu: 0, Sigma: 1, Nu: float64(res.DF)}.CDF(-math.Abs(float64(res.T)))
		if math.Abs(float64(res.P)-want) > 1e-12 {
			t.Errorf("trial %d: p = %v, 2·StudentsT.CDF(−|t|) = %v", trial, res.P, want)
		}
	}
}

func TestWelchTTestZeroVariance(t *testing.T) {
	res := WelchTTest([]float64{1, 1}, []float64{2, 2, 2})
	if !math.IsNaN(float64(res.T)) || !math.IsNaN(float64(res.P)) {
		t.Errorf("zero variance: %+v, want NaN", res)
	}
}

func TestMannWhitneyExact(t *testing.T) {
	// Hand counts: C(6, 3) = 20 arrangements. U = 0 occurs once, so p = 2/20. For U = 3 the
	// counts of U = 0 … 3 are 1, 1, 2, 3, so p = 2 · 7/20. SciPy 1.10 mannwhitneyu(method
	// "exact") gives 0.1 and 0.7.
	for _, tc := range []struct {
		a, b []float64
		u, p float64
	}{
		{[]float64{1, 2, 3}, []float64{4, 5, 6}, 0, 0.1},
		{[]float64{1, 3, 5}, []float64{2, 4, 6}, 3, 0.7},
		{[]float64{4, 5, 6}, []float64{1, 2, 3}, 9, 0.1},
	} {
		res := MannWhitneyU(tc.a, tc.b)
		if !res.Exact || res.U != tc.u || math.Abs(float64(res.P)-tc.p) > 1e-12 {
			t.Errorf("a %v, b %v: %+v, want exact U = %v, p = %v", tc.a, tc.b, res, tc.u, tc.p)
		}
	}
}

func TestMannWhitneyTiesNormalApproximation(t *testing.T) {
	// By hand: ranks of a are 1, 3, 3, 5.5, so U = 12.5 − 10 = 2.5; σ² = 16/12 · (9 − 30/56);
	// z = −(5.5 − 0.5)/σ = −1.48835; p = 0.136658 (SciPy 1.10, asymptotic with continuity).
	res := MannWhitneyU([]float64{1, 2, 2, 3}, []float64{2, 3, 4, 5})
	if res.Exact {
		t.Error("tied samples used the exact distribution")
	}
	if res.U != 2.5 {
		t.Errorf("U = %v, want 2.5", res.U)
	}
	sigma := math.Sqrt(16.0 / 12 * (9 - 30.0/56))
	if math.Abs(float64(res.Z)+5/sigma) > 1e-12 {
		t.Errorf("z = %v, want %v", res.Z, -5/sigma)
	}
	if math.Abs(float64(res.P)-0.1366582477381475) > 1e-9 {
		t.Errorf("p = %v, want 0.1366582", res.P)
	}
	if want := 2 * distuv.UnitNormal.CDF(-5/sigma); math.Abs(float64(res.P)-want) > 1e-12 {
		t.Errorf("p = %v, 2·Φ(z) = %v", res.P, want)
	}
}

func TestMannWhitneyLargeSampleApproximation(t *testing.T) {
	// The Welch example data has ties, so the normal approximation is used; SciPy 1.10 gives
	// p = 0.015201303821215302. Two samples of 30 untied values exceed MaxExactMannWhitney.
	res := MannWhitneyU(welchA, welchB)
	if res.Exact || res.U != 53.5 || math.Abs(float64(res.P)-0.015201303821215302) > 1e-9 {
		t.Errorf("Welch data: %+v, want approximate U = 53.5, p = 0.0152013", res)
	}

	a := make([]float64, 30)
	b := make([]float64, 30)
	for i := range a {
		a[i] = float64(2 * i)
		b[i] = float64(2*i + 3)
	}
	res = MannWhitneyU(a, b)
	if res.Exact {
		t.Errorf("n = 60 used the exact distribution")
	}
}

func TestMannWhitneyExactAgreesWithApproximation(t *testing.T) {
	// For moderate samples without ties the exact and continuity-corrected normal p-values
	// differ by little.
	a := []float64{1.1, 2.3, 3.2, 4.8, 5.5, 6.1, 7.7, 8.4, 9.9, 10.2, 11.5, 12.6}
	b := []float64{3.4, 5.9, 7.1, 8.8, 10.9, 12.1, 13.3, 14.2, 15.8, 16.4, 17.7, 18.3}
	res := MannWhitneyU(a, b)
	approx := 2 * distuv.UnitNormal.Survival(math.Abs(float64(res.Z)))
	if !res.Exact || math.Abs(float64(res.P)-approx) > 0.01 {
		t.Errorf("exact p = %v, normal approximation %v", res.P, approx)
	}
}

func TestCohensDKnownValue(t *testing.T) {
	// Means 4 and 3, both variances 4, pooled SD 2.
	if got := CohensD([]float64{2, 4, 6}, []float64{1, 3, 5}); math.Abs(got-0.5) > 1e-12 {
		t.Errorf("d = %v, want 0.5", got)
	}
	// Unequal sizes: pooled variance ((3 − 1)·4 + (2 − 1)·2) / 3 = 10/3.
	got := CohensD([]float64{2, 4, 6}, []float64{0, 2})
	if want := 3 / math.Sqrt(10.0/3); math.Abs(got-want) > 1e-12 {
		t.Errorf("d = %v, want %v", got, want)
	}
}

func TestCompareCollectsAll(t *testing.T) {
	c := Compare(welchA, welchB)
	if c.A.N != 15 || c.B.N != 15 || c.Welch != WelchTTest(welchA, welchB) || float64(c.CohensD) != CohensD(welchA, welchB) {
		t.Errorf("compare = %+v", c)
	}
}
