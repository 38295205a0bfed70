package dataset

import (
	"fmt"
	"slices"
)

// Normalization holds per-channel constants for standardising pixel values in [0, 1].
type Normalization struct {
	// Mean and Std hold one value per channel, in channel order (R, G, B for CIFAR-10).
	Mean, Std []float32
}

// normalizations holds the constants NormalizationFor returns.
var normalizations = map[string]Normalization{
	MNIST:        {Mean: []float32{0.1307}, Std: []float32{0.3081}},
	FashionMNIST: {Mean: []float32{0.2860}, Std: []float32{0.3530}},
	CIFAR10: {
		Mean: []float32{0.4914, 0.4822, 0.4465},
		Std:  []float32{0.2470, 0.2435, 0.2616},
	},
}

// NormalizationFor returns the per-channel input normalisation of the named dataset:
//   - mnist: mean 0.1307, std 0.3081 (Truong & Hasson, 2025, arXiv 2508.00043);
//   - fashion-mnist: mean 0.2860, std 0.3530, the training-set pixel statistics (defined by
//     this package);
//   - cifar10: mean (0.4914, 0.4822, 0.4465), std (0.2470, 0.2435, 0.2616) for R, G, B
//     (Truong & Hasson, 2025).
//
// An unknown name gives an error that wraps ErrUnknownDataset.
func NormalizationFor(name string) (Normalization, error) {
	norm, ok := normalizations[name]
	if !ok {
		return Normalization{}, unknownDataset(name)
	}
	return Normalization{Mean: slices.Clone(norm.Mean), Std: slices.Clone(norm.Std)}, nil
}

// Apply returns a new slice with (x − Mean[c]) / Std[c] for each value x of images, where c is
// the value's channel: images are channel-last (NHWC), so value i has channel i mod channels.
// images is not changed. Apply panics if channels differs from len(Mean) or len(Std), or if
// len(images) is not a multiple of channels.
func (n Normalization) Apply(images []float32, channels int) []float32 {
	if channels != len(n.Mean) || channels != len(n.Std) {
		panic(fmt.Sprintf("dataset: normalisation has %d means and %d standard deviations but images have %d channels",
			len(n.Mean), len(n.Std), channels))
	}
	if len(images)%channels != 0 {
		panic(fmt.Sprintf("dataset: %d image values are not a multiple of %d channels", len(images), channels))
	}

	out := make([]float32, len(images))
	for i := 0; i < len(images); i += channels {
		for c := range channels {
			out[i+c] = (images[i+c] - n.Mean[c]) / n.Std[c]
		}
	}
	return out
}
