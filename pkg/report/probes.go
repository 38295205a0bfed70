package report

import (
	"math"

	"gonum.org/v1/gonum/stat"

	"github.com/topocnn/topocnn/pkg/analysis"
)

// probes fills the stimulus-probe metrics, curves and maps: orientation, symmetry and
// eccentricity.
func probes(rec *Record, a *analysis.Results) {
	v := rec.Values
	v[MetricOSI], v[MetricSymmetry], v[MetricEccentricity] = math.NaN(), math.NaN(), math.NaN()

	if o := a.Orientation; o != nil {
		v[MetricOSI] = float64(o.MeanOSI)
		angles := make([]float64, len(o.Preferred))
		osi := make([]float64, len(o.OSI))
		for u, deg := range o.Preferred {
			angles[u] = float64(deg) * math.Pi / 180
		}
		for u, s := range o.OSI {
			// Rounding can put an OSI a few ulps outside [0, 1], which the map rejects. NaN
			// (a silent unit) stays NaN.
			osi[u] = math.Min(1, math.Max(0, float64(s)))
		}
		rec.Maps[MapOrientation], rec.Maps[MapOSI] = angles, osi
	}

	if s := a.Symmetry; s != nil {
		v[MetricSymmetry] = s.FractionSignificant
	}

	if rf := a.Eccentricity; rf != nil {
		prof := rf.Profile
		var c Curve
		var x, y, w []float64
		for i, d := range prof.Distance {
			if i >= len(prof.MeanResponse) {
				break
			}
			r := float64(prof.MeanResponse[i])
			c.X = append(c.X, d)
			c.Y = append(c.Y, r)
			if !math.IsNaN(r) && i < len(prof.Probes) && prof.Probes[i] > 0 {
				x, y, w = append(x, d), append(y, r), append(w, float64(prof.Probes[i]))
			}
		}
		rec.Curves[CurveEccentricity] = c
		v[MetricEccentricity] = eccentricitySlope(x, y, w)
	}
}

// eccentricitySlope returns the weighted least-squares slope of response y against distance x
// (weights w, the probes per bin), or NaN with fewer than 2 distinct distances.
func eccentricitySlope(x, y, w []float64) float64 {
	if len(x) < 2 || x[0] == x[len(x)-1] {
		return math.NaN()
	}
	_, beta := stat.LinearRegression(x, y, w, false)
	return beta
}
