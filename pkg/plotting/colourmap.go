package plotting

import (
	"fmt"
	"image/color"
	"math"

	"gonum.org/v1/plot/palette"
	"gonum.org/v1/plot/palette/moreland"
)

// Diverging returns Moreland's smooth blue–white–red colour map (Moreland, "Diverging Color
// Maps for Scientific Visualization", 2009, doi:10.1007/978-3-642-10520-3_9) over
// [−limit, limit], so 0 maps to the neutral light grey (221, 221, 221), −limit to blue
// (59, 76, 192) and +limit to red (180, 4, 38). Blue and red stay distinct under red–green
// colour blindness. Diverging panics if limit is not positive and finite.
func Diverging(limit float64) palette.DivergingColorMap {
	if !(limit > 0) || math.IsInf(limit, 0) {
		panic(fmt.Sprintf("plotting: invalid diverging limit %g: it must be positive and finite", limit))
	}
	cmap := moreland.SmoothBlueRed()
	cmap.SetMin(-limit)
	cmap.SetMax(limit)
	return cmap
}

// viridisControls are nine evenly spaced samples of matplotlib's viridis colour map, from dark
// purple (0x440154) to yellow (0xFDE725). Their CIELAB lightness increases
// monotonically, as moreland.NewLuminance requires.
var viridisControls = []color.Color{
	color.NRGBA{R: 0x44, G: 0x01, B: 0x54, A: 0xFF},
	color.NRGBA{R: 0x47, G: 0x2D, B: 0x7B, A: 0xFF},
	color.NRGBA{R: 0x3B, G: 0x52, B: 0x8B, A: 0xFF},
	color.NRGBA{R: 0x2C, G: 0x72, B: 0x8E, A: 0xFF},
	color.NRGBA{R: 0x21, G: 0x91, B: 0x8C, A: 0xFF},
	color.NRGBA{R: 0x28, G: 0xAE, B: 0x80, A: 0xFF},
	color.NRGBA{R: 0x5E, G: 0xC9, B: 0x62, A: 0xFF},
	color.NRGBA{R: 0xAD, G: 0xDC, B: 0x30, A: 0xFF},
	color.NRGBA{R: 0xFD, G: 0xE7, B: 0x25, A: 0xFF},
}

// Sequential returns a viridis colour map over [min, max]. Lightness rises linearly with the
// value, from dark purple at min to yellow at max, so the map keeps its order in greyscale and
// under colour blindness. Sequential panics if min ≥ max or either bound is not finite.
func Sequential(min, max float64) palette.ColorMap {
	if !(min < max) || math.IsInf(min, 0) || math.IsInf(max, 0) {
		panic(fmt.Sprintf("plotting: invalid sequential range [%g, %g]: it needs finite min < max", min, max))
	}
	cmap, err := moreland.NewLuminance(viridisControls)
	if err != nil {
		panic("plotting: viridis controls: " + err.Error())
	}
	cmap.SetMin(min)
	cmap.SetMax(max)
	return cmap
}

// OrientationColour returns the colour of an orientation theta in radians on a cyclic hue
// wheel that turns once over 180°: hue = (theta mod π) / π at full saturation and value, so 0°
// is red, 30° yellow, 60° green, 90° cyan, 120° blue, 150° magenta, and theta and theta + π
// share a colour. NaN and ±Inf get the missing-value grey.
func OrientationColour(theta float64) color.Color {
	if math.IsNaN(theta) || math.IsInf(theta, 0) {
		return missingColour
	}
	hue := math.Mod(theta, math.Pi) / math.Pi
	if hue < 0 {
		hue++
	}
	return color.NRGBAModel.Convert(palette.HSVA{H: hue, S: 1, V: 1, A: 1})
}

// orientationMap is the palette.ColorMap of OrientationColour over [0, π] radians.
type orientationMap struct{ alpha float64 }

// Orientation returns OrientationColour as a palette.ColorMap over [0, π] radians. Its range is
// fixed, so SetMin and SetMax panic. At returns palette.ErrNaN for NaN.
func Orientation() palette.ColorMap { return &orientationMap{alpha: 1} }

func (m *orientationMap) At(theta float64) (color.Color, error) {
	if math.IsNaN(theta) {
		return nil, palette.ErrNaN
	}
	return withAlpha(OrientationColour(theta), m.alpha), nil
}

func (m *orientationMap) Max() float64 { return math.Pi }
func (m *orientationMap) Min() float64 { return 0 }

func (m *orientationMap) SetMax(float64) {
	panic("plotting: the orientation colour map has the fixed range [0, π]")
}

func (m *orientationMap) SetMin(float64) {
	panic("plotting: the orientation colour map has the fixed range [0, π]")
}

func (m *orientationMap) Alpha() float64 { return m.alpha }

func (m *orientationMap) SetAlpha(alpha float64) {
	if alpha < 0 || alpha > 1 {
		panic(fmt.Sprintf("plotting: invalid alpha %g: it must be in [0, 1]", alpha))
	}
	m.alpha = alpha
}

func (m *orientationMap) Palette(n int) palette.Palette {
	colours := make([]color.Color, n)
	for i := range colours {
		colours[i], _ = m.At(math.Pi * float64(i) / float64(n))
	}
	return colourList(colours)
}

type colourList []color.Color

func (l colourList) Colors() []color.Color { return l }

// colourAt returns cmap's colour for v, with v clamped to the map's range so values beyond
// the limits saturate, and nil for NaN.
func colourAt(cmap palette.ColorMap, v float64) color.Color {
	if math.IsNaN(v) {
		return nil
	}
	v = math.Max(cmap.Min(), math.Min(cmap.Max(), v))
	c, err := cmap.At(v)
	if err != nil {
		return nil
	}
	return c
}
