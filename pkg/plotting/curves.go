package plotting

import (
	"fmt"
	"image/color"
	"math"
	"sort"

	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/stat"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// Series is one curve or one set of bars: a condition's mean Y at each X, with an optional
// error Err such as the SEM across models.
type Series struct {
	// Name labels the series in the legend. A series without a name has no legend entry.
	Name string

	// X and Y are the coordinates. Curves needs len(X) = len(Y), while Bars and
	// DistanceThreshold take X from elsewhere. A NaN Y is a missing point.
	X, Y []float64

	// Err, if not nil, is the half-width of the band or error bar around each Y, for example
	// the SEM. A NaN Err draws none at that point.
	Err []float64

	// Color, if not nil, overrides the colour from Categorical.
	Color color.Color
}

// seriesStyle returns the colour, line dashes and glyph of series i of n.
func seriesStyle(s Series, i, n int) (color.Color, []vg.Length, draw.GlyphDrawer) {
	colours := Categorical(n)
	c := colours[i]
	if s.Color != nil {
		c = s.Color
	}
	// Categorical repeats its colours after len(tolMuted) of them, so each repeat gets new dashes.
	dashes := dashPatterns[(i/len(tolMuted))%len(dashPatterns)]
	return c, dashes, glyphShapes[i%len(glyphShapes)]
}

// checkSeries returns an error naming fn unless series is not empty and every series has
// finite X, Y finite or NaN, and Err nil or with values ≥ 0 or NaN. With needX, each series
// needs at least one X and one Y and Err per X. Otherwise each needs n Y and Err values.
func checkSeries(fn string, series []Series, n int, needX bool) error {
	if len(series) == 0 {
		return fmt.Errorf("plotting: %s: no series: pass at least one", fn)
	}
	for i, s := range series {
		name := fmt.Sprintf("series %d (%q)", i, s.Name)
		want := n
		if needX {
			if len(s.X) == 0 {
				return fmt.Errorf("plotting: %s: %s has no points: give it X and Y values", fn, name)
			}
			want = len(s.X)
		}
		if len(s.Y) != want {
			return fmt.Errorf("plotting: %s: %s has %d Y values for %d points: pass one Y per point", fn, name, len(s.Y), want)
		}
		if s.Err != nil && len(s.Err) != want {
			return fmt.Errorf("plotting: %s: %s has %d Err values for %d points: pass one per point, or nil", fn, name, len(s.Err), want)
		}
		for j, x := range s.X {
			if math.IsNaN(x) || math.IsInf(x, 0) {
				return fmt.Errorf("plotting: %s: %s has X[%d] = %g: X values must be finite", fn, name, j, x)
			}
		}
		for j, y := range s.Y {
			if math.IsInf(y, 0) {
				return fmt.Errorf("plotting: %s: %s has Y[%d] = %g: Y values must be finite (NaN marks a missing point)", fn, name, j, y)
			}
		}
		for j, e := range s.Err {
			if e < 0 || math.IsInf(e, 0) {
				return fmt.Errorf("plotting: %s: %s has Err[%d] = %g: errors must be finite and non-negative", fn, name, j, e)
			}
		}
	}
	return nil
}

// Curves draws each series as a line with point markers, sorted by X, and shades Y ± Err
// where Err is given. Typical uses are mean ± SEM of accuracy against perturbation strength
// α, metrics against λ, and correlation against grid distance. Series differ in colour and
// marker, and in dashes once colours repeat. A NaN Y leaves a gap in the line. The legend
// goes in the corner with the least data, with headroom added above the data if no corner is
// clear. Curves returns an error if series is empty, a series has no points or mismatched
// lengths, an X is not finite, a Y is ±Inf or an Err is negative or ±Inf.
func Curves(title, xLabel, yLabel string, series []Series) (*plot.Plot, error) {
	if err := checkSeries("Curves", series, -1, true); err != nil {
		return nil, err
	}
	p := newPlot(title, xLabel, yLabel)
	p.Add(lightGrid())
	var points [][2]float64
	for i, s := range series {
		points = append(points, addCurve(p, s, i, len(series))...)
	}
	placeLegend(p, points, legendEntries(series))
	return p, nil
}

// lightGrid returns faint major grid lines that help read values off a curve.
func lightGrid() *plotter.Grid {
	g := plotter.NewGrid()
	g.Vertical.Color = color.Gray{Y: 0xE0}
	g.Horizontal.Color = color.Gray{Y: 0xE0}
	g.Vertical.Width = vg.Points(0.4)
	g.Horizontal.Width = vg.Points(0.4)
	return g
}

func legendEntries(series []Series) int {
	n := 0
	for _, s := range series {
		if s.Name != "" {
			n++
		}
	}
	return n
}

// addCurve adds series s, the i-th of n, to p: a band for Err, a line through each run of
// points between missing values, and markers. It returns the points drawn, for placing the
// legend.
func addCurve(p *plot.Plot, s Series, i, n int) [][2]float64 {
	colour, dashes, glyph := seriesStyle(s, i, n)
	order := make([]int, len(s.X))
	for j := range order {
		order[j] = j
	}
	sort.SliceStable(order, func(a, b int) bool { return s.X[order[a]] < s.X[order[b]] })

	// Split the sorted points into runs without missing Y values.
	var runs [][]int
	var run []int
	for _, j := range order {
		if math.IsNaN(s.Y[j]) {
			if len(run) > 0 {
				runs = append(runs, run)
			}
			run = nil
			continue
		}
		run = append(run, j)
	}
	if len(run) > 0 {
		runs = append(runs, run)
	}

	lineStyle := draw.LineStyle{Color: colour, Width: vg.Points(1.5), Dashes: dashes}
	glyphStyle := draw.GlyphStyle{Color: colour, Radius: vg.Points(2.5), Shape: glyph}
	band := withAlpha(colour, 0.2)
	var drawn [][2]float64
	var thumbs []plot.Thumbnailer
	var bandThumb plot.Thumbnailer
	for _, r := range runs {
		xys := make(plotter.XYs, len(r))
		for k, j := range r {
			xys[k] = plotter.XY{X: s.X[j], Y: s.Y[j]}
		}
		if s.Err != nil {
			if poly := errBand(s, r, band); poly != nil {
				p.Add(poly)
				bandThumb = poly
			} else if bars := errBars(s, r, colour); bars != nil {
				p.Add(bars)
			}
		}
		line, scatter, err := plotter.NewLinePoints(xys)
		if err != nil {
			panic("plotting: " + err.Error()) // checkSeries has rejected what NewLinePoints rejects
		}
		line.LineStyle = lineStyle
		scatter.GlyphStyle = glyphStyle
		p.Add(line, scatter)
		drawn = append(drawn, densify(xys)...)
		if thumbs == nil {
			thumbs = []plot.Thumbnailer{line, scatter}
		}
	}
	if bandThumb != nil {
		thumbs = append([]plot.Thumbnailer{bandThumb}, thumbs...)
	}
	if s.Name != "" && len(thumbs) > 0 {
		p.Legend.Add(s.Name, thumbs...)
	}
	return drawn
}

// errBand returns a polygon covering Y ± Err over the run r, or nil when the run has fewer than
// two points with a finite Err.
func errBand(s Series, r []int, fill color.Color) *plotter.Polygon {
	var upper, lower plotter.XYs
	for _, j := range r {
		if math.IsNaN(s.Err[j]) {
			continue
		}
		upper = append(upper, plotter.XY{X: s.X[j], Y: s.Y[j] + s.Err[j]})
		lower = append(lower, plotter.XY{X: s.X[j], Y: s.Y[j] - s.Err[j]})
	}
	if len(upper) < 2 {
		return nil
	}
	ring := append(plotter.XYs(nil), upper...)
	for k := len(lower) - 1; k >= 0; k-- {
		ring = append(ring, lower[k])
	}
	poly, err := plotter.NewPolygon(ring)
	if err != nil {
		panic("plotting: " + err.Error())
	}
	poly.Color = fill
	poly.LineStyle.Width = 0
	return poly
}

// errBars returns vertical error bars for the points of run r with a finite Err, used where a
// run is too short for a band, or nil when there are none.
func errBars(s Series, r []int, colour color.Color) *plotter.YErrorBars {
	var pts errPoints
	for _, j := range r {
		if !math.IsNaN(s.Err[j]) {
			pts = append(pts, [3]float64{s.X[j], s.Y[j], s.Err[j]})
		}
	}
	if len(pts) == 0 {
		return nil
	}
	bars, err := plotter.NewYErrorBars(pts)
	if err != nil {
		panic("plotting: " + err.Error())
	}
	bars.Color = colour
	bars.Width = vg.Points(1)
	return bars
}

// errPoints is a list of (x, y, err) triples that implements plotter.XYer and plotter.YErrorer.
type errPoints [][3]float64

func (e errPoints) Len() int                    { return len(e) }
func (e errPoints) XY(i int) (float64, float64) { return e[i][0], e[i][1] }
func (e errPoints) YError(i int) (float64, float64) {
	return e[i][2], e[i][2]
}

// densify returns the points of a polyline with 16 points per segment, so the legend placement
// accounts for the lines and not only their vertices.
func densify(xys plotter.XYs) [][2]float64 {
	if len(xys) == 1 {
		return [][2]float64{{xys[0].X, xys[0].Y}}
	}
	var out [][2]float64
	for k := 1; k < len(xys); k++ {
		a, b := xys[k-1], xys[k]
		for t := 0; t < 16; t++ {
			f := float64(t) / 16
			out = append(out, [2]float64{a.X + f*(b.X-a.X), a.Y + f*(b.Y-a.Y)})
		}
	}
	last := xys[len(xys)-1]
	return append(out, [2]float64{last.X, last.Y})
}

// placeLegend puts p's legend in the corner of the data area whose box, an estimate of the
// legend's size as a fraction of the axes, contains the fewest points. When every corner
// contains data, it raises the y-axis maximum to leave a free band at the top for the legend.
func placeLegend(p *plot.Plot, points [][2]float64, entries int) {
	if entries == 0 {
		return
	}
	// NOTE: the legend's true size depends on the canvas, which is unknown here. These
	// fractions assume a data area of about 4 × 3 inches.
	boxW := 0.4
	boxH := math.Min(0.9, 0.03+0.075*float64(entries))

	xmin, xmax, ymin, ymax := p.X.Min, p.X.Max, p.Y.Min, p.Y.Max
	if !(xmax > xmin) || !(ymax > ymin) {
		p.Legend.Top = true
		return
	}
	type corner struct{ top, left bool }
	best, bestCount := corner{true, false}, math.MaxInt
	for _, c := range []corner{{true, false}, {true, true}, {false, false}, {false, true}} {
		count := 0
		for _, pt := range points {
			u, v := (pt[0]-xmin)/(xmax-xmin), (pt[1]-ymin)/(ymax-ymin)
			inX := (c.left && u <= boxW) || (!c.left && u >= 1-boxW)
			inY := (c.top && v >= 1-boxH) || (!c.top && v <= boxH)
			if inX && inY {
				count++
			}
		}
		if count < bestCount {
			best, bestCount = c, count
		}
	}
	if bestCount > 0 {
		best = corner{top: true, left: false}
		p.Y.Max = ymax + (ymax-ymin)*boxH/(1-boxH)
	}
	p.Legend.Top, p.Legend.Left = best.top, best.left
	p.Legend.XOffs, p.Legend.YOffs = vg.Points(-4), vg.Points(-4)
	if best.left {
		p.Legend.XOffs = vg.Points(4)
	}
	if !best.top {
		p.Legend.YOffs = vg.Points(4)
	}
}

// hLine is a horizontal line across the whole data area at y. It widens the y range to include
// y and has a legend thumbnail.
type hLine struct {
	y     float64
	style draw.LineStyle
}

func (h hLine) Plot(c draw.Canvas, p *plot.Plot) {
	_, trY := p.Transforms(&c)
	y := trY(h.y)
	if y < c.Min.Y || y > c.Max.Y {
		return
	}
	c.StrokeLine2(h.style, c.Min.X, y, c.Max.X, y)
}

func (h hLine) DataRange() (xmin, xmax, ymin, ymax float64) {
	return math.Inf(1), math.Inf(-1), h.y, h.y
}

func (h hLine) Thumbnail(c *draw.Canvas) {
	y := (c.Min.Y + c.Max.Y) / 2
	c.StrokeLine2(h.style, c.Min.X, y, c.Max.X, y)
}

// DistanceThreshold draws functional localisation. Each series (a condition) gives the mean
// grid distance in cells among unit pairs with correlation r ≥ τ, against the threshold τ,
// with Err as its band. A dashed line marks the baseline, the mean distance between random
// distinct units (grid.MeanDistance: 5.76 cells on 11 × 11), so curves below it mean that
// correlated units sit closer than chance. Each series needs len(Y) = len(thresholds) and X
// nil or equal to thresholds. A NaN Y (no pair above τ) leaves a gap. DistanceThreshold
// returns an error on an empty thresholds or series, mismatched lengths, a non-finite
// threshold, or a baseline that is negative or not finite.
func DistanceThreshold(thresholds []float64, series []Series, baseline float64) (*plot.Plot, error) {
	if len(thresholds) == 0 {
		return nil, fmt.Errorf("plotting: DistanceThreshold: no thresholds: pass the correlation thresholds τ, for example 0.1, 0.3, 0.5")
	}
	if !(baseline >= 0) || math.IsInf(baseline, 0) {
		return nil, fmt.Errorf("plotting: DistanceThreshold: invalid baseline %g: pass the grid's mean distance in cells, for example grid.Grid.MeanDistance()", baseline)
	}
	withX := make([]Series, len(series))
	for i, s := range series {
		if s.X != nil && !floats.Equal(s.X, thresholds) {
			return nil, fmt.Errorf("plotting: DistanceThreshold: series %d (%q) has X values other than the thresholds: leave X nil", i, s.Name)
		}
		withX[i] = s
		withX[i].X = thresholds
	}
	if err := checkSeries("DistanceThreshold", withX, len(thresholds), true); err != nil {
		return nil, err
	}

	p := newPlot("Distance between correlated units", "correlation threshold τ (pairs with r ≥ τ)", "mean grid distance (cells)")
	p.Add(lightGrid())
	base := hLine{y: baseline, style: draw.LineStyle{Color: color.Gray{Y: 0x55}, Width: vg.Points(1.2), Dashes: []vg.Length{vg.Points(4), vg.Points(3)}}}
	p.Add(base)
	var points [][2]float64
	for i, s := range withX {
		points = append(points, addCurve(p, s, i, len(withX))...)
	}
	for _, t := range thresholds {
		points = append(points, [2]float64{t, baseline})
	}
	p.Legend.Add(fmt.Sprintf("random pairs (%.2f cells)", baseline), base)
	p.Y.Min = 0
	placeLegend(p, points, legendEntries(withX)+1)
	return p, nil
}

// HistSeries is one distribution for Histograms.
type HistSeries struct {
	// Name labels the distribution in the legend.
	Name string

	// Values are the samples, for example the correlations of all unit pairs. NaN values are
	// left out.
	Values []float64

	// Color, if not nil, overrides the colour from Categorical.
	Color color.Color
}

// Histograms overlays one step histogram per series, normalised to a density so that the area
// under each is 1: bin j has height count_j / (n · width), n the series' count of non-NaN
// values. All series share the same equal-width bins, as many as bins, over the range of all
// values, counted with gonum's stat.Histogram. Lines differ in colour, and in dashes once
// colours repeat, with a light fill. Histograms returns an error if series is empty,
// bins < 1, a value is ±Inf or a series has no value.
func Histograms(title, xLabel string, series []HistSeries, bins int) (*plot.Plot, error) {
	if len(series) == 0 {
		return nil, fmt.Errorf("plotting: Histograms: no series: pass at least one")
	}
	if bins < 1 {
		return nil, fmt.Errorf("plotting: Histograms: invalid bin count %d: it must be at least 1, for example 40", bins)
	}
	samples := make([][]float64, len(series))
	lo, hi := math.Inf(1), math.Inf(-1)
	for i, s := range series {
		for j, v := range s.Values {
			if math.IsInf(v, 0) {
				return nil, fmt.Errorf("plotting: Histograms: series %d (%q) has value %d = %g: values must be finite (NaN values are left out)", i, s.Name, j, v)
			}
			if !math.IsNaN(v) {
				samples[i] = append(samples[i], v)
			}
		}
		if len(samples[i]) == 0 {
			return nil, fmt.Errorf("plotting: Histograms: series %d (%q) has no values: pass at least one non-NaN value", i, s.Name)
		}
		sort.Float64s(samples[i])
		lo, hi = math.Min(lo, samples[i][0]), math.Max(hi, samples[i][len(samples[i])-1])
	}
	edges := binEdges(lo, hi, bins)

	p := newPlot(title, xLabel, "density")
	p.Add(lightGrid())
	var points [][2]float64
	named := 0
	for i, s := range series {
		heights := density(samples[i], edges)
		colour, dashes, _ := seriesStyle(Series{Color: s.Color}, i, len(series))
		step := make(plotter.XYs, 0, 2*len(heights)+2)
		step = append(step, plotter.XY{X: edges[0], Y: 0})
		for j, d := range heights {
			step = append(step, plotter.XY{X: edges[j], Y: d}, plotter.XY{X: edges[j+1], Y: d})
			points = append(points, [2]float64{(edges[j] + edges[j+1]) / 2, d})
		}
		step = append(step, plotter.XY{X: edges[len(edges)-1], Y: 0})
		line, err := plotter.NewLine(step)
		if err != nil {
			panic("plotting: " + err.Error())
		}
		line.LineStyle = draw.LineStyle{Color: colour, Width: vg.Points(1.5), Dashes: dashes}
		line.FillColor = withAlpha(colour, 0.12)
		p.Add(line)
		if s.Name != "" {
			p.Legend.Add(s.Name, line)
			named++
		}
	}
	p.Y.Min = 0
	placeLegend(p, points, named)
	return p, nil
}

// binEdges returns bins + 1 equal-width bin edges from lo to hi. A zero-width range is widened
// by ±0.5 so it has bins to count in.
func binEdges(lo, hi float64, bins int) []float64 {
	if hi == lo {
		lo, hi = lo-0.5, hi+0.5
	}
	return floats.Span(make([]float64, bins+1), lo, hi)
}

// density returns the density histogram of the sorted values x over the bins with the given
// edges: count_j / (n · (edges[j+1] − edges[j])) with n = len(x). Σ_j density_j · width_j is
// the fraction of x inside [edges[0], edges[last]], 1 when no value lies outside. The last bin
// includes its upper edge. It panics if x is not sorted, x is empty or there are fewer than
// two edges.
func density(x, edges []float64) []float64 {
	if len(edges) < 2 {
		panic("plotting: density needs at least two bin edges")
	}
	if len(x) == 0 {
		panic("plotting: density of no values")
	}
	if !sort.Float64sAreSorted(x) {
		panic("plotting: density needs sorted values")
	}

	// stat.Histogram counts dividers[j] ≤ x < dividers[j+1], so nudging the last divider up
	// one ulp puts values equal to the upper edge into the last bin.
	dividers := append([]float64(nil), edges...)
	dividers[len(dividers)-1] = math.Nextafter(dividers[len(dividers)-1], math.Inf(1))
	first := sort.SearchFloat64s(x, dividers[0])
	last := sort.Search(len(x), func(i int) bool { return x[i] >= dividers[len(dividers)-1] })
	counts := stat.Histogram(nil, dividers, x[first:last], nil)

	heights := make([]float64, len(counts))
	n := float64(len(x))
	for j, c := range counts {
		heights[j] = c / (n * (edges[j+1] - edges[j]))
	}
	return heights
}
