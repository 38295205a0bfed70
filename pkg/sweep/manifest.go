package sweep

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// File and folder names inside a sweep directory and a run directory.
const (
	ManifestFile = "sweep.json"
	RunsDir      = "runs"
	RunFile      = "run.json"
	AnalysisFile = "analysis.json"
)

// ManifestVersion is the format version of sweep.json that this package writes and reads.
const ManifestVersion = 1

// Manifest is the content of DIR/sweep.json: the protocol of the sweep and its jobs.
type Manifest struct {
	FormatVersion int      `json:"format_version"`
	Protocol      Protocol `json:"protocol"`
	Jobs          []Job    `json:"jobs"`
}

// NewManifest returns the manifest of protocol p.
func NewManifest(p Protocol) *Manifest {
	return &Manifest{FormatVersion: ManifestVersion, Protocol: p, Jobs: p.Plan()}
}

// RunDir returns the run directory of job j in sweep directory dir.
func RunDir(dir string, j Job) string { return filepath.Join(dir, RunsDir, j.Name()) }

// ReadManifest reads DIR/sweep.json.
func ReadManifest(dir string) (*Manifest, error) {
	path := filepath.Join(dir, ManifestFile)
	data, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("sweep: %s not found: %s is not a sweep directory; run topocnn reproduce --out %s first", path, dir, dir)
	}
	if err != nil {
		return nil, fmt.Errorf("sweep: %w", err)
	}
	var m Manifest
	if err := json.Unmarshal(data, &m); err != nil {
		return nil, fmt.Errorf("sweep: corrupt %s: %w", path, err)
	}
	if m.FormatVersion != ManifestVersion {
		return nil, fmt.Errorf("sweep: %s has format version %d; this program reads version %d", path, m.FormatVersion, ManifestVersion)
	}
	if err := m.Protocol.Validate(); err != nil {
		return nil, fmt.Errorf("sweep: invalid protocol in %s: %w", path, err)
	}
	m.Jobs = m.Protocol.Plan()
	return &m, nil
}

// Prepare creates sweep directory dir for protocol p, or checks that an existing one contains the
// same protocol, and returns its manifest. Several processes may call it at the same time for
// the same protocol. It returns an error naming the fields that differ when dir contains another
// protocol, because mixing the runs of two protocols in one report would compare unlike models.
func Prepare(dir string, p Protocol) (*Manifest, error) {
	if err := p.Validate(); err != nil {
		return nil, err
	}
	if err := os.MkdirAll(filepath.Join(dir, RunsDir), 0o755); err != nil {
		return nil, fmt.Errorf("sweep: cannot create the sweep directory: %w", err)
	}
	want := NewManifest(p)

	if _, err := os.Stat(filepath.Join(dir, ManifestFile)); err == nil {
		have, err := ReadManifest(dir)
		if err != nil {
			return nil, err
		}
		if diff := protocolDiff(have.Protocol, p); len(diff) > 0 {
			return nil, fmt.Errorf("sweep: %s contains a sweep with another protocol (%s); choose another --out directory or give the same settings",
				dir, strings.Join(diff, "; "))
		}
		return have, nil
	}

	data, err := json.MarshalIndent(want, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("sweep: %w", err)
	}
	if err := WriteFileAtomic(filepath.Join(dir, ManifestFile), append(data, '\n')); err != nil {
		return nil, err
	}
	return want, nil
}

// protocolDiff lists the fields whose values differ between a and b, as "field: a ≠ b".
func protocolDiff(a, b Protocol) []string {
	ma, mb := fieldsJSON(a), fieldsJSON(b)
	var keys []string
	for k := range ma {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	var diff []string
	for _, k := range keys {
		if !bytes.Equal(ma[k], mb[k]) {
			diff = append(diff, fmt.Sprintf("%s: %s in the directory, %s requested", k, ma[k], mb[k]))
		}
	}
	return diff
}

func fieldsJSON(p Protocol) map[string]json.RawMessage {
	data, _ := json.Marshal(p)
	var m map[string]json.RawMessage
	_ = json.Unmarshal(data, &m)
	return m
}

// WriteFileAtomic writes data to a temporary file in path's directory, syncs it and renames it
// to path, so that readers see the old content or the new, never a part. The file gets mode
// 0644; os.CreateTemp alone would leave it readable by its owner only.
func WriteFileAtomic(path string, data []byte) error {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp*")
	if err != nil {
		return fmt.Errorf("sweep: cannot write %s: %w", path, err)
	}
	err = f.Chmod(0o644)
	if err == nil {
		_, err = f.Write(data)
	}
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(f.Name(), path)
	}
	if err != nil {
		os.Remove(f.Name())
		return fmt.Errorf("sweep: cannot write %s: %w", path, err)
	}
	return nil
}
