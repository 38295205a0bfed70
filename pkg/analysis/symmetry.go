package analysis

import (
	"cmp"
	"fmt"
	"math"
	"slices"

	"gonum.org/v1/gonum/stat"
	"gonum.org/v1/gonum/stat/distuv"

	"github.com/topocnn/topocnn/pkg/network"
	"github.com/topocnn/topocnn/pkg/stimuli"
)

// SymmetryConfig sets up the mirror-symmetry probe.
type SymmetryConfig struct {
	// Seed seeds the textures. Texture set k uses the seed Seed + k.
	Seed uint64 `json:"seed"`
	// Textures lists the texture sets. The test pools their pairs and also runs on each set.
	Textures []stimuli.TextureConfig `json:"textures"`
	// Alpha is the false discovery rate of the Benjamini–Hochberg procedure over units.
	Alpha float64 `json:"alpha"`
}

// DefaultSymmetryConfig returns random-dot and noise textures (stimuli.DefaultTextureConfig)
// with 100 pairs each in Full and 50 each in quick, tested at a false discovery rate of 0.05.
func DefaultSymmetryConfig(quick bool) SymmetryConfig {
	cfg := SymmetryConfig{Alpha: 0.05}
	for _, kind := range []stimuli.TextureKind{stimuli.RandomDots, stimuli.NoiseTexture} {
		t := stimuli.DefaultTextureConfig(kind)
		if quick {
			t.Pairs = 50
		}
		cfg.Textures = append(cfg.Textures, t)
	}
	return cfg
}

// SymmetryTest is the symmetry sensitivity of every unit over one collection of texture pairs.
type SymmetryTest struct {
	// Kind is the texture kind, or "pooled" for all pairs.
	Kind  string `json:"kind"`
	Pairs int    `json:"pairs"`
	// Index is each unit's symmetry index (r_sym − r_asym)/(|r_sym| + |r_asym|) in [−1, 1],
	// r being the mean pre-ReLU response over the symmetric textures and over their
	// originals. It is null when both means are 0.
	Index []Float `json:"index"`
	// P is each unit's two-sided p-value of the paired t-test of r_sym − r_asym over pairs.
	P []Float `json:"p"`
	// Significant marks the units the Benjamini–Hochberg procedure rejects at Alpha.
	Significant []bool `json:"significant"`
	// FractionSignificant is the fraction of units marked significant.
	FractionSignificant float64 `json:"fraction_significant"`
	// MeanIndex is the mean of the defined indices.
	MeanIndex Float `json:"mean_index"`
}

// SymmetryResult is the symmetry sensitivity of the topographic units.
type SymmetryResult struct {
	Seed     uint64                  `json:"seed"`
	Textures []stimuli.TextureConfig `json:"textures"`
	Alpha    float64                 `json:"alpha"`
	// Test names the statistical procedure.
	Test string `json:"test"`
	SymmetryTest
	// Kinds repeats the test on each texture set alone.
	Kinds []SymmetryTest `json:"kinds"`
}

// symmetryTestName describes the procedure in SymmetryResult.Test.
const symmetryTestName = "paired t-test over texture pairs, two-sided, Benjamini–Hochberg across units"

// Symmetry probes net with mirror-symmetric textures and their unmirrored originals
// (stimuli.MirrorPairs at the network's input size) in one forward pass. For each
// topographic unit it computes the symmetry index from the mean pre-ReLU responses. A paired
// t-test over the pairs (PairedTTest) tests whether symmetric textures change the response,
// and the Benjamini–Hochberg procedure at the false discovery rate cfg.Alpha
// (BenjaminiHochberg) marks the significant units. The pooled result covers every pair,
// Kinds each texture set. It returns an error for an invalid configuration or a failed forward
// pass.
func Symmetry(net network.Network, cfg SymmetryConfig) (*SymmetryResult, error) {
	if !(cfg.Alpha > 0 && cfg.Alpha < 1) {
		return nil, fmt.Errorf("analysis: invalid symmetry false discovery rate %g: use a value in (0, 1) (0.05 by default)", cfg.Alpha)
	}
	if len(cfg.Textures) == 0 {
		return nil, fmt.Errorf("analysis: no symmetry texture sets: list at least one (DefaultSymmetryConfig has random dots and noise)")
	}
	info := net.Info()
	units := info.Units()

	// Generate every pair, then run symmetric images and originals in one forward pass:
	// pair j's symmetric image is image j, its original image pairs + j.
	var symmetric, original []float32
	var kindOf []int
	for k, t := range cfg.Textures {
		if t.Pairs < 2 {
			return nil, fmt.Errorf("analysis: symmetry texture set %d (%s) has %d pairs: use at least 2 for the paired test", k, t.Kind, t.Pairs)
		}
		set, err := stimuli.MirrorPairs(info.Height, info.Width, info.Channels, t, cfg.Seed+uint64(k))
		if err != nil {
			return nil, err
		}
		symmetric = append(symmetric, set.Symmetric.Images...)
		original = append(original, set.Original.Images...)
		for range t.Pairs {
			kindOf = append(kindOf, k)
		}
	}
	pairs := len(kindOf)
	pre, err := probeResponses(net, append(symmetric, original...), 2*pairs)
	if err != nil {
		return nil, fmt.Errorf("analysis: symmetry probe: %w", err)
	}

	res := &SymmetryResult{Seed: cfg.Seed, Textures: cfg.Textures, Alpha: cfg.Alpha, Test: symmetryTestName}
	all := make([]int, pairs)
	for j := range all {
		all[j] = j
	}
	res.SymmetryTest = symmetryTest("pooled", pre, all, pairs, units, cfg.Alpha)
	for k, t := range cfg.Textures {
		var members []int
		for j, kind := range kindOf {
			if kind == k {
				members = append(members, j)
			}
		}
		res.Kinds = append(res.Kinds, symmetryTest(t.Kind.String(), pre, members, pairs, units, cfg.Alpha))
	}
	return res, nil
}

// symmetryTest computes the indices and tests of every unit over the listed pairs. pre contains
// the responses to the symmetric images of all pairs, followed by those to their originals.
func symmetryTest(kind string, pre []float32, members []int, pairs, units int, alpha float64) SymmetryTest {
	test := SymmetryTest{
		Kind: kind, Pairs: len(members),
		Index: make([]Float, units), P: make([]Float, units),
	}
	p := make([]float64, units)
	sym := make([]float64, len(members))
	asym := make([]float64, len(members))
	var indices []float64

	for u := 0; u < units; u++ {
		for k, j := range members {
			sym[k] = float64(pre[j*units+u])
			asym[k] = float64(pre[(pairs+j)*units+u])
		}
		index := SymmetryIndex(stat.Mean(sym, nil), stat.Mean(asym, nil))
		test.Index[u] = Float(index)
		if !math.IsNaN(index) {
			indices = append(indices, index)
		}
		p[u] = PairedTTest(sym, asym)
		test.P[u] = Float(p[u])
	}

	test.Significant = BenjaminiHochberg(p, alpha)
	count := 0
	for _, s := range test.Significant {
		if s {
			count++
		}
	}
	test.FractionSignificant = float64(count) / float64(units)
	test.MeanIndex = Summarize(indices).Mean
	return test
}

// SymmetryIndex returns (rSym − rAsym)/(|rSym| + |rAsym|), in [−1, 1]: positive for a unit that
// responds more to symmetric textures. It is NaN when both responses are 0.
func SymmetryIndex(rSym, rAsym float64) float64 {
	d := math.Abs(rSym) + math.Abs(rAsym)
	if d == 0 {
		return math.NaN()
	}
	return (rSym - rAsym) / d
}

// PairedTTest returns the two-sided p-value of the paired t-test of mean(a − b) = 0:
//
//	t = mean(d) / (s_d/√n),  d = a − b,  p = 2·P(T_{n−1} > |t|),
//
// with s_d the sample SD (denominator n − 1) and T_{n−1} from distuv.StudentsT. When
// every difference is equal, p is 1 if they are 0 and 0 otherwise. It panics if the lengths
// differ or n < 2.
func PairedTTest(a, b []float64) float64 {
	if len(a) != len(b) || len(a) < 2 {
		panic(fmt.Sprintf("analysis: PairedTTest needs two samples of equal length ≥ 2, got %d and %d", len(a), len(b)))
	}
	d := make([]float64, len(a))
	for i := range a {
		d[i] = a[i] - b[i]
	}
	mean, sd := stat.MeanStdDev(d, nil)
	if sd == 0 {
		if mean == 0 {
			return 1
		}
		return 0
	}
	n := float64(len(d))
	t := mean / (sd / math.Sqrt(n))
	return 2 * distuv.StudentsT{Mu: 0, Sigma: 1, Nu: n - 1}.Survival(math.Abs(t))
}

// BenjaminiHochberg returns which of the m p-values the Benjamini–Hochberg step-up procedure
// rejects at false discovery rate alpha (Benjamini & Hochberg 1995, J. R. Stat. Soc. B 57,
// 289–300, doi:10.2307/2346101). With the p-values sorted, p₍₁₎ ≤ … ≤ p₍ₘ₎, it rejects the k
// smallest, k being the largest index with p₍ₖ₎ ≤ k·alpha/m. NaN p-values are never rejected
// but count in m.
func BenjaminiHochberg(p []float64, alpha float64) []bool {
	m := len(p)
	order := make([]int, m)
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(i, j int) int {
		switch {
		case math.IsNaN(p[i]) && math.IsNaN(p[j]):
			return 0
		case math.IsNaN(p[i]):
			return 1
		case math.IsNaN(p[j]):
			return -1
		}
		return cmp.Compare(p[i], p[j])
	})
	k := 0
	for rank, i := range order {
		if p[i] <= float64(rank+1)*alpha/float64(m) {
			k = rank + 1
		}
	}
	reject := make([]bool, m)
	for _, i := range order[:k] {
		reject[i] = true
	}
	return reject
}
