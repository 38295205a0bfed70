package report

import (
	"math"

	"github.com/topocnn/topocnn/pkg/analysis"
	"github.com/topocnn/topocnn/pkg/degrade"
)

// robustnessKinds are the input degradations of the published noise-robustness result.
var robustnessKinds = []degrade.Kind{degrade.White, degrade.Pink, degrade.SaltPepper}

// fromAnalysis fills rec's values, curves, maps and setting from one model's analysis.json.
func fromAnalysis(rec *Record, a *analysis.Results) {
	v := map[string]float64{}
	rec.Values, rec.Curves, rec.Maps = v, map[string]Curve{}, map[string][]float64{}

	v[MetricAccuracy] = a.TestAccuracy
	v[MetricMoransI] = nanIfNil(a.MoransI.Queen, func(m *analysis.MoranResult) float64 { return float64(m.Mean) })
	v[MetricBimodality] = float64(a.Correlation.Bimodality)
	v[MetricVariance] = float64(a.ActivationVariance.Mean)
	v[MetricEntropy] = float64(a.Entropy.Mean)
	v[MetricDimensionality] = float64(a.EffectiveDimensionality.Activations)
	v[MetricDimWeights] = float64(a.EffectiveDimensionality.Weights)
	v[MetricExperts] = nanIfNil(a.Experts, func(e *analysis.ExpertResult) float64 { return float64(e.Experts) })

	v[MetricNeighbourR] = math.NaN()
	var dist Curve
	for _, b := range a.Correlation.DistanceProfile {
		// Adjacent units are 1 or √2 cells apart and the next distance on a grid is 2, so a bin
		// that contains 1 and √2 and ends at most at 2 contains exactly the 8-neighbour pairs.
		if b.Lo <= 1 && b.Hi > math.Sqrt2 && b.Hi <= 2 {
			v[MetricNeighbourR] = float64(b.MeanR)
		}
		if b.Pairs > 0 {
			dist.X = append(dist.X, (b.Lo+b.Hi)/2)
			dist.Y = append(dist.Y, float64(b.MeanR))
		}
	}
	rec.Curves[CurveDistance] = dist

	v[MetricLocalisation] = math.NaN()
	var loc Curve
	for _, l := range a.Localisation.Levels {
		if l.Threshold == LocalisationThreshold {
			v[MetricLocalisation] = float64(l.MeanDistance)
		}
		loc.X = append(loc.X, l.Threshold)
		loc.Y = append(loc.Y, float64(l.MeanDistance))
	}
	rec.Curves[CurveLocalisation] = loc
	rec.Curves[CurveHistogram] = histogramDensity(a.Correlation.Histogram)

	setting := Setting{Grid: a.Grid, LocalisationBaseline: a.Localisation.Baseline, NoiseUnits: map[string]string{}}
	v[MetricNoise] = math.NaN()
	if d := a.InputDegradation; d != nil {
		var changes []float64
		for _, c := range d.Curves {
			rec.Curves[CurveNoisePrefix+c.Kind.String()] = Curve{X: c.Levels, Y: c.ChangePP}
			setting.NoiseUnits[c.Kind.String()] = c.LevelUnit
			for _, k := range robustnessKinds {
				if c.Kind == k {
					changes = append(changes, c.ChangePP...)
				}
			}
		}
		if len(changes) > 0 {
			v[MetricNoise] = mean(changes)
		}
	}
	rec.Setting = setting

	v[MetricWeightAll], v[MetricWeightFC1] = math.NaN(), math.NaN()
	if p := a.WeightPerturbation; p != nil {
		for _, c := range p.Curves {
			var curve Curve
			var changes []float64
			for _, pt := range c.Points {
				curve.X = append(curve.X, pt.Alpha)
				curve.Y = append(curve.Y, float64(pt.Accuracy.Mean))
				if pt.Alpha > 0 {
					changes = append(changes, 100*(float64(pt.Accuracy.Mean)-p.CleanAccuracy))
				}
			}
			switch c.Target {
			case analysis.TargetAll:
				rec.Curves[CurveWeightAll] = curve
				v[MetricWeightAll] = mean(changes)
			case analysis.TargetTopographic:
				rec.Curves[CurveWeightFC1] = curve
				v[MetricWeightFC1] = mean(changes)
			}
		}
	}

	if ab := a.Ablation; ab != nil {
		var random, disk Curve
		for _, pt := range ab.Points {
			random.X = append(random.X, pt.Fraction)
			random.Y = append(random.Y, float64(pt.Random.Mean))
			disk.X = append(disk.X, pt.Fraction)
			disk.Y = append(disk.Y, float64(pt.Disk.Mean))
		}
		rec.Curves[CurveAblationRand], rec.Curves[CurveAblationDisk] = random, disk
	}

	if e := a.Experts; e != nil {
		classes := make([]float64, len(e.PreferredClass))
		for u, c := range e.PreferredClass {
			classes[u] = -1
			if u < len(e.DPrime) && float64(e.DPrime[u]) >= e.Threshold && c >= 0 {
				classes[u] = float64(c)
			}
		}
		rec.Maps[MapExpertClass] = classes
	}

	probes(rec, a)
}

// histogramDensity turns counts into a density over the bin centres: count / (total · width).
func histogramDensity(h analysis.Histogram) Curve {
	var total int
	for _, c := range h.Counts {
		total += c
	}
	var out Curve
	if total == 0 || len(h.Edges) != len(h.Counts)+1 {
		return out
	}
	for i, c := range h.Counts {
		width := h.Edges[i+1] - h.Edges[i]
		out.X = append(out.X, (h.Edges[i]+h.Edges[i+1])/2)
		out.Y = append(out.Y, float64(c)/(float64(total)*width))
	}
	return out
}

func nanIfNil[T any](p *T, f func(*T) float64) float64 {
	if p == nil {
		return math.NaN()
	}
	return f(p)
}

// mean returns the mean of x, or NaN for an empty x.
func mean(x []float64) float64 {
	if len(x) == 0 {
		return math.NaN()
	}
	var s float64
	for _, v := range x {
		s += v
	}
	return s / float64(len(x))
}
