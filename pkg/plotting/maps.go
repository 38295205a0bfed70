package plotting

import (
	"fmt"
	"image/color"
	"math"
	"strconv"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/palette"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/topocnn/topocnn/pkg/grid"
)

// MapFigure is a table of square cells (a topographic map or a matrix) with a key on its
// right: a colour bar or a list of categories. Its fields may be changed before drawing.
type MapFigure struct {
	// Plot is the map panel: set its title or axis labels here.
	Plot *plot.Plot

	// ColourMap maps cell values to colours and sets the colour bar's range. It is nil for
	// categorical maps. Replace it, for example with Diverging(limit), to give several
	// figures one scale.
	ColourMap palette.ColorMap

	// KeyLabel is the colour bar's label, the quantity and its unit, for example
	// "pre-ReLU activation".
	KeyLabel string

	// ValueFormat, if not empty, is the fmt verb used to print each cell's value in the cell,
	// for example "%.2f". Only maps of values (TopoMap, Heatmap) print values.
	ValueFormat string

	rows, cols int
	key        key

	// rotateLongLabels turns the x tick labels, colLabels, by 45° when they are wider than a
	// cell.
	rotateLongLabels bool
	colLabels        []string
}

// Draw draws the map with square cells, as large as c allows, centred with its key.
func (f *MapFigure) Draw(c draw.Canvas) {
	c = withMargin(c)
	var reserve vg.Length
	if f.key != nil {
		reserve = keyGap + f.key.width()
	}

	if f.rotateLongLabels {
		f.setRotatedLabels(false)
		_, dc := fitCells(f.Plot, c, reserve, f.rows, f.cols)
		side := (dc.Max.X - dc.Min.X) / vg.Length(f.cols)
		if widestTickLabel(f.Plot.X) > 0.9*side {
			f.setRotatedLabels(true)
		}
	}

	pc, dc := fitCells(f.Plot, c, reserve, f.rows, f.cols)
	f.Plot.Draw(pc)
	if f.key != nil {
		f.key.draw(keyCanvas(c, dc.Rectangle, dc.Max.X+keyGap, dc.Max.X+reserve))
	}
}

// setRotatedLabels turns the x tick labels by 45° and drops the x tick marks, or restores
// level labels with tick marks.
func (f *MapFigure) setRotatedLabels(rotated bool) {
	x := &f.Plot.X
	if rotated {
		x.Tick.Marker = labelTicks(f.colLabels, false, "  ")
		x.Tick.Label.Rotation = math.Pi / 4
		x.Tick.Label.XAlign, x.Tick.Label.YAlign = draw.XRight, draw.YCenter
		x.Tick.Length = 0
		return
	}
	x.Tick.Marker = labelTicks(f.colLabels, false, "")
	x.Tick.Label.Rotation = 0
	x.Tick.Label.XAlign, x.Tick.Label.YAlign = draw.XCenter, draw.YTop
	x.Tick.Length = tickMarkLength
}

func widestTickLabel(a plot.Axis) vg.Length {
	var w vg.Length
	for _, t := range a.Tick.Marker.Ticks(a.Min, a.Max) {
		w = vg.Length(math.Max(float64(w), float64(a.Tick.Label.Width(t.Label))))
	}
	return w
}

// fitCells returns the canvas to draw p in and p's data area within it. The data area contains
// rows × cols square cells, as large as fit in c less reserve points on the right, and plot
// and reserve together are centred in c.
func fitCells(p *plot.Plot, c draw.Canvas, reserve vg.Length, rows, cols int) (plotCanvas, dataCanvas draw.Canvas) {
	availW, availH := c.Max.X-c.Min.X-reserve, c.Max.Y-c.Min.Y
	canvas := func(w, h vg.Length) draw.Canvas {
		pc := c
		pc.Rectangle = vg.Rectangle{Min: c.Min, Max: vg.Point{X: c.Min.X + w, Y: c.Min.Y + h}}
		return pc
	}

	// The data area's width depends only on the canvas width and its height only on the
	// canvas height, both increasing, but not linearly: gonum/plot widens the axes when tick
	// labels stick out of a small canvas. So the sizes are found by bisection.
	dataW := func(w vg.Length) vg.Length {
		dc := p.DataCanvas(canvas(w, availH))
		return dc.Max.X - dc.Min.X
	}
	dataH := func(h vg.Length) vg.Length {
		dc := p.DataCanvas(canvas(availW, h))
		return dc.Max.Y - dc.Min.Y
	}
	side := math.Min(float64(dataW(availW))/float64(cols), float64(dataH(availH))/float64(rows))
	side = math.Max(side, 0.01)
	w := smallestReaching(dataW, vg.Length(side*float64(cols)), availW)
	h := smallestReaching(dataH, vg.Length(side*float64(rows)), availH)

	x0 := c.Min.X + (c.Max.X-c.Min.X-w-reserve)/2
	y0 := c.Min.Y + (c.Max.Y-c.Min.Y-h)/2
	plotCanvas = c
	plotCanvas.Rectangle = vg.Rectangle{Min: vg.Point{X: x0, Y: y0}, Max: vg.Point{X: x0 + w, Y: y0 + h}}
	return plotCanvas, p.DataCanvas(plotCanvas)
}

// smallestReaching returns, by bisection, the smallest length in [0, hi] at which the
// increasing function f reaches target, or hi if it never does.
func smallestReaching(f func(vg.Length) vg.Length, target, hi vg.Length) vg.Length {
	if f(hi) <= target {
		return hi
	}
	lo := vg.Length(0)
	for range 60 {
		mid := (lo + hi) / 2
		if f(mid) < target {
			lo = mid
		} else {
			hi = mid
		}
	}
	return hi
}

// checkGrid returns an error naming fn unless g has positive sides and exactly n cells.
func checkGrid(fn string, g grid.Grid, n int) error {
	if g.Rows <= 0 || g.Cols <= 0 {
		return fmt.Errorf("plotting: %s: invalid grid %s: rows and columns must be positive", fn, g)
	}
	if err := g.CheckFits(n); err != nil {
		return fmt.Errorf("plotting: %s: %w", fn, err)
	}
	return nil
}

// checkFinite returns an error naming fn and the slice name unless every value is finite or
// NaN.
func checkFinite(fn, name string, values []float64) error {
	for i, v := range values {
		if math.IsInf(v, 0) {
			return fmt.Errorf("plotting: %s: %s[%d] is %g: values must be finite (NaN marks a missing value)", fn, name, i, v)
		}
	}
	return nil
}

// maxAbs returns the largest |v| over the non-NaN values, or 0 if there are none.
func maxAbs(values []float64) float64 {
	var m float64
	for _, v := range values {
		if !math.IsNaN(v) {
			m = math.Max(m, math.Abs(v))
		}
	}
	return m
}

// TopoMap draws one value per unit on the grid g: unit k fills the cell at row k / g.Cols,
// column k % g.Cols, with row 0 at the top. Colours follow Diverging(m), m = max |value|, so 0
// is neutral grey, negative values blue and positive red, and a colour bar shows the scale.
// NaN values are drawn as white, crossed-out cells. TopoMap returns an error
// if len(values) ≠ g.Size(), a grid side is not positive or a value is ±Inf. Set KeyLabel to
// name the quantity, ValueFormat to print values in the cells, and ColourMap to share a scale
// between maps.
func TopoMap(values []float64, g grid.Grid, title string) (*MapFigure, error) {
	if err := checkGrid("TopoMap", g, len(values)); err != nil {
		return nil, err
	}
	if err := checkFinite("TopoMap", "values", values); err != nil {
		return nil, err
	}

	limit := maxAbs(values)
	if limit == 0 {
		limit = 1
	}
	f := &MapFigure{
		Plot:      newCellPlot(title, "grid column", "grid row", g.Rows, g.Cols),
		ColourMap: Diverging(limit),
		rows:      g.Rows,
		cols:      g.Cols,
	}
	vals := append([]float64(nil), values...)
	f.Plot.Add(&cells{
		rows:      g.Rows,
		cols:      g.Cols,
		colour:    func(r, c int) color.Color { return colourAt(f.ColourMap, vals[g.Index(r, c)]) },
		label:     f.valueLabel(func(r, c int) float64 { return vals[g.Index(r, c)] }),
		gridLines: true,
	})
	f.key = &colourBar{cmap: func() palette.ColorMap { return f.ColourMap }, label: func() string { return f.KeyLabel }}
	return f, nil
}

// valueLabel returns a cell label function that prints value(r, c) with f.ValueFormat, read at
// drawing time. NaN prints nothing.
func (f *MapFigure) valueLabel(value func(r, c int) float64) func(r, c int) string {
	return func(r, c int) string {
		v := value(r, c)
		if f.ValueFormat == "" || math.IsNaN(v) {
			return ""
		}
		s := fmt.Sprintf(f.ValueFormat, v)
		if trimmed := strings.TrimPrefix(s, "-"); trimmed != s && strings.Trim(trimmed, "0.") == "" {
			return trimmed // print a negative value that rounds to zero as "0.00", not "-0.00"
		}
		return s
	}
}

// OrientationMap draws each unit's preferred orientation on the grid g. angles are in radians,
// taken modulo π, so 0 and π are the same orientation. Each cell gets the hue of
// OrientationColour and a short line at its angle, measured counter-clockwise from the
// horizontal on the page. strength, if not nil, is the orientation selectivity (OSI) in
// [0, 1]: it blends the cell colour from white (0) to full hue (1) and sets the line length,
// and a NaN strength counts as 1. A colour bar labels the hues in degrees. NaN angles, such as
// units with no response, are drawn as white, crossed-out cells. OrientationMap returns an
// error if angles or a non-nil strength do not have g.Size() entries, an angle is ±Inf or a
// strength is outside [0, 1].
func OrientationMap(angles, strength []float64, g grid.Grid, title string) (*MapFigure, error) {
	if err := checkGrid("OrientationMap", g, len(angles)); err != nil {
		return nil, err
	}
	if err := checkFinite("OrientationMap", "angles", angles); err != nil {
		return nil, err
	}
	if strength != nil {
		if len(strength) != len(angles) {
			return nil, fmt.Errorf("plotting: OrientationMap: strength has %d values but angles has %d: pass one per unit, or nil", len(strength), len(angles))
		}
		for i, s := range strength {
			if !(s >= 0 && s <= 1) && !math.IsNaN(s) {
				return nil, fmt.Errorf("plotting: OrientationMap: strength[%d] = %g is outside [0, 1]: pass an orientation selectivity index such as OSI", i, s)
			}
		}
	}

	theta := append([]float64(nil), angles...)
	weights := make([]float64, len(theta))
	for k := range weights {
		weights[k] = 1
		if strength != nil && !math.IsNaN(strength[k]) {
			weights[k] = strength[k]
		}
	}

	f := &MapFigure{
		Plot:      newCellPlot(title, "grid column", "grid row", g.Rows, g.Cols),
		ColourMap: Orientation(),
		KeyLabel:  "preferred orientation",
		rows:      g.Rows,
		cols:      g.Cols,
	}
	f.Plot.Add(&cells{
		rows: g.Rows,
		cols: g.Cols,
		colour: func(r, c int) color.Color {
			k := g.Index(r, c)
			if math.IsNaN(theta[k]) {
				return nil
			}
			return blend(color.White, colourAt(f.ColourMap, math.Mod(math.Mod(theta[k], math.Pi)+math.Pi, math.Pi)), weights[k])
		},
		segment: func(r, c int) (float64, float64, bool) {
			k := g.Index(r, c)
			if math.IsNaN(theta[k]) {
				return 0, 0, false
			}
			return theta[k], 0.8 * weights[k], true
		},
		gridLines: true,
	})
	f.key = &colourBar{
		cmap:  func() palette.ColorMap { return f.ColourMap },
		label: func() string { return f.KeyLabel },
		ticks: degreeTicks,
	}
	return f, nil
}

// ExpertMap draws which class each unit is an expert for: classOfUnit[k] is the index in
// classNames of unit k's class, or −1 for a unit that is no expert. Expert cells get one of
// Categorical(len(classNames)) colours and their class index as text, so classes can be
// distinguished without colour. Other cells are near-white. The key lists each class with its
// number of experts. ExpertMap returns an error if len(classOfUnit) ≠ g.Size(), classNames is
// empty or a class index is outside [−1, len(classNames)).
func ExpertMap(classOfUnit []int, g grid.Grid, classNames []string) (*MapFigure, error) {
	if err := checkGrid("ExpertMap", g, len(classOfUnit)); err != nil {
		return nil, err
	}
	if len(classNames) == 0 {
		return nil, fmt.Errorf("plotting: ExpertMap: no class names: pass one name per class, for example the dataset's labels")
	}
	counts := make([]int, len(classNames))
	experts := 0
	for k, class := range classOfUnit {
		if class < -1 || class >= len(classNames) {
			return nil, fmt.Errorf("plotting: ExpertMap: classOfUnit[%d] = %d is outside [-1, %d): use -1 for no expert or an index into classNames", k, class, len(classNames))
		}
		if class >= 0 {
			counts[class]++
			experts++
		}
	}

	colours := Categorical(len(classNames))
	classes := append([]int(nil), classOfUnit...)
	f := &MapFigure{
		Plot: newCellPlot(fmt.Sprintf("Expert units (%d of %d)", experts, len(classes)), "grid column", "grid row", g.Rows, g.Cols),
		rows: g.Rows,
		cols: g.Cols,
	}
	f.Plot.Add(&cells{
		rows: g.Rows,
		cols: g.Cols,
		colour: func(r, c int) color.Color {
			if class := classes[g.Index(r, c)]; class >= 0 {
				return colours[class]
			}
			return emptyColour
		},
		label: func(r, c int) string {
			if class := classes[g.Index(r, c)]; class >= 0 {
				return strconv.Itoa(class)
			}
			return ""
		},
		gridLines: true,
	})

	k := &categoryKey{heading: "class (experts)"}
	for i, name := range classNames {
		label := fmt.Sprintf("%d %s (%d)", i, name, counts[i])
		if name == strconv.Itoa(i) {
			label = fmt.Sprintf("%s (%d)", name, counts[i]) // digit classes: the name is the index
		}
		k.entries = append(k.entries, swatch{colour: colours[i], label: label})
	}
	k.entries = append(k.entries, swatch{colour: emptyColour, label: fmt.Sprintf("no expert (%d)", len(classes)-experts)})
	f.key = k
	return f, nil
}

// Heatmap draws a matrix as a table of square cells, row 0 at the top, for example a
// representational dissimilarity matrix or a condition × condition similarity table.
// rowLabels and colLabels name the rows and columns, and nil labels them by index. Colours
// follow Sequential(min, max) when no value is negative, otherwise Diverging(max |value|)
// centred on 0. NaN cells are white and crossed out. Column labels turn by 45° when they are
// wider than a cell. Set ValueFormat (for example "%.2f") to print the values in the cells.
// Heatmap returns an error if the matrix is empty or ragged, a label list has the wrong length
// or a value is ±Inf.
func Heatmap(matrix [][]float64, rowLabels, colLabels []string, title string) (*MapFigure, error) {
	if len(matrix) == 0 || len(matrix[0]) == 0 {
		return nil, fmt.Errorf("plotting: Heatmap: empty matrix: pass at least one row with one value")
	}
	rows, cols := len(matrix), len(matrix[0])
	values := make([]float64, 0, rows*cols)
	for i, row := range matrix {
		if len(row) != cols {
			return nil, fmt.Errorf("plotting: Heatmap: row %d has %d values but row 0 has %d: the matrix must be rectangular", i, len(row), cols)
		}
		values = append(values, row...)
	}
	if err := checkFinite("Heatmap", "matrix values", values); err != nil {
		return nil, err
	}
	if rowLabels != nil && len(rowLabels) != rows {
		return nil, fmt.Errorf("plotting: Heatmap: %d row labels for %d rows: pass one per row, or nil", len(rowLabels), rows)
	}
	if colLabels != nil && len(colLabels) != cols {
		return nil, fmt.Errorf("plotting: Heatmap: %d column labels for %d columns: pass one per column, or nil", len(colLabels), cols)
	}

	f := &MapFigure{
		Plot:             newCellPlot(title, "", "", rows, cols),
		ColourMap:        matrixColourMap(values),
		rows:             rows,
		cols:             cols,
		rotateLongLabels: colLabels != nil,
		colLabels:        colLabels,
	}
	if rowLabels != nil {
		f.Plot.Y.Tick.Marker = labelTicks(rowLabels, true, "")
	}
	if colLabels != nil {
		f.Plot.X.Tick.Marker = labelTicks(colLabels, false, "")
	}
	value := func(r, c int) float64 { return values[r*cols+c] }
	f.Plot.Add(&cells{
		rows:      rows,
		cols:      cols,
		colour:    func(r, c int) color.Color { return colourAt(f.ColourMap, value(r, c)) },
		label:     f.valueLabel(value),
		gridLines: rows <= 40 && cols <= 40,
	})
	f.key = &colourBar{cmap: func() palette.ColorMap { return f.ColourMap }, label: func() string { return f.KeyLabel }}
	return f, nil
}

// matrixColourMap returns Sequential over the finite range of values when none is negative and
// Diverging over ±max |value| otherwise. A range of a single value is widened by ±0.5 (or to
// [0, 1] for 0) so the colour bar has a length.
func matrixColourMap(values []float64) palette.ColorMap {
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, v := range values {
		if !math.IsNaN(v) {
			lo, hi = math.Min(lo, v), math.Max(hi, v)
		}
	}
	switch {
	case math.IsInf(lo, 1):
		return Sequential(0, 1)
	case lo < 0:
		return Diverging(maxAbs(values))
	case lo == hi && lo == 0:
		return Sequential(0, 1)
	case lo == hi:
		return Sequential(lo-0.5, hi+0.5)
	}
	return Sequential(lo, hi)
}
