package dataset

import (
	"bytes"
	"compress/gzip"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the fixture files under data/testdata")

// fixtureDir is the repository's data/testdata folder.
var fixtureDir = filepath.Join("..", "..", "data", "testdata")

// encodeIDX returns an uncompressed IDX file with a hand-built header: 0, 0, 0x08, the
// dimension count, then big-endian sizes.
func encodeIDX(dims []int, data []byte) []byte {
	out := []byte{0, 0, 0x08, byte(len(dims))}
	for _, d := range dims {
		out = append(out, byte(d>>24), byte(d>>16), byte(d>>8), byte(d))
	}
	return append(out, data...)
}

func gzipBytes(t testing.TB, data []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	if _, err := zw.Write(data); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func writeFile(t testing.TB, path string, data []byte) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
}

// smallMNIST returns n 28 × 28 images whose pixel p of image i is (i + 3p) mod 256, and
// labels i mod 10.
func smallMNIST(n int) (images, labels []byte) {
	images = make([]byte, n*28*28)
	for i := range n {
		for p := range 28 * 28 {
			images[i*28*28+p] = byte(i + 3*p)
		}
	}
	labels = make([]byte, n)
	for i := range labels {
		labels[i] = byte(i % 10)
	}
	return images, labels
}

// writeSmallMNIST writes the test part of smallMNIST(n) as gzip-compressed IDX files in dir.
func writeSmallMNIST(t testing.TB, dir string, n int) {
	t.Helper()
	images, labels := smallMNIST(n)
	writeFile(t, filepath.Join(dir, "t10k-images-idx3-ubyte.gz"), gzipBytes(t, encodeIDX([]int{n, 28, 28}, images)))
	writeFile(t, filepath.Join(dir, "t10k-labels-idx1-ubyte.gz"), gzipBytes(t, encodeIDX([]int{n}, labels)))
}

// checkFormatError fails the test unless err is a *FormatError of the given kind for the given
// file and field, with a message that names both.
func checkFormatError(t *testing.T, err error, kind error, file, field string) {
	t.Helper()
	if err == nil {
		t.Fatalf("got no error, want %v", kind)
	}
	if !errors.Is(err, kind) {
		t.Errorf("error %q is not %v", err, kind)
	}
	var formatErr *FormatError
	if !errors.As(err, &formatErr) {
		t.Fatalf("error %q (%T) is not a *FormatError", err, err)
	}
	if formatErr.File != file {
		t.Errorf("FormatError.File = %q, want %q", formatErr.File, file)
	}
	if formatErr.Field != field {
		t.Errorf("FormatError.Field = %q, want %q", formatErr.Field, field)
	}
	if file != "" && !strings.Contains(err.Error(), file) {
		t.Errorf("message %q does not name the file %q", err, file)
	}
	if !strings.Contains(err.Error(), field+": expected ") {
		t.Errorf("message %q does not name the field %q and what was expected", err, field)
	}
}
