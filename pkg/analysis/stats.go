package analysis

import (
	"fmt"
	"math"
	"sort"

	"gonum.org/v1/gonum/stat"
	"gonum.org/v1/gonum/stat/distuv"
)

// Summary is the mean, standard deviation and standard error of a sample.
type Summary struct {
	N    int   `json:"n"`
	Mean Float `json:"mean"`
	// SD is the sample standard deviation with denominator n − 1 (NaN for n < 2).
	SD Float `json:"sd"`
	// SEM is SD / √n (NaN for n < 2).
	SEM Float `json:"sem"`
}

// Summarize returns the mean, sample SD (n − 1) and SEM = SD/√n of x. The mean is NaN for an
// empty x, SD and SEM are NaN for n < 2.
func Summarize(x []float64) Summary {
	s := Summary{N: len(x), Mean: Float(math.NaN()), SD: Float(math.NaN()), SEM: Float(math.NaN())}
	if len(x) == 0 {
		return s
	}
	s.Mean = Float(stat.Mean(x, nil))
	if len(x) < 2 {
		return s
	}
	sd := stat.StdDev(x, nil)
	s.SD = Float(sd)
	s.SEM = Float(sd / math.Sqrt(float64(len(x))))
	return s
}

// TTest is the result of a two-sample t-test.
type TTest struct {
	// T is the t statistic of mean(a) − mean(b).
	T Float `json:"t"`
	// DF is the Welch–Satterthwaite degrees of freedom.
	DF Float `json:"df"`
	// P is the two-sided p-value.
	P Float `json:"p"`
}

// WelchTTest compares the means of a and b without assuming equal variances (Welch 1947,
// doi:10.2307/2332510):
//
//	t = (m_a − m_b) / √(s_a²/n_a + s_b²/n_b),
//	ν = (s_a²/n_a + s_b²/n_b)² / ((s_a²/n_a)²/(n_a − 1) + (s_b²/n_b)²/(n_b − 1)),
//
// with sample variances s² (denominator n − 1), and the two-sided p = 2·P(T_ν > |t|) from
// distuv.StudentsT. When both samples have zero variance, T, DF and P are NaN. It panics if
// either sample has fewer than 2 values.
func WelchTTest(a, b []float64) TTest {
	if len(a) < 2 || len(b) < 2 {
		panic(fmt.Sprintf("analysis: WelchTTest needs at least 2 values per sample, got %d and %d", len(a), len(b)))
	}
	ma, va := stat.MeanVariance(a, nil)
	mb, vb := stat.MeanVariance(b, nil)
	na, nb := float64(len(a)), float64(len(b))

	sa, sb := va/na, vb/nb
	se := math.Sqrt(sa + sb)
	if se == 0 {
		nan := Float(math.NaN())
		return TTest{T: nan, DF: nan, P: nan}
	}
	t := (ma - mb) / se
	df := (sa + sb) * (sa + sb) / (sa*sa/(na-1) + sb*sb/(nb-1))
	dist := distuv.StudentsT{Mu: 0, Sigma: 1, Nu: df}
	p := math.Min(1, 2*dist.Survival(math.Abs(t)))
	return TTest{T: Float(t), DF: Float(df), P: Float(p)}
}

// UTest is the result of a Mann–Whitney U test.
type UTest struct {
	// U is the statistic of the first sample: the number of pairs (a_i, b_j) with a_i > b_j,
	// ties counting one half.
	U float64 `json:"u"`
	// Z is the normal approximation's z score, with tie and continuity corrections (NaN when
	// every value is tied).
	Z Float `json:"z"`
	// P is the two-sided p-value: exact when Exact is true, else from Z.
	P     Float `json:"p"`
	Exact bool  `json:"exact"`
}

// MaxExactMannWhitney is the largest n_a + n_b for which MannWhitneyU computes the exact null
// distribution of U (when there are no ties).
const MaxExactMannWhitney = 40

// MannWhitneyU tests whether values of a tend to be larger or smaller than values of b
// (Mann & Whitney 1947, doi:10.1214/aoms/1177730491). With average ranks R over the pooled
// sample, U = R_a − n_a(n_a + 1)/2. Without ties and with n_a + n_b ≤ MaxExactMannWhitney the
// two-sided p-value is exact, 2·min(P(U' ≤ U), P(U' ≥ U)) capped at 1, from the permutation
// distribution of U. Otherwise it uses the normal approximation
//
//	z = (|U − n_a n_b / 2| − 1/2) / σ,
//	σ² = n_a n_b / 12 · ((n + 1) − Σ(t³ − t) / (n(n − 1))),
//
// with n = n_a + n_b, t the size of each group of tied values and the 1/2 a continuity
// correction. z carries the sign of U − n_a n_b / 2. It panics if either sample is empty.
func MannWhitneyU(a, b []float64) UTest {
	if len(a) == 0 || len(b) == 0 {
		panic(fmt.Sprintf("analysis: MannWhitneyU needs non-empty samples, got %d and %d values", len(a), len(b)))
	}
	na, nb := len(a), len(b)
	n := na + nb

	type item struct {
		v     float64
		first bool
	}
	pooled := make([]item, 0, n)
	for _, v := range a {
		pooled = append(pooled, item{v, true})
	}
	for _, v := range b {
		pooled = append(pooled, item{v, false})
	}
	sort.Slice(pooled, func(i, j int) bool { return pooled[i].v < pooled[j].v })

	// Average ranks over groups of ties, and the tie term Σ(t³ − t).
	var rankSumA, tieTerm float64
	for i := 0; i < n; {
		j := i
		for j < n && pooled[j].v == pooled[i].v {
			j++
		}
		rank := float64(i+j+1) / 2 // ranks i+1 … j
		for k := i; k < j; k++ {
			if pooled[k].first {
				rankSumA += rank
			}
		}
		t := float64(j - i)
		tieTerm += t*t*t - t
		i = j
	}

	u := rankSumA - float64(na*(na+1))/2
	mean := float64(na*nb) / 2
	variance := float64(na*nb) / 12 * (float64(n+1) - tieTerm/float64(n*(n-1)))
	res := UTest{U: u, Z: Float(math.NaN()), P: Float(math.NaN())}
	if variance > 0 {
		d := math.Max(math.Abs(u-mean)-0.5, 0)
		z := math.Copysign(d/math.Sqrt(variance), u-mean)
		res.Z = Float(z)
		res.P = Float(math.Min(1, 2*distuv.UnitNormal.Survival(math.Abs(z))))
	} else {
		res.P = 1
	}

	if tieTerm == 0 && n <= MaxExactMannWhitney {
		res.P = Float(exactMannWhitneyP(na, nb, int(u)))
		res.Exact = true
	}
	return res
}

// exactMannWhitneyP returns the two-sided exact p-value of U = u for samples of sizes m and n
// without ties. counts[k][u] is the number of rank arrangements of k values of the first sample
// among the others giving statistic u, built with the recurrence of Mann & Whitney (1947):
// f(m, n, u) = f(m − 1, n, u − n) + f(m, n − 1, u).
func exactMannWhitneyP(m, n, u int) float64 {
	// f[i][j] holds the distribution for sizes (i, j) as a slice over U = 0 … i·j.
	f := make([][][]float64, m+1)
	for i := range f {
		f[i] = make([][]float64, n+1)
		for j := range f[i] {
			dist := make([]float64, i*j+1)
			switch {
			case i == 0 || j == 0:
				dist[0] = 1
			default:
				for v := range dist {
					if v-j >= 0 && v-j < len(f[i-1][j]) {
						dist[v] += f[i-1][j][v-j]
					}
					if v < len(f[i][j-1]) {
						dist[v] += f[i][j-1][v]
					}
				}
			}
			f[i][j] = dist
		}
	}

	dist := f[m][n]
	var total, lower, upper float64
	for v, c := range dist {
		total += c
		if v <= u {
			lower += c
		}
		if v >= u {
			upper += c
		}
	}
	return math.Min(1, 2*math.Min(lower, upper)/total)
}

// CohensD returns the standardised mean difference (m_a − m_b) / s_p with the pooled standard
// deviation s_p = √(((n_a − 1)s_a² + (n_b − 1)s_b²) / (n_a + n_b − 2)) (Cohen 1988, Statistical
// Power Analysis for the Behavioral Sciences, 2nd ed.). It returns NaN when s_p = 0 and panics
// if either sample has fewer than 2 values.
func CohensD(a, b []float64) float64 {
	if len(a) < 2 || len(b) < 2 {
		panic(fmt.Sprintf("analysis: CohensD needs at least 2 values per sample, got %d and %d", len(a), len(b)))
	}
	ma, va := stat.MeanVariance(a, nil)
	mb, vb := stat.MeanVariance(b, nil)
	na, nb := float64(len(a)), float64(len(b))
	pooled := math.Sqrt(((na-1)*va + (nb-1)*vb) / (na + nb - 2))
	if pooled == 0 {
		return math.NaN()
	}
	return (ma - mb) / pooled
}

// Comparison holds the statistics that compare two conditions across runs (one value per run).
type Comparison struct {
	A           Summary `json:"a"`
	B           Summary `json:"b"`
	Welch       TTest   `json:"welch"`
	MannWhitney UTest   `json:"mann_whitney"`
	CohensD     Float   `json:"cohens_d"`
}

// Compare summarises a and b and compares them with WelchTTest, MannWhitneyU and CohensD. It
// panics if either sample has fewer than 2 values.
func Compare(a, b []float64) Comparison {
	return Comparison{
		A:           Summarize(a),
		B:           Summarize(b),
		Welch:       WelchTTest(a, b),
		MannWhitney: MannWhitneyU(a, b),
		CohensD:     Float(CohensD(a, b)),
	}
}
