package analysis

import (
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/mat"
	"gonum.org/v1/gonum/stat"
)

func TestRDMMatchesPearson(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	x := mat.NewDense(6, 9, nil)
	for i := 0; i < 6; i++ {
		for j := 0; j < 9; j++ {
			x.Set(i, j, rng.NormFloat64())
		}
	}
	x.SetRow(4, []float64{2, 2, 2, 2, 2, 2, 2, 2, 2}) // constant pattern
	rdm := RDM(x)

	for i := 0; i < 6; i++ {
		for j := 0; j < 6; j++ {
			got := rdm.At(i, j)
			switch {
			case i == 4 || j == 4:
				if !math.IsNaN(got) {
					t.Errorf("(%d, %d) with a constant row = %v, want NaN", i, j, got)
				}
			case i == j:
				if got != 0 {
					t.Errorf("diagonal (%d, %d) = %v, want 0", i, j, got)
				}
			default:
				want := 1 - stat.Correlation(mat.Row(nil, i, x), mat.Row(nil, j, x), nil)
				if math.Abs(got-want) > 1e-12 {
					t.Errorf("(%d, %d) = %v, want 1 − r = %v", i, j, got, want)
				}
			}
		}
	}
}

func randomRDM(rng *rand.Rand, items int) *mat.SymDense {
	x := mat.NewDense(items, 20, nil)
	for i := 0; i < items; i++ {
		for j := 0; j < 20; j++ {
			x.Set(i, j, rng.NormFloat64())
		}
	}
	return RDM(x)
}

func TestRDMSimilarity(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	a := randomRDM(rng, 15)
	if got := RDMSimilarity(a, a); math.Abs(got-1) > 1e-12 {
		t.Errorf("an RDM with itself: R² = %v, want 1", got)
	}

	// An affine map of the dissimilarities keeps R² = 1.
	scaled := mat.NewSymDense(15, nil)
	for i := 0; i < 15; i++ {
		for j := i; j < 15; j++ {
			scaled.SetSym(i, j, 3*a.At(i, j)+0.5)
		}
	}
	if got := RDMSimilarity(a, scaled); math.Abs(got-1) > 1e-12 {
		t.Errorf("affine copy: R² = %v, want 1", got)
	}

	b := randomRDM(rng, 15)
	var x, y []float64
	for i := 0; i < 15; i++ {
		for j := i + 1; j < 15; j++ {
			x = append(x, a.At(i, j))
			y = append(y, b.At(i, j))
		}
	}
	r := stat.Correlation(x, y, nil)
	if got := RDMSimilarity(a, b); math.Abs(got-r*r) > 1e-12 {
		t.Errorf("independent RDMs: R² = %v, want r² of the upper triangles %v", got, r*r)
	}
}

func TestCompareRDMsWithinAndAcross(t *testing.T) {
	// Runs of condition "a" are noisy copies of one pattern set, runs of "b" of another.
	rng := rand.New(rand.NewPCG(5, 6))
	base := map[string]*mat.Dense{}
	for _, c := range []string{"a", "b"} {
		m := mat.NewDense(12, 30, nil)
		for i := 0; i < 12; i++ {
			for j := 0; j < 30; j++ {
				m.Set(i, j, rng.NormFloat64())
			}
		}
		base[c] = m
	}
	conditions := []string{"a", "a", "a", "b", "b", "b"}
	runs := []string{"a1", "a2", "a3", "b1", "b2", "b3"}
	var rdms []mat.Symmetric
	for _, c := range conditions {
		m := mat.DenseCopyOf(base[c])
		for i := 0; i < 12; i++ {
			for j := 0; j < 30; j++ {
				m.Set(i, j, m.At(i, j)+0.3*rng.NormFloat64())
			}
		}
		rdms = append(rdms, RDM(m))
	}
	res := CompareRDMs(rdms, runs, conditions)

	if res.Within["a"].N != 3 || res.Within["b"].N != 3 || res.Across["a|b"].N != 9 {
		t.Fatalf("pair counts: within a %d, within b %d, across %d; want 3, 3, 9",
			res.Within["a"].N, res.Within["b"].N, res.Across["a|b"].N)
	}
	if res.Within["a"].Mean <= res.Across["a|b"].Mean || res.Within["b"].Mean <= res.Across["a|b"].Mean {
		t.Errorf("within %v, %v not above across %v", res.Within["a"].Mean, res.Within["b"].Mean, res.Across["a|b"].Mean)
	}
	if got, want := float64(res.Similarity[1][4]), RDMSimilarity(rdms[1], rdms[4]); got != want || res.Similarity[4][1] != res.Similarity[1][4] {
		t.Errorf("similarity[1][4] = %v, want %v and symmetric", got, want)
	}
}
