package plotting

import (
	"fmt"
	"image/color"
	"math"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// PanelGrid is a table of plots whose data areas are aligned with plot.Align, with optional
// column headings above, row headings on the left and a title. Its fields may be changed
// before drawing.
type PanelGrid struct {
	// Title is drawn above everything unless it is empty.
	Title string

	// Panels contains the plots by row and column. Every row has the same length, and a nil
	// entry leaves its place empty.
	Panels [][]*plot.Plot

	// ColLabels, if not nil, heads each column, and RowLabels, if not nil, each row.
	ColLabels, RowLabels []string
}

// Draw aligns the panels over c below the title and column headings and right of the row
// headings.
func (g *PanelGrid) Draw(c draw.Canvas) {
	c = withMargin(c)
	if len(g.Panels) == 0 || len(g.Panels[0]) == 0 {
		return
	}
	heading := textStyle(LabelSize)
	if g.Title != "" {
		style := textStyle(TitleSize)
		style.YAlign = draw.YTop
		c.FillText(style, vg.Point{X: (c.Min.X + c.Max.X) / 2, Y: c.Max.Y}, g.Title)
		c.Max.Y -= style.Height(g.Title) + panelGap
	}
	if g.ColLabels != nil {
		c.Max.Y -= heading.Height("Mg") + labelGap
	}
	if g.RowLabels != nil {
		c.Min.X += heading.Height("Mg") + labelGap
	}

	rows, cols := len(g.Panels), len(g.Panels[0])
	tiles := draw.Tiles{Rows: rows, Cols: cols, PadX: vg.Points(8), PadY: vg.Points(8)}
	canvases := plot.Align(g.Panels, tiles, c)
	for r, row := range g.Panels {
		for col, p := range row {
			if p != nil {
				p.Draw(canvases[r][col])
			}
		}
	}

	for col, label := range g.ColLabels {
		if col >= cols {
			break
		}
		dc := dataCanvasOf(g.Panels, canvases, -1, col)
		style := heading
		style.YAlign = draw.YBottom
		c.FillText(style, vg.Point{X: (dc.Min.X + dc.Max.X) / 2, Y: c.Max.Y + labelGap}, label)
	}
	for r, label := range g.RowLabels {
		if r >= rows {
			break
		}
		dc := dataCanvasOf(g.Panels, canvases, r, -1)
		style := heading
		style.Rotation = math.Pi / 2
		style.YAlign = draw.YBottom
		c.FillText(style, vg.Point{X: c.Min.X - labelGap, Y: (dc.Min.Y + dc.Max.Y) / 2}, label)
	}
}

// dataCanvasOf returns the data area of the first non-nil panel in column col (row < 0) or in
// row row (col < 0), or the tile itself when that whole line is empty.
func dataCanvasOf(panels [][]*plot.Plot, canvases [][]draw.Canvas, row, col int) draw.Canvas {
	if row < 0 {
		for r := range panels {
			if p := panels[r][col]; p != nil {
				return p.DataCanvas(canvases[r][col])
			}
		}
		return canvases[0][col]
	}
	for cc, p := range panels[row] {
		if p != nil {
			return p.DataCanvas(canvases[row][cc])
		}
	}
	return canvases[row][0]
}

// NoiseResults is the accuracy change under input degradation, the input of NoiseGrid.
type NoiseResults struct {
	// Noises names the noise types, for example "white", "pink", "salt and pepper": one row of
	// panels each.
	Noises []string

	// Levels are the noise levels, σ or the fraction of pixels: one column of panels each.
	Levels []float64

	// Conditions names the trained conditions, for example "control", "WS λ=1": one bar each
	// in every panel.
	Conditions []string

	// Change[n][l][c] is the change in test accuracy from the condition's clean accuracy, in
	// percentage points, under noise n at level l, for condition c (mean across models).
	Change [][][]float64

	// SEM, if not nil, has Change's shape and gives each bar's error bar. A NaN SEM draws none.
	SEM [][][]float64

	// Colors, if not nil, gives each condition's colour instead of Categorical.
	Colors []color.Color

	// SharedScale gives every panel the same y range. Otherwise each panel has its own, which
	// keeps differences between conditions visible at low noise levels.
	SharedScale bool
}

// NoiseGrid draws input-degradation results as a grid of small bar charts, one row per noise
// type and one column per level. Each panel has one bar per condition showing the accuracy
// change in percentage points (negative is worse), with SEM error bars and a line at 0. Bars
// keep their condition's colour in every panel and the bottom row names the conditions.
// NoiseGrid returns an error if Noises, Levels or Conditions is empty, Change or a non-nil
// SEM does not have the shape [noise][level][condition], a value is ±Inf, an SEM is negative
// or Colors has the wrong length.
func NoiseGrid(title string, r NoiseResults) (*PanelGrid, error) {
	if err := r.check(); err != nil {
		return nil, err
	}

	colours := r.Colors
	if colours == nil {
		colours = Categorical(len(r.Conditions))
	}
	g := &PanelGrid{Title: title, RowLabels: r.Noises}
	for _, level := range r.Levels {
		g.ColLabels = append(g.ColLabels, fmt.Sprintf("level %g", level))
	}
	ymin, ymax := 0.0, 0.0
	for n := range r.Noises {
		var row []*plot.Plot
		for l := range r.Levels {
			p := newPlot("", "", "")
			p.Add(hLine{y: 0, style: draw.LineStyle{Color: color.Black, Width: vg.Points(0.6)}})
			b := &bars{width: groupWidth, values: r.Change[n][l], colours: colours}
			if r.SEM != nil {
				b.errs = r.SEM[n][l]
			}
			for c := range r.Conditions {
				b.x = append(b.x, float64(c))
			}
			p.Add(b)
			p.X.Min, p.X.Max = -0.5, float64(len(r.Conditions))-0.5
			p.X.Width, p.X.Tick.Length = 0, 0
			if n == len(r.Noises)-1 {
				p.X.Tick.Marker = labelTicks(r.Conditions, false, "  ")
				p.X.Tick.Label.Rotation = math.Pi / 2
				p.X.Tick.Label.XAlign, p.X.Tick.Label.YAlign = draw.XRight, draw.YCenter
			} else {
				p.X.Tick.Marker = plot.ConstantTicks(nil)
			}
			if l == 0 {
				p.Y.Label.Text = "Δ accuracy (pp)"
			}
			ymin, ymax = math.Min(ymin, p.Y.Min), math.Max(ymax, p.Y.Max)
			row = append(row, p)
		}
		g.Panels = append(g.Panels, row)
	}
	if r.SharedScale {
		for _, row := range g.Panels {
			for _, p := range row {
				p.Y.Min, p.Y.Max = ymin, ymax
			}
		}
	}
	return g, nil
}

func (r NoiseResults) check() error {
	if len(r.Noises) == 0 || len(r.Levels) == 0 || len(r.Conditions) == 0 {
		return fmt.Errorf("plotting: NoiseGrid: %d noise types, %d levels and %d conditions: each needs at least one", len(r.Noises), len(r.Levels), len(r.Conditions))
	}
	if r.Colors != nil && len(r.Colors) != len(r.Conditions) {
		return fmt.Errorf("plotting: NoiseGrid: %d colours for %d conditions: pass one per condition, or nil", len(r.Colors), len(r.Conditions))
	}
	shape := func(name string, v [][][]float64, negativeOK bool) error {
		rule := "finite"
		if !negativeOK {
			rule = "finite and non-negative"
		}
		if len(v) != len(r.Noises) {
			return fmt.Errorf("plotting: NoiseGrid: %s has %d noise types, want %d: index it [noise][level][condition]", name, len(v), len(r.Noises))
		}
		for n := range v {
			if len(v[n]) != len(r.Levels) {
				return fmt.Errorf("plotting: NoiseGrid: %s[%d] has %d levels, want %d: index it [noise][level][condition]", name, n, len(v[n]), len(r.Levels))
			}
			for l := range v[n] {
				if len(v[n][l]) != len(r.Conditions) {
					return fmt.Errorf("plotting: NoiseGrid: %s[%d][%d] has %d conditions, want %d: index it [noise][level][condition]", name, n, l, len(v[n][l]), len(r.Conditions))
				}
				for c, x := range v[n][l] {
					if math.IsInf(x, 0) || (!negativeOK && x < 0) {
						return fmt.Errorf("plotting: NoiseGrid: %s[%d][%d][%d] = %g: values must be %s (NaN marks a missing value)", name, n, l, c, x, rule)
					}
				}
			}
		}
		return nil
	}
	if err := shape("Change", r.Change, true); err != nil {
		return err
	}
	if r.SEM != nil {
		return shape("SEM", r.SEM, false)
	}
	return nil
}
