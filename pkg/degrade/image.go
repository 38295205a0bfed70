package degrade

import (
	"fmt"
	"math"
	"math/rand/v2"
)

// GaussianBlur writes to dst the image src (h × w × c, NHWC) convolved, channel by channel,
// with a normalised 2-D Gaussian of SD σ pixels. The kernel is separable, truncated at radius
// ⌈3σ⌉ pixels and renormalised to sum 1. Pixels beyond the border repeat the nearest edge
// pixel, so a constant image stays constant. σ = 0 copies src. dst and src must not overlap.
// It panics if either length differs from h·w·c or σ is negative.
func GaussianBlur(dst, src []float32, h, w, c int, sigma float64) {
	if len(src) != h*w*c || len(dst) != len(src) {
		panic(fmt.Sprintf("degrade: GaussianBlur got %d and %d values for %d×%d×%d", len(dst), len(src), h, w, c))
	}
	if sigma < 0 || math.IsNaN(sigma) {
		panic(fmt.Sprintf("degrade: GaussianBlur got σ = %g", sigma))
	}
	if sigma == 0 {
		copy(dst, src)
		return
	}

	kernel := gaussianKernel(sigma)
	radius := len(kernel) / 2
	rows := make([]float64, h*w*c)

	// Horizontal pass from src into rows.
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			for ch := 0; ch < c; ch++ {
				var sum float64
				for k, weight := range kernel {
					xx := min(max(x+k-radius, 0), w-1)
					sum += weight * float64(src[(y*w+xx)*c+ch])
				}
				rows[(y*w+x)*c+ch] = sum
			}
		}
	}

	// Vertical pass from rows into dst.
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			for ch := 0; ch < c; ch++ {
				var sum float64
				for k, weight := range kernel {
					yy := min(max(y+k-radius, 0), h-1)
					sum += weight * rows[(yy*w+x)*c+ch]
				}
				dst[(y*w+x)*c+ch] = float32(sum)
			}
		}
	}
}

// gaussianKernel returns the 1-D Gaussian weights exp(−k²/(2σ²)) for k = −⌈3σ⌉ … ⌈3σ⌉,
// normalised to sum 1.
func gaussianKernel(sigma float64) []float64 {
	radius := int(math.Ceil(3 * sigma))
	kernel := make([]float64, 2*radius+1)
	var sum float64
	for k := range kernel {
		d := float64(k - radius)
		kernel[k] = math.Exp(-d * d / (2 * sigma * sigma))
		sum += kernel[k]
	}
	for k := range kernel {
		kernel[k] /= sum
	}
	return kernel
}

// ReduceContrast replaces every value x of img by 0.5 + (1 − c)·(x − 0.5): c = 0 leaves the
// image unchanged, c = 1 makes it uniform mid-grey, and values stay in [0, 1] for c in [0, 1].
// The contrast about mid-grey shrinks by the factor 1 − c.
func ReduceContrast(img []float32, c float64) {
	for i, x := range img {
		img[i] = float32(0.5 + (1-c)*(float64(x)-0.5))
	}
}

// Occlude paints a square patch over img (h × w × c, NHWC). The patch side is
// s = min(round(√(a·h·w)), h, w) pixels, so it covers s²/(h·w) ≈ a of the image (less when a
// square of area a does not fit). Its top-left pixel is drawn uniformly from the
// (h − s + 1) × (w − s + 1) positions that keep it inside the image, row first. The patch is
// filled with 0 (FillZero) or, per channel, with the channel's mean over the image before
// occlusion (FillMean). It panics if len(img) != h·w·c.
func Occlude(img []float32, h, w, c int, a float64, fill Fill, rng *rand.Rand) {
	if len(img) != h*w*c {
		panic(fmt.Sprintf("degrade: Occlude got %d values for %d×%d×%d", len(img), h, w, c))
	}
	side := OcclusionSide(h, w, a)
	if side == 0 {
		return
	}
	top := rng.IntN(h - side + 1)
	left := rng.IntN(w - side + 1)

	values := make([]float32, c)
	if fill == FillMean {
		sums := make([]float64, c)
		for p := 0; p < h*w; p++ {
			for ch := 0; ch < c; ch++ {
				sums[ch] += float64(img[p*c+ch])
			}
		}
		for ch := range values {
			values[ch] = float32(sums[ch] / float64(h*w))
		}
	}

	for y := top; y < top+side; y++ {
		for x := left; x < left+side; x++ {
			copy(img[(y*w+x)*c:(y*w+x+1)*c], values)
		}
	}
}

// OcclusionSide returns the side in pixels of the square patch that Occlude paints for the area
// fraction a on an h × w image: min(round(√(a·h·w)), h, w).
func OcclusionSide(h, w int, a float64) int {
	side := int(math.Round(math.Sqrt(a * float64(h*w))))
	return min(side, h, w)
}
