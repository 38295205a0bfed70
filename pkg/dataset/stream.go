package dataset

import (
	"bufio"
	"compress/gzip"
	"fmt"
	"io"
)

// gzipMagic is the first two bytes of every gzip stream (RFC 1952, section 2.3.1).
var gzipMagic = [2]byte{0x1f, 0x8b}

// initialReadSize is the first buffer size of readBytes. The buffer doubles from there, so a
// header that announces more data than the stream holds makes readBytes allocate at most the
// larger of 1 MiB and about twice the data actually present.
const initialReadSize = 1 << 20

// pixelValue maps a byte to its pixel value in [0, 1], byte / 255.
var pixelValue = func() (table [256]float32) {
	for b := range table {
		table[b] = float32(b) / 255
	}
	return table
}()

// decompress returns a reader of r's content, decompressed when r starts with the gzip magic
// bytes. Errors from the gzip decoder come back as *FormatError of kind ErrGzip.
func decompress(r io.Reader) (io.Reader, error) {
	buffered := bufio.NewReaderSize(r, 64<<10)
	start, err := buffered.Peek(2)
	if err != nil && err != io.EOF {
		return nil, fmt.Errorf("dataset: reading: %w", err)
	}
	if len(start) < 2 || start[0] != gzipMagic[0] || start[1] != gzipMagic[1] {
		return buffered, nil
	}

	zr, err := gzip.NewReader(buffered)
	if err != nil {
		return nil, gzipError(err)
	}
	return &gzipReader{zr: zr}, nil
}

// gzipReader turns the gzip decoder's errors, other than io.EOF, into *FormatError.
type gzipReader struct {
	zr *gzip.Reader
}

func (g *gzipReader) Read(p []byte) (int, error) {
	n, err := g.zr.Read(p)
	if err != nil && err != io.EOF {
		err = gzipError(err)
	}
	return n, err
}

func gzipError(err error) error {
	return &FormatError{
		Field:    "gzip stream",
		Expected: "a complete gzip stream with a valid checksum",
		Found:    "a stream that cannot be decompressed",
		Kind:     ErrGzip,
		Err:      err,
	}
}

// readBytes reads exactly n bytes from r. When r ends early it returns the bytes it got and
// io.ErrUnexpectedEOF (or io.EOF when it got none).
func readBytes(r io.Reader, n int64) ([]byte, error) {
	buf := make([]byte, min(n, initialReadSize))
	got := 0
	for {
		m, err := io.ReadFull(r, buf[got:])
		got += m
		if err != nil {
			return buf[:got], err
		}
		if int64(got) == n {
			return buf, nil
		}
		size := min(n, 2*int64(len(buf)))
		buf = append(buf, make([]byte, int(size)-len(buf))...)
	}
}

// expectEnd reads r to its end and returns a *FormatError of kind ErrTrailingData when r has
// bytes left. Reading to the end also makes a gzip decoder check the stream's checksum.
func expectEnd(r io.Reader, expected string) error {
	var probe [1]byte
	n, err := io.ReadAtLeast(r, probe[:], 1)
	if n == 0 {
		if err == io.EOF {
			return nil
		}
		return err
	}

	extra, err := io.Copy(io.Discard, r)
	if err != nil {
		return err
	}
	return &FormatError{
		Field:    "end of data",
		Expected: expected,
		Found:    fmt.Sprintf("%d more bytes", extra+1),
		Kind:     ErrTrailingData,
	}
}
