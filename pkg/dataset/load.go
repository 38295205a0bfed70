package dataset

import (
	"errors"
	"fmt"
	"path/filepath"
)

// CIFAR-10 batch files of the binary version.
var (
	cifarTrainFiles = []string{"data_batch_1.bin", "data_batch_2.bin", "data_batch_3.bin",
		"data_batch_4.bin", "data_batch_5.bin"}
	cifarTestFiles = []string{"test_batch.bin"}
)

// Load reads the training or test part of the named dataset ("mnist", "fashion-mnist" or
// "cifar10") from the folder that Location(name, dir) returns. With dir "" that is the
// TOPOCNN_DATA_DIR subfolder or the default location. Pixel bytes b become values b / 255.
// CIFAR-10's training part is data_batch_1.bin to data_batch_5.bin in that order.
//
// Errors:
//   - an unknown name wraps ErrUnknownDataset;
//   - a missing file is a *MissingError whose message names where to get the files;
//   - a malformed file is a *FormatError that names the file and the field, of kind ErrMagic,
//     ErrDimensions (including images of the wrong size), ErrTruncated, ErrTrailingData,
//     ErrCountMismatch, ErrLabelRange or ErrGzip.
func Load(name string, part Part, dir string) (*Set, error) {
	spec, err := SpecFor(name)
	if err != nil {
		return nil, err
	}
	if part != Train && part != Test {
		return nil, fmt.Errorf("dataset: invalid part %v: use dataset.Train or dataset.Test", part)
	}
	location, err := Location(name, dir)
	if err != nil {
		return nil, err
	}

	var set *Set
	if name == CIFAR10 {
		set, err = loadCIFAR(spec, part, location)
	} else {
		set, err = loadIDX(spec, part, location)
	}

	var formatErr *FormatError
	if errors.As(err, &formatErr) && formatErr.Hint == "" {
		formatErr.Hint = "replace the file with an intact copy: " + sourceHints[name]
	}
	return set, err
}

// loadIDX reads an MNIST-style pair of IDX files: images N × Height × Width and labels N.
func loadIDX(spec Spec, part Part, dir string) (*Set, error) {
	prefix := "train"
	if part == Test {
		prefix = "t10k"
	}
	imagesBase := prefix + "-images-idx3-ubyte"
	labelsBase := prefix + "-labels-idx1-ubyte"
	imagesPath, err := findFile(spec.Name, dir, imagesBase+".gz", imagesBase)
	if err != nil {
		return nil, err
	}
	labelsPath, err := findFile(spec.Name, dir, labelsBase+".gz", labelsBase)
	if err != nil {
		return nil, err
	}

	images, err := ReadIDXFile(imagesPath)
	if err != nil {
		return nil, err
	}
	if err := checkImageDims(spec, images.Dims, imagesPath); err != nil {
		return nil, err
	}
	labels, err := ReadIDXFile(labelsPath)
	if err != nil {
		return nil, err
	}
	if err := checkLabels(spec, labels, images.Dims[0], labelsPath, imagesPath); err != nil {
		return nil, err
	}

	set := newSet(spec, images.Dims[0])
	for i, b := range images.Data {
		set.Images[i] = pixelValue[b]
	}
	for i, b := range labels.Data {
		set.Labels[i] = int32(b)
	}
	return set, nil
}

func checkImageDims(spec Spec, dims []int, path string) error {
	if len(dims) != 3 {
		return &FormatError{
			File:     path,
			Field:    "dimension count",
			Expected: "3 (images × rows × columns)",
			Found:    fmt.Sprint(len(dims)),
			Kind:     ErrDimensions,
		}
	}
	if dims[1] != spec.Height || dims[2] != spec.Width {
		return &FormatError{
			File:     path,
			Field:    "image size",
			Expected: fmt.Sprintf("%d×%d pixels for %s", spec.Height, spec.Width, spec.Name),
			Found:    fmt.Sprintf("%d×%d", dims[1], dims[2]),
			Kind:     ErrDimensions,
		}
	}
	return nil
}

func checkLabels(spec Spec, labels *IDX, images int, path, imagesPath string) error {
	if len(labels.Dims) != 1 {
		return &FormatError{
			File:     path,
			Field:    "dimension count",
			Expected: "1 (labels)",
			Found:    fmt.Sprint(len(labels.Dims)),
			Kind:     ErrDimensions,
		}
	}
	if labels.Dims[0] != images {
		return &FormatError{
			File:     path,
			Field:    "label count",
			Expected: fmt.Sprintf("%d, the image count of %s", images, filepath.Base(imagesPath)),
			Found:    fmt.Sprint(labels.Dims[0]),
			Kind:     ErrCountMismatch,
		}
	}
	for i, b := range labels.Data {
		if int(b) >= spec.Classes {
			return &FormatError{
				File:     path,
				Field:    fmt.Sprintf("label %d", i),
				Expected: fmt.Sprintf("a class in [0, %d)", spec.Classes),
				Found:    fmt.Sprint(b),
				Kind:     ErrLabelRange,
			}
		}
	}
	return nil
}

// loadCIFAR reads the batch files of the part in order and concatenates their records.
func loadCIFAR(spec Spec, part Part, dir string) (*Set, error) {
	files := cifarTrainFiles
	if part == Test {
		files = cifarTestFiles
	}

	batches := make([][]byte, len(files))
	records := 0
	for i, file := range files {
		path, err := findFile(spec.Name, dir, file, file+".gz")
		if err != nil {
			return nil, err
		}
		batches[i], err = readCIFARFile(path)
		if err != nil {
			return nil, err
		}
		records += len(batches[i]) / CIFARRecordSize
	}

	set := newSet(spec, records)
	first := 0
	for _, batch := range batches {
		n := len(batch) / CIFARRecordSize
		convertCIFAR(set.Images[first*cifarPixels:(first+n)*cifarPixels], set.Labels[first:first+n], batch)
		first += n
	}
	return set, nil
}
