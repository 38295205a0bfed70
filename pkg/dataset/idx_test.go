package dataset

import (
	"bytes"
	"compress/gzip"
	"errors"
	"io"
	"io/fs"
	"path/filepath"
	"slices"
	"testing"
)

func TestIDXFixturesRawAndGzip(t *testing.T) {
	cases := []struct {
		file string
		dims []int
		data []byte
	}{
		{"pattern-idx3-ubyte", idxFixtureDims3, idxFixtureData3()},
		{"pattern-idx3-ubyte.gz", idxFixtureDims3, idxFixtureData3()},
		{"pattern-idx1-ubyte", idxFixtureDims1, idxFixtureData1},
		{"pattern-idx1-ubyte.gz", idxFixtureDims1, idxFixtureData1},
	}
	for _, c := range cases {
		t.Run(c.file, func(t *testing.T) {
			idx, err := ReadIDXFile(filepath.Join(fixtureDir, "idx", c.file))
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(idx.Dims, c.dims) {
				t.Errorf("Dims = %v, want %v", idx.Dims, c.dims)
			}
			if !bytes.Equal(idx.Data, c.data) {
				t.Errorf("Data = %v, want %v", idx.Data, c.data)
			}
		})
	}
}

func TestIDXRoundTrip(t *testing.T) {
	for _, file := range []string{"pattern-idx3-ubyte", "pattern-idx1-ubyte"} {
		t.Run(file, func(t *testing.T) {
			path := filepath.Join(fixtureDir, "idx", file)
			raw, err := ReadIDXFile(path)
			if err != nil {
				t.Fatal(err)
			}

			var written bytes.Buffer
			if err := WriteIDX(&written, raw.Dims, raw.Data); err != nil {
				t.Fatal(err)
			}
			want := fixtureContents()[path]
			if !bytes.Equal(written.Bytes(), want) {
				t.Errorf("WriteIDX wrote % x, want the fixture % x", written.Bytes(), want)
			}

			back, err := DecodeIDX(bytes.NewReader(gzipBytes(t, written.Bytes())))
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(back.Dims, raw.Dims) || !bytes.Equal(back.Data, raw.Data) {
				t.Errorf("gzip round trip gave %v %v, want %v %v", back.Dims, back.Data, raw.Dims, raw.Data)
			}
		})
	}
}

func TestIDXLargeDataGrowsBuffer(t *testing.T) {
	// More than initialReadSize bytes, so readBytes has to grow its buffer.
	dims := []int{3, 1000, 701}
	data := make([]byte, 3*1000*701)
	for i := range data {
		data[i] = byte(i * 7)
	}
	idx, err := DecodeIDX(bytes.NewReader(gzipBytes(t, encodeIDX(dims, data))))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(idx.Data, data) {
		t.Error("decoded data differ from the encoded data")
	}
}

func TestIDXZeroSizedDimension(t *testing.T) {
	idx, err := DecodeIDX(bytes.NewReader(encodeIDX([]int{0, 28, 28}, nil)))
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(idx.Dims, []int{0, 28, 28}) || len(idx.Data) != 0 {
		t.Errorf("got Dims %v and %d bytes, want [0 28 28] and 0 bytes", idx.Dims, len(idx.Data))
	}
}

func TestDecodeIDXErrors(t *testing.T) {
	valid := encodeIDX([]int{2, 3}, []byte{1, 2, 3, 4, 5, 6})
	gz := gzipBytes(t, valid)

	badType := slices.Clone(valid)
	badType[2] = 0x0D
	zeroDims := []byte{0, 0, 8, 0}
	badCRC := slices.Clone(gz)
	badCRC[len(badCRC)-8] ^= 0xff
	badGzipHeader := slices.Clone(gz)
	badGzipHeader[2] = 0 // compression method: 8 (deflate) is the only valid value
	hugeDims := encodeIDX([]int{0xffffffff, 0xffffffff, 0xffffffff}, nil)

	cases := []struct {
		name  string
		input []byte
		kind  error
		field string
	}{
		{"gzip magic in raw position", append([]byte{0x1f, 0x8c}, valid[2:]...), ErrMagic, "magic number"},
		{"nonzero first byte", append([]byte{1}, valid[1:]...), ErrMagic, "magic number"},
		{"float type", badType, ErrMagic, "data type"},
		{"zero dimensions", zeroDims, ErrDimensions, "dimension count"},
		{"empty", nil, ErrTruncated, "magic number"},
		{"short magic", valid[:3], ErrTruncated, "magic number"},
		{"short sizes", valid[:9], ErrTruncated, "sizes of 2 dimensions"},
		{"short data", valid[:len(valid)-1], ErrTruncated, "data"},
		{"trailing data", append(slices.Clone(valid), 9, 9), ErrTrailingData, "end of data"},
		{"overflowing sizes", hugeDims, ErrDimensions, "dimension sizes"},
		{"gzip truncated", gz[:len(gz)/2], ErrGzip, "gzip stream"},
		{"gzip checksum", badCRC, ErrGzip, "gzip stream"},
		{"gzip header", badGzipHeader, ErrGzip, "gzip stream"},
		{"gzip of short data", gzipBytes(t, valid[:len(valid)-2]), ErrTruncated, "data"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := DecodeIDX(bytes.NewReader(c.input))
			checkFormatError(t, err, c.kind, "", c.field)
		})
	}
}

func TestDecodeIDXGzipCauses(t *testing.T) {
	gz := gzipBytes(t, encodeIDX([]int{4}, []byte{1, 2, 3, 4}))
	badCRC := slices.Clone(gz)
	badCRC[len(badCRC)-8] ^= 0xff

	_, err := DecodeIDX(bytes.NewReader(badCRC))
	if !errors.Is(err, gzip.ErrChecksum) {
		t.Errorf("checksum error %q does not wrap gzip.ErrChecksum", err)
	}
	_, err = DecodeIDX(bytes.NewReader(gz[:len(gz)-4]))
	if !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Errorf("truncation error %q does not wrap io.ErrUnexpectedEOF", err)
	}
}

func TestReadIDXFileErrors(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "bad-idx1-ubyte")
	writeFile(t, path, []byte{0, 0, 8, 1, 0, 0, 0, 5, 1, 2})
	_, err := ReadIDXFile(path)
	checkFormatError(t, err, ErrTruncated, path, "data")

	_, err = ReadIDXFile(filepath.Join(dir, "absent"))
	if !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("error for a missing file %q does not wrap fs.ErrNotExist", err)
	}
}

func TestWriteIDXRejectsBadInput(t *testing.T) {
	cases := []struct {
		name string
		dims []int
		data []byte
	}{
		{"no dimensions", nil, nil},
		{"256 dimensions", make([]int, 256), nil},
		{"negative size", []int{-1}, nil},
		{"size above uint32", []int{1 << 32}, nil},
		{"data too short", []int{2, 2}, []byte{1, 2, 3}},
		{"overflowing product", []int{1 << 31, 1 << 31, 1 << 31}, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if err := WriteIDX(io.Discard, c.dims, c.data); err == nil {
				t.Error("got no error")
			}
		})
	}
}
