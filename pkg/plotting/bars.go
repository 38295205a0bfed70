package plotting

import (
	"fmt"
	"image/color"
	"math"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// bars is a plot.Plotter of vertical bars from 0 to values[i] centred at x[i], width wide in
// data units, with optional error bars ± errs[i]. A NaN value draws no bar.
type bars struct {
	x, values, errs []float64
	width           float64
	colours         []color.Color
}

func (b *bars) Plot(c draw.Canvas, p *plot.Plot) {
	trX, trY := p.Transforms(&c)
	errStyle := draw.LineStyle{Color: color.Black, Width: vg.Points(0.8)}
	for i, v := range b.values {
		if math.IsNaN(v) {
			continue
		}
		left, right := trX(b.x[i]-b.width/2), trX(b.x[i]+b.width/2)
		rect := vg.Rectangle{
			Min: vg.Point{X: left, Y: trY(math.Min(0, v))},
			Max: vg.Point{X: right, Y: trY(math.Max(0, v))},
		}
		c.FillPolygon(b.colours[i], c.ClipPolygonXY(rectPoints(rect)))

		if b.errs == nil || math.IsNaN(b.errs[i]) {
			continue
		}
		x := trX(b.x[i])
		lo, hi := trY(v-b.errs[i]), trY(v+b.errs[i])
		cap := (right - left) / 4
		c.StrokeLines(errStyle, c.ClipLinesXY([]vg.Point{{X: x, Y: lo}, {X: x, Y: hi}})...)
		c.StrokeLines(errStyle, c.ClipLinesXY([]vg.Point{{X: x - cap, Y: lo}, {X: x + cap, Y: lo}})...)
		c.StrokeLines(errStyle, c.ClipLinesXY([]vg.Point{{X: x - cap, Y: hi}, {X: x + cap, Y: hi}})...)
	}
}

func rectPoints(r vg.Rectangle) []vg.Point {
	return []vg.Point{r.Min, {X: r.Max.X, Y: r.Min.Y}, r.Max, {X: r.Min.X, Y: r.Max.Y}}
}

func (b *bars) DataRange() (xmin, xmax, ymin, ymax float64) {
	xmin, xmax = math.Inf(1), math.Inf(-1)
	ymin, ymax = 0, 0
	for i, v := range b.values {
		xmin = math.Min(xmin, b.x[i]-b.width/2)
		xmax = math.Max(xmax, b.x[i]+b.width/2)
		if math.IsNaN(v) {
			continue
		}
		e := 0.0
		if b.errs != nil && !math.IsNaN(b.errs[i]) {
			e = b.errs[i]
		}
		ymin, ymax = math.Min(ymin, v-e), math.Max(ymax, v+e)
	}
	return xmin, xmax, ymin, ymax
}

// groupWidth is the fraction of the space between group centres that a group's bars fill.
const groupWidth = 0.8

// Bars draws grouped bars: one group per entry of groups along the x axis and, within each,
// one bar per series, of height series[s].Y[g] with an error bar of ± series[s].Err[g] (for
// example mean accuracy ± SEM per condition). Bars start at 0, so negative values point down,
// and a line marks 0. Series differ in colour and are named in the legend. Group labels turn
// by 45° when together they would be wider than about 4 inches. Bars returns an error if
// groups or series is empty, a series has X values, a Y or Err list does not have one entry
// per group, a Y is ±Inf or an Err is negative or ±Inf.
func Bars(title, yLabel string, groups []string, series []Series) (*plot.Plot, error) {
	if len(groups) == 0 {
		return nil, fmt.Errorf("plotting: Bars: no groups: pass at least one group label (\"\" for an unlabelled group)")
	}
	for i, s := range series {
		if s.X != nil {
			return nil, fmt.Errorf("plotting: Bars: series %d (%q) has X values: bars sit at their group, so leave X nil", i, s.Name)
		}
	}
	if err := checkSeries("Bars", series, len(groups), false); err != nil {
		return nil, err
	}

	p := newPlot(title, "", yLabel)
	grid := lightGrid()
	grid.Vertical.Width = 0
	p.Add(grid)
	p.Add(hLine{y: 0, style: draw.LineStyle{Color: color.Black, Width: vg.Points(0.6)}})
	barWidth := groupWidth / float64(len(series))
	var points [][2]float64
	for s, ser := range series {
		colour, _, _ := seriesStyle(ser, s, len(series))
		b := &bars{width: barWidth, values: ser.Y, errs: ser.Err}
		for g := range groups {
			x := float64(g) - groupWidth/2 + (float64(s)+0.5)*barWidth
			b.x = append(b.x, x)
			b.colours = append(b.colours, colour)
			if top := ser.Y[g]; !math.IsNaN(top) {
				if ser.Err != nil && !math.IsNaN(ser.Err[g]) {
					top += math.Copysign(ser.Err[g], top)
				}
				for t := 0.0; t <= 1; t += 0.125 {
					points = append(points, [2]float64{x - barWidth/2 + t*barWidth, top}, [2]float64{x, t * top})
				}
			}
		}
		p.Add(b)
		if ser.Name != "" {
			p.Legend.Add(ser.Name, swatchThumb{colour: colour})
		}
	}

	p.X.Min, p.X.Max = -0.5, float64(len(groups))-0.5
	p.X.Tick.Marker = labelTicks(groups, false, "")
	p.X.Tick.Length = 0
	p.X.Width = 0
	var labelWidth vg.Length
	for _, g := range groups {
		labelWidth += p.X.Tick.Label.Width(g) + vg.Points(6)
	}
	if labelWidth > 4*vg.Inch {
		p.X.Tick.Marker = labelTicks(groups, false, "  ")
		p.X.Tick.Label.Rotation = math.Pi / 4
		p.X.Tick.Label.XAlign, p.X.Tick.Label.YAlign = draw.XRight, draw.YCenter
	}
	placeLegend(p, points, legendEntries(series))
	return p, nil
}
