package stimuli

import (
	"fmt"
	"math"
)

// BlobConfig describes Gaussian-blob probes on a square lattice of pixel positions.
type BlobConfig struct {
	// Sigma is the blob's Gaussian SD in pixels.
	Sigma float64 `json:"sigma_px"`
	// Step is the lattice spacing in pixels.
	Step float64 `json:"step_px"`
	// Amplitude is the blob's peak value above the background.
	Amplitude float64 `json:"amplitude"`
	// Background is the value far from the blob, also the value of the blank image.
	Background float64 `json:"background"`
}

// DefaultBlobConfig returns the probes of the receptive-field analysis: white blobs of SD 1.5
// pixels on a black background, every 2 pixels (196 probes on 28 × 28, 256 on 32 × 32).
func DefaultBlobConfig() BlobConfig {
	return BlobConfig{Sigma: 1.5, Step: 2, Amplitude: 1, Background: 0}
}

// Check returns an error naming the first invalid field.
func (c BlobConfig) Check() error {
	switch {
	case !(c.Sigma > 0) || math.IsInf(c.Sigma, 0):
		return fmt.Errorf("stimuli: invalid blob SD %g: use a positive number of pixels (1.5 by default)", c.Sigma)
	case !(c.Step > 0) || math.IsInf(c.Step, 0):
		return fmt.Errorf("stimuli: invalid blob lattice step %g: use a positive number of pixels (2 by default)", c.Step)
	case !(c.Background >= 0 && c.Background <= 1):
		return fmt.Errorf("stimuli: invalid blob background %g: use a value in [0, 1]", c.Background)
	case math.IsNaN(c.Amplitude) || math.IsInf(c.Amplitude, 0):
		return fmt.Errorf("stimuli: invalid blob amplitude %g: use a finite value", c.Amplitude)
	}
	return nil
}

// Point is a position in pixel-index coordinates: Row 0 is the centre of the top pixel row,
// Col 0 the centre of the left pixel column.
type Point struct {
	Row float64 `json:"row"`
	Col float64 `json:"col"`
}

// Centre returns the centre of an h × w image, ((h − 1)/2, (w − 1)/2).
func Centre(h, w int) Point { return Point{Row: float64(h-1) / 2, Col: float64(w-1) / 2} }

// Lattice returns the positions m0 + k·step, k = 0, 1, …, that lie in [0, n − 1], with
// m0 = ((n − 1) − step·⌊(n − 1)/step⌋)/2 so the lattice is centred on the image.
func Lattice(n int, step float64) []float64 {
	count := int(math.Floor(float64(n-1)/step)) + 1
	start := (float64(n-1) - step*float64(count-1)) / 2
	out := make([]float64, count)
	for k := range out {
		out[k] = start + float64(k)*step
	}
	return out
}

// BlobSet is a set of blob probes with the centre of each.
type BlobSet struct {
	Stack
	Config BlobConfig
	// Centres[i] is the centre of image i's blob.
	Centres []Point
	// Rows and Cols are the lattice positions. Image r·len(Cols) + c has its centre at
	// (Rows[r], Cols[c]).
	Rows, Cols []float64
}

// Blobs renders one probe per lattice position (Lattice(h, Step) × Lattice(w, Step), row-major)
// with the value
//
//	v(i, j) = clamp(B + A·exp(−((i − r)² + (j − c)²)/(2σ²)), 0, 1)
//
// at pixel (i, j) for a blob centred at (r, c), with B = Background, A = Amplitude and
// σ = Sigma.
func Blobs(h, w, c int, cfg BlobConfig) (*BlobSet, error) {
	if err := checkSize(h, w, c); err != nil {
		return nil, err
	}
	if err := cfg.Check(); err != nil {
		return nil, err
	}

	rows, cols := Lattice(h, cfg.Step), Lattice(w, cfg.Step)
	set := &BlobSet{Stack: newStack(len(rows)*len(cols), h, w, c), Config: cfg, Rows: rows, Cols: cols}
	plane := make([]float64, h*w)
	for _, r := range rows {
		for _, col := range cols {
			centre := Point{Row: r, Col: col}
			RenderBlob(plane, h, w, centre, cfg)
			set.setGrey(len(set.Centres), plane)
			set.Centres = append(set.Centres, centre)
		}
	}
	return set, nil
}

// RenderBlob writes one blob centred at centre into plane (h × w, row-major) with the formula
// of Blobs. It panics if len(plane) != h·w.
func RenderBlob(plane []float64, h, w int, centre Point, cfg BlobConfig) {
	if len(plane) != h*w {
		panic(fmt.Sprintf("stimuli: RenderBlob got %d values for %d × %d pixels", len(plane), h, w))
	}
	twoVar := 2 * cfg.Sigma * cfg.Sigma
	for i := 0; i < h; i++ {
		dy := float64(i) - centre.Row
		for j := 0; j < w; j++ {
			dx := float64(j) - centre.Col
			plane[i*w+j] = clamp01(cfg.Background + cfg.Amplitude*math.Exp(-(dy*dy+dx*dx)/twoVar))
		}
	}
}

// Blank returns one image (h × w × c) filled with value, the baseline stimulus of the blob
// probes when value is BlobConfig.Background.
func Blank(h, w, c int, value float64) []float32 {
	img := make([]float32, h*w*c)
	for i := range img {
		img[i] = float32(value)
	}
	return img
}
