package plotting

import (
	"image/color"
	"math"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/text"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// Font sizes of every figure, in points. They stay readable when a 6 × 4.5 inch figure is
// shrunk to a single journal column.
const (
	TitleSize     = vg.Length(12)
	LabelSize     = vg.Length(11)
	TickLabelSize = vg.Length(9)
	LegendSize    = vg.Length(9)
)

// tickMarkLength is the length of axis tick marks.
const tickMarkLength = vg.Length(4)

// typeface is Liberation Sans, embedded in gonum/plot, so figures look the same on every machine.
var typeface = font.Font{Typeface: "Liberation", Variant: "Sans"}

// textStyle returns a sans-serif text style of the given size in points.
func textStyle(size vg.Length) text.Style {
	return text.Style{
		Color:   color.Black,
		Font:    font.From(typeface, size),
		XAlign:  draw.XCenter,
		YAlign:  draw.YCenter,
		Handler: plot.DefaultTextHandler,
	}
}

// newPlot returns a plot with the package's fonts, short tick marks and no grey padding, titled
// title, with axis labels xLabel and yLabel.
func newPlot(title, xLabel, yLabel string) *plot.Plot {
	p := plot.New()
	p.Title.Text = title
	p.Title.TextStyle.Font = font.From(typeface, TitleSize)
	p.Title.Padding = vg.Points(6)
	p.Legend.TextStyle.Font = font.From(typeface, LegendSize)
	p.Legend.ThumbnailWidth = vg.Points(18)
	p.Legend.Padding = vg.Points(1)
	for _, axis := range []*plot.Axis{&p.X, &p.Y} {
		axis.Label.TextStyle.Font = font.From(typeface, LabelSize)
		axis.Label.Padding = vg.Points(3)
		axis.Tick.Label.Font = font.From(typeface, TickLabelSize)
		axis.Tick.Length = tickMarkLength
		axis.Tick.Marker = NiceTicks{}
	}
	p.X.Label.Text = xLabel
	p.Y.Label.Text = yLabel
	return p
}

// okabeIto is the Okabe–Ito "Color Universal Design" palette, designed to stay distinguishable
// under the common forms of colour blindness. Yellow is last because it is faint on white.
var okabeIto = []color.Color{
	color.NRGBA{R: 0x00, G: 0x72, B: 0xB2, A: 0xFF}, // blue
	color.NRGBA{R: 0xD5, G: 0x5E, B: 0x00, A: 0xFF}, // vermillion
	color.NRGBA{R: 0x00, G: 0x9E, B: 0x73, A: 0xFF}, // bluish green
	color.NRGBA{R: 0xE6, G: 0x9F, B: 0x00, A: 0xFF}, // orange
	color.NRGBA{R: 0xCC, G: 0x79, B: 0xA7, A: 0xFF}, // reddish purple
	color.NRGBA{R: 0x56, G: 0xB4, B: 0xE9, A: 0xFF}, // sky blue
	color.NRGBA{R: 0x00, G: 0x00, B: 0x00, A: 0xFF}, // black
	color.NRGBA{R: 0xF0, G: 0xE4, B: 0x42, A: 0xFF}, // yellow
}

// tolMuted is Paul Tol's "muted" qualitative scheme, designed for colour-blind readers,
// followed by black as a tenth colour.
var tolMuted = []color.Color{
	color.NRGBA{R: 0x33, G: 0x22, B: 0x88, A: 0xFF}, // indigo
	color.NRGBA{R: 0x88, G: 0xCC, B: 0xEE, A: 0xFF}, // cyan
	color.NRGBA{R: 0x44, G: 0xAA, B: 0x99, A: 0xFF}, // teal
	color.NRGBA{R: 0x11, G: 0x77, B: 0x33, A: 0xFF}, // green
	color.NRGBA{R: 0x99, G: 0x99, B: 0x33, A: 0xFF}, // olive
	color.NRGBA{R: 0xDD, G: 0xCC, B: 0x77, A: 0xFF}, // sand
	color.NRGBA{R: 0xCC, G: 0x66, B: 0x77, A: 0xFF}, // rose
	color.NRGBA{R: 0x88, G: 0x22, B: 0x55, A: 0xFF}, // wine
	color.NRGBA{R: 0xAA, G: 0x44, B: 0x99, A: 0xFF}, // purple
	color.NRGBA{R: 0x00, G: 0x00, B: 0x00, A: 0xFF}, // black
}

// Categorical returns n colours for categories such as conditions or classes: the Okabe–Ito
// palette for n ≤ 8, Paul Tol's muted palette plus black for n ≤ 10. Both are distinguishable
// under the common forms of colour blindness. For n > 10 the ten colours repeat, so a figure
// with more categories must tell them apart another way (line dashes, glyphs, cell labels, or
// colours the caller chooses).
func Categorical(n int) []color.Color {
	base := okabeIto
	if n > len(okabeIto) {
		base = tolMuted
	}
	colours := make([]color.Color, n)
	for i := range colours {
		colours[i] = base[i%len(base)]
	}
	return colours
}

// glyphShapes are the point markers given to successive series, a second code beside colour.
var glyphShapes = []draw.GlyphDrawer{
	draw.CircleGlyph{},
	draw.SquareGlyph{},
	draw.TriangleGlyph{},
	draw.PyramidGlyph{},
	draw.RingGlyph{},
	draw.BoxGlyph{},
	draw.CrossGlyph{},
	draw.PlusGlyph{},
}

// dashPatterns are the line dashes given to successive rounds of the colour cycle, so series
// that share a colour differ in dashes.
var dashPatterns = [][]vg.Length{
	nil,
	{vg.Points(5), vg.Points(2.5)},
	{vg.Points(1.5), vg.Points(1.5)},
	{vg.Points(6), vg.Points(2), vg.Points(1.5), vg.Points(2)},
}

// withAlpha returns c with its opacity set to alpha in [0, 1].
func withAlpha(c color.Color, alpha float64) color.Color {
	n := color.NRGBAModel.Convert(c).(color.NRGBA)
	n.A = uint8(math.Round(255 * alpha))
	return n
}

// blend returns (1 − t)·a + t·b per sRGB channel, for t in [0, 1].
func blend(a, b color.Color, t float64) color.Color {
	ca := color.NRGBAModel.Convert(a).(color.NRGBA)
	cb := color.NRGBAModel.Convert(b).(color.NRGBA)
	mix := func(x, y uint8) uint8 { return uint8(math.Round((1-t)*float64(x) + t*float64(y))) }
	return color.NRGBA{R: mix(ca.R, cb.R), G: mix(ca.G, cb.G), B: mix(ca.B, cb.B), A: mix(ca.A, cb.A)}
}

// relativeLuminance returns the WCAG 2 relative luminance of c, from 0 (black) to 1 (white).
func relativeLuminance(c color.Color) float64 {
	n := color.NRGBAModel.Convert(c).(color.NRGBA)
	linear := func(v uint8) float64 {
		s := float64(v) / 255
		if s <= 0.04045 {
			return s / 12.92
		}
		return math.Pow((s+0.055)/1.055, 2.4)
	}
	return 0.2126*linear(n.R) + 0.7152*linear(n.G) + 0.0722*linear(n.B)
}

// textColourOn returns black or white, whichever contrasts more with the background bg.
func textColourOn(bg color.Color) color.Color {
	// 0.179 is the luminance at which black and white text have equal WCAG contrast.
	if relativeLuminance(bg) > 0.179 {
		return color.Black
	}
	return color.White
}

var (
	gridLineColour = color.NRGBA{R: 0x80, G: 0x80, B: 0x80, A: 0xFF}
	missingColour  = color.NRGBA{R: 0xBD, G: 0xBD, B: 0xBD, A: 0xFF}
	emptyColour    = color.NRGBA{R: 0xF2, G: 0xF2, B: 0xF2, A: 0xFF}
)
