package report

import (
	"context"
	"fmt"
	"log/slog"
	"math"
	"slices"
	"strings"

	"gonum.org/v1/plot/vg"

	"github.com/topocnn/topocnn/pkg/dataset"
	"github.com/topocnn/topocnn/pkg/plotting"
)

// Figure is one figure of the report, written as figures/NAME.png and figures/NAME.svg.
type Figure struct {
	Name, Title, Caption string
	Plot                 plotting.Figure
	Width, Height        vg.Length
}

// Keys of the curves in Record.Curves and ConditionResult.Curves.
const (
	CurveWeightAll    = "weight_perturbation/all"
	CurveWeightFC1    = "weight_perturbation/fc1"
	CurveNoisePrefix  = "input_degradation/"
	CurveLocalisation = "localisation"
	CurveDistance     = "correlation_distance"
	CurveHistogram    = "correlation_histogram"
	CurveEccentricity = "eccentricity"
	CurveAblationRand = "ablation/random"
	CurveAblationDisk = "ablation/disk"
	CurveValAccuracy  = "val_accuracy"
)

// Keys of the per-unit maps in Record.Maps.
const (
	MapOrientation = "preferred_orientation"
	MapOSI         = "osi"
	MapExpertClass = "expert_class"
)

// Standard figure sizes.
const (
	figureWidth  = 7 * vg.Inch
	figureHeight = 4.5 * vg.Inch
)

// drawFigures draws every figure of rep into rep.Figures, and a note for each figure left
// out. It returns an error only when ctx is cancelled.
func drawFigures(ctx context.Context, rep *Report, dir string, opts Options, log *slog.Logger) error {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	res, records := rep.Results, rep.Records
	var figs figureSet
	resultFigures(res, &figs)
	mapFigures(res, records, &figs)
	if err := ctx.Err(); err != nil {
		return err
	}

	test, err := dataset.Load(res.Protocol.Dataset, dataset.Test, opts.DataDir)
	switch {
	case err != nil:
		figs.notes = append(figs.notes, fmt.Sprintf("Example images, example maps and representational similarity are left out: %v.", err))
	case opts.Open == nil:
		imageFigures(test, &figs)
		figs.notes = append(figs.notes, "Example maps and representational similarity are left out: the report was built without access to the trained models.")
	default:
		imageFigures(test, &figs)
		if len(records) > 0 {
			if err := networkFigures(ctx, res, records, test, dir, opts.Open, &figs, log); err != nil {
				return err
			}
		}
	}
	rep.Figures = figs.figures
	rep.Notes = append(rep.Notes, figs.notes...)
	return nil
}

// figureSet collects figures and, for each figure that could not be drawn, a note saying why.
type figureSet struct {
	figures []Figure
	notes   []string
}

func (s *figureSet) add(name, title, caption string, w, h vg.Length, f plotting.Figure, err error) {
	if err != nil {
		s.notes = append(s.notes, fmt.Sprintf("Figure %q is left out: %v.", name, err))
		return
	}
	s.figures = append(s.figures, Figure{Name: name, Title: title, Caption: caption, Plot: f, Width: w, Height: h})
}

// conditionSeries returns one series per condition with the curve named key: X, the mean
// over models and the SEM as the band.
func conditionSeries(res *Results, key string) []plotting.Series {
	var series []plotting.Series
	for _, c := range res.Conditions {
		cs, ok := c.Curves[key]
		if !ok || len(cs.X) == 0 {
			continue
		}
		s := plotting.Series{Name: fmt.Sprintf("%s (n=%d)", c.Label, len(c.Runs)), X: cs.X}
		for i := range cs.X {
			s.Y = append(s.Y, float64(cs.Mean[i]))
			s.Err = append(s.Err, float64(cs.SEM[i]))
		}
		series = append(series, s)
	}
	return series
}

// resultFigures draws the figures that need only the aggregated results.
func resultFigures(res *Results, s *figureSet) {
	curve := func(name, key, title, xLabel, yLabel, caption string) {
		series := conditionSeries(res, key)
		if len(series) == 0 {
			return
		}
		p, err := plotting.Curves(title, xLabel, yLabel, series)
		s.add(name, title, caption, figureWidth, figureHeight, p, err)
	}
	semNote := " Lines are means over models, bands ± SEM."

	accuracyBars(res, s)
	curve("weight-perturbation-all", CurveWeightAll, "Robustness to weight perturbation, all layers", "relative noise level α", "test accuracy",
		"Test accuracy when every weight tensor w gets w + α·std(w)·ε, ε ~ N(0, 1)."+semNote)
	curve("weight-perturbation-fc1", CurveWeightFC1, "Robustness to weight perturbation, fc1", "relative noise level α", "test accuracy",
		"Test accuracy when fc1's weights get w + α·std(w)·ε, ε ~ N(0, 1)."+semNote)
	noiseFigure(res, s)
	curve("ablation-random", CurveAblationRand, "Ablation of random fc1 units", "fraction of units ablated", "test accuracy",
		"Test accuracy with a random set of fc1 units silenced."+semNote)
	curve("ablation-disk", CurveAblationDisk, "Ablation of a contiguous disk of fc1 units", "fraction of units ablated", "test accuracy",
		"Test accuracy with a contiguous disk of units on the grid silenced (a topographic lesion)."+semNote)

	if series := conditionSeries(res, CurveLocalisation); len(series) > 0 {
		thresholds := series[0].X
		var kept []plotting.Series
		for _, se := range series {
			if slices.Equal(se.X, thresholds) {
				se.X = nil
				kept = append(kept, se)
			}
		}
		p, err := plotting.DistanceThreshold(thresholds, kept, res.Setting.LocalisationBaseline)
		s.add("distance-threshold", "Functional localisation", "Mean grid distance of unit pairs whose activations correlate at r ≥ τ; "+
			"the dashed line is the mean distance between two random units. Curves below it mean correlated units sit closer than chance."+semNote,
			figureWidth, figureHeight, p, err)
	}
	curve("correlation-distance", CurveDistance, "Correlation against grid distance", "grid distance (cells)", "mean Pearson r",
		"Mean correlation of fc1 unit pairs (pre-ReLU, over test images) binned by their distance on the grid."+semNote)
	curve("correlation-histogram", CurveHistogram, "Distribution of inter-unit correlations", "Pearson r between unit pairs", "density",
		"Density of the correlations between all fc1 unit pairs, averaged over models. A bimodal density has two peaks."+semNote)
	curve("eccentricity", CurveEccentricity, "Eccentricity profile", "probe distance from the image centre (pixels)", "mean fc1 response",
		"Mean fc1 response to a Gaussian blob probe against the probe's distance from the image centre."+semNote)
	curve("training", CurveValAccuracy, "Validation accuracy during training", "epoch", "validation accuracy",
		"Validation accuracy after each epoch."+semNote)

	lambdaFigures(res, s)
}

// accuracyBars draws test accuracy per condition.
func accuracyBars(res *Results, s *figureSet) {
	var groups []string
	series := plotting.Series{Name: "test accuracy"}
	for _, c := range res.Conditions {
		m := c.Metrics[MetricAccuracy]
		groups = append(groups, c.Label)
		series.Y = append(series.Y, float64(m.Mean))
		series.Err = append(series.Err, nanToZero(float64(m.SEM)))
	}
	if len(groups) == 0 {
		return
	}
	p, err := plotting.Bars("Test accuracy", "test accuracy", groups, []plotting.Series{series})
	s.add("accuracy", "Test accuracy", "Clean test accuracy per condition, mean ± SEM over models.", figureWidth, figureHeight, p, err)
}

// lambdaFigures draws metrics against λ when the sweep has several λ: one line per
// regulariser, with the control as a line at λ = 0.
func lambdaFigures(res *Results, s *figureSet) {
	if len(res.Protocol.Lambdas) < 2 {
		return
	}
	for _, key := range []string{MetricMoransI, MetricDimensionality, MetricEntropy, MetricAccuracy} {
		info := metricInfo(key)
		var series []plotting.Series
		var control *ConditionResult
		for i, c := range res.Conditions {
			if c.Reg == "none" {
				control = &res.Conditions[i]
			}
		}
		for _, reg := range res.Protocol.Regs {
			if reg == "none" {
				continue
			}
			se := plotting.Series{Name: reg}
			for _, c := range res.Conditions {
				if c.Reg != reg {
					continue
				}
				m := c.Metrics[key]
				se.X = append(se.X, c.Lambda)
				se.Y = append(se.Y, float64(m.Mean))
				se.Err = append(se.Err, nanToZero(float64(m.SEM)))
			}
			if len(se.X) > 0 {
				series = append(series, se)
			}
		}
		if control != nil && len(series) > 0 {
			m := control.Metrics[key]
			lo, hi := series[0].X[0], series[0].X[len(series[0].X)-1]
			series = append(series, plotting.Series{Name: "control", X: []float64{lo, hi},
				Y: []float64{float64(m.Mean), float64(m.Mean)}, Err: []float64{nanToZero(float64(m.SEM)), nanToZero(float64(m.SEM))}})
		}
		if len(series) == 0 {
			continue
		}
		title := capitalise(info.Label) + " against λ"
		p, err := plotting.Curves(title, "λ (strength of the topographic loss)", info.Label+unitSuffix(info), series)
		s.add("lambda-"+key, title, info.Definition+". Mean ± SEM over models; the control is drawn as a flat line.", figureWidth, figureHeight, p, err)
	}
}

// noiseFigure draws the input-degradation grid for the kinds measured at the same levels as
// white noise (rows: kind, columns: level, one bar per condition), and a curve figure for each
// other kind.
func noiseFigure(res *Results, s *figureSet) {
	var kinds []string
	for _, c := range res.Conditions {
		for k := range c.Curves {
			if kind, ok := strings.CutPrefix(k, CurveNoisePrefix); ok && !slices.Contains(kinds, kind) {
				kinds = append(kinds, kind)
			}
		}
	}
	slices.SortFunc(kinds, func(a, b string) int { return noiseOrder(a) - noiseOrder(b) })
	if len(kinds) == 0 {
		return
	}

	var grid plotting.NoiseResults
	for _, c := range res.Conditions {
		grid.Conditions = append(grid.Conditions, c.Label)
	}
	for _, kind := range kinds {
		key := CurveNoisePrefix + kind
		levels := res.Conditions[0].Curves[key].X
		if grid.Levels == nil {
			grid.Levels = levels
		}
		if !slices.Equal(levels, grid.Levels) {
			caption := fmt.Sprintf("Change in test accuracy under %s, in percentage points, against the level (%s). Mean ± SEM over models.",
				kind, res.Setting.NoiseUnits[kind])
			p, err := plotting.Curves("Input degradation: "+kind, res.Setting.NoiseUnits[kind], "accuracy change (pp)", conditionSeries(res, key))
			s.add("degradation-"+kind, "Input degradation: "+kind, caption, figureWidth, figureHeight, p, err)
			continue
		}
		change := make([][]float64, len(levels))
		sem := make([][]float64, len(levels))
		for l := range levels {
			for _, c := range res.Conditions {
				cs := c.Curves[key]
				m, e := math.NaN(), math.NaN()
				if l < len(cs.Mean) {
					m, e = float64(cs.Mean[l]), float64(cs.SEM[l])
				}
				change[l] = append(change[l], m)
				sem[l] = append(sem[l], e)
			}
		}
		grid.Noises = append(grid.Noises, kind)
		grid.Change = append(grid.Change, change)
		grid.SEM = append(grid.SEM, sem)
	}
	if len(grid.Noises) == 0 {
		return
	}
	p, err := plotting.NoiseGrid("Robustness to input noise", grid)
	s.add("noise-grid", "Robustness to input noise",
		"Change in test accuracy from the same condition's clean accuracy, in percentage points, for each noise kind (rows) and level (columns; σ for white and pink noise, the fraction of pixels for salt and pepper). Mean ± SEM over models.",
		figureWidth*1.3, vg.Length(len(grid.Noises))*1.8*vg.Inch+vg.Inch, p, err)
}

// noiseOrder sorts the degradation kinds in the protocol's order.
func noiseOrder(kind string) int {
	order := []string{"white", "pink", "salt-pepper", "blur", "contrast", "occlusion"}
	if i := slices.Index(order, kind); i >= 0 {
		return i
	}
	return len(order)
}

func nanToZero(v float64) float64 {
	if math.IsNaN(v) {
		return 0
	}
	return v
}
