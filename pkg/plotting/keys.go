package plotting

import (
	"image"
	"image/color"
	"math"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/palette"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// key is a panel drawn to the right of a figure's data area: a colour bar or a list of
// category swatches.
type key interface {
	// width returns the width the key needs, in points.
	width() vg.Length
	// draw draws the key in c, whose height matches the data area beside it.
	draw(c draw.Canvas)
}

// keyGap is the space between a data area and its key.
const keyGap = vg.Length(10)

// minKeyHeight is the least height of a key beside a short data area, so a colour bar keeps
// readable tick labels.
const minKeyHeight = 1.5 * vg.Inch

// keyCanvas returns the part of c from x = left to right where a key beside the data area dc
// goes: as tall as dc, or minKeyHeight (at most c's height) centred on dc and kept inside c.
func keyCanvas(c draw.Canvas, dc vg.Rectangle, left, right vg.Length) draw.Canvas {
	h := vg.Length(math.Max(float64(dc.Max.Y-dc.Min.Y), math.Min(float64(minKeyHeight), float64(c.Max.Y-c.Min.Y))))
	bottom := (dc.Min.Y+dc.Max.Y)/2 - h/2
	bottom = vg.Length(math.Max(float64(c.Min.Y), math.Min(float64(bottom), float64(c.Max.Y-h))))
	kc := c
	kc.Rectangle = vg.Rectangle{Min: vg.Point{X: left, Y: bottom}, Max: vg.Point{X: right, Y: bottom + h}}
	return kc
}

// colourBar is a vertical colour bar with tick labels and a rotated label on its right.
type colourBar struct {
	cmap  func() palette.ColorMap
	label func() string
	ticks func(min, max float64) []plot.Tick // nil: NiceTicks
}

const (
	barWidth   = vg.Length(10)
	tickLength = vg.Length(3)
	labelGap   = vg.Length(3)
)

func (b *colourBar) majorTicks() []plot.Tick {
	cmap := b.cmap()
	var all []plot.Tick
	if b.ticks != nil {
		all = b.ticks(cmap.Min(), cmap.Max())
	} else {
		all = NiceTicks{}.Ticks(cmap.Min(), cmap.Max())
	}
	var major []plot.Tick
	for _, t := range all {
		if t.Label != "" && t.Value >= cmap.Min() && t.Value <= cmap.Max() {
			major = append(major, t)
		}
	}
	return major
}

func (b *colourBar) width() vg.Length {
	tickStyle := textStyle(TickLabelSize)
	var labels vg.Length
	for _, t := range b.majorTicks() {
		labels = vg.Length(math.Max(float64(labels), float64(tickStyle.Width(t.Label))))
	}
	w := barWidth + tickLength + labelGap + labels
	if b.label() != "" {
		w += 2*labelGap + textStyle(LabelSize).Height(b.label())
	}
	return w
}

func (b *colourBar) draw(c draw.Canvas) {
	cmap := b.cmap()
	lo, hi := cmap.Min(), cmap.Max()
	bar := vg.Rectangle{Min: c.Min, Max: vg.Point{X: c.Min.X + barWidth, Y: c.Max.Y}}

	// A 1-pixel-wide image of 256 rows fills the bar, and renderers interpolate between rows.
	const steps = 256
	img := image.NewNRGBA(image.Rect(0, 0, 1, steps))
	for i := 0; i < steps; i++ {
		v := lo + (hi-lo)*(float64(i)+0.5)/steps
		img.Set(0, steps-1-i, colourAt(cmap, v))
	}
	c.DrawImage(bar, img)
	c.SetLineStyle(draw.LineStyle{Color: color.Black, Width: vg.Points(0.5)})
	c.Stroke(bar.Path())

	tickStyle := textStyle(TickLabelSize)
	tickStyle.XAlign = draw.XLeft
	line := draw.LineStyle{Color: color.Black, Width: vg.Points(0.5)}
	ticks := b.majorTicks()
	// Keep every step-th label when labels would be closer than 1.5 line heights.
	step := 1
	for len(ticks) > 1 && vg.Length(len(ticks)/step-1)*1.5*tickStyle.Height("0") > bar.Max.Y-bar.Min.Y && step < len(ticks) {
		step++
	}
	for i, t := range ticks {
		if i%step != 0 {
			continue
		}
		y := bar.Min.Y + vg.Length((t.Value-lo)/(hi-lo))*(bar.Max.Y-bar.Min.Y)
		c.StrokeLine2(line, bar.Max.X, y, bar.Max.X+tickLength, y)
		c.FillText(tickStyle, vg.Point{X: bar.Max.X + tickLength + labelGap, Y: y}, t.Label)
	}

	if label := b.label(); label != "" {
		style := textStyle(LabelSize)
		style.Rotation = math.Pi / 2
		h := style.Height(label)
		c.FillText(style, vg.Point{X: c.Max.X - h/2, Y: (c.Min.Y + c.Max.Y) / 2}, label)
	}
}

// degreeTicks labels an orientation colour bar over [0, π] radians every 45°.
func degreeTicks(_, _ float64) []plot.Tick {
	return []plot.Tick{
		{Value: 0, Label: "0°"},
		{Value: math.Pi / 4, Label: "45°"},
		{Value: math.Pi / 2, Label: "90°"},
		{Value: 3 * math.Pi / 4, Label: "135°"},
		{Value: math.Pi, Label: "180°"},
	}
}

// swatch is one entry of a categoryKey.
type swatch struct {
	colour color.Color
	label  string
}

// categoryKey lists colour swatches with their labels from the top down, with an optional
// heading.
type categoryKey struct {
	heading string
	entries []swatch
}

const swatchSide = vg.Length(9)

func (k *categoryKey) width() vg.Length {
	style := textStyle(LegendSize)
	w := textStyle(LabelSize).Width(k.heading)
	for _, e := range k.entries {
		w = vg.Length(math.Max(float64(w), float64(swatchSide+labelGap+style.Width(e.label))))
	}
	return w
}

func (k *categoryKey) draw(c draw.Canvas) {
	y := c.Max.Y
	if k.heading != "" {
		style := textStyle(LabelSize)
		style.XAlign, style.YAlign = draw.XLeft, draw.YTop
		c.FillText(style, vg.Point{X: c.Min.X, Y: y}, k.heading)
		y -= style.Height(k.heading) + labelGap
	}

	style := textStyle(LegendSize)
	style.XAlign = draw.XLeft
	row := vg.Length(math.Max(float64(swatchSide), float64(style.Height("Mg")))) + 2
	for _, e := range k.entries {
		box := vg.Rectangle{
			Min: vg.Point{X: c.Min.X, Y: y - row/2 - swatchSide/2},
			Max: vg.Point{X: c.Min.X + swatchSide, Y: y - row/2 + swatchSide/2},
		}
		c.SetColor(e.colour)
		c.Fill(box.Path())
		c.SetLineStyle(draw.LineStyle{Color: gridLineColour, Width: vg.Points(0.5)})
		c.Stroke(box.Path())
		c.FillText(style, vg.Point{X: box.Max.X + labelGap, Y: y - row/2}, e.label)
		y -= row
	}
}

// swatchThumb is a plot.Thumbnailer that fills a square of the legend entry's height.
type swatchThumb struct{ colour color.Color }

func (s swatchThumb) Thumbnail(c *draw.Canvas) {
	side := c.Max.Y - c.Min.Y
	x := (c.Min.X + c.Max.X - side) / 2
	box := vg.Rectangle{Min: vg.Point{X: x, Y: c.Min.Y}, Max: vg.Point{X: x + side, Y: c.Max.Y}}
	c.SetColor(s.colour)
	c.Fill(box.Path())
}
