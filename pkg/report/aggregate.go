package report

import (
	"math"
	"slices"

	"github.com/topocnn/topocnn/pkg/analysis"
	"github.com/topocnn/topocnn/pkg/sweep"
)

// Curve is one model's values of a quantity against a variable, for example accuracy against
// the weight-noise level α.
type Curve struct {
	X []float64 `json:"x"`
	Y []float64 `json:"y"`
}

// Record is the part of one finished model that the report uses.
type Record struct {
	Job sweep.Job
	// Values maps metric keys (see Metrics) to the model's value, NaN when undefined.
	Values map[string]float64
	// Curves maps curve keys (see Curves) to the model's curve.
	Curves map[string]Curve
	// Maps maps map keys (see the Map constants) to one value per fc1 unit, row-major on the
	// grid, for the example figures.
	Maps map[string][]float64
	// Training is the model's training record.
	Training Training
	// Setting describes the analysis; it is the same for every model of a sweep.
	Setting Setting
}

// Setting is the part of the analysis shared by every model of a sweep: the grid and the units
// of the curves.
type Setting struct {
	// Grid is the topographic grid, for example "11x11".
	Grid string `json:"grid"`
	// LocalisationBaseline is the mean grid distance between two random distinct units in cells.
	LocalisationBaseline float64 `json:"localisation_baseline"`
	// NoiseUnits maps each input-degradation kind to the unit of its level.
	NoiseUnits map[string]string `json:"noise_units"`
	// ClassNames names the dataset's classes.
	ClassNames []string `json:"class_names"`
}

// Training is the part of a model's training record shown in the report.
type Training struct {
	Backend  string
	Versions map[string]string
	// ValAccuracy, TaskLoss and TopoLoss hold one value per epoch.
	ValAccuracy, TaskLoss, TopoLoss []float64
	// Seconds is the total training wall time. It is left out of results.json, which must not
	// depend on the machine's speed.
	Seconds float64
}

// CurveSummary is a curve averaged over the models of a condition: at each X the mean, SD and
// SEM over the models whose curve has a defined value there.
type CurveSummary struct {
	X    []float64        `json:"x"`
	Mean []analysis.Float `json:"mean"`
	SD   []analysis.Float `json:"sd"`
	SEM  []analysis.Float `json:"sem"`
	N    []int            `json:"n"`
}

// ConditionResult is the summary of one condition over its finished models.
type ConditionResult struct {
	Key    string  `json:"key"`
	Label  string  `json:"label"`
	Reg    string  `json:"reg"`
	Lambda float64 `json:"lambda"`
	// Runs and Seeds list the finished models in seed order.
	Runs  []string `json:"runs"`
	Seeds []uint64 `json:"seeds"`
	// Metrics summarises each metric over the models with a defined value.
	Metrics map[string]analysis.Summary `json:"metrics"`
	Curves  map[string]CurveSummary     `json:"curves"`
}

// aggregate summarises the records by condition, in the protocol's condition order. Conditions
// without a finished model are left out.
func aggregate(p sweep.Protocol, records []Record) []ConditionResult {
	var out []ConditionResult
	for _, c := range p.Conditions() {
		var recs []Record
		for _, r := range records {
			if r.Job.Condition() == c {
				recs = append(recs, r)
			}
		}
		if len(recs) == 0 {
			continue
		}
		slices.SortFunc(recs, func(a, b Record) int { return a.Job.Index - b.Job.Index })
		cr := ConditionResult{Key: c.Key(), Label: c.Label(), Reg: c.Reg, Lambda: c.Lambda,
			Metrics: map[string]analysis.Summary{}, Curves: map[string]CurveSummary{}}
		for _, r := range recs {
			cr.Runs = append(cr.Runs, r.Job.Name())
			cr.Seeds = append(cr.Seeds, r.Job.Seed)
		}
		for _, m := range Metrics {
			cr.Metrics[m.Key] = analysis.Summarize(defined(metricColumn(recs, m.Key)))
		}
		for _, key := range curveKeys(recs) {
			cr.Curves[key] = summariseCurves(recs, key)
		}
		out = append(out, cr)
	}
	return out
}

// metricColumn returns the metric's value of each record, NaN where it is missing.
func metricColumn(recs []Record, key string) []float64 {
	col := make([]float64, len(recs))
	for i, r := range recs {
		v, ok := r.Values[key]
		if !ok {
			v = math.NaN()
		}
		col[i] = v
	}
	return col
}

// conditionValues returns values[condition key][metric key], the input of EvaluateClaims.
func conditionValues(p sweep.Protocol, records []Record) map[string]map[string][]float64 {
	out := map[string]map[string][]float64{}
	for _, c := range p.Conditions() {
		var recs []Record
		for _, r := range records {
			if r.Job.Condition() == c {
				recs = append(recs, r)
			}
		}
		slices.SortFunc(recs, func(a, b Record) int { return a.Job.Index - b.Job.Index })
		m := map[string][]float64{}
		for _, info := range Metrics {
			m[info.Key] = metricColumn(recs, info.Key)
		}
		out[c.Key()] = m
	}
	return out
}

func curveKeys(recs []Record) []string {
	var keys []string
	for _, r := range recs {
		for k := range r.Curves {
			if !slices.Contains(keys, k) {
				keys = append(keys, k)
			}
		}
	}
	slices.Sort(keys)
	return keys
}

// summariseCurves averages the records' curves named key point by point. The X of the first
// record that has the curve defines the points; a record whose X differs is left out.
func summariseCurves(recs []Record, key string) CurveSummary {
	var xs []float64
	var ys [][]float64
	for _, r := range recs {
		c, ok := r.Curves[key]
		if !ok || len(c.X) != len(c.Y) {
			continue
		}
		if xs == nil {
			xs = c.X
		}
		if !slices.Equal(xs, c.X) {
			continue
		}
		ys = append(ys, c.Y)
	}
	cs := CurveSummary{X: slices.Clone(xs)}
	for i := range xs {
		var col []float64
		for _, y := range ys {
			col = append(col, y[i])
		}
		s := analysis.Summarize(defined(col))
		cs.Mean = append(cs.Mean, s.Mean)
		cs.SD = append(cs.SD, s.SD)
		cs.SEM = append(cs.SEM, s.SEM)
		cs.N = append(cs.N, s.N)
	}
	return cs
}
