package dataset

import (
	"errors"
	"fmt"
)

// Kinds of *FormatError. Each FormatError wraps exactly one of them, so callers can test for
// a kind with errors.Is.
var (
	// ErrMagic marks an IDX file whose magic number is not two zero bytes followed by the
	// unsigned-byte type code 0x08.
	ErrMagic = errors.New("invalid magic number")
	// ErrDimensions marks a wrong number of dimensions or a wrong image size.
	ErrDimensions = errors.New("invalid dimensions")
	// ErrTruncated marks a file that ends before the data its header or record size announces.
	ErrTruncated = errors.New("truncated data")
	// ErrTrailingData marks bytes after the announced end of the data.
	ErrTrailingData = errors.New("unexpected data after the end")
	// ErrCountMismatch marks an image file and a label file with different numbers of items.
	ErrCountMismatch = errors.New("image and label counts differ")
	// ErrLabelRange marks a label outside [0, classes).
	ErrLabelRange = errors.New("label out of range")
	// ErrGzip marks a gzip stream that cannot be decompressed (bad header, damaged or
	// truncated compressed data, or a checksum mismatch).
	ErrGzip = errors.New("broken gzip stream")
)

// ErrUnknownDataset is wrapped by the error for a dataset name that Names does not list.
var ErrUnknownDataset = errors.New("unknown dataset")

// FormatError reports a dataset file whose content does not have the expected format.
type FormatError struct {
	// File is the path of the file, or empty when the data came from a reader with no name.
	File string
	// Field is the part of the file that is wrong, for example "magic number", "dimension
	// count", "data" or "label 17".
	Field string
	// Expected and Found describe the expected and the actual content of Field.
	Expected, Found string
	// Kind is one of ErrMagic, ErrDimensions, ErrTruncated, ErrTrailingData,
	// ErrCountMismatch, ErrLabelRange and ErrGzip.
	Kind error
	// Err is the underlying cause, for example a gzip checksum error, or nil.
	Err error
	// Hint is the instruction for getting an intact copy of the file, or empty.
	Hint string
}

// Error returns "dataset: FILE: FIELD: expected …, found …", followed by the cause and the
// hint when there are any.
func (e *FormatError) Error() string {
	msg := "dataset: "
	if e.File != "" {
		msg += e.File + ": "
	}
	msg += fmt.Sprintf("%s: expected %s, found %s", e.Field, e.Expected, e.Found)
	if e.Err != nil {
		msg += ": " + e.Err.Error()
	}
	if e.Hint != "" {
		msg += "; " + e.Hint
	}
	return msg
}

// Unwrap returns the error's kind and, when there is one, its cause.
func (e *FormatError) Unwrap() []error {
	if e.Err == nil {
		return []error{e.Kind}
	}
	return []error{e.Kind, e.Err}
}

// MissingError reports a dataset file or folder that does not exist. It wraps the error from
// the file system, so errors.Is(err, fs.ErrNotExist) holds.
type MissingError struct {
	// Dataset is the dataset name, for example "mnist".
	Dataset string
	// Path is the file or folder that was not found.
	Path string
	// Hint is the instruction for getting the files and pointing Load at them.
	Hint string
	// Err is the error from the file system.
	Err error
}

// Error returns "dataset: NAME: PATH not found; HINT".
func (e *MissingError) Error() string {
	return fmt.Sprintf("dataset: %s: %s not found; %s", e.Dataset, e.Path, e.Hint)
}

// Unwrap returns the error from the file system.
func (e *MissingError) Unwrap() error { return e.Err }

// withFile sets the file name on a *FormatError inside err, if there is one and it has none.
func withFile(err error, file string) error {
	var formatErr *FormatError
	if errors.As(err, &formatErr) && formatErr.File == "" {
		formatErr.File = file
	}
	return err
}
