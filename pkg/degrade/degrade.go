// Package degrade corrupts images in [0, 1] pixel space for the input-degradation analysis:
// white, pink and salt-and-pepper noise as Truong & Hasson (2025) define them, and Gaussian
// blur, contrast reduction and occlusion as this package defines them.
//
// Images are NHWC and row-major. Every random draw comes from math/rand/v2's PCG, seeded with
// the caller's seed and the image's index in the batch. The same seed therefore gives the same
// output on every machine, and image i gets the same corruption whatever the batch around it.
package degrade

import (
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"strings"
	"sync"
)

// Kind is a type of degradation.
type Kind int

const (
	// White adds Gaussian noise of SD σ (the level) to every pixel and channel, then clamps.
	White Kind = iota
	// Pink adds 1/f noise, z-scored and scaled by σ (the level), then clamps.
	Pink
	// SaltPepper sets int(H·W·p) pixel positions, drawn with replacement, to 0 or 1 (p is the
	// level).
	SaltPepper
	// Blur convolves each channel with a Gaussian of SD σ pixels (the level).
	Blur
	// Contrast moves every value towards 0.5 by the fraction c (the level).
	Contrast
	// Occlusion covers a square of area fraction a (the level) at a random position.
	Occlusion
)

var kindNames = [...]string{"white", "pink", "salt-pepper", "blur", "contrast", "occlusion"}

// NoiseLevels are the published levels of the white, pink and salt-and-pepper noise (σ for
// white and pink, the fraction p for salt-and-pepper).
var NoiseLevels = []float64{0.01, 0.05, 0.10, 0.15, 0.20}

// Kinds returns every kind in the order White, Pink, SaltPepper, Blur, Contrast, Occlusion.
func Kinds() []Kind { return []Kind{White, Pink, SaltPepper, Blur, Contrast, Occlusion} }

// String returns the kind's name: "white", "pink", "salt-pepper", "blur", "contrast" or
// "occlusion".
func (k Kind) String() string {
	if k < 0 || int(k) >= len(kindNames) {
		return fmt.Sprintf("Kind(%d)", int(k))
	}
	return kindNames[k]
}

// ParseKind reads a kind's name as String writes it.
func ParseKind(s string) (Kind, error) {
	for k, name := range kindNames {
		if strings.EqualFold(s, name) {
			return Kind(k), nil
		}
	}
	return 0, fmt.Errorf("degrade: unknown kind %q: use one of %s", s, strings.Join(kindNames[:], ", "))
}

// MarshalText writes the kind's name.
func (k Kind) MarshalText() ([]byte, error) {
	if k < 0 || int(k) >= len(kindNames) {
		return nil, fmt.Errorf("degrade: invalid kind %d", int(k))
	}
	return []byte(k.String()), nil
}

// UnmarshalText reads a kind's name.
func (k *Kind) UnmarshalText(text []byte) error {
	parsed, err := ParseKind(string(text))
	if err != nil {
		return err
	}
	*k = parsed
	return nil
}

// LevelName returns what the level of the kind measures, with its unit.
func (k Kind) LevelName() string {
	switch k {
	case White, Pink:
		return "noise SD in pixel units"
	case SaltPepper:
		return "fraction of pixel positions drawn"
	case Blur:
		return "Gaussian SD in pixels"
	case Contrast:
		return "contrast reduction fraction"
	case Occlusion:
		return "occluded area fraction"
	}
	return "unknown"
}

// DefaultLevels returns the levels the analysis uses for the kind. The noise kinds use the
// published NoiseLevels. The other levels are this package's choice, spanning mild to strong:
// blur σ ∈ {0.5, 1, 1.5, 2, 3} pixels, contrast reduction c ∈ {0.2, 0.4, 0.6, 0.8, 0.9} and
// occluded area a ∈ {0.05, 0.10, 0.20, 0.30, 0.50}.
func (k Kind) DefaultLevels() []float64 {
	switch k {
	case Blur:
		return []float64{0.5, 1, 1.5, 2, 3}
	case Contrast:
		return []float64{0.2, 0.4, 0.6, 0.8, 0.9}
	case Occlusion:
		return []float64{0.05, 0.10, 0.20, 0.30, 0.50}
	}
	return append([]float64(nil), NoiseLevels...)
}

// CheckLevel returns an error unless level is valid for the kind: a finite σ ≥ 0 for white,
// pink and blur, and a fraction in [0, 1] for salt-and-pepper, contrast and occlusion.
func (k Kind) CheckLevel(level float64) error {
	if math.IsNaN(level) || math.IsInf(level, 0) {
		return fmt.Errorf("degrade: invalid %s level %g: use a finite number", k, level)
	}
	switch k {
	case White, Pink, Blur:
		if level < 0 {
			return fmt.Errorf("degrade: invalid %s level %g: the %s must be ≥ 0", k, level, k.LevelName())
		}
	case SaltPepper, Contrast, Occlusion:
		if level < 0 || level > 1 {
			return fmt.Errorf("degrade: invalid %s level %g: the %s must be in [0, 1]", k, level, k.LevelName())
		}
	default:
		return fmt.Errorf("degrade: invalid kind %d: use one of %s", int(k), strings.Join(kindNames[:], ", "))
	}
	return nil
}

// Fill is the value an occluding patch takes.
type Fill int

const (
	// FillZero paints the patch black (0), the background of MNIST-like digits.
	FillZero Fill = iota
	// FillMean paints each channel of the patch with that channel's mean over the image before
	// occlusion.
	FillMean
)

// String returns "zero" or "mean".
func (f Fill) String() string {
	if f == FillMean {
		return "mean"
	}
	return "zero"
}

// MarshalText writes "zero" or "mean".
func (f Fill) MarshalText() ([]byte, error) { return []byte(f.String()), nil }

// UnmarshalText reads "zero" or "mean".
func (f *Fill) UnmarshalText(text []byte) error {
	switch strings.ToLower(string(text)) {
	case "zero":
		*f = FillZero
	case "mean":
		*f = FillMean
	default:
		return fmt.Errorf("degrade: unknown occlusion fill %q: use zero or mean", text)
	}
	return nil
}

// Degradation is one kind of degradation at one level.
type Degradation struct {
	Kind  Kind    `json:"kind"`
	Level float64 `json:"level"`
	// Fill is the occluding patch's value, used only by Occlusion.
	Fill Fill `json:"fill,omitempty"`
}

// String returns "KIND@LEVEL", for example "white@0.05".
func (d Degradation) String() string { return fmt.Sprintf("%s@%g", d.Kind, d.Level) }

// Apply returns a degraded copy of the n = len(images)/(h·w·c) images (NHWC, values in
// [0, 1]) and leaves images unchanged. Image i draws its random numbers from
// rand.New(rand.NewPCG(seed, i)), so the result for one image does not depend on the others.
// It returns an error for an invalid level or a size that does not divide len(images). Work
// is spread over GOMAXPROCS goroutines.
func (d Degradation) Apply(images []float32, h, w, c int, seed uint64) ([]float32, error) {
	if h <= 0 || w <= 0 || c <= 0 {
		return nil, fmt.Errorf("degrade: invalid image size %d×%d×%d: height, width and channels must be positive", h, w, c)
	}
	size := h * w * c
	if len(images)%size != 0 {
		return nil, fmt.Errorf("degrade: %d values are not a whole number of %d×%d×%d images", len(images), h, w, c)
	}
	if err := d.Kind.CheckLevel(d.Level); err != nil {
		return nil, err
	}

	out := append([]float32(nil), images...)
	n := len(images) / size
	workers := min(runtime.GOMAXPROCS(0), n)
	var wg sync.WaitGroup
	for worker := 0; worker < workers; worker++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var scratch []float32
			for i := worker; i < n; i += workers {
				rng := rand.New(rand.NewPCG(seed, uint64(i)))
				scratch = d.applyOne(out[i*size:(i+1)*size], scratch, h, w, c, rng)
			}
		}()
	}
	wg.Wait()
	return out, nil
}

// applyOne degrades one image in place. It returns scratch, working memory that it may have
// grown, for the next call.
func (d Degradation) applyOne(img, scratch []float32, h, w, c int, rng *rand.Rand) []float32 {
	switch d.Kind {
	case White:
		AddWhiteNoise(img, d.Level, rng)
	case Pink:
		AddPinkNoise(img, h, w, c, d.Level, rng)
	case SaltPepper:
		SaltAndPepper(img, h, w, c, d.Level, rng)
	case Blur:
		if cap(scratch) < len(img) {
			scratch = make([]float32, len(img))
		}
		scratch = scratch[:len(img)]
		copy(scratch, img)
		GaussianBlur(img, scratch, h, w, c, d.Level)
	case Contrast:
		ReduceContrast(img, d.Level)
	case Occlusion:
		Occlude(img, h, w, c, d.Level, d.Fill, rng)
	}
	return scratch
}

// clamp01 limits v to [0, 1].
func clamp01(v float64) float32 {
	return float32(min(max(v, 0), 1))
}
