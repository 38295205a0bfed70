package degrade

import (
	"fmt"
	"math"
	"math/rand/v2"

	"gonum.org/v1/gonum/dsp/fourier"
	"gonum.org/v1/gonum/stat"
)

// AddWhiteNoise replaces every value x of img by clamp(x + σ·ε, 0, 1) with ε ~ N(0, 1) drawn
// independently per pixel and channel, in index order.
func AddWhiteNoise(img []float32, sigma float64, rng *rand.Rand) {
	for i, x := range img {
		img[i] = clamp01(float64(x) + sigma*rng.NormFloat64())
	}
}

// AddPinkNoise replaces every value x of img (h × w × c, NHWC) by clamp(x + σ·q, 0, 1), where
// q is an independent PinkNoise field for each channel, drawn channel by channel. It panics
// if len(img) != h·w·c.
func AddPinkNoise(img []float32, h, w, c int, sigma float64, rng *rand.Rand) {
	if len(img) != h*w*c {
		panic(fmt.Sprintf("degrade: AddPinkNoise got %d values for %d×%d×%d", len(img), h, w, c))
	}
	for ch := 0; ch < c; ch++ {
		field := PinkNoise(h, w, rng)
		for p, q := range field {
			img[p*c+ch] = clamp01(float64(img[p*c+ch]) + sigma*q)
		}
	}
}

// PinkNoise returns an h × w field (row-major) of 1/f noise, z-scored to mean 0 and
// population SD 1:
//
//  1. draw white noise n(y, x) ~ N(0, 1) in row-major order;
//  2. take its 2-D discrete Fourier transform N(ky, kx);
//  3. divide each coefficient by the radial frequency √(fy² + fx²), where fy and fx are the
//     signed frequencies in cycles per pixel (numpy's fftfreq convention, as returned by
//     gonum's CmplxFFT.Freq), and the DC coefficient by 1;
//  4. take the inverse transform and keep its real part;
//  5. subtract the mean and divide by the population SD.
//
// The amplitude spectrum therefore falls as 1/f, the power spectrum as 1/f². A 1 × 1 field,
// whose SD is 0, is returned as 0.
func PinkNoise(h, w int, rng *rand.Rand) []float64 {
	if h <= 0 || w <= 0 {
		panic(fmt.Sprintf("degrade: PinkNoise got size %d×%d", h, w))
	}
	coeff := make([]complex128, h*w)
	for i := range coeff {
		coeff[i] = complex(rng.NormFloat64(), 0)
	}

	rowFFT, colFFT := fourier.NewCmplxFFT(w), fourier.NewCmplxFFT(h)
	transform2D(coeff, h, w, rowFFT, colFFT, false)
	for ky := 0; ky < h; ky++ {
		fy := colFFT.Freq(ky)
		for kx := 0; kx < w; kx++ {
			fx := rowFFT.Freq(kx)
			if f := math.Hypot(fy, fx); f > 0 {
				coeff[ky*w+kx] /= complex(f, 0)
			}
		}
	}
	transform2D(coeff, h, w, rowFFT, colFFT, true)

	field := make([]float64, h*w)
	for i, v := range coeff {
		field[i] = real(v)
	}
	mean, sd := stat.PopMeanStdDev(field, nil)
	for i := range field {
		if sd > 0 {
			field[i] = (field[i] - mean) / sd
		} else {
			field[i] = 0
		}
	}
	return field
}

// transform2D applies the unnormalised forward (or, with inverse, backward) 2-D DFT to data
// (h × w, row-major) in place: a 1-D transform along every row, then along every column.
func transform2D(data []complex128, h, w int, rowFFT, colFFT *fourier.CmplxFFT, inverse bool) {
	apply := func(t *fourier.CmplxFFT, seq []complex128) {
		if inverse {
			t.Sequence(seq, seq)
		} else {
			t.Coefficients(seq, seq)
		}
	}
	for y := 0; y < h; y++ {
		apply(rowFFT, data[y*w:(y+1)*w])
	}
	column := make([]complex128, h)
	for x := 0; x < w; x++ {
		for y := 0; y < h; y++ {
			column[y] = data[y*w+x]
		}
		apply(colFFT, column)
		for y := 0; y < h; y++ {
			data[y*w+x] = column[y]
		}
	}
}

// SaltAndPepper draws int(h·w·p) pixel positions uniformly with replacement and sets each, on
// every channel, to 0 or 1 with probability 1/2. A position drawn twice keeps its last value.
// The expected fraction of positions hit is 1 − (1 − 1/(h·w))^int(h·w·p), half of them set to
// each value. For each draw the position comes first, then the value. It panics if
// len(img) != h·w·c.
func SaltAndPepper(img []float32, h, w, c int, p float64, rng *rand.Rand) {
	if len(img) != h*w*c {
		panic(fmt.Sprintf("degrade: SaltAndPepper got %d values for %d×%d×%d", len(img), h, w, c))
	}
	pixels := h * w
	draws := int(float64(pixels) * p)
	for d := 0; d < draws; d++ {
		pos := rng.IntN(pixels)
		var v float32
		if rng.IntN(2) == 1 {
			v = 1
		}
		for ch := 0; ch < c; ch++ {
			img[pos*c+ch] = v
		}
	}
}
