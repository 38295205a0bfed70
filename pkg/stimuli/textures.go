package stimuli

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strings"

	"gonum.org/v1/gonum/stat"

	"github.com/topocnn/topocnn/pkg/degrade"
)

// TextureKind is a family of random textures.
type TextureKind int

const (
	// RandomDots sets each pixel independently to 1 with probability DotDensity, else to 0.
	RandomDots TextureKind = iota
	// NoiseTexture is Gaussian white noise smoothed by a Gaussian of NoiseSmoothing pixels,
	// z-scored, scaled to SD NoiseContrast about 0.5 and clamped to [0, 1].
	NoiseTexture
)

var textureNames = [...]string{"random-dots", "noise"}

// String returns "random-dots" or "noise".
func (k TextureKind) String() string {
	if k < 0 || int(k) >= len(textureNames) {
		return fmt.Sprintf("TextureKind(%d)", int(k))
	}
	return textureNames[k]
}

// ParseTextureKind reads "random-dots" or "noise".
func ParseTextureKind(s string) (TextureKind, error) {
	for k, name := range textureNames {
		if strings.EqualFold(s, name) {
			return TextureKind(k), nil
		}
	}
	return 0, fmt.Errorf("stimuli: unknown texture kind %q: use random-dots or noise", s)
}

// MarshalText writes the kind's name.
func (k TextureKind) MarshalText() ([]byte, error) {
	if k < 0 || int(k) >= len(textureNames) {
		return nil, fmt.Errorf("stimuli: invalid texture kind %d", int(k))
	}
	return []byte(k.String()), nil
}

// UnmarshalText reads the kind's name.
func (k *TextureKind) UnmarshalText(text []byte) error {
	parsed, err := ParseTextureKind(string(text))
	if err != nil {
		return err
	}
	*k = parsed
	return nil
}

// TextureConfig describes a set of mirror-symmetric textures and their originals.
type TextureConfig struct {
	Kind TextureKind `json:"kind"`
	// Pairs is the number of (symmetric, original) pairs.
	Pairs int `json:"pairs"`
	// DotDensity is the probability that a random-dot pixel is 1, in (0, 1).
	DotDensity float64 `json:"dot_density"`
	// NoiseSmoothing is the SD in pixels of the Gaussian that smooths a noise texture. With 0
	// the texture stays white.
	NoiseSmoothing float64 `json:"noise_smoothing_px"`
	// NoiseContrast is the SD of a noise texture's values about 0.5 before clamping.
	NoiseContrast float64 `json:"noise_contrast"`
}

// DefaultTextureConfig returns the texture set of the symmetry analysis for a kind: 100 pairs,
// dot density 0.2, noise smoothed by a Gaussian of 1 pixel and scaled to SD 0.2 (so about 1 %
// of noise pixels are clamped).
func DefaultTextureConfig(kind TextureKind) TextureConfig {
	return TextureConfig{Kind: kind, Pairs: 100, DotDensity: 0.2, NoiseSmoothing: 1, NoiseContrast: 0.2}
}

// Check returns an error naming the first invalid field.
func (c TextureConfig) Check() error {
	switch {
	case c.Kind != RandomDots && c.Kind != NoiseTexture:
		return fmt.Errorf("stimuli: invalid texture kind %d: use RandomDots or NoiseTexture", int(c.Kind))
	case c.Pairs < 1:
		return fmt.Errorf("stimuli: invalid texture pair count %d: use at least 1", c.Pairs)
	case c.Kind == RandomDots && !(c.DotDensity > 0 && c.DotDensity < 1):
		return fmt.Errorf("stimuli: invalid dot density %g: use a probability in (0, 1)", c.DotDensity)
	case c.Kind == NoiseTexture && !(c.NoiseSmoothing >= 0 && c.NoiseSmoothing < math.Inf(1)):
		return fmt.Errorf("stimuli: invalid noise smoothing %g: use a Gaussian SD ≥ 0 in pixels", c.NoiseSmoothing)
	case c.Kind == NoiseTexture && !(c.NoiseContrast > 0 && c.NoiseContrast < math.Inf(1)):
		return fmt.Errorf("stimuli: invalid noise contrast %g: use a positive SD in pixel units", c.NoiseContrast)
	}
	return nil
}

// TexturePairs holds mirror-symmetric textures and the originals they were made from:
// Symmetric.Image(k) is built from Original.Image(k).
type TexturePairs struct {
	Config    TextureConfig
	Seed      uint64
	Symmetric Stack
	Original  Stack
}

// MirrorPairs generates cfg.Pairs random grey textures O (the originals) and from each the
// image S mirror-symmetric about the vertical axis that keeps O's left half and reflects it
// onto the right half:
//
//	S(i, j) = O(i, min(j, w − 1 − j)).
//
// S is made of O's own pixels, so both have the same pixel distribution: every pixel of a
// texture is drawn independently (random dots) or from a stationary field (noise), and
// mirroring only moves pixels. For odd w the middle column is kept. Texture k draws from
// rand.New(rand.NewPCG(seed, k)), so it does not depend on cfg.Pairs.
func MirrorPairs(h, w, c int, cfg TextureConfig, seed uint64) (*TexturePairs, error) {
	if err := checkSize(h, w, c); err != nil {
		return nil, err
	}
	if err := cfg.Check(); err != nil {
		return nil, err
	}

	pairs := &TexturePairs{
		Config:    cfg,
		Seed:      seed,
		Symmetric: newStack(cfg.Pairs, h, w, c),
		Original:  newStack(cfg.Pairs, h, w, c),
	}
	symmetric := make([]float64, h*w)
	for k := 0; k < cfg.Pairs; k++ {
		rng := rand.New(rand.NewPCG(seed, uint64(k)))
		original := Texture(h, w, cfg, rng)
		Mirror(symmetric, original, h, w)
		pairs.Original.setGrey(k, original)
		pairs.Symmetric.setGrey(k, symmetric)
	}
	return pairs, nil
}

// Texture returns one grey texture of the kind in cfg (h × w, row-major, values in [0, 1]).
// Random dots draw one uniform number per pixel in row-major order. Noise textures draw one
// N(0, 1) value per pixel, smooth the field with degrade.GaussianBlur (edge pixels repeated),
// z-score it (population SD) and map z to clamp(0.5 + NoiseContrast·z, 0, 1).
func Texture(h, w int, cfg TextureConfig, rng *rand.Rand) []float64 {
	plane := make([]float64, h*w)
	if cfg.Kind == RandomDots {
		for i := range plane {
			if rng.Float64() < cfg.DotDensity {
				plane[i] = 1
			}
		}
		return plane
	}

	white := make([]float32, h*w)
	for i := range white {
		white[i] = float32(rng.NormFloat64())
	}
	smooth := make([]float32, h*w)
	degrade.GaussianBlur(smooth, white, h, w, 1, cfg.NoiseSmoothing)
	for i, v := range smooth {
		plane[i] = float64(v)
	}
	mean, sd := stat.PopMeanStdDev(plane, nil)
	for i, v := range plane {
		z := 0.0
		if sd > 0 {
			z = (v - mean) / sd
		}
		plane[i] = clamp01(0.5 + cfg.NoiseContrast*z)
	}
	return plane
}

// Mirror writes to dst the image src (h × w, row-major) made mirror-symmetric about the
// vertical axis from its left half: dst(i, j) = src(i, min(j, w − 1 − j)). It panics if
// either length differs from h·w.
func Mirror(dst, src []float64, h, w int) {
	if len(src) != h*w || len(dst) != h*w {
		panic(fmt.Sprintf("stimuli: Mirror got %d and %d values for %d × %d pixels", len(dst), len(src), h, w))
	}
	for i := 0; i < h; i++ {
		for j := 0; j < w; j++ {
			dst[i*w+j] = src[i*w+min(j, w-1-j)]
		}
	}
}
