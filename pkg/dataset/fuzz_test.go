package dataset

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"testing"
)

// addFileSeeds adds the committed fixture files to a fuzz corpus.
func addFileSeeds(f *testing.F, paths ...string) {
	for _, path := range paths {
		data, err := os.ReadFile(path)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
}

// FuzzIDX checks that DecodeIDX never panics, returns only *FormatError for any input held in
// memory, and that what it accepts re-encodes to the same bytes.
func FuzzIDX(f *testing.F) {
	idxDir := filepath.Join(fixtureDir, "idx")
	addFileSeeds(f,
		filepath.Join(idxDir, "pattern-idx3-ubyte"), filepath.Join(idxDir, "pattern-idx3-ubyte.gz"),
		filepath.Join(idxDir, "pattern-idx1-ubyte"), filepath.Join(idxDir, "pattern-idx1-ubyte.gz"))
	f.Add([]byte{})
	f.Add([]byte{0, 0, 8, 1, 0, 0, 0, 2, 7, 9})
	f.Add([]byte{0, 0, 8, 3, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0, 0, 0, 2})
	f.Add([]byte{0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3})

	f.Fuzz(func(t *testing.T, data []byte) {
		idx, err := DecodeIDX(bytes.NewReader(data))
		if err != nil {
			var formatErr *FormatError
			if !errors.As(err, &formatErr) {
				t.Fatalf("error %q (%T) is not a *FormatError", err, err)
			}
			return
		}

		count := 1
		for _, d := range idx.Dims {
			count *= d
		}
		if len(idx.Data) != count {
			t.Fatalf("dimensions %v with %d bytes of data", idx.Dims, len(idx.Data))
		}
		var written bytes.Buffer
		if err := WriteIDX(&written, idx.Dims, idx.Data); err != nil {
			t.Fatal(err)
		}
		isGzip := len(data) >= 2 && data[0] == gzipMagic[0] && data[1] == gzipMagic[1]
		if !isGzip && !bytes.Equal(written.Bytes(), data) {
			t.Fatalf("re-encoded % x, input % x", written.Bytes(), data)
		}
	})
}

// FuzzCIFAR checks that DecodeCIFAR never panics, returns only *FormatError for any input held
// in memory, and that what it accepts has pixel values in [0, 1] and re-encodes to the same
// bytes.
func FuzzCIFAR(f *testing.F) {
	addFileSeeds(f, filepath.Join(fixtureDir, cifarSubdir, "test_batch.bin"))
	f.Add(cifarFixtureBatch(1)[:CIFARRecordSize])
	f.Add(cifarFixtureBatch(1)[:100])
	f.Add(gzipBytes(f, cifarFixtureBatch(3)))
	f.Add([]byte{})

	f.Fuzz(func(t *testing.T, data []byte) {
		set, err := DecodeCIFAR(bytes.NewReader(data))
		if err != nil {
			var formatErr *FormatError
			if !errors.As(err, &formatErr) {
				t.Fatalf("error %q (%T) is not a *FormatError", err, err)
			}
			return
		}

		if len(set.Images) != set.Len()*cifarPixels {
			t.Fatalf("%d labels with %d pixel values", set.Len(), len(set.Images))
		}
		for i, x := range set.Images {
			if !(x >= 0 && x <= 1) {
				t.Fatalf("pixel value %d = %v outside [0, 1]", i, x)
			}
		}
		var written bytes.Buffer
		if err := WriteCIFAR(&written, set); err != nil {
			t.Fatal(err)
		}
		isGzip := len(data) >= 2 && data[0] == gzipMagic[0] && data[1] == gzipMagic[1]
		if !isGzip && !bytes.Equal(written.Bytes(), data) {
			t.Fatal("re-encoded records differ from the input")
		}
	})
}

func BenchmarkLoadMNISTTrain(b *testing.B) {
	for b.Loop() {
		set, err := Load(MNIST, Train, "")
		if err != nil {
			b.Fatal(err)
		}
		if set.Len() != 60000 {
			b.Fatalf("Len() = %d, want 60000", set.Len())
		}
	}
}
