package dataset

import (
	"errors"
	"fmt"
	"io"
	"math"
	"os"
)

// Layout of the CIFAR-10 binary version (cifar-10-batches-bin): each record is one label byte
// followed by the 32 × 32 red plane, the green plane and the blue plane, each row-major.
const (
	cifarSide     = 32
	cifarChannels = 3
	cifarPlane    = cifarSide * cifarSide
	cifarPixels   = cifarChannels * cifarPlane

	// CIFARRecordSize is the size in bytes of one record: 1 label byte and 3072 pixel bytes.
	CIFARRecordSize = 1 + cifarPixels
)

// DecodeCIFAR reads records of the CIFAR-10 binary version from r and returns them as a
// "cifar10" Set in NHWC order. A stream that starts with the gzip magic bytes is decompressed
// first. The pixel at row y, column x, channel c of record i is byte 1 + c·1024 + y·32 + x of
// the record, divided by 255.
//
// Malformed input gives a *FormatError, with an empty File, of kind ErrTruncated (no records,
// or a length that is not a multiple of 3073 bytes), ErrLabelRange (a label above 9) or
// ErrGzip.
func DecodeCIFAR(r io.Reader) (*Set, error) {
	src, err := decompress(r)
	if err != nil {
		return nil, err
	}
	data, err := io.ReadAll(src)
	if err != nil {
		var formatErr *FormatError
		if errors.As(err, &formatErr) {
			return nil, err
		}
		return nil, fmt.Errorf("dataset: reading CIFAR-10 records: %w", err)
	}
	if err := checkCIFAR(data); err != nil {
		return nil, err
	}

	set := newSet(specs[CIFAR10], len(data)/CIFARRecordSize)
	convertCIFAR(set.Images, set.Labels, data)
	return set, nil
}

// ReadCIFARFile reads a CIFAR-10 binary batch file, such as data_batch_1.bin, as DecodeCIFAR
// does. A *FormatError from it names the file. A file that does not exist gives an error that
// wraps fs.ErrNotExist.
func ReadCIFARFile(path string) (*Set, error) {
	data, err := readCIFARFile(path)
	if err != nil {
		return nil, err
	}
	set := newSet(specs[CIFAR10], len(data)/CIFARRecordSize)
	convertCIFAR(set.Images, set.Labels, data)
	return set, nil
}

// readCIFARFile returns the checked records of a batch file.
func readCIFARFile(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("dataset: %w", err)
	}
	defer f.Close()

	src, err := decompress(f)
	if err == nil {
		var data []byte
		data, err = io.ReadAll(src)
		if err == nil {
			err = checkCIFAR(data)
		}
		if err == nil {
			return data, nil
		}
	}

	var formatErr *FormatError
	if errors.As(err, &formatErr) {
		return nil, withFile(err, path)
	}
	return nil, fmt.Errorf("dataset: reading %s: %w", path, err)
}

// checkCIFAR checks that data is a whole number of records with labels in [0, 10).
func checkCIFAR(data []byte) error {
	if len(data) == 0 {
		return &FormatError{
			Field:    "records",
			Expected: fmt.Sprintf("at least one %d-byte record", CIFARRecordSize),
			Found:    "an empty file",
			Kind:     ErrTruncated,
		}
	}
	if rest := len(data) % CIFARRecordSize; rest != 0 {
		return &FormatError{
			Field:    fmt.Sprintf("record %d", len(data)/CIFARRecordSize),
			Expected: fmt.Sprintf("%d bytes (1 label byte and %d pixel bytes)", CIFARRecordSize, cifarPixels),
			Found:    fmt.Sprintf("%d bytes before the end of the file", rest),
			Kind:     ErrTruncated,
		}
	}

	classes := specs[CIFAR10].Classes
	for i := 0; i < len(data); i += CIFARRecordSize {
		if label := int(data[i]); label >= classes {
			return &FormatError{
				Field:    fmt.Sprintf("label of record %d", i/CIFARRecordSize),
				Expected: fmt.Sprintf("a class in [0, %d)", classes),
				Found:    fmt.Sprint(label),
				Kind:     ErrLabelRange,
			}
		}
	}
	return nil
}

// convertCIFAR writes the records in data, channel-planar, to images in NHWC order and their
// labels to labels.
func convertCIFAR(images []float32, labels []int32, data []byte) {
	records := len(data) / CIFARRecordSize
	for i := range records {
		record := data[i*CIFARRecordSize : (i+1)*CIFARRecordSize]
		labels[i] = int32(record[0])
		image := images[i*cifarPixels : (i+1)*cifarPixels]
		for c := range cifarChannels {
			plane := record[1+c*cifarPlane : 1+(c+1)*cifarPlane]
			for p, b := range plane {
				image[p*cifarChannels+c] = pixelValue[b]
			}
		}
	}
}

// WriteCIFAR writes s in the CIFAR-10 binary format: per image, the label byte and then the
// red, green and blue planes. A pixel value x becomes the byte round(255·x), with x clamped to
// [0, 1]. It returns an error unless s holds 32 × 32 × 3 images with labels in [0, 255].
func WriteCIFAR(w io.Writer, s *Set) error {
	if s.Height != cifarSide || s.Width != cifarSide || s.Channels != cifarChannels {
		return fmt.Errorf("dataset: cannot write %d×%d×%d images as CIFAR-10: the format needs 32×32×3",
			s.Height, s.Width, s.Channels)
	}
	if len(s.Images) != len(s.Labels)*cifarPixels {
		return fmt.Errorf("dataset: cannot write CIFAR-10: %d labels need %d pixel values but there are %d",
			len(s.Labels), len(s.Labels)*cifarPixels, len(s.Images))
	}

	record := make([]byte, CIFARRecordSize)
	for i, label := range s.Labels {
		if label < 0 || label > math.MaxUint8 {
			return fmt.Errorf("dataset: cannot write label %d of image %d as CIFAR-10: labels must be in [0, 255]",
				label, i)
		}
		record[0] = byte(label)
		image := s.Images[i*cifarPixels : (i+1)*cifarPixels]
		for p := range cifarPlane {
			for c := range cifarChannels {
				record[1+c*cifarPlane+p] = pixelByte(image[p*cifarChannels+c])
			}
		}
		if _, err := w.Write(record); err != nil {
			return fmt.Errorf("dataset: writing CIFAR-10 record %d: %w", i, err)
		}
	}
	return nil
}

// pixelByte returns round(255·x) with x clamped to [0, 1]; NaN becomes 0.
func pixelByte(x float32) byte {
	if !(x > 0) {
		return 0
	}
	if x >= 1 {
		return 255
	}
	return byte(math.Round(float64(x) * 255))
}
