package dataset

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

// The CIFAR-10 fixture under data/testdata/cifar-10-batches-bin holds cifarFixtureRecords
// records in each of the six batch files. Record r of batch file b (test_batch.bin is b = 5) is
// global record g = b·cifarFixtureRecords + r, with label (3g + 1) mod 10 and byte
// cifarFixtureValue(g, c, y, x) at channel c, row y, column x.
const cifarFixtureRecords = 2

var cifarFixtureFiles = append(append([]string(nil), cifarTrainFiles...), cifarTestFiles...)

func cifarFixtureLabel(g int) byte { return byte((3*g + 1) % 10) }

func cifarFixtureValue(g, c, y, x int) byte { return byte(31*g + 101*c + 9*y + 2*x) }

// cifarFixtureBatch returns batch file b of the fixture, written plane by plane in file order.
func cifarFixtureBatch(b int) []byte {
	var out []byte
	for r := range cifarFixtureRecords {
		g := b*cifarFixtureRecords + r
		out = append(out, cifarFixtureLabel(g))
		for c := range 3 {
			for y := range 32 {
				for x := range 32 {
					out = append(out, cifarFixtureValue(g, c, y, x))
				}
			}
		}
	}
	return out
}

// The IDX fixtures under data/testdata/idx: pattern-idx3-ubyte holds a 3 × 4 × 5 array with
// element (i, j, k) = 20i + 5j + k + 100, pattern-idx1-ubyte holds the 7 bytes 0, 1, 2, 3,
// 250, 254, 255. Each also exists gzip-compressed, written with `gzip -n`; -update rewrites
// those with Go's compress/gzip.
var idxFixtureDims3 = []int{3, 4, 5}

func idxFixtureData3() []byte {
	data := make([]byte, 0, 60)
	for i := range 3 {
		for j := range 4 {
			for k := range 5 {
				data = append(data, byte(20*i+5*j+k+100))
			}
		}
	}
	return data
}

var (
	idxFixtureDims1 = []int{7}
	idxFixtureData1 = []byte{0, 1, 2, 3, 250, 254, 255}
)

// fixtureContents returns the expected uncompressed content of each fixture file, by path.
func fixtureContents() map[string][]byte {
	files := map[string][]byte{
		filepath.Join(fixtureDir, "idx", "pattern-idx3-ubyte"): encodeIDX(idxFixtureDims3, idxFixtureData3()),
		filepath.Join(fixtureDir, "idx", "pattern-idx1-ubyte"): encodeIDX(idxFixtureDims1, idxFixtureData1),
	}
	for b, name := range cifarFixtureFiles {
		files[filepath.Join(fixtureDir, cifarSubdir, name)] = cifarFixtureBatch(b)
	}
	return files
}

// TestFixturesCurrent checks that the committed fixture files hold exactly the patterns above;
// with -update it writes them.
func TestFixturesCurrent(t *testing.T) {
	for path, want := range fixtureContents() {
		if *update {
			writeFile(t, path, want)
			if filepath.Dir(path) == filepath.Join(fixtureDir, "idx") {
				writeFile(t, path+".gz", gzipBytes(t, want))
			}
			continue
		}
		got, err := os.ReadFile(path)
		if err != nil {
			t.Fatalf("%v (run go test -run TestFixturesCurrent -update to write the fixtures)", err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%s: content differs from the pattern (%d bytes, want %d)", path, len(got), len(want))
		}
	}
}

func TestIDXFixtureHeader(t *testing.T) {
	got, err := os.ReadFile(filepath.Join(fixtureDir, "idx", "pattern-idx3-ubyte"))
	if err != nil {
		t.Fatal(err)
	}
	want := []byte{0, 0, 8, 3, 0, 0, 0, 3, 0, 0, 0, 4, 0, 0, 0, 5}
	if !bytes.Equal(got[:16], want) {
		t.Errorf("header = % x, want % x", got[:16], want)
	}
	if len(got) != 16+60 {
		t.Errorf("file size = %d, want %d", len(got), 16+60)
	}
	if got[16] != 100 || got[len(got)-1] != 20*2+5*3+4+100 {
		t.Errorf("first and last elements = %d, %d, want 100, %d", got[16], got[len(got)-1], 20*2+5*3+4+100)
	}
}

func ExampleDecodeIDX() {
	data := []byte{0, 0, 0x08, 2, 0, 0, 0, 2, 0, 0, 0, 3, 1, 2, 3, 4, 5, 6}
	idx, err := DecodeIDX(bytes.NewReader(data))
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(idx.Dims, idx.Data)
	// Output: [2 3] [1 2 3 4 5 6]
}
