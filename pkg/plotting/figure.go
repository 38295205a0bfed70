package plotting

import (
	"bytes"
	"fmt"
	"image"
	"io"
	"math"
	"os"
	"path/filepath"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
	"gonum.org/v1/plot/vg/vgpdf"
	"gonum.org/v1/plot/vg/vgsvg"
)

// Figure is anything that draws itself on a canvas: a *plot.Plot or one of this package's
// multi-panel figures (*MapFigure, *Gallery, *PanelGrid).
type Figure interface {
	Draw(c draw.Canvas)
}

var (
	_ Figure = (*plot.Plot)(nil)
	_ Figure = (*MapFigure)(nil)
	_ Figure = (*Gallery)(nil)
	_ Figure = (*PanelGrid)(nil)
)

// DefaultDPI is the resolution of PNG output in pixels per inch: a 6-inch-wide figure becomes
// 900 pixels, sharp in notebooks and on slides. Use PNGWithDPI with 300 for print.
const DefaultDPI = 150

// PNG draws f on a w × h canvas at DefaultDPI and returns the PNG bytes, for example for
// gonbui.DisplayPng in a notebook. The image is round(w/inch·DPI) × round(h/inch·DPI) pixels on
// a white background.
func PNG(f Figure, w, h vg.Length) ([]byte, error) {
	return PNGWithDPI(f, w, h, DefaultDPI)
}

// PNGWithDPI is PNG at dpi pixels per inch.
func PNGWithDPI(f Figure, w, h vg.Length, dpi int) ([]byte, error) {
	img, err := Raster(f, w, h, dpi)
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	if _, err := (vgimg.PngCanvas{Canvas: img}).WriteTo(&buf); err != nil {
		return nil, fmt.Errorf("plotting: encoding PNG failed: %w", err)
	}
	return buf.Bytes(), nil
}

// Raster draws f on a w × h canvas at dpi pixels per inch, with a white background, and
// returns the canvas. Its Image method gives the image.Image.
func Raster(f Figure, w, h vg.Length, dpi int) (*vgimg.Canvas, error) {
	if err := checkSize(w, h); err != nil {
		return nil, err
	}
	if dpi <= 0 {
		return nil, fmt.Errorf("plotting: invalid resolution %d dpi: it must be positive, for example %d", dpi, DefaultDPI)
	}
	c := vgimg.NewWith(vgimg.UseWH(w, h), vgimg.UseDPI(dpi))
	if err := drawOn(f, draw.New(c)); err != nil {
		return nil, err
	}
	return c, nil
}

// Image draws f on a w × h canvas at DefaultDPI and returns the image.
func Image(f Figure, w, h vg.Length) (image.Image, error) {
	c, err := Raster(f, w, h, DefaultDPI)
	if err != nil {
		return nil, err
	}
	return c.Image(), nil
}

// SVG draws f on a w × h canvas and returns the SVG document. Text refers to the Liberation
// Sans font by name, and viewers without it substitute a similar font.
func SVG(f Figure, w, h vg.Length) ([]byte, error) {
	if err := checkSize(w, h); err != nil {
		return nil, err
	}
	c := vgsvg.New(w, h)
	if err := drawOn(f, draw.New(c)); err != nil {
		return nil, err
	}
	return writeBytes(c, "SVG")
}

// PDF draws f on a w × h page and returns the PDF document, with the fonts embedded.
func PDF(f Figure, w, h vg.Length) ([]byte, error) {
	if err := checkSize(w, h); err != nil {
		return nil, err
	}
	c := vgpdf.New(w, h)
	if err := drawOn(f, draw.New(c)); err != nil {
		return nil, err
	}
	return writeBytes(c, "PDF")
}

// Save draws f on a w × h canvas and writes it to path in the format named by the path's
// extension: .png (at DefaultDPI), .svg or .pdf.
func Save(f Figure, path string, w, h vg.Length) error {
	var (
		data []byte
		err  error
	)
	switch ext := strings.ToLower(filepath.Ext(path)); ext {
	case ".png":
		data, err = PNG(f, w, h)
	case ".svg":
		data, err = SVG(f, w, h)
	case ".pdf":
		data, err = PDF(f, w, h)
	default:
		return fmt.Errorf("plotting: unsupported file extension %q in %s: use .png, .svg or .pdf", ext, path)
	}
	if err != nil {
		return err
	}
	if err := os.WriteFile(path, data, 0o644); err != nil {
		return fmt.Errorf("plotting: writing figure: %w", err)
	}
	return nil
}

// SavePNG draws f on a w × h canvas and writes it to path as a PNG at DefaultDPI, whatever the
// path's extension.
func SavePNG(f Figure, path string, w, h vg.Length) error {
	data, err := PNG(f, w, h)
	if err != nil {
		return err
	}
	if err := os.WriteFile(path, data, 0o644); err != nil {
		return fmt.Errorf("plotting: writing figure: %w", err)
	}
	return nil
}

// SaveSVG draws f on a w × h canvas and writes it to path as SVG, whatever the path's extension.
func SaveSVG(f Figure, path string, w, h vg.Length) error {
	data, err := SVG(f, w, h)
	if err != nil {
		return err
	}
	if err := os.WriteFile(path, data, 0o644); err != nil {
		return fmt.Errorf("plotting: writing figure: %w", err)
	}
	return nil
}

// figureMargin is the blank border that multi-panel figures leave inside their canvas.
const figureMargin = vg.Length(3)

// withMargin returns c shrunk by figureMargin on every side.
func withMargin(c draw.Canvas) draw.Canvas {
	return draw.Crop(c, figureMargin, -figureMargin, figureMargin, -figureMargin)
}

func checkSize(w, h vg.Length) error {
	valid := func(l vg.Length) bool { return l > 0 && !math.IsInf(float64(l), 0) }
	if !valid(w) || !valid(h) {
		return fmt.Errorf("plotting: invalid figure size %g × %g pt: both sides must be positive, for example 6*vg.Inch × 4*vg.Inch", w, h)
	}
	return nil
}

// drawOn draws f on c and turns a panic inside gonum/plot, such as an empty colour range, into
// an error.
func drawOn(f Figure, c draw.Canvas) (err error) {
	if f == nil {
		return fmt.Errorf("plotting: nil figure")
	}
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("plotting: drawing the figure failed: %v", r)
		}
	}()
	f.Draw(c)
	return nil
}

func writeBytes(w io.WriterTo, format string) ([]byte, error) {
	var buf bytes.Buffer
	if _, err := w.WriteTo(&buf); err != nil {
		return nil, fmt.Errorf("plotting: encoding %s failed: %w", format, err)
	}
	return buf.Bytes(), nil
}
