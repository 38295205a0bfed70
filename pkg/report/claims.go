package report

import (
	"fmt"
	"math"

	"gonum.org/v1/gonum/stat"
	"gonum.org/v1/gonum/stat/distuv"

	"github.com/topocnn/topocnn/pkg/analysis"
	"github.com/topocnn/topocnn/pkg/sweep"
)

// Kind is the form of a claim, which decides its test.
type Kind string

const (
	// Greater claims that the condition's metric is larger than the baseline's.
	Greater Kind = "greater"
	// Less claims that the condition's metric is smaller than the baseline's.
	Less Kind = "less"
	// Differs claims a difference in either direction.
	Differs Kind = "differs"
	// Equivalent claims that the two means differ by less than the claim's margin.
	Equivalent Kind = "equivalent"
)

// Verdict is the outcome of a claim's test on a run.
type Verdict string

const (
	Supports     Verdict = "supports"
	Contradicts  Verdict = "contradicts"
	CannotDecide Verdict = "cannot decide"
	// NotTested marks a claim about another dataset or about a condition the sweep lacks.
	NotTested Verdict = "not tested"
)

// Decision rule parameters.
const (
	// Alpha is the significance level of every test. p-values are not corrected for the number
	// of claims.
	Alpha = 0.05
	// MinSeeds is the fewest models per condition for a verdict other than CannotDecide.
	MinSeeds = 3
)

// DecisionRule states the rule that turns a test into a verdict, for the report.
const DecisionRule = "Each claim compares one condition with a baseline across models (one value per seed) with " +
	"Welch's t-test at α = 0.05, two-sided, without correction for the number of claims. A directional claim " +
	"is supported when p < 0.05 and the difference has the claimed sign, contradicted when p < 0.05 and the " +
	"sign is the opposite; otherwise the verdict is \"cannot decide\". A claim of a difference in either " +
	"direction is supported when p < 0.05; otherwise the run cannot decide, since it cannot show that two " +
	"conditions are the same. A claim that accuracy is preserved uses two one-sided tests against a margin: " +
	"it is supported when the 90 % confidence interval of the difference lies inside ±margin, contradicted " +
	"when it lies wholly outside, and \"cannot decide\" otherwise. With fewer than 3 models in either group " +
	"the verdict is \"cannot decide\" too. " +
	"Mann–Whitney U p-values and Cohen's d are shown beside each test."

// Claim is a published finding stated as a test between two conditions.
type Claim struct {
	// ID is a short stable name, for example "ws-smooth".
	ID string `json:"id"`
	// Finding is the published statement, in words.
	Finding string `json:"finding"`
	// Metric is the key of the compared metric (see Metrics).
	Metric string `json:"metric"`
	// Reg is the regulariser of the tested condition; Baseline is "none" (control) or another
	// regulariser at the same λ.
	Reg      string `json:"reg"`
	Baseline string `json:"baseline"`
	Kind     Kind   `json:"kind"`
	// Margin is the equivalence margin of an Equivalent claim, in the metric's units.
	Margin float64 `json:"margin,omitempty"`
	// Dataset restricts the claim to one dataset; empty means any.
	Dataset string `json:"dataset,omitempty"`
}

// AccuracyMargin is the equivalence margin of "accuracy is roughly preserved": 2 percentage
// points of test accuracy. The publication gives no number; this is the toolkit's definition.
const AccuracyMargin = 0.02

// Claims are the published findings of Truong & Hasson (arXiv 2508.00043, v1 and v2 abstracts),
// all relative to control unless stated. The publication gives directions only for the first
// group. For orientation tuning, symmetry sensitivity, eccentricity, expert units, entropy and
// dimensionality it reports a difference, so those claims are two-sided.
var Claims = []Claim{
	{ID: "ws-smooth", Finding: "WS gives smooth topographic maps (higher Moran's I than control)", Metric: MetricMoransI, Reg: "ws", Baseline: "none", Kind: Greater},
	{ID: "ws-neighbours", Finding: "WS gives correlated neighbourhoods (higher correlation of adjacent units than control)", Metric: MetricNeighbourR, Reg: "ws", Baseline: "none", Kind: Greater},
	{ID: "ws-localisation", Finding: "WS gives stronger functional localisation: highly correlated units sit closer together than in control", Metric: MetricLocalisation, Reg: "ws", Baseline: "none", Kind: Less},
	{ID: "ws-variance", Finding: "WS gives higher unit activation variance (input sensitivity) than control", Metric: MetricVariance, Reg: "ws", Baseline: "none", Kind: Greater},
	{ID: "as-bimodal", Finding: "AS gives a bimodal distribution of inter-unit correlations (higher bimodality coefficient than control)", Metric: MetricBimodality, Reg: "as", Baseline: "none", Kind: Greater},
	{ID: "as-not-smooth", Finding: "AS maps lack the spatial smoothness of WS maps (lower Moran's I than WS)", Metric: MetricMoransI, Reg: "as", Baseline: "ws", Kind: Less},
	{ID: "ws-weight-robust", Finding: "WS improves robustness to weight perturbation of all layers", Metric: MetricWeightAll, Reg: "ws", Baseline: "none", Kind: Greater},
	{ID: "as-weight-robust", Finding: "AS improves robustness to weight perturbation of all layers", Metric: MetricWeightAll, Reg: "as", Baseline: "none", Kind: Greater},
	{ID: "ws-weight-robust-fc1", Finding: "WS improves robustness to weight perturbation of fc1", Metric: MetricWeightFC1, Reg: "ws", Baseline: "none", Kind: Greater},
	{ID: "as-weight-robust-fc1", Finding: "AS improves robustness to weight perturbation of fc1", Metric: MetricWeightFC1, Reg: "as", Baseline: "none", Kind: Greater},
	{ID: "ws-noise-mnist", Finding: "WS improves robustness to input noise on MNIST", Metric: MetricNoise, Reg: "ws", Baseline: "none", Kind: Greater, Dataset: "mnist"},
	{ID: "as-noise-cifar10", Finding: "AS improves robustness to input noise on CIFAR-10", Metric: MetricNoise, Reg: "as", Baseline: "none", Kind: Greater, Dataset: "cifar10"},
	{ID: "ws-accuracy", Finding: "WS roughly preserves test accuracy (within 2 percentage points of control)", Metric: MetricAccuracy, Reg: "ws", Baseline: "none", Kind: Equivalent, Margin: AccuracyMargin},
	{ID: "as-accuracy", Finding: "AS roughly preserves test accuracy (within 2 percentage points of control)", Metric: MetricAccuracy, Reg: "as", Baseline: "none", Kind: Equivalent, Margin: AccuracyMargin},
	{ID: "ws-orientation", Finding: "WS changes orientation tuning (mean OSI differs from control)", Metric: MetricOSI, Reg: "ws", Baseline: "none", Kind: Differs},
	{ID: "as-orientation", Finding: "AS changes orientation tuning (mean OSI differs from control)", Metric: MetricOSI, Reg: "as", Baseline: "none", Kind: Differs},
	{ID: "ws-symmetry", Finding: "WS changes symmetry sensitivity (fraction of symmetry-selective units differs from control)", Metric: MetricSymmetry, Reg: "ws", Baseline: "none", Kind: Differs},
	{ID: "as-symmetry", Finding: "AS changes symmetry sensitivity (fraction of symmetry-selective units differs from control)", Metric: MetricSymmetry, Reg: "as", Baseline: "none", Kind: Differs},
	{ID: "ws-eccentricity", Finding: "WS changes the eccentricity profile (slope of response against eccentricity differs from control)", Metric: MetricEccentricity, Reg: "ws", Baseline: "none", Kind: Differs},
	{ID: "as-eccentricity", Finding: "AS changes the eccentricity profile (slope of response against eccentricity differs from control)", Metric: MetricEccentricity, Reg: "as", Baseline: "none", Kind: Differs},
	{ID: "ws-experts", Finding: "WS changes the number of category-selective expert units", Metric: MetricExperts, Reg: "ws", Baseline: "none", Kind: Differs},
	{ID: "as-experts", Finding: "AS changes the number of category-selective expert units", Metric: MetricExperts, Reg: "as", Baseline: "none", Kind: Differs},
	{ID: "ws-entropy", Finding: "WS changes activation entropy", Metric: MetricEntropy, Reg: "ws", Baseline: "none", Kind: Differs},
	{ID: "as-entropy", Finding: "AS changes activation entropy", Metric: MetricEntropy, Reg: "as", Baseline: "none", Kind: Differs},
	{ID: "ws-dimensionality", Finding: "WS changes the effective dimensionality of fc1 activations", Metric: MetricDimensionality, Reg: "ws", Baseline: "none", Kind: Differs},
	{ID: "as-dimensionality", Finding: "AS changes the effective dimensionality of fc1 activations", Metric: MetricDimensionality, Reg: "as", Baseline: "none", Kind: Differs},
}

// ClaimResult is one claim tested at one λ.
type ClaimResult struct {
	Claim
	Lambda float64 `json:"lambda"`
	// Condition and BaselineCondition are the labels of the compared conditions.
	Condition         string `json:"condition"`
	BaselineCondition string `json:"baseline_condition"`
	// Values and BaselineValues are the metric per model in seed order (runs where the metric is
	// undefined are left out).
	Values         []analysis.Float `json:"values"`
	BaselineValues []analysis.Float `json:"baseline_values"`
	Summary        analysis.Summary `json:"summary"`
	BaselineSum    analysis.Summary `json:"baseline_summary"`
	// Difference is mean(condition) − mean(baseline).
	Difference analysis.Float `json:"difference"`
	// Test names the test behind P; CILow and CIHigh bound the 90 % Welch confidence interval of
	// the difference (Equivalent claims only).
	Test         string         `json:"test"`
	P            analysis.Float `json:"p"`
	MannWhitneyP analysis.Float `json:"mann_whitney_p"`
	CohensD      analysis.Float `json:"cohens_d"`
	CILow        analysis.Float `json:"ci_low"`
	CIHigh       analysis.Float `json:"ci_high"`
	Verdict      Verdict        `json:"verdict"`
	// Reason explains in words why the verdict follows from the numbers.
	Reason string `json:"reason"`
}

// EvaluateClaims tests every claim at every λ of the sweep. values holds each condition's metric
// values across models: values[condition key][metric key], in seed order, NaN for undefined.
func EvaluateClaims(p sweep.Protocol, values map[string]map[string][]float64) []ClaimResult {
	var out []ClaimResult
	for _, c := range Claims {
		lambdas := p.Lambdas
		if len(lambdas) == 0 {
			lambdas = []float64{0}
		}
		for _, l := range lambdas {
			out = append(out, evaluateClaim(p, c, l, values))
		}
	}
	return out
}

func claimCondition(reg string, lambda float64) sweep.Condition {
	if reg == "none" {
		return sweep.Control
	}
	return sweep.Condition{Reg: reg, Lambda: lambda}
}

func evaluateClaim(p sweep.Protocol, c Claim, lambda float64, values map[string]map[string][]float64) ClaimResult {
	cond, base := claimCondition(c.Reg, lambda), claimCondition(c.Baseline, lambda)
	res := ClaimResult{Claim: c, Lambda: lambda, Condition: cond.Label(), BaselineCondition: base.Label(),
		Test: "Welch's t-test", Verdict: CannotDecide}
	nan := analysis.Float(math.NaN())
	res.Difference, res.P, res.MannWhitneyP, res.CohensD, res.CILow, res.CIHigh = nan, nan, nan, nan, nan, nan
	if c.Kind == Equivalent {
		res.Test = "two one-sided Welch t-tests (TOST)"
	}

	if c.Dataset != "" && c.Dataset != p.Dataset {
		res.Verdict = NotTested
		res.Reason = fmt.Sprintf("the claim is about %s; this sweep ran on %s", c.Dataset, p.Dataset)
		return res
	}
	if !hasReg(p, c.Reg) || !hasReg(p, c.Baseline) {
		res.Verdict = NotTested
		res.Reason = fmt.Sprintf("the sweep has no %s or no %s models", cond.Label(), base.Label())
		return res
	}

	a := defined(values[cond.Key()][c.Metric])
	b := defined(values[base.Key()][c.Metric])
	res.Values, res.BaselineValues = analysis.Floats(a), analysis.Floats(b)
	res.Summary, res.BaselineSum = analysis.Summarize(a), analysis.Summarize(b)
	if len(a) > 0 && len(b) > 0 {
		res.Difference = res.Summary.Mean - res.BaselineSum.Mean
	}
	if len(a) < MinSeeds || len(b) < MinSeeds {
		res.Reason = fmt.Sprintf("%d and %d models with a defined value; a verdict needs at least %d per group", len(a), len(b), MinSeeds)
		return res
	}

	cmp := analysis.Compare(a, b)
	res.P, res.MannWhitneyP, res.CohensD = cmp.Welch.P, cmp.MannWhitney.P, cmp.CohensD
	diff := float64(res.Difference)
	if c.Kind == Equivalent {
		decideEquivalence(&res, a, b)
		return res
	}
	p05 := float64(res.P)
	if math.IsNaN(p05) {
		res.Reason = "both groups have zero variance, so the t-test is undefined"
		if diff != 0 {
			res.Reason += fmt.Sprintf("; every model differs by %.4g", diff)
		}
		return res
	}
	significant := p05 < Alpha
	switch {
	case !significant:
		res.Reason = fmt.Sprintf("p = %.3g ≥ %.2g", p05, Alpha)
	case c.Kind == Differs:
		res.Verdict = Supports
		res.Reason = fmt.Sprintf("p = %.3g < %.2g (difference %+.4g)", p05, Alpha, diff)
	case (c.Kind == Greater) == (diff > 0):
		res.Verdict = Supports
		res.Reason = fmt.Sprintf("p = %.3g < %.2g in the claimed direction (difference %+.4g)", p05, Alpha, diff)
	default:
		res.Verdict = Contradicts
		res.Reason = fmt.Sprintf("p = %.3g < %.2g against the claimed direction (difference %+.4g)", p05, Alpha, diff)
	}
	return res
}

// decideEquivalence applies two one-sided tests (Schuirmann 1987, doi:10.1007/BF01068419) at
// level Alpha, that is the (1 − 2α) Welch confidence interval of the difference against
// ±Margin.
func decideEquivalence(res *ClaimResult, a, b []float64) {
	lo, hi := welchInterval(a, b, 1-2*Alpha)
	res.CILow, res.CIHigh = analysis.Float(lo), analysis.Float(hi)
	m := res.Margin
	switch {
	case math.IsNaN(lo) || math.IsNaN(hi):
		res.Reason = "the confidence interval is undefined"
	case lo > -m && hi < m:
		res.Verdict = Supports
		res.Reason = fmt.Sprintf("90 %% interval [%+.4g, %+.4g] lies inside ±%.4g", lo, hi, m)
	case lo >= m || hi <= -m:
		res.Verdict = Contradicts
		res.Reason = fmt.Sprintf("90 %% interval [%+.4g, %+.4g] lies outside ±%.4g", lo, hi, m)
	default:
		res.Reason = fmt.Sprintf("90 %% interval [%+.4g, %+.4g] overlaps the margin ±%.4g", lo, hi, m)
	}
}

// welchInterval returns the two-sided confidence interval at level conf for mean(a) − mean(b)
// with the Welch standard error and Welch–Satterthwaite degrees of freedom. When both samples
// have zero variance the interval is the difference itself.
func welchInterval(a, b []float64, conf float64) (lo, hi float64) {
	ma, va := stat.MeanVariance(a, nil)
	mb, vb := stat.MeanVariance(b, nil)
	na, nb := float64(len(a)), float64(len(b))
	sa, sb := va/na, vb/nb
	d := ma - mb
	if sa+sb == 0 {
		return d, d
	}
	df := (sa + sb) * (sa + sb) / (sa*sa/(na-1) + sb*sb/(nb-1))
	q := distuv.StudentsT{Mu: 0, Sigma: 1, Nu: df}.Quantile(1 - (1-conf)/2)
	half := q * math.Sqrt(sa+sb)
	return d - half, d + half
}

func hasReg(p sweep.Protocol, reg string) bool {
	for _, r := range p.Regs {
		if r == reg {
			return true
		}
	}
	return false
}

func defined(x []float64) []float64 {
	var out []float64
	for _, v := range x {
		if !math.IsNaN(v) && !math.IsInf(v, 0) {
			out = append(out, v)
		}
	}
	return out
}
