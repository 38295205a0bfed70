package plotting

import (
	"bytes"
	"encoding/xml"
	"image"
	"image/color"
	"image/png"
	"io"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"

	"github.com/topocnn/topocnn/pkg/grid"
)

var grid11 = grid.Grid{Rows: 11, Cols: 11}

// smoothMap returns a map on g with both signs and some structure.
func smoothMap(g grid.Grid, phase float64) []float64 {
	values := make([]float64, g.Size())
	for k := range values {
		r, c := g.Position(k)
		values[k] = 2*math.Sin(float64(r)/3+phase)*math.Cos(float64(c)/4) + 0.1*float64(k%3)
	}
	return values
}

func conditionSeries() []Series {
	alphas := []float64{0, 0.1, 0.2, 0.3, 0.5, 0.75, 1}
	var series []Series
	for i, name := range []string{"control", "AS λ=1", "WS λ=1"} {
		s := Series{Name: name, X: alphas}
		for _, a := range alphas {
			s.Y = append(s.Y, 98-float64(3-i)*30*a*a)
			s.Err = append(s.Err, 1+2*a)
		}
		series = append(series, s)
	}
	return series
}

func noiseResults() NoiseResults {
	r := NoiseResults{
		Noises:     []string{"white", "pink"},
		Levels:     []float64{0.05, 0.1, 0.2},
		Conditions: []string{"control", "AS λ=1", "WS λ=1"},
	}
	for n := range r.Noises {
		var change, sem [][]float64
		for l, level := range r.Levels {
			var c, s []float64
			for k := range r.Conditions {
				c = append(c, -100*level*float64(n+1)*(1-0.2*float64(k))-float64(l))
				s = append(s, 0.2+level)
			}
			change, sem = append(change, c), append(sem, s)
		}
		r.Change, r.SEM = append(r.Change, change), append(r.SEM, sem)
	}
	return r
}

// testFigures builds one figure of every kind.
func testFigures(t *testing.T) map[string]Figure {
	t.Helper()
	figures := map[string]Figure{}
	add := func(name string, f Figure, err error) {
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		figures[name] = f
	}

	topo, err := TopoMap(smoothMap(grid11, 0), grid11, "fc1 map")
	add("TopoMap", topo, err)

	angles, strength := make([]float64, grid11.Size()), make([]float64, grid11.Size())
	for k := range angles {
		angles[k] = float64(k) * 0.1
		strength[k] = float64(k%5) / 4
	}
	orient, err := OrientationMap(angles, strength, grid11, "orientation")
	add("OrientationMap", orient, err)
	orientPlain, err := OrientationMap(angles, nil, grid11, "orientation")
	add("OrientationMap without strength", orientPlain, err)

	classes := make([]int, grid11.Size())
	for k := range classes {
		classes[k] = k%11 - 1
	}
	experts, err := ExpertMap(classes, grid11, []string{"0", "1", "2", "3", "4", "5", "6", "7", "8", "9"})
	add("ExpertMap", experts, err)

	gallery, err := MapGallery([][]float64{smoothMap(grid11, 0), smoothMap(grid11, 1), smoothMap(grid11, 2)}, grid11, []string{"a", "b", "c"}, 2)
	add("MapGallery", gallery, err)

	curves, err := Curves("robustness", "α", "accuracy (%)", conditionSeries())
	add("Curves", curves, err)

	var hist []HistSeries
	for i := 0; i < 3; i++ {
		h := HistSeries{Name: string(rune('A' + i))}
		for j := 0; j < 500; j++ {
			h.Values = append(h.Values, math.Sin(float64(j*(i+1))))
		}
		hist = append(hist, h)
	}
	histograms, err := Histograms("correlations", "r", hist, 30)
	add("Histograms", histograms, err)

	dist, err := DistanceThreshold([]float64{0.1, 0.3, 0.5}, []Series{
		{Name: "WS", Y: []float64{5, 4, 3}, Err: []float64{0.1, 0.2, 0.3}},
		{Name: "control", Y: []float64{5.7, 5.8, math.NaN()}},
	}, grid11.MeanDistance())
	add("DistanceThreshold", dist, err)

	noise, err := NoiseGrid("noise", noiseResults())
	add("NoiseGrid", noise, err)

	matrix := [][]float64{{1, 0.5, 0.2}, {0.5, 1, 0.4}, {0.2, 0.4, 1}}
	heat, err := Heatmap(matrix, []string{"control", "AS", "WS"}, []string{"control", "AS", "WS"}, "RSA")
	add("Heatmap", heat, err)
	heat.ValueFormat = "%.2f"
	signed, err := Heatmap([][]float64{{-1, 0.5}, {0.5, math.NaN()}}, nil, nil, "signed")
	add("Heatmap signed", signed, err)

	grey := make([]float32, 28*28)
	rgb := make([]float32, 8*8*3)
	for i := range grey {
		grey[i] = float32(i%28) / 27
	}
	for i := range rgb {
		rgb[i] = float32(i%7) / 6
	}
	images, err := ImageGrid([][]float32{grey, grey}, 28, 28, 1, []string{"clean", "noisy"}, 2)
	add("ImageGrid grey", images, err)
	colour, err := ImageGrid([][]float32{rgb}, 8, 8, 3, nil, 0)
	add("ImageGrid RGB", colour, err)

	bars, err := Bars("accuracy", "accuracy (%)", []string{"MNIST", "CIFAR-10"}, []Series{
		{Name: "control", Y: []float64{98, 75}, Err: []float64{0.1, 0.5}},
		{Name: "WS", Y: []float64{98.2, -3}, Err: []float64{0.1, math.NaN()}},
	})
	add("Bars", bars, err)
	return figures
}

// checkPNG decodes data and checks its size in pixels and that it has more than a handful of
// distinct colours.
func checkPNG(t *testing.T, data []byte, w, h vg.Length, dpi int) image.Image {
	t.Helper()
	img, err := png.Decode(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("PNG does not decode: %v", err)
	}
	wantW := int(math.Round(float64(w) / float64(vg.Inch) * float64(dpi)))
	wantH := int(math.Round(float64(h) / float64(vg.Inch) * float64(dpi)))
	if b := img.Bounds(); b.Dx() != wantW || b.Dy() != wantH {
		t.Errorf("PNG is %d×%d pixels, want %d×%d", b.Dx(), b.Dy(), wantW, wantH)
	}
	colours := map[color.RGBA]bool{}
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y += 2 {
		for x := b.Min.X; x < b.Max.X; x += 2 {
			colours[color.RGBAModel.Convert(img.At(x, y)).(color.RGBA)] = true
		}
	}
	if len(colours) < 10 {
		t.Errorf("PNG has %d distinct colours, want at least 10", len(colours))
	}
	return img
}

// checkSVG parses data as XML with an <svg> root element.
func checkSVG(t *testing.T, data []byte) {
	t.Helper()
	dec := xml.NewDecoder(bytes.NewReader(data))
	root := ""
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("SVG is not valid XML: %v", err)
		}
		if start, ok := tok.(xml.StartElement); ok && root == "" {
			root = start.Name.Local
		}
	}
	if root != "svg" {
		t.Errorf("SVG root element is %q, want svg", root)
	}
}

func TestFiguresRenderPNGAndSVG(t *testing.T) {
	const w, h = 5 * vg.Inch, 4 * vg.Inch
	for name, f := range testFigures(t) {
		t.Run(name, func(t *testing.T) {
			data, err := PNG(f, w, h)
			if err != nil {
				t.Fatalf("PNG: %v", err)
			}
			checkPNG(t, data, w, h, DefaultDPI)

			svg, err := SVG(f, w, h)
			if err != nil {
				t.Fatalf("SVG: %v", err)
			}
			checkSVG(t, svg)
		})
	}
}

func TestPNGWithDPISize(t *testing.T) {
	f, err := TopoMap(smoothMap(grid11, 0), grid11, "map")
	if err != nil {
		t.Fatal(err)
	}
	for _, dpi := range []int{72, 96, 300} {
		data, err := PNGWithDPI(f, 3*vg.Inch, 2*vg.Inch, dpi)
		if err != nil {
			t.Fatalf("%d dpi: %v", dpi, err)
		}
		checkPNG(t, data, 3*vg.Inch, 2*vg.Inch, dpi)
	}
}

func TestPDFOutput(t *testing.T) {
	f, err := TopoMap(smoothMap(grid11, 0), grid11, "map")
	if err != nil {
		t.Fatal(err)
	}
	data, err := PDF(f, 4*vg.Inch, 3*vg.Inch)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(data, []byte("%PDF-")) {
		t.Errorf("PDF output starts with %q, want %%PDF-", data[:min(len(data), 8)])
	}
}

func TestSaveByExtension(t *testing.T) {
	f, err := TopoMap(smoothMap(grid11, 0), grid11, "map")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	for _, name := range []string{"map.png", "map.SVG", "map.pdf"} {
		path := filepath.Join(dir, name)
		if err := Save(f, path, 4*vg.Inch, 3*vg.Inch); err != nil {
			t.Fatalf("Save %s: %v", name, err)
		}
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		switch strings.ToLower(filepath.Ext(name)) {
		case ".png":
			checkPNG(t, data, 4*vg.Inch, 3*vg.Inch, DefaultDPI)
		case ".svg":
			checkSVG(t, data)
		case ".pdf":
			if !bytes.HasPrefix(data, []byte("%PDF-")) {
				t.Errorf("%s is not a PDF", name)
			}
		}
	}
	if err := Save(f, filepath.Join(dir, "map.jpg"), 4*vg.Inch, 3*vg.Inch); err == nil || !strings.Contains(err.Error(), ".png, .svg or .pdf") {
		t.Errorf("Save to .jpg: error %v, want one naming the supported extensions", err)
	}
	if err := SavePNG(f, filepath.Join(dir, "plain"), 2*vg.Inch, 2*vg.Inch); err != nil {
		t.Errorf("SavePNG: %v", err)
	}
	if err := SaveSVG(f, filepath.Join(dir, "plain.svg"), 2*vg.Inch, 2*vg.Inch); err != nil {
		t.Errorf("SaveSVG: %v", err)
	}
}

func TestOutputRejectsBadSize(t *testing.T) {
	f, err := TopoMap(smoothMap(grid11, 0), grid11, "map")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := PNG(f, 0, vg.Inch); err == nil {
		t.Error("PNG of zero width: no error")
	}
	if _, err := SVG(f, vg.Inch, -1); err == nil {
		t.Error("SVG of negative height: no error")
	}
	if _, err := PNGWithDPI(f, vg.Inch, vg.Inch, 0); err == nil {
		t.Error("PNG at 0 dpi: no error")
	}
	if _, err := PNG(nil, vg.Inch, vg.Inch); err == nil {
		t.Error("PNG of nil figure: no error")
	}
}

func TestDrawPanicBecomesError(t *testing.T) {
	f, err := TopoMap(smoothMap(grid11, 0), grid11, "map")
	if err != nil {
		t.Fatal(err)
	}
	f.Plot.Legend.YPosition = 5 // gonum/plot panics on this value while drawing
	f.Plot.Legend.Add("entry")
	_, err = PNG(f, 3*vg.Inch, 3*vg.Inch)
	if err == nil || !strings.Contains(err.Error(), "drawing the figure failed") {
		t.Errorf("error %v, want a drawing failure", err)
	}
}

// nrgba returns c as 8-bit non-premultiplied channels.
func nrgba(c color.Color) [3]int {
	n := color.NRGBAModel.Convert(c).(color.NRGBA)
	return [3]int{int(n.R), int(n.G), int(n.B)}
}

func closeColour(a, b [3]int, tol int) bool {
	for i := range a {
		if d := a[i] - b[i]; d > tol || d < -tol {
			return false
		}
	}
	return true
}

func TestDivergingEndsAndCentre(t *testing.T) {
	cmap := Diverging(2.5)
	cases := []struct {
		v    float64
		want [3]int
	}{
		{-2.5, [3]int{59, 76, 192}},
		{0, [3]int{221, 221, 221}},
		{2.5, [3]int{180, 4, 38}},
	}
	for _, c := range cases {
		got, err := cmap.At(c.v)
		if err != nil {
			t.Fatalf("At(%g): %v", c.v, err)
		}
		if !closeColour(nrgba(got), c.want, 2) {
			t.Errorf("At(%g) = %v, want %v", c.v, nrgba(got), c.want)
		}
	}
	if cmap.Min() != -2.5 || cmap.Max() != 2.5 {
		t.Errorf("range [%g, %g], want [-2.5, 2.5]", cmap.Min(), cmap.Max())
	}
}

func TestDivergingInvalidLimitPanics(t *testing.T) {
	for _, limit := range []float64{0, -1, math.Inf(1), math.NaN()} {
		func() {
			defer func() {
				r := recover()
				if r == nil || !strings.HasPrefix(r.(string), "plotting: ") {
					t.Errorf("Diverging(%g): panic %v, want one prefixed with the package name", limit, r)
				}
			}()
			Diverging(limit)
		}()
	}
}

func TestSequentialIsViridis(t *testing.T) {
	cmap := Sequential(-1, 3)
	cases := []struct {
		v    float64
		want [3]int
		tol  int
	}{
		{-1, [3]int{0x44, 0x01, 0x54}, 2},
		{1, [3]int{0x21, 0x91, 0x8C}, 6}, // viridis(0.5), reached by interpolation in CIELAB
		{3, [3]int{0xFD, 0xE7, 0x25}, 2},
	}
	for _, c := range cases {
		got, err := cmap.At(c.v)
		if err != nil {
			t.Fatalf("At(%g): %v", c.v, err)
		}
		if !closeColour(nrgba(got), c.want, c.tol) {
			t.Errorf("At(%g) = %v, want %v ± %d", c.v, nrgba(got), c.want, c.tol)
		}
	}
	// Lightness must rise with the value: the luminance of successive colours increases.
	prev := -1.0
	for v := -1.0; v <= 3; v += 0.25 {
		got, _ := cmap.At(v)
		l := relativeLuminance(got)
		if l <= prev {
			t.Errorf("luminance at %g is %g, not above %g", v, l, prev)
		}
		prev = l
	}
}

func TestOrientationColourWheel(t *testing.T) {
	cases := []struct {
		theta float64
		want  [3]int
	}{
		{0, [3]int{255, 0, 0}},
		{math.Pi / 6, [3]int{255, 255, 0}},
		{math.Pi / 3, [3]int{0, 255, 0}},
		{math.Pi / 2, [3]int{0, 255, 255}},
		{2 * math.Pi / 3, [3]int{0, 0, 255}},
		{5 * math.Pi / 6, [3]int{255, 0, 255}},
		{math.Pi, [3]int{255, 0, 0}},
		{-math.Pi / 2, [3]int{0, 255, 255}},
		{3 * math.Pi / 2, [3]int{0, 255, 255}},
	}
	for _, c := range cases {
		if got := nrgba(OrientationColour(c.theta)); !closeColour(got, c.want, 1) {
			t.Errorf("OrientationColour(%g) = %v, want %v", c.theta, got, c.want)
		}
	}
	if got := nrgba(OrientationColour(math.NaN())); got != nrgba(missingColour) {
		t.Errorf("OrientationColour(NaN) = %v, want the missing-value grey", got)
	}
	cmap := Orientation()
	if cmap.Min() != 0 || cmap.Max() != math.Pi {
		t.Errorf("Orientation range [%g, %g], want [0, π]", cmap.Min(), cmap.Max())
	}
	if _, err := cmap.At(math.NaN()); err == nil {
		t.Error("Orientation().At(NaN): no error")
	}
}

func TestCategoricalPalettes(t *testing.T) {
	for _, n := range []int{1, 3, 8, 9, 10} {
		colours := Categorical(n)
		if len(colours) != n {
			t.Fatalf("Categorical(%d) has %d colours", n, len(colours))
		}
		seen := map[[3]int]bool{}
		for _, c := range colours {
			seen[nrgba(c)] = true
		}
		if len(seen) != n {
			t.Errorf("Categorical(%d) has %d distinct colours, want %d", n, len(seen), n)
		}
	}
	if got := nrgba(Categorical(3)[0]); got != [3]int{0x00, 0x72, 0xB2} {
		t.Errorf("first Okabe–Ito colour %v, want blue (0, 114, 178)", got)
	}
	twelve := Categorical(12)
	if nrgba(twelve[10]) != nrgba(twelve[0]) {
		t.Error("Categorical(12): colour 10 does not repeat colour 0")
	}
}

func TestTextColourContrast(t *testing.T) {
	if textColourOn(color.Black) != color.White {
		t.Error("text on black is not white")
	}
	if textColourOn(color.White) != color.Black {
		t.Error("text on white is not black")
	}
	if textColourOn(color.NRGBA{R: 0x44, G: 0x01, B: 0x54, A: 0xFF}) != color.White {
		t.Error("text on dark purple is not white")
	}
}

// cellPixel returns the colour of the PNG pixel at fraction (fx, fy) of cell (r, c) of a
// MapFigure drawn on a w × h canvas at dpi, with (0, 0) the cell's top-left corner.
func cellPixel(t *testing.T, f *MapFigure, w, h vg.Length, dpi, r, c int, fx, fy float64) [3]int {
	t.Helper()
	canvas, err := Raster(f, w, h, dpi)
	if err != nil {
		t.Fatal(err)
	}
	dc := dataArea(f, w, h, dpi)
	side := float64(dc.Max.X-dc.Min.X) / float64(f.cols)
	x := float64(dc.Min.X) + (float64(c)+fx)*side
	y := float64(dc.Max.Y) - (float64(r)+fy)*side
	img := canvas.Image()
	px := int(x / float64(vg.Inch) * float64(dpi))
	py := img.Bounds().Dy() - 1 - int(y/float64(vg.Inch)*float64(dpi))
	return nrgba(img.At(px, py))
}

// dataArea returns the data area of f's map when f is drawn on a w × h canvas.
func dataArea(f *MapFigure, w, h vg.Length, dpi int) draw.Canvas {
	c := withMargin(draw.New(vgimg.NewWith(vgimg.UseWH(w, h), vgimg.UseDPI(dpi))))
	var reserve vg.Length
	if f.key != nil {
		reserve = keyGap + f.key.width()
	}
	_, dc := fitCells(f.Plot, c, reserve, f.rows, f.cols)
	return dc
}

func TestTopoMapCellColours(t *testing.T) {
	g := grid.Grid{Rows: 2, Cols: 3}
	values := []float64{-4, 0, 4, 2, math.NaN(), -1}
	f, err := TopoMap(values, g, "map")
	if err != nil {
		t.Fatal(err)
	}
	cmap := Diverging(4)
	for k, v := range values {
		r, c := g.Position(k)
		got := cellPixel(t, f, 5*vg.Inch, 4*vg.Inch, 150, r, c, 0.5, 0.5)
		want := nrgba(color.White)
		if !math.IsNaN(v) {
			col, _ := cmap.At(v)
			want = nrgba(col)
		} else {
			// The centre of a missing cell lies on its cross, so sample beside it.
			got = cellPixel(t, f, 5*vg.Inch, 4*vg.Inch, 150, r, c, 0.5, 0.25)
		}
		if !closeColour(got, want, 3) {
			t.Errorf("unit %d (row %d, column %d, value %g): pixel %v, want %v", k, r, c, v, got, want)
		}
	}
}

func TestMapCellsAreSquare(t *testing.T) {
	tall, err := TopoMap(make([]float64, 32), grid.Grid{Rows: 8, Cols: 4}, "tall grid")
	if err != nil {
		t.Fatal(err)
	}
	wide, err := TopoMap(make([]float64, 32), grid.Grid{Rows: 2, Cols: 16}, "wide grid")
	if err != nil {
		t.Fatal(err)
	}
	square, err := TopoMap(make([]float64, 121), grid11, "11 × 11")
	if err != nil {
		t.Fatal(err)
	}

	matrix := make([][]float64, 13)
	for i := range matrix {
		matrix[i] = make([]float64, 5)
	}
	heat, err := Heatmap(matrix, nil, []string{"a long column label", "b", "c", "d", "e"}, "13 × 5")
	if err != nil {
		t.Fatal(err)
	}

	sizes := [][2]vg.Length{{6 * vg.Inch, 3 * vg.Inch}, {3 * vg.Inch, 6 * vg.Inch}, {5 * vg.Inch, 4 * vg.Inch}}
	for _, f := range []*MapFigure{tall, wide, square, heat} {
		for _, s := range sizes {
			// Drawing decides the label rotation, which changes the data area.
			if _, err := Raster(f, s[0], s[1], 72); err != nil {
				t.Fatal(err)
			}
			dc := dataArea(f, s[0], s[1], 72)
			cw := float64(dc.Max.X-dc.Min.X) / float64(f.cols)
			ch := float64(dc.Max.Y-dc.Min.Y) / float64(f.rows)
			if math.Abs(cw-ch) > 1e-6*cw {
				t.Errorf("%q on %v: cells %g × %g pt, want square", f.Plot.Title.Text, s, cw, ch)
			}
			if dc.Min.X < 0 || dc.Min.Y < 0 || dc.Max.X > s[0] || dc.Max.Y > s[1] {
				t.Errorf("%q on %v: data area %v outside the canvas", f.Plot.Title.Text, s, dc.Rectangle)
			}
		}
	}
}

func TestExpertMapCellColours(t *testing.T) {
	g := grid.Grid{Rows: 2, Cols: 2}
	f, err := ExpertMap([]int{0, -1, 2, 1}, g, []string{"cat", "dog", "ship"})
	if err != nil {
		t.Fatal(err)
	}
	colours := Categorical(3)
	want := [][3]int{nrgba(colours[0]), nrgba(emptyColour), nrgba(colours[2]), nrgba(colours[1])}
	for k := range want {
		r, c := g.Position(k)
		// Sample near a corner, away from the class index printed in the centre.
		got := cellPixel(t, f, 5*vg.Inch, 4*vg.Inch, 150, r, c, 0.15, 0.15)
		if !closeColour(got, want[k], 3) {
			t.Errorf("unit %d: pixel %v, want %v", k, got, want[k])
		}
	}
	if !strings.Contains(f.Plot.Title.Text, "3 of 4") {
		t.Errorf("title %q does not count 3 experts of 4 units", f.Plot.Title.Text)
	}
}

func TestOrientationMapStrengthBlendsToWhite(t *testing.T) {
	g := grid.Grid{Rows: 1, Cols: 3}
	f, err := OrientationMap([]float64{math.Pi / 2, math.Pi / 2, 0}, []float64{1, 0, 0.5}, g, "orientation")
	if err != nil {
		t.Fatal(err)
	}
	want := [][3]int{{0, 255, 255}, {255, 255, 255}, {255, 128, 128}}
	for c := range want {
		// The orientation line passes through the centre, so sample in a corner.
		got := cellPixel(t, f, 5*vg.Inch, 3*vg.Inch, 150, 0, c, 0.15, 0.15)
		if !closeColour(got, want[c], 3) {
			t.Errorf("cell %d: pixel %v, want %v", c, got, want[c])
		}
	}
}

func TestInvalidInputErrors(t *testing.T) {
	g := grid11
	good := make([]float64, g.Size())
	withInf := append([]float64(nil), good...)
	withInf[3] = math.Inf(1)
	cases := []struct {
		name string
		err  func() error
		want string
	}{
		{"TopoMap short", func() error { _, err := TopoMap(good[:120], g, ""); return err }, "120 units"},
		{"TopoMap empty grid", func() error { _, err := TopoMap(nil, grid.Grid{}, ""); return err }, "invalid grid"},
		{"TopoMap Inf", func() error { _, err := TopoMap(withInf, g, ""); return err }, "values[3]"},
		{"OrientationMap short", func() error { _, err := OrientationMap(good[:3], nil, g, ""); return err }, "3 units"},
		{"OrientationMap strength length", func() error { _, err := OrientationMap(good, good[:5], g, ""); return err }, "strength has 5"},
		{"OrientationMap strength range", func() error {
			s := append([]float64(nil), good...)
			s[7] = 1.5
			_, err := OrientationMap(good, s, g, "")
			return err
		}, "strength[7]"},
		{"ExpertMap class range", func() error {
			c := make([]int, g.Size())
			c[4] = 10
			_, err := ExpertMap(c, g, []string{"a", "b"})
			return err
		}, "classOfUnit[4] = 10"},
		{"ExpertMap no names", func() error { _, err := ExpertMap(make([]int, g.Size()), g, nil); return err }, "no class names"},
		{"ExpertMap short", func() error { _, err := ExpertMap(make([]int, 100), g, []string{"a"}); return err }, "100 units"},
		{"MapGallery empty", func() error { _, err := MapGallery(nil, g, nil, 2); return err }, "no maps"},
		{"MapGallery map size", func() error { _, err := MapGallery([][]float64{good, good[:9]}, g, nil, 2); return err }, "map 1"},
		{"MapGallery titles", func() error { _, err := MapGallery([][]float64{good}, g, []string{"a", "b"}, 2); return err }, "2 titles for 1 maps"},
		{"Curves empty", func() error { _, err := Curves("", "", "", nil); return err }, "no series"},
		{"Curves no points", func() error { _, err := Curves("", "", "", []Series{{Name: "a"}}); return err }, "no points"},
		{"Curves length", func() error {
			_, err := Curves("", "", "", []Series{{Name: "a", X: []float64{1, 2}, Y: []float64{1}}})
			return err
		}, "1 Y values for 2 points"},
		{"Curves Err length", func() error {
			_, err := Curves("", "", "", []Series{{Name: "a", X: []float64{1, 2}, Y: []float64{1, 2}, Err: []float64{1}}})
			return err
		}, "1 Err values"},
		{"Curves NaN X", func() error {
			_, err := Curves("", "", "", []Series{{X: []float64{math.NaN()}, Y: []float64{1}}})
			return err
		}, "X[0]"},
		{"Curves negative Err", func() error {
			_, err := Curves("", "", "", []Series{{X: []float64{1}, Y: []float64{1}, Err: []float64{-1}}})
			return err
		}, "Err[0] = -1"},
		{"Histograms empty", func() error { _, err := Histograms("", "", nil, 10); return err }, "no series"},
		{"Histograms bins", func() error { _, err := Histograms("", "", []HistSeries{{Values: []float64{1}}}, 0); return err }, "bin count 0"},
		{"Histograms all NaN", func() error {
			_, err := Histograms("", "", []HistSeries{{Name: "r", Values: []float64{math.NaN()}}}, 5)
			return err
		}, "has no values"},
		{"DistanceThreshold no thresholds", func() error { _, err := DistanceThreshold(nil, []Series{{Y: []float64{1}}}, 5); return err }, "no thresholds"},
		{"DistanceThreshold baseline", func() error {
			_, err := DistanceThreshold([]float64{0.1}, []Series{{Y: []float64{1}}}, math.NaN())
			return err
		}, "invalid baseline"},
		{"DistanceThreshold X", func() error {
			_, err := DistanceThreshold([]float64{0.1}, []Series{{X: []float64{0.2}, Y: []float64{1}}}, 5)
			return err
		}, "leave X nil"},
		{"DistanceThreshold length", func() error {
			_, err := DistanceThreshold([]float64{0.1, 0.2}, []Series{{Y: []float64{1}}}, 5)
			return err
		}, "1 Y values for 2 points"},
		{"Bars no groups", func() error { _, err := Bars("", "", nil, []Series{{Y: []float64{1}}}); return err }, "no groups"},
		{"Bars no series", func() error { _, err := Bars("", "", []string{"a"}, nil); return err }, "no series"},
		{"Bars X", func() error {
			_, err := Bars("", "", []string{"a"}, []Series{{X: []float64{0}, Y: []float64{1}}})
			return err
		}, "leave X nil"},
		{"NoiseGrid empty", func() error { _, err := NoiseGrid("", NoiseResults{}); return err }, "each needs at least one"},
		{"NoiseGrid shape", func() error {
			r := noiseResults()
			r.Change[1][2] = r.Change[1][2][:2]
			_, err := NoiseGrid("", r)
			return err
		}, "Change[1][2] has 2 conditions, want 3"},
		{"NoiseGrid negative SEM", func() error {
			r := noiseResults()
			r.SEM[0][1][2] = -0.5
			_, err := NoiseGrid("", r)
			return err
		}, "SEM[0][1][2] = -0.5"},
		{"NoiseGrid colours", func() error {
			r := noiseResults()
			r.Colors = Categorical(2)
			_, err := NoiseGrid("", r)
			return err
		}, "2 colours for 3 conditions"},
		{"Heatmap empty", func() error { _, err := Heatmap(nil, nil, nil, ""); return err }, "empty matrix"},
		{"Heatmap ragged", func() error { _, err := Heatmap([][]float64{{1, 2}, {3}}, nil, nil, ""); return err }, "row 1 has 1 values"},
		{"Heatmap labels", func() error { _, err := Heatmap([][]float64{{1, 2}}, []string{"a", "b"}, nil, ""); return err }, "2 row labels for 1 rows"},
		{"ImageGrid empty", func() error { _, err := ImageGrid(nil, 2, 2, 1, nil, 0); return err }, "no images"},
		{"ImageGrid channels", func() error { _, err := ImageGrid([][]float32{make([]float32, 8)}, 2, 2, 2, nil, 0); return err }, "channel count 2"},
		{"ImageGrid length", func() error { _, err := ImageGrid([][]float32{make([]float32, 3)}, 2, 2, 1, nil, 0); return err }, "image 0: has 3 values"},
		{"ImageGrid range", func() error {
			_, err := ImageGrid([][]float32{{0, 0.5, 1.5, 0}}, 2, 2, 1, nil, 0)
			return err
		}, "value 2 is 1.5"},
	}
	for _, c := range cases {
		err := c.err()
		if err == nil {
			t.Errorf("%s: no error", c.name)
			continue
		}
		if !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %q does not contain %q", c.name, err, c.want)
		}
		if !strings.HasPrefix(err.Error(), "plotting: ") {
			t.Errorf("%s: error %q lacks the package prefix", c.name, err)
		}
	}
}

func TestDensityKnownValues(t *testing.T) {
	x := []float64{0, 0.1, 0.5, 0.5, 0.9, 1}
	edges := []float64{0, 0.5, 1}
	got := density(x, edges)
	// Bin [0, 0.5) contains 2 values and [0.5, 1] contains 4 (the upper edge is included):
	// density = count / (6 · 0.5).
	want := []float64{2.0 / 3, 4.0 / 3}
	if !floats.EqualApprox(got, want, 1e-12) {
		t.Errorf("density = %v, want %v", got, want)
	}
	var area float64
	for j, d := range got {
		area += d * (edges[j+1] - edges[j])
	}
	if math.Abs(area-1) > 1e-12 {
		t.Errorf("area under the density = %g, want 1", area)
	}
}

func TestDensityIgnoresValuesOutsideEdges(t *testing.T) {
	got := density([]float64{-1, 0.25, 0.75, 2}, []float64{0, 0.5, 1})
	want := []float64{0.5, 0.5} // 1 of 4 values per bin of width 0.5
	if !floats.EqualApprox(got, want, 1e-12) {
		t.Errorf("density = %v, want %v", got, want)
	}
}

func TestHistogramsRangeAndBins(t *testing.T) {
	values := []float64{-1, -0.5, 0, 0.5, 1, math.NaN()}
	p, err := Histograms("h", "r", []HistSeries{{Name: "a", Values: values}}, 4)
	if err != nil {
		t.Fatal(err)
	}
	if p.X.Min != -1 || p.X.Max != 1 {
		t.Errorf("x range [%g, %g], want [-1, 1]", p.X.Min, p.X.Max)
	}
	// Bins of width 0.5 over 5 values: counts 1, 1, 1, 2, so the highest density is 0.8.
	if p.Y.Min != 0 || p.Y.Max < 0.8-1e-12 {
		t.Errorf("y range [%g, %g], want [0, ≥ 0.8]", p.Y.Min, p.Y.Max)
	}
	single, err := Histograms("h", "r", []HistSeries{{Name: "a", Values: []float64{3, 3}}}, 2)
	if err != nil {
		t.Fatal(err)
	}
	if single.X.Min != 2.5 || single.X.Max != 3.5 {
		t.Errorf("x range of a constant sample [%g, %g], want [2.5, 3.5]", single.X.Min, single.X.Max)
	}
}

func TestNiceTicksLabels(t *testing.T) {
	cases := []struct {
		min, max float64
		want     []string
	}{
		{0, 1, []string{"0.0", "0.2", "0.4", "0.6", "0.8", "1.0"}},
		{-2.37, 2.37, []string{"-2", "-1", "0", "1", "2"}},
		{0, 120, []string{"0", "25", "50", "75", "100"}},
		{0, 11.3, []string{"0", "2", "4", "6", "8", "10"}},
		{-0.3, 0.3, []string{"-0.3", "-0.2", "-0.1", "0.0", "0.1", "0.2", "0.3"}},
		{0, 1.2, []string{"0.00", "0.25", "0.50", "0.75", "1.00"}},
		{0, 3e6, []string{"0", "5e+05", "1e+06", "1.5e+06", "2e+06", "2.5e+06", "3e+06"}},
	}
	for _, c := range cases {
		var got []string
		for _, tick := range (NiceTicks{}).Ticks(c.min, c.max) {
			if tick.Label != "" {
				got = append(got, tick.Label)
			}
		}
		if strings.Join(got, " ") != strings.Join(c.want, " ") {
			t.Errorf("ticks on [%g, %g]: %v, want %v", c.min, c.max, got, c.want)
		}
	}
	if ticks := (NiceTicks{}).Ticks(1, 1); ticks != nil {
		t.Errorf("ticks on an empty range: %v, want none", ticks)
	}
}

func TestNiceTicksMinorsAvoidMajors(t *testing.T) {
	ticks := (NiceTicks{}).Ticks(0, 10)
	majors := map[float64]bool{}
	for _, tick := range ticks {
		if tick.Label != "" {
			majors[tick.Value] = true
		}
	}
	for _, tick := range ticks {
		if tick.Label == "" && majors[math.Round(tick.Value*1e9)/1e9] {
			t.Errorf("minor tick at major position %g", tick.Value)
		}
	}
}

func TestCellTicksStepAndOrder(t *testing.T) {
	ticks := cellTicks(11, true).Ticks(0, 0)
	if len(ticks) != 11 {
		t.Fatalf("11 cells: %d ticks, want 11", len(ticks))
	}
	if ticks[0].Label != "0" || ticks[0].Value != 10 {
		t.Errorf("row 0 tick at %g labelled %q, want position 10 (top)", ticks[0].Value, ticks[0].Label)
	}
	if got := len(cellTicks(16, false).Ticks(0, 0)); got != 8 {
		t.Errorf("16 cells: %d ticks, want 8 (every second cell)", got)
	}
	if got := len(cellTicks(64, false).Ticks(0, 0)); got != 7 {
		t.Errorf("64 cells: %d ticks, want 7 (every tenth cell)", got)
	}
}

func TestPlaceLegendAvoidsData(t *testing.T) {
	p := plot.New()
	p.X.Min, p.X.Max, p.Y.Min, p.Y.Max = 0, 1, 0, 1
	// Data fill the top right and top left: the legend goes to the bottom right.
	var pts [][2]float64
	for x := 0.0; x <= 1; x += 0.05 {
		pts = append(pts, [2]float64{x, 0.95})
	}
	placeLegend(p, pts, 2)
	if p.Legend.Top || p.Legend.Left {
		t.Errorf("legend top=%v left=%v, want bottom right", p.Legend.Top, p.Legend.Left)
	}
	if p.Y.Max != 1 {
		t.Errorf("y max %g changed, want 1", p.Y.Max)
	}

	// Data in every corner: the legend goes top right above raised headroom.
	q := plot.New()
	q.X.Min, q.X.Max, q.Y.Min, q.Y.Max = 0, 1, 0, 1
	placeLegend(q, [][2]float64{{0, 0}, {1, 0}, {0, 1}, {1, 1}}, 2)
	if !q.Legend.Top || q.Legend.Left {
		t.Errorf("legend top=%v left=%v, want top right", q.Legend.Top, q.Legend.Left)
	}
	if q.Y.Max <= 1 {
		t.Errorf("y max %g, want headroom above 1", q.Y.Max)
	}
}

func TestBarsDataRange(t *testing.T) {
	b := &bars{x: []float64{0, 1}, values: []float64{-2, 3}, errs: []float64{0.5, 1}, width: 0.4, colours: Categorical(2)}
	xmin, xmax, ymin, ymax := b.DataRange()
	if xmin != -0.2 || xmax != 1.2 || ymin != -2.5 || ymax != 4 {
		t.Errorf("range x [%g, %g] y [%g, %g], want x [-0.2, 1.2] y [-2.5, 4]", xmin, xmax, ymin, ymax)
	}
	pos := &bars{x: []float64{0}, values: []float64{3}, width: 1, colours: Categorical(1)}
	if _, _, ymin, _ := pos.DataRange(); ymin != 0 {
		t.Errorf("positive bars start at %g, want 0", ymin)
	}
}

func TestNoiseGridSharedScale(t *testing.T) {
	r := noiseResults()
	r.SharedScale = true
	g, err := NoiseGrid("noise", r)
	if err != nil {
		t.Fatal(err)
	}
	first := g.Panels[0][0].Y
	for i, row := range g.Panels {
		for j, p := range row {
			if p.Y.Min != first.Min || p.Y.Max != first.Max {
				t.Errorf("panel (%d, %d) y range [%g, %g], want [%g, %g]", i, j, p.Y.Min, p.Y.Max, first.Min, first.Max)
			}
		}
	}
	// The largest loss is 100 · 0.2 · 2 + 2 = 42 points, with SEM 0.4.
	if math.Abs(first.Min-(-42.4)) > 1e-9 {
		t.Errorf("shared y min %g, want -42.4", first.Min)
	}
}

func TestImageGridPixels(t *testing.T) {
	img, err := toImage([]float32{0, 1, 0.5, 0.25}, 2, 2, 1)
	if err != nil {
		t.Fatal(err)
	}
	b := img.Bounds()
	if b.Dx() != 256 || b.Dy() != 256 {
		t.Errorf("enlarged image %d×%d, want 256×256", b.Dx(), b.Dy())
	}
	// The top-right pixel block has value 1 (white), the bottom-left 0.5.
	if got := nrgba(img.At(200, 10)); got != [3]int{255, 255, 255} {
		t.Errorf("top-right pixel %v, want white", got)
	}
	if got := nrgba(img.At(10, 200)); got != [3]int{128, 128, 128} {
		t.Errorf("bottom-left pixel %v, want grey 128", got)
	}
	rgb, err := toImage([]float32{1, 0, 0}, 1, 1, 3)
	if err != nil {
		t.Fatal(err)
	}
	if got := nrgba(rgb.At(0, 0)); got != [3]int{255, 0, 0} {
		t.Errorf("RGB pixel %v, want red", got)
	}
}

func TestValueLabelsDropNegativeZero(t *testing.T) {
	f, err := TopoMap([]float64{-0.001, 0.5, -0.5, 0}, grid.Grid{Rows: 2, Cols: 2}, "")
	if err != nil {
		t.Fatal(err)
	}
	f.ValueFormat = "%.2f"
	label := f.valueLabel(func(r, c int) float64 { return []float64{-0.001, 0.5, -0.5, math.NaN()}[r*2+c] })
	want := []string{"0.00", "0.50", "-0.50", ""}
	for k, w := range want {
		if got := label(k/2, k%2); got != w {
			t.Errorf("label of unit %d = %q, want %q", k, got, w)
		}
	}
}
