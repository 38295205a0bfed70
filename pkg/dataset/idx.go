package dataset

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"strconv"
	"strings"
)

// idxUnsignedByte is the IDX type code for unsigned bytes, the element type of the MNIST and
// Fashion-MNIST files. The format also defines 0x09 (signed byte), 0x0B (int16), 0x0C (int32),
// 0x0D (float32) and 0x0E (float64), which this package does not read.
const idxUnsignedByte = 0x08

// maxIDXDims is the largest dimension count the one-byte field of an IDX header can hold.
const maxIDXDims = 255

// IDX is an array of unsigned bytes in the IDX format of the MNIST database (LeCun, Cortes and
// Burges, "The MNIST database of handwritten digits"). An IDX file starts with a 4-byte magic
// number: two zero bytes, the type code 0x08 and the dimension count. One big-endian uint32
// size per dimension follows, then the elements in row-major order.
type IDX struct {
	// Dims holds the size of each dimension, outermost first.
	Dims []int
	// Data holds the elements in row-major order; its length is the product of Dims.
	Data []byte
}

// DecodeIDX reads an IDX array of unsigned bytes from r, which may be gzip-compressed: a
// stream that starts with the gzip magic bytes 0x1f 0x8b is decompressed first. The stream
// must end right after the data.
//
// Malformed input gives a *FormatError, with an empty File, of kind ErrMagic (first two bytes
// not zero, or a type code other than 0x08), ErrDimensions (a dimension count of zero, or sizes
// whose product overflows int), ErrTruncated, ErrTrailingData or ErrGzip.
func DecodeIDX(r io.Reader) (*IDX, error) {
	src, err := decompress(r)
	if err != nil {
		return nil, err
	}

	var magic [4]byte
	if err := readHeader(src, magic[:], "magic number"); err != nil {
		return nil, err
	}
	if err := checkMagic(magic); err != nil {
		return nil, err
	}

	dims, err := readDims(src, int(magic[3]))
	if err != nil {
		return nil, err
	}
	size, err := elementCount(dims)
	if err != nil {
		return nil, err
	}

	data, err := readBytes(src, size)
	if isShortRead(err) {
		return nil, &FormatError{
			Field:    "data",
			Expected: fmt.Sprintf("%d bytes for dimensions %s", size, formatDims(dims)),
			Found:    fmt.Sprintf("%d bytes", len(data)),
			Kind:     ErrTruncated,
		}
	}
	if err != nil {
		return nil, err
	}
	if err := expectEnd(src, fmt.Sprintf("the end of the file after %d data bytes for dimensions %s",
		size, formatDims(dims))); err != nil {
		return nil, err
	}
	return &IDX{Dims: dims, Data: data}, nil
}

// isShortRead reports whether err is the io.EOF or io.ErrUnexpectedEOF that io.ReadFull
// returns for a stream that ends early. It compares with == because errors.Is would also match
// a gzip *FormatError that wraps io.ErrUnexpectedEOF.
func isShortRead(err error) bool {
	return err == io.EOF || err == io.ErrUnexpectedEOF
}

// readHeader fills buf from r, reporting a short read as ErrTruncated in the named field.
func readHeader(r io.Reader, buf []byte, field string) error {
	n, err := io.ReadFull(r, buf)
	if isShortRead(err) {
		return &FormatError{
			Field:    field,
			Expected: fmt.Sprintf("%d bytes", len(buf)),
			Found:    fmt.Sprintf("%d bytes before the end of the file", n),
			Kind:     ErrTruncated,
		}
	}
	return err
}

func checkMagic(magic [4]byte) error {
	if magic[0] != 0 || magic[1] != 0 {
		return &FormatError{
			Field:    "magic number",
			Expected: "two zero bytes, the type code 0x08 and the dimension count (0x0000080N)",
			Found:    fmt.Sprintf("0x%08x", binary.BigEndian.Uint32(magic[:])),
			Kind:     ErrMagic,
		}
	}
	if magic[2] != idxUnsignedByte {
		return &FormatError{
			Field:    "data type",
			Expected: "0x08 (unsigned byte)",
			Found:    fmt.Sprintf("0x%02x", magic[2]),
			Kind:     ErrMagic,
		}
	}
	if magic[3] == 0 {
		return &FormatError{
			Field:    "dimension count",
			Expected: "at least 1",
			Found:    "0",
			Kind:     ErrDimensions,
		}
	}
	return nil
}

func readDims(r io.Reader, count int) ([]int, error) {
	raw := make([]byte, 4*count)
	if err := readHeader(r, raw, fmt.Sprintf("sizes of %d dimensions", count)); err != nil {
		return nil, err
	}
	dims := make([]int, count)
	for i := range dims {
		size := uint64(binary.BigEndian.Uint32(raw[4*i:]))
		if size > math.MaxInt {
			return nil, &FormatError{
				Field:    fmt.Sprintf("size of dimension %d", i),
				Expected: fmt.Sprintf("at most %d on this platform", math.MaxInt),
				Found:    strconv.FormatUint(size, 10),
				Kind:     ErrDimensions,
			}
		}
		dims[i] = int(size)
	}
	return dims, nil
}

// elementCount returns the product of dims, or an ErrDimensions error when it overflows int.
func elementCount(dims []int) (int64, error) {
	count := int64(1)
	for _, d := range dims {
		if d != 0 && count > int64(math.MaxInt)/int64(d) {
			return 0, &FormatError{
				Field:    "dimension sizes",
				Expected: fmt.Sprintf("a product of at most %d", math.MaxInt),
				Found:    formatDims(dims),
				Kind:     ErrDimensions,
			}
		}
		count *= int64(d)
	}
	return count, nil
}

func formatDims(dims []int) string {
	parts := make([]string, len(dims))
	for i, d := range dims {
		parts[i] = strconv.Itoa(d)
	}
	return strings.Join(parts, "×")
}

// ReadIDXFile reads an IDX file of unsigned bytes, raw or gzip-compressed, as DecodeIDX does.
// A *FormatError from it names the file. A file that does not exist gives an error that wraps
// fs.ErrNotExist.
func ReadIDXFile(path string) (*IDX, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("dataset: %w", err)
	}
	defer f.Close()

	idx, err := DecodeIDX(f)
	if err != nil {
		var formatErr *FormatError
		if errors.As(err, &formatErr) {
			return nil, withFile(err, path)
		}
		return nil, fmt.Errorf("dataset: reading %s: %w", path, err)
	}
	return idx, nil
}

// WriteIDX writes data as an uncompressed IDX array of unsigned bytes with the given
// dimensions. Wrap w in a gzip.Writer for a compressed file. It returns an error when there
// are no dimensions or more than 255, a size is negative or above 2³²−1, or len(data) is not
// the product of dims.
func WriteIDX(w io.Writer, dims []int, data []byte) error {
	if len(dims) == 0 || len(dims) > maxIDXDims {
		return fmt.Errorf("dataset: cannot write IDX with %d dimensions: the format allows 1 to %d",
			len(dims), maxIDXDims)
	}
	count := 1
	for _, d := range dims {
		if d < 0 || uint64(d) > math.MaxUint32 {
			return fmt.Errorf("dataset: cannot write IDX dimension size %d: sizes must be in [0, %d]",
				d, uint32(math.MaxUint32))
		}
		if d != 0 && count > math.MaxInt/d {
			return fmt.Errorf("dataset: cannot write IDX dimensions %s: the element count overflows int",
				formatDims(dims))
		}
		count *= d
	}
	if count != len(data) {
		return fmt.Errorf("dataset: cannot write IDX: dimensions %s need %d bytes but data has %d",
			formatDims(dims), count, len(data))
	}

	header := make([]byte, 4+4*len(dims))
	header[2] = idxUnsignedByte
	header[3] = byte(len(dims))
	for i, d := range dims {
		binary.BigEndian.PutUint32(header[4+4*i:], uint32(d))
	}
	if _, err := w.Write(header); err != nil {
		return fmt.Errorf("dataset: writing IDX header: %w", err)
	}
	if _, err := w.Write(data); err != nil {
		return fmt.Errorf("dataset: writing IDX data: %w", err)
	}
	return nil
}
