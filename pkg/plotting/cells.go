package plotting

import (
	"image/color"
	"math"
	"strconv"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// cells is a plot.Plotter that fills a rows × cols table of square cells with row 0 at the top.
// Cell (r, c) covers x in [c − ½, c + ½] and y in [rows − 1 − r − ½, rows − 1 − r + ½].
type cells struct {
	rows, cols int

	// colour returns the fill of cell (r, c), or nil for a missing value, which is drawn white
	// and crossed out.
	colour func(r, c int) color.Color

	// label, if not nil, returns a text to centre in cell (r, c). An empty text draws nothing.
	label func(r, c int) string

	// segment, if not nil, returns the line to draw through the centre of cell (r, c): its
	// orientation in radians, counter-clockwise from the horizontal on the page, and its
	// length as a fraction of the cell side. With ok = false it draws nothing.
	segment func(r, c int) (angle, length float64, ok bool)

	// gridLines draws thin lines between cells and a frame around the table.
	gridLines bool
}

func (t *cells) Plot(c draw.Canvas, p *plot.Plot) {
	trX, trY := p.Transforms(&c)
	x := func(col float64) vg.Length { return trX(col) }
	y := func(row float64) vg.Length { return trY(float64(t.rows-1) - row) }
	side := math.Min(math.Abs(float64(x(1)-x(0))), math.Abs(float64(y(0)-y(1))))

	for r := 0; r < t.rows; r++ {
		for col := 0; col < t.cols; col++ {
			rect := vg.Rectangle{
				Min: vg.Point{X: x(float64(col) - 0.5), Y: y(float64(r) + 0.5)},
				Max: vg.Point{X: x(float64(col) + 0.5), Y: y(float64(r) - 0.5)},
			}
			fill := t.colour(r, col)
			if fill == nil {
				c.SetColor(color.White)
				c.Fill(rect.Path())
				cross := draw.LineStyle{Color: gridLineColour, Width: vg.Length(math.Min(0.75, side/16))}
				c.StrokeLine2(cross, rect.Min.X, rect.Min.Y, rect.Max.X, rect.Max.Y)
				c.StrokeLine2(cross, rect.Min.X, rect.Max.Y, rect.Max.X, rect.Min.Y)
				continue
			}
			c.SetColor(fill)
			c.Fill(rect.Path())
		}
	}

	if t.gridLines {
		t.drawGridLines(c, x, y, side)
	}

	if t.segment != nil {
		style := draw.LineStyle{Color: color.NRGBA{R: 0x20, G: 0x20, B: 0x20, A: 0xFF}, Width: vg.Length(math.Max(0.5, side/16))}
		for r := 0; r < t.rows; r++ {
			for col := 0; col < t.cols; col++ {
				angle, length, ok := t.segment(r, col)
				if !ok {
					continue
				}
				half := vg.Length(length * side / 2)
				dx, dy := half*vg.Length(math.Cos(angle)), half*vg.Length(math.Sin(angle))
				cx, cy := x(float64(col)), y(float64(r))
				c.StrokeLine2(style, cx-dx, cy-dy, cx+dx, cy+dy)
			}
		}
	}

	// Cell text scales with the cell and is left out when it would be smaller than 4 pt.
	if t.label != nil {
		size := vg.Length(math.Min(float64(TickLabelSize), 0.4*side))
		if size < 4 {
			return
		}
		style := textStyle(size)
		for r := 0; r < t.rows; r++ {
			for col := 0; col < t.cols; col++ {
				s := t.label(r, col)
				if s == "" {
					continue
				}
				style.Color = color.Black
				if fill := t.colour(r, col); fill != nil {
					style.Color = textColourOn(fill)
				}
				c.FillText(style, vg.Point{X: x(float64(col)), Y: y(float64(r))}, s)
			}
		}
	}
}

// drawGridLines strokes the cell borders, thinner for small cells so they never hide the fills.
func (t *cells) drawGridLines(c draw.Canvas, x, y func(float64) vg.Length, side float64) {
	style := draw.LineStyle{Color: gridLineColour, Width: vg.Length(math.Min(0.5, side/32))}
	top, bottom := y(-0.5), y(float64(t.rows)-0.5)
	left, right := x(-0.5), x(float64(t.cols)-0.5)
	for col := 0; col <= t.cols; col++ {
		xc := x(float64(col) - 0.5)
		c.StrokeLine2(style, xc, bottom, xc, top)
	}
	for r := 0; r <= t.rows; r++ {
		yr := y(float64(r) - 0.5)
		c.StrokeLine2(style, left, yr, right, yr)
	}
}

func (t *cells) DataRange() (xmin, xmax, ymin, ymax float64) {
	return -0.5, float64(t.cols) - 0.5, -0.5, float64(t.rows) - 0.5
}

// cellTicks returns ticks at cell centres 0 … n−1, labelled with the index, every step-th index
// so no more than 12 labels appear. With reversed set, index i sits at position n − 1 − i, as
// rows do in cells.
func cellTicks(n int, reversed bool) plot.Ticker {
	step := 1
	for _, s := range []int{1, 2, 5, 10, 20, 50, 100, 200, 500, 1000} {
		step = s
		if (n+s-1)/s <= 12 {
			break
		}
	}
	var ticks []plot.Tick
	for i := 0; i < n; i += step {
		pos := float64(i)
		if reversed {
			pos = float64(n - 1 - i)
		}
		ticks = append(ticks, plot.Tick{Value: pos, Label: strconv.Itoa(i)})
	}
	return plot.ConstantTicks(ticks)
}

// labelTicks returns one tick per cell labelled with labels[i] + suffix, for row or column
// labels. Trailing spaces as suffix keep rotated labels clear of the axis.
func labelTicks(labels []string, reversed bool, suffix string) plot.Ticker {
	ticks := make([]plot.Tick, len(labels))
	for i, l := range labels {
		pos := float64(i)
		if reversed {
			pos = float64(len(labels) - 1 - i)
		}
		ticks[i] = plot.Tick{Value: pos, Label: l + suffix}
	}
	return plot.ConstantTicks(ticks)
}

// newCellPlot returns a plot framing a rows × cols table of cells, with row 0 at the top and
// tick labels at the cell indices.
func newCellPlot(title, xLabel, yLabel string, rows, cols int) *plot.Plot {
	p := newPlot(title, xLabel, yLabel)
	p.X.Min, p.X.Max = -0.5, float64(cols)-0.5
	p.Y.Min, p.Y.Max = -0.5, float64(rows)-0.5
	p.X.Padding, p.Y.Padding = 0, 0
	p.X.Width, p.Y.Width = 0, 0
	p.X.Tick.Marker = cellTicks(cols, false)
	p.Y.Tick.Marker = cellTicks(rows, true)
	return p
}
