package report

import (
	"math"
	"testing"

	"github.com/topocnn/topocnn/pkg/analysis"
	"github.com/topocnn/topocnn/pkg/degrade"
)

func approx(a, b float64) bool { return math.Abs(a-b) < 1e-12 }

func TestFromAnalysisMetrics(t *testing.T) {
	nan := analysis.Float(math.NaN())
	a := &analysis.Results{
		TestAccuracy: 0.9,
		MoransI:      analysis.MoranPair{Queen: &analysis.MoranResult{Mean: 0.4}},
		Correlation: analysis.CorrelationResult{
			Bimodality: 0.6,
			Histogram:  analysis.Histogram{Edges: []float64{-1, 0, 1}, Counts: []int{1, 3}},
			DistanceProfile: []analysis.DistanceBin{
				{Lo: 0, Hi: 1, Pairs: 0, MeanR: nan},
				{Lo: 1, Hi: 2, Pairs: 840, MeanR: 0.7},
				{Lo: 2, Hi: 3, Pairs: 500, MeanR: 0.2},
			},
		},
		Localisation: analysis.Localisation{Baseline: 5.76, Levels: []analysis.LocalisationLevel{
			{Threshold: 0.3, MeanDistance: 4}, {Threshold: 0.5, MeanDistance: 2.5}, {Threshold: 0.8, MeanDistance: nan},
		}},
		ActivationVariance:      analysis.VarianceResult{Mean: 1.5},
		Entropy:                 analysis.EntropyResult{Mean: 6.1},
		EffectiveDimensionality: analysis.Dimensionality{Activations: 12, Weights: 30},
		Experts: &analysis.ExpertResult{Threshold: 1, Experts: 2,
			PreferredClass: []int{3, 4, -1}, DPrime: []analysis.Float{1.5, 0.5, nan}},
		InputDegradation: &analysis.DegradationResult{CleanAccuracy: 0.9, Curves: []analysis.DegradationCurve{
			{Kind: degrade.White, Levels: []float64{0.1, 0.2}, ChangePP: []float64{-1, -3}},
			{Kind: degrade.Pink, Levels: []float64{0.1, 0.2}, ChangePP: []float64{-2, -4}},
			{Kind: degrade.SaltPepper, Levels: []float64{0.1, 0.2}, ChangePP: []float64{-5, -9}},
			{Kind: degrade.Blur, Levels: []float64{1}, ChangePP: []float64{-50}},
		}},
		WeightPerturbation: &analysis.PerturbationResult{CleanAccuracy: 0.9, Curves: []analysis.PerturbationCurve{
			{Target: analysis.TargetAll, Points: []analysis.PerturbationPoint{
				{Alpha: 0, Accuracy: analysis.Summary{Mean: 0.9}},
				{Alpha: 0.5, Accuracy: analysis.Summary{Mean: 0.8}},
				{Alpha: 1, Accuracy: analysis.Summary{Mean: 0.5}},
			}},
			{Target: analysis.TargetTopographic, Points: []analysis.PerturbationPoint{
				{Alpha: 0, Accuracy: analysis.Summary{Mean: 0.9}},
				{Alpha: 1, Accuracy: analysis.Summary{Mean: 0.85}},
			}},
		}},
		Orientation: &analysis.OrientationResult{MeanOSI: 0.25, Preferred: []analysis.Float{90, nan}, OSI: []analysis.Float{0.5, nan}},
		Symmetry:    &analysis.SymmetryResult{SymmetryTest: analysis.SymmetryTest{FractionSignificant: 0.125}},
		Eccentricity: &analysis.ReceptiveFieldResult{Profile: analysis.EccentricityProfile{
			Distance: []float64{1, 3, 5, 7}, MeanResponse: []analysis.Float{2, 1, nan, -1}, Probes: []int{4, 4, 0, 4},
		}},
	}
	var rec Record
	fromAnalysis(&rec, a)

	want := map[string]float64{
		MetricAccuracy: 0.9, MetricMoransI: 0.4, MetricBimodality: 0.6, MetricNeighbourR: 0.7,
		MetricLocalisation: 2.5, MetricVariance: 1.5, MetricEntropy: 6.1, MetricDimensionality: 12,
		MetricDimWeights: 30, MetricExperts: 2,
		MetricNoise:     (-1 - 3 - 2 - 4 - 5 - 9) / 6.0, // white, pink and salt-and-pepper only
		MetricWeightAll: (-10 + -40) / 2.0,              // 100·(0.8 − 0.9), 100·(0.5 − 0.9)
		MetricWeightFC1: -5,
		MetricOSI:       0.25, MetricSymmetry: 0.125,
		MetricEccentricity: -0.5, // (1,2), (3,1), (7,−1) lie on y = 2.5 − 0.5x
	}
	for k, w := range want {
		if got := rec.Values[k]; !(math.Abs(got-w) < 1e-9) {
			t.Errorf("%s = %v, want %v", k, got, w)
		}
	}
	for _, m := range Metrics {
		if _, ok := rec.Values[m.Key]; !ok {
			t.Errorf("metric %s not filled", m.Key)
		}
	}

	h := rec.Curves[CurveHistogram]
	if len(h.X) != 2 || !approx(h.X[0], -0.5) || !approx(h.Y[0], 0.25) || !approx(h.Y[1], 0.75) {
		t.Errorf("correlation density %+v, want x = (−0.5, 0.5), y = (0.25, 0.75)", h)
	}
	if d := rec.Curves[CurveDistance]; len(d.X) != 2 || !approx(d.X[0], 1.5) {
		t.Errorf("distance curve %+v, want the two non-empty bins at 1.5 and 2.5", d)
	}
	if c := rec.Curves[CurveNoisePrefix+"blur"]; len(c.Y) != 1 || c.Y[0] != -50 {
		t.Errorf("blur curve %+v", c)
	}
	if e := rec.Maps[MapExpertClass]; len(e) != 3 || e[0] != 3 || e[1] != -1 || e[2] != -1 {
		t.Errorf("expert map %v, want [3 −1 −1]: unit 1's d′ is below the threshold and unit 2 has no class", e)
	}
	if o := rec.Maps[MapOrientation]; !approx(o[0], math.Pi/2) || !math.IsNaN(o[1]) {
		t.Errorf("orientation map %v, want [π/2 NaN]", o)
	}
}

func TestFromAnalysisMissingParts(t *testing.T) {
	var rec Record
	fromAnalysis(&rec, &analysis.Results{TestAccuracy: 0.5})
	for _, k := range []string{MetricMoransI, MetricNoise, MetricWeightAll, MetricOSI, MetricEccentricity, MetricExperts, MetricLocalisation} {
		if !math.IsNaN(rec.Values[k]) {
			t.Errorf("%s = %v for an analysis without it, want NaN", k, rec.Values[k])
		}
	}
}
