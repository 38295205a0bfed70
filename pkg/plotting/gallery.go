package plotting

import (
	"fmt"
	"image"
	"image/color"
	"math"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/palette"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/topocnn/topocnn/pkg/grid"
)

// Gallery is a figure of small multiples: equally sized panels in rows of Cols, each showing a
// map or an image with square cells or pixels, optionally with one shared colour bar on the
// right. Its exported fields may be changed before drawing.
type Gallery struct {
	// Title is drawn above all panels unless it is empty.
	Title string

	// Panels contains one plot per map or image, in reading order. Set a panel's title here.
	Panels []*plot.Plot

	// Cols is the number of panels per row.
	Cols int

	// ColourMap is the scale shared by all map panels, nil for images. Replace it to change
	// the range.
	ColourMap palette.ColorMap

	// KeyLabel is the colour bar's label, the quantity and its unit.
	KeyLabel string

	// contentRows and contentCols are the cells (or pixels) of one panel, which fix its aspect.
	contentRows, contentCols int
	key                      key
}

// panelGap is the space between gallery panels.
const panelGap = vg.Length(6)

// Draw lays the panels out as large as c allows with square cells, centred, with the key on
// the right.
func (g *Gallery) Draw(c draw.Canvas) {
	c = withMargin(c)
	if len(g.Panels) == 0 {
		return
	}
	if g.Title != "" {
		style := textStyle(TitleSize)
		style.YAlign = draw.YTop
		c.FillText(style, vg.Point{X: (c.Min.X + c.Max.X) / 2, Y: c.Max.Y}, g.Title)
		c.Max.Y -= style.Height(g.Title) + panelGap
	}
	var reserve vg.Length
	if g.key != nil {
		reserve = keyGap + g.key.width()
	}

	cols := max(1, min(g.Cols, len(g.Panels)))
	rows := (len(g.Panels) + cols - 1) / cols

	// Panels have hidden axes, so only their titles pad the data area, at the top.
	var padTop vg.Length
	for _, p := range g.Panels {
		dc := p.DataCanvas(c)
		padTop = vg.Length(math.Max(float64(padTop), float64(c.Max.Y-dc.Max.Y)))
	}

	availW := c.Max.X - c.Min.X - reserve - panelGap*vg.Length(cols-1)
	availH := c.Max.Y - c.Min.Y - panelGap*vg.Length(rows-1) - padTop*vg.Length(rows)
	side := vg.Length(math.Min(
		float64(availW)/float64(cols*g.contentCols),
		float64(availH)/float64(rows*g.contentRows)))
	side = vg.Length(math.Max(float64(side), 0.1))
	panelW := side * vg.Length(g.contentCols)
	panelH := side*vg.Length(g.contentRows) + padTop

	totalW := panelW*vg.Length(cols) + panelGap*vg.Length(cols-1) + reserve
	totalH := panelH*vg.Length(rows) + panelGap*vg.Length(rows-1)
	x0 := c.Min.X + (c.Max.X-c.Min.X-totalW)/2
	yTop := c.Max.Y - (c.Max.Y-c.Min.Y-totalH)/2

	for i, p := range g.Panels {
		row, col := i/cols, i%cols
		pc := c
		minX := x0 + vg.Length(col)*(panelW+panelGap)
		maxY := yTop - vg.Length(row)*(panelH+panelGap)
		pc.Rectangle = vg.Rectangle{Min: vg.Point{X: minX, Y: maxY - panelH}, Max: vg.Point{X: minX + panelW, Y: maxY}}
		p.Draw(pc)
	}

	if g.key != nil {
		right := x0 + panelW*vg.Length(cols) + panelGap*vg.Length(cols-1)
		data := vg.Rectangle{Min: vg.Point{X: x0, Y: yTop - totalH}, Max: vg.Point{X: right, Y: yTop - padTop}}
		g.key.draw(keyCanvas(c, data, right+keyGap, right+reserve))
	}
}

// newPanel returns a plot with hidden axes and a small title, for a gallery panel.
func newPanel(title string) *plot.Plot {
	p := newPlot(title, "", "")
	p.Title.TextStyle.Font = font.From(typeface, LabelSize-1)
	p.Title.Padding = vg.Points(3)
	p.HideAxes()
	p.X.Padding, p.Y.Padding = 0, 0
	return p
}

// MapGallery draws small multiples of per-image maps on the grid g, one panel per entry of
// maps, cols panels per row (cols ≤ 0 picks about as many columns as rows). All panels share
// Diverging(m), m = max |value| over every map, and one colour bar, so equal colours mean
// equal values across panels. titles, if not nil, gives each panel a title. MapGallery returns
// an error if maps is empty, a map does not have g.Size() values, a value is ±Inf or titles
// has the wrong length.
func MapGallery(maps [][]float64, g grid.Grid, titles []string, cols int) (*Gallery, error) {
	if len(maps) == 0 {
		return nil, fmt.Errorf("plotting: MapGallery: no maps: pass at least one map of %d values", g.Size())
	}
	if titles != nil && len(titles) != len(maps) {
		return nil, fmt.Errorf("plotting: MapGallery: %d titles for %d maps: pass one per map, or nil", len(titles), len(maps))
	}
	var limit float64
	for i, m := range maps {
		if err := checkGrid(fmt.Sprintf("MapGallery map %d", i), g, len(m)); err != nil {
			return nil, err
		}
		if err := checkFinite("MapGallery", fmt.Sprintf("maps[%d]", i), m); err != nil {
			return nil, err
		}
		limit = math.Max(limit, maxAbs(m))
	}
	if limit == 0 {
		limit = 1
	}

	gal := &Gallery{
		Cols:        galleryCols(cols, len(maps)),
		ColourMap:   Diverging(limit),
		contentRows: g.Rows,
		contentCols: g.Cols,
	}
	for i, m := range maps {
		title := ""
		if titles != nil {
			title = titles[i]
		}
		p := newPanel(title)
		p.X.Min, p.X.Max, p.Y.Min, p.Y.Max = -0.5, float64(g.Cols)-0.5, -0.5, float64(g.Rows)-0.5
		vals := append([]float64(nil), m...)
		p.Add(&cells{
			rows:      g.Rows,
			cols:      g.Cols,
			colour:    func(r, c int) color.Color { return colourAt(gal.ColourMap, vals[g.Index(r, c)]) },
			gridLines: true,
		})
		gal.Panels = append(gal.Panels, p)
	}
	gal.key = &colourBar{cmap: func() palette.ColorMap { return gal.ColourMap }, label: func() string { return gal.KeyLabel }}
	return gal, nil
}

// galleryCols returns cols, or for cols ≤ 0 the smallest count that gives at most as many rows
// as columns.
func galleryCols(cols, n int) int {
	if cols > 0 {
		return cols
	}
	return int(math.Ceil(math.Sqrt(float64(n))))
}

// imageScale is the least number of pixels on a side that ImageGrid enlarges an image to by
// repeating pixels, so renderers that smooth scaled images keep the pixels sharp.
const imageScale = 256

// ImageGrid draws images, such as degraded inputs or probe stimuli, in rows of cols (cols ≤ 0
// picks about as many columns as rows), with square pixels. Each image is h × w × c values in
// row-major HWC order (NHWC for one image), c = 1 for grey or 3 for RGB, with values in
// [0, 1] as before normalisation. titles, if not nil, gives each image a title. ImageGrid
// returns an error if images is empty, a size is not positive, c is not 1 or 3, an image has
// other than h·w·c values, a value is outside [0, 1] or NaN, or titles has the wrong length.
// Raster or Image turn the result into an image.Image.
func ImageGrid(images [][]float32, h, w, c int, titles []string, cols int) (*Gallery, error) {
	if len(images) == 0 {
		return nil, fmt.Errorf("plotting: ImageGrid: no images: pass at least one image")
	}
	if h <= 0 || w <= 0 {
		return nil, fmt.Errorf("plotting: ImageGrid: invalid image size %d×%d: height and width must be positive", h, w)
	}
	if c != 1 && c != 3 {
		return nil, fmt.Errorf("plotting: ImageGrid: invalid channel count %d: use 1 for grey or 3 for RGB", c)
	}
	if titles != nil && len(titles) != len(images) {
		return nil, fmt.Errorf("plotting: ImageGrid: %d titles for %d images: pass one per image, or nil", len(titles), len(images))
	}

	gal := &Gallery{Cols: galleryCols(cols, len(images)), contentRows: h, contentCols: w}
	for i, pixels := range images {
		img, err := toImage(pixels, h, w, c)
		if err != nil {
			return nil, fmt.Errorf("plotting: ImageGrid: image %d: %w", i, err)
		}
		title := ""
		if titles != nil {
			title = titles[i]
		}
		p := newPanel(title)
		p.Add(plotter.NewImage(img, 0, 0, float64(w), float64(h)), frame{})
		gal.Panels = append(gal.Panels, p)
	}
	return gal, nil
}

// frame is a plot.Plotter that outlines the data area, so images with light edges stand out
// from the page.
type frame struct{}

func (frame) Plot(c draw.Canvas, _ *plot.Plot) {
	c.SetLineStyle(draw.LineStyle{Color: gridLineColour, Width: vg.Points(0.5)})
	c.Stroke(c.Rectangle.Path())
}

// toImage converts h × w × c values in [0, 1] to an image enlarged by an integer factor so its
// longer side has at least imageScale pixels, each value repeated over a square block.
func toImage(pixels []float32, h, w, c int) (image.Image, error) {
	if len(pixels) != h*w*c {
		return nil, fmt.Errorf("has %d values but %d×%d×%d needs %d", len(pixels), h, w, c, h*w*c)
	}
	for i, v := range pixels {
		if !(v >= 0 && v <= 1) {
			return nil, fmt.Errorf("value %d is %g, outside [0, 1]: pass images before normalisation", i, v)
		}
	}

	scale := max(1, (imageScale+max(h, w)-1)/max(h, w))
	img := image.NewNRGBA(image.Rect(0, 0, w*scale, h*scale))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			base := (y*w + x) * c
			grey := uint8(math.Round(255 * float64(pixels[base])))
			px := color.NRGBA{R: grey, G: grey, B: grey, A: 0xFF}
			if c == 3 {
				px.G = uint8(math.Round(255 * float64(pixels[base+1])))
				px.B = uint8(math.Round(255 * float64(pixels[base+2])))
			}
			for dy := 0; dy < scale; dy++ {
				for dx := 0; dx < scale; dx++ {
					img.SetNRGBA(x*scale+dx, y*scale+dy, px)
				}
			}
		}
	}
	return img, nil
}
