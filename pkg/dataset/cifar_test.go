package dataset

import (
	"bytes"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// checkCIFARFixture compares set, pixel by pixel in NHWC order, with the fixture records
// starting at global record first.
func checkCIFARFixture(t *testing.T, set *Set, first, records int) {
	t.Helper()
	if set.Len() != records {
		t.Fatalf("Len() = %d, want %d", set.Len(), records)
	}
	if set.Name != CIFAR10 || set.Height != 32 || set.Width != 32 || set.Channels != 3 || set.Classes != 10 {
		t.Errorf("set is %s %d×%d×%d with %d classes, want cifar10 32×32×3 with 10 classes",
			set.Name, set.Height, set.Width, set.Channels, set.Classes)
	}
	if len(set.Images) != records*32*32*3 {
		t.Fatalf("len(Images) = %d, want %d", len(set.Images), records*32*32*3)
	}

	mismatches := 0
	for i := range records {
		g := first + i
		if set.Labels[i] != int32(cifarFixtureLabel(g)) {
			t.Errorf("label %d = %d, want %d", i, set.Labels[i], cifarFixtureLabel(g))
		}
		for y := range 32 {
			for x := range 32 {
				for c := range 3 {
					got := set.Images[((i*32+y)*32+x)*3+c]
					want := float32(cifarFixtureValue(g, c, y, x)) / 255
					if got != want && mismatches < 5 {
						t.Errorf("image %d pixel (y %d, x %d, c %d) = %v, want %v", i, y, x, c, got, want)
					}
					if got != want {
						mismatches++
					}
				}
			}
		}
	}
	if mismatches > 0 {
		t.Errorf("%d pixel values differ", mismatches)
	}
}

func TestReadCIFARFileNHWC(t *testing.T) {
	for b, name := range cifarFixtureFiles {
		t.Run(name, func(t *testing.T) {
			set, err := ReadCIFARFile(filepath.Join(fixtureDir, cifarSubdir, name))
			if err != nil {
				t.Fatal(err)
			}
			checkCIFARFixture(t, set, b*cifarFixtureRecords, cifarFixtureRecords)
		})
	}
}

func TestDecodeCIFARGzip(t *testing.T) {
	set, err := DecodeCIFAR(bytes.NewReader(gzipBytes(t, cifarFixtureBatch(2))))
	if err != nil {
		t.Fatal(err)
	}
	checkCIFARFixture(t, set, 2*cifarFixtureRecords, cifarFixtureRecords)
}

func TestLoadCIFARFixture(t *testing.T) {
	// data/testdata contains cifar-10-batches-bin, as the official archive extracts.
	train, err := Load(CIFAR10, Train, fixtureDir)
	if err != nil {
		t.Fatal(err)
	}
	checkCIFARFixture(t, train, 0, 5*cifarFixtureRecords)
	if want := []int32{1, 4, 7, 0, 3, 6, 9, 2, 5, 8}; !slices.Equal(train.Labels, want) {
		t.Errorf("training labels = %v, want %v", train.Labels, want)
	}
	if !slices.Equal(train.ClassNames, []string{"airplane", "automobile", "bird", "cat", "deer",
		"dog", "frog", "horse", "ship", "truck"}) {
		t.Errorf("ClassNames = %v", train.ClassNames)
	}

	test, err := Load(CIFAR10, Test, filepath.Join(fixtureDir, cifarSubdir))
	if err != nil {
		t.Fatal(err)
	}
	checkCIFARFixture(t, test, 5*cifarFixtureRecords, cifarFixtureRecords)
}

func TestWriteCIFARRoundTrip(t *testing.T) {
	set, err := ReadCIFARFile(filepath.Join(fixtureDir, cifarSubdir, "test_batch.bin"))
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := WriteCIFAR(&buf, set); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(buf.Bytes(), cifarFixtureBatch(5)) {
		t.Error("WriteCIFAR output differs from the fixture file")
	}
}

func TestWriteCIFARRejectsBadInput(t *testing.T) {
	mnistLike := &Set{Height: 28, Width: 28, Channels: 1, Images: make([]float32, 784), Labels: []int32{0}}
	if err := WriteCIFAR(&bytes.Buffer{}, mnistLike); err == nil {
		t.Error("28×28×1 images: got no error")
	}
	short := &Set{Height: 32, Width: 32, Channels: 3, Images: make([]float32, 10), Labels: []int32{0}}
	if err := WriteCIFAR(&bytes.Buffer{}, short); err == nil {
		t.Error("too few pixel values: got no error")
	}
	badLabel := &Set{Height: 32, Width: 32, Channels: 3, Images: make([]float32, 3072), Labels: []int32{256}}
	if err := WriteCIFAR(&bytes.Buffer{}, badLabel); err == nil {
		t.Error("label 256: got no error")
	}
}

func TestPixelByteClampsAndRounds(t *testing.T) {
	cases := []struct {
		x    float32
		want byte
	}{{-0.5, 0}, {0, 0}, {0.5, 128}, {1.0 / 255, 1}, {254.4 / 255, 254}, {1, 255}, {2, 255}}
	for _, c := range cases {
		if got := pixelByte(c.x); got != c.want {
			t.Errorf("pixelByte(%v) = %d, want %d", c.x, got, c.want)
		}
	}
}

func TestCIFARCorruptFiles(t *testing.T) {
	batch := cifarFixtureBatch(0)
	badLabel := slices.Clone(batch)
	badLabel[CIFARRecordSize] = 10 // label of record 1

	cases := []struct {
		name  string
		data  []byte
		kind  error
		field string
	}{
		{"empty", nil, ErrTruncated, "records"},
		{"truncated record", batch[:len(batch)-1], ErrTruncated, "record 1"},
		{"extra bytes", append(slices.Clone(batch), 0, 0), ErrTruncated, "record 2"},
		{"label out of range", badLabel, ErrLabelRange, "label of record 1"},
		{"broken gzip", gzipBytes(t, batch)[:100], ErrGzip, "gzip stream"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := DecodeCIFAR(bytes.NewReader(c.data))
			checkFormatError(t, err, c.kind, "", c.field)

			dir := t.TempDir()
			for _, name := range cifarFixtureFiles {
				writeFile(t, filepath.Join(dir, name), cifarFixtureBatch(0))
			}
			path := filepath.Join(dir, "data_batch_3.bin")
			writeFile(t, path, c.data)
			_, err = Load(CIFAR10, Train, dir)
			checkFormatError(t, err, c.kind, path, c.field)
			if !strings.Contains(err.Error(), "cifar-10-binary.tar.gz") {
				t.Errorf("message %q does not say where to get an intact copy", err)
			}
		})
	}
}

func TestLoadCIFARMissingBatch(t *testing.T) {
	dir := t.TempDir()
	for _, name := range cifarFixtureFiles {
		writeFile(t, filepath.Join(dir, name), cifarFixtureBatch(0))
	}
	if err := os.Remove(filepath.Join(dir, "data_batch_4.bin")); err != nil {
		t.Fatal(err)
	}

	_, err := Load(CIFAR10, Train, dir)
	var missing *MissingError
	if !errors.As(err, &missing) {
		t.Fatalf("error %q (%T) is not a *MissingError", err, err)
	}
	if want := filepath.Join(dir, "data_batch_4.bin"); missing.Path != want {
		t.Errorf("MissingError.Path = %q, want %q", missing.Path, want)
	}
	if !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("error %q does not wrap fs.ErrNotExist", err)
	}
	for _, part := range []string{"https://www.cs.toronto.edu/~kriz/cifar-10-binary.tar.gz", "--data-dir", EnvDataDir} {
		if !strings.Contains(err.Error(), part) {
			t.Errorf("message %q does not mention %q", err, part)
		}
	}

	if _, err := Load(CIFAR10, Test, dir); err != nil {
		t.Errorf("test part with all its files: %v", err)
	}
}

func TestLoadCIFARNoLocation(t *testing.T) {
	t.Setenv(EnvDataDir, "")
	_, err := Load(CIFAR10, Test, "")
	var missing *MissingError
	if !errors.As(err, &missing) {
		t.Fatalf("error %q (%T) is not a *MissingError", err, err)
	}
	if !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("error %q does not wrap fs.ErrNotExist", err)
	}
	for _, part := range []string{"https://www.cs.toronto.edu/~kriz/cifar-10-binary.tar.gz", "--data-dir", EnvDataDir} {
		if !strings.Contains(err.Error(), part) {
			t.Errorf("message %q does not mention %q", err, part)
		}
	}
}
