// Package stimuli generates the probe images of the stimulus analyses: sinusoidal gratings for
// orientation tuning, mirror-symmetric textures paired with their unmirrored originals for
// symmetry sensitivity, and Gaussian blobs on a pixel lattice for receptive-field mapping.
//
// Every generator returns images in [0, 1] pixel space, NHWC and row-major, for any height,
// width and channel count. The stimuli are grey: each pixel value is written to every channel.
// Random generators take a seed and use math/rand/v2's PCG, so the same seed gives the same
// images on every machine.
package stimuli

import "fmt"

// Stack is a sequence of images of one size, NHWC and row-major, with values in [0, 1].
type Stack struct {
	Height, Width, Channels int
	// Images holds Len() × Height × Width × Channels values.
	Images []float32
}

// newStack allocates a stack of n images.
func newStack(n, h, w, c int) Stack {
	return Stack{Height: h, Width: w, Channels: c, Images: make([]float32, n*h*w*c)}
}

// ImageSize returns the number of values in one image, Height × Width × Channels.
func (s *Stack) ImageSize() int { return s.Height * s.Width * s.Channels }

// Len returns the number of images.
func (s *Stack) Len() int {
	if s.ImageSize() == 0 {
		return 0
	}
	return len(s.Images) / s.ImageSize()
}

// Image returns image i as a view into Images.
func (s *Stack) Image(i int) []float32 {
	size := s.ImageSize()
	return s.Images[i*size : (i+1)*size]
}

// setGrey writes the grey plane (Height × Width, row-major) to every channel of image i.
func (s *Stack) setGrey(i int, plane []float64) {
	img := s.Image(i)
	c := s.Channels
	for p, v := range plane {
		for ch := 0; ch < c; ch++ {
			img[p*c+ch] = float32(v)
		}
	}
}

// checkSize returns an error unless the image size is positive in every dimension.
func checkSize(h, w, c int) error {
	if h <= 0 || w <= 0 || c <= 0 {
		return fmt.Errorf("stimuli: invalid image size %d×%d×%d: height, width and channels must be positive", h, w, c)
	}
	return nil
}

// clamp01 limits v to [0, 1].
func clamp01(v float64) float64 {
	return min(max(v, 0), 1)
}
