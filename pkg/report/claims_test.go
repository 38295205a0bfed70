package report

import (
	"math"
	"testing"

	"github.com/topocnn/topocnn/pkg/sweep"
)

func quickProtocol(t *testing.T) sweep.Protocol {
	t.Helper()
	p, err := sweep.ProtocolFor(sweep.Quick, "mnist")
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func findClaim(t *testing.T, results []ClaimResult, id string) ClaimResult {
	t.Helper()
	for _, r := range results {
		if r.ID == id {
			return r
		}
	}
	t.Fatalf("no result for claim %s", id)
	return ClaimResult{}
}

// valuesOf builds the per-condition metric table EvaluateClaims reads.
func valuesOf(metric string, byCondition map[string][]float64) map[string]map[string][]float64 {
	out := map[string]map[string][]float64{}
	for cond, v := range byCondition {
		out[cond] = map[string][]float64{metric: v}
	}
	return out
}

func TestClaimDirectional(t *testing.T) {
	p := quickProtocol(t)
	control := []float64{0.01, -0.02, 0.00, 0.02, -0.01}
	cases := []struct {
		name string
		ws   []float64
		want Verdict
	}{
		{"clearly higher", []float64{0.60, 0.62, 0.58, 0.61, 0.59}, Supports},
		{"clearly lower", []float64{-0.30, -0.32, -0.28, -0.31, -0.29}, Contradicts},
		{"overlapping", []float64{0.02, -0.01, 0.01, -0.02, 0.00}, CannotDecide},
	}
	for _, c := range cases {
		res := EvaluateClaims(p, valuesOf(MetricMoransI, map[string][]float64{"control": control, "ws-l1": c.ws}))
		got := findClaim(t, res, "ws-smooth")
		if got.Verdict != c.want {
			t.Errorf("%s: verdict %q (%s), want %q", c.name, got.Verdict, got.Reason, c.want)
		}
		if got.Summary.N != 5 || got.BaselineSum.N != 5 {
			t.Errorf("%s: summaries count %d and %d models, want 5 and 5", c.name, got.Summary.N, got.BaselineSum.N)
		}
	}
}

func TestClaimLessDirection(t *testing.T) {
	p := quickProtocol(t)
	ws := []float64{0.6, 0.62, 0.58, 0.61}
	as := []float64{0.1, 0.12, 0.08, 0.11}
	res := EvaluateClaims(p, valuesOf(MetricMoransI, map[string][]float64{"ws-l1": ws, "as-l1": as}))
	got := findClaim(t, res, "as-not-smooth")
	if got.Verdict != Supports {
		t.Errorf("AS below WS: verdict %q (%s), want supports", got.Verdict, got.Reason)
	}
	if got.BaselineCondition != "WS λ=1" || got.Condition != "AS λ=1" {
		t.Errorf("compared %s with %s, want AS λ=1 with WS λ=1", got.Condition, got.BaselineCondition)
	}
	if d := float64(got.Difference); math.Abs(d-(-0.5)) > 1e-12 {
		t.Errorf("difference %v, want −0.5", d)
	}
}

func TestClaimTwoSided(t *testing.T) {
	p := quickProtocol(t)
	control := []float64{0.30, 0.31, 0.29, 0.30}
	for _, c := range []struct {
		ws   []float64
		want Verdict
	}{
		{[]float64{0.10, 0.11, 0.09, 0.10}, Supports},
		{[]float64{0.50, 0.51, 0.49, 0.50}, Supports},
		{[]float64{0.30, 0.32, 0.28, 0.31}, CannotDecide},
	} {
		got := findClaim(t, EvaluateClaims(p, valuesOf(MetricOSI, map[string][]float64{"control": control, "ws-l1": c.ws})), "ws-orientation")
		if got.Verdict != c.want {
			t.Errorf("OSI %v against %v: verdict %q (%s), want %q", c.ws, control, got.Verdict, got.Reason, c.want)
		}
	}
}

func TestClaimTooFewSeeds(t *testing.T) {
	p := quickProtocol(t)
	res := EvaluateClaims(p, valuesOf(MetricMoransI, map[string][]float64{
		"control": {0.0, 0.01}, "ws-l1": {0.6, 0.61, 0.62, 0.6},
	}))
	got := findClaim(t, res, "ws-smooth")
	if got.Verdict != CannotDecide {
		t.Errorf("2 control models: verdict %q, want cannot decide", got.Verdict)
	}
	if !math.IsNaN(float64(got.P)) {
		t.Errorf("2 control models: p = %v, want no test (NaN)", got.P)
	}
}

func TestClaimUndefinedValuesDropped(t *testing.T) {
	p := quickProtocol(t)
	nan := math.NaN()
	res := EvaluateClaims(p, valuesOf(MetricLocalisation, map[string][]float64{
		"control": {5.5, nan, 5.6, 5.7, 5.4}, "ws-l1": {2.0, 2.1, 1.9, 2.2, nan},
	}))
	got := findClaim(t, res, "ws-localisation")
	if got.Summary.N != 4 || got.BaselineSum.N != 4 {
		t.Errorf("counted %d and %d defined values, want 4 and 4", got.Summary.N, got.BaselineSum.N)
	}
	if got.Verdict != Supports {
		t.Errorf("verdict %q (%s), want supports", got.Verdict, got.Reason)
	}
}

func TestClaimEquivalence(t *testing.T) {
	p := quickProtocol(t)
	control := []float64{0.950, 0.952, 0.948, 0.951, 0.949}
	cases := []struct {
		name string
		ws   []float64
		want Verdict
	}{
		{"same accuracy", []float64{0.949, 0.951, 0.950, 0.952, 0.948}, Supports},
		{"10 points lower", []float64{0.850, 0.852, 0.848, 0.851, 0.849}, Contradicts},
		{"too noisy", []float64{0.90, 0.99, 0.93, 0.97, 0.95}, CannotDecide},
	}
	for _, c := range cases {
		got := findClaim(t, EvaluateClaims(p, valuesOf(MetricAccuracy, map[string][]float64{"control": control, "ws-l1": c.ws})), "ws-accuracy")
		if got.Verdict != c.want {
			t.Errorf("%s: verdict %q (%s), want %q", c.name, got.Verdict, got.Reason, c.want)
		}
	}
}

// The 90 % Welch interval of two samples, checked against a value worked by hand:
// a = {1, 2, 3}, b = {2, 4, 6}: d = −2, s²_a/3 = 1/3, s²_b/3 = 4/3, se = √(5/3),
// ν = (5/3)² / ((1/3)²/2 + (4/3)²/2) = 25/9 / (17/18) = 50/17, t_{0.95, 50/17} = 2.3866 (from
// gonum's StudentsT quantile; 2.353 at ν = 3 in printed tables).
func TestWelchInterval(t *testing.T) {
	lo, hi := welchInterval([]float64{1, 2, 3}, []float64{2, 4, 6}, 0.9)
	se := math.Sqrt(5.0 / 3)
	if mid := (lo + hi) / 2; math.Abs(mid-(-2)) > 1e-12 {
		t.Errorf("interval centre %v, want −2", mid)
	}
	q := (hi - lo) / 2 / se
	if q < 2.353 || q > 2.42 {
		t.Errorf("t quantile %v at ν = 50/17, want between t(3) = 2.353 and t(2.9) ≈ 2.39", q)
	}
}

func TestClaimDatasetRestriction(t *testing.T) {
	p := quickProtocol(t)
	res := EvaluateClaims(p, map[string]map[string][]float64{})
	if got := findClaim(t, res, "as-noise-cifar10"); got.Verdict != NotTested {
		t.Errorf("CIFAR-10 claim on an MNIST sweep: verdict %q, want not tested", got.Verdict)
	}
	if got := findClaim(t, res, "ws-noise-mnist"); got.Verdict != CannotDecide {
		t.Errorf("MNIST claim without data: verdict %q, want cannot decide", got.Verdict)
	}
}

func TestClaimMissingCondition(t *testing.T) {
	p := quickProtocol(t)
	p.Regs = []string{"none", "ws"}
	got := findClaim(t, EvaluateClaims(p, nil), "as-bimodal")
	if got.Verdict != NotTested {
		t.Errorf("AS claim on a sweep without AS: verdict %q, want not tested", got.Verdict)
	}
}

func TestClaimsPerLambda(t *testing.T) {
	p, _ := sweep.ProtocolFor(sweep.Paper, "mnist")
	res := EvaluateClaims(p, nil)
	if len(res) != len(Claims)*len(sweep.PaperLambdas) {
		t.Errorf("%d claim results, want %d claims × %d λ", len(res), len(Claims), len(sweep.PaperLambdas))
	}
}

func TestClaimsUseKnownMetrics(t *testing.T) {
	for _, c := range Claims {
		if metricInfo(c.Metric).Definition == "" {
			t.Errorf("claim %s uses metric %q, which Metrics does not define", c.ID, c.Metric)
		}
	}
}
