package analysis

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
)

// ResultsFile is the name of the results file in a run directory.
const ResultsFile = "analysis.json"

// ErrFormatVersion is wrapped by ReadResults when a file has a format version this build does
// not read.
var ErrFormatVersion = errors.New("unknown analysis format version")

// WriteResults writes r as indented JSON to path atomically: it writes a temporary file in the
// same directory, syncs it and renames it over path, so a reader never sees a partial file.
// Undefined values (NaN) are written as null.
func WriteResults(path string, r *Results) error {
	data, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return fmt.Errorf("analysis: encoding results for %s: %w", path, err)
	}
	data = append(data, '\n')

	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return fmt.Errorf("analysis: writing %s: %w", path, err)
	}
	defer os.Remove(tmp.Name()) // fails harmlessly after the rename

	// os.CreateTemp creates the file with mode 0600. Results are not secret, so make them
	// readable like any file the user writes.
	if err := tmp.Chmod(0o644); err != nil {
		tmp.Close()
		return fmt.Errorf("analysis: writing %s: %w", path, err)
	}
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return fmt.Errorf("analysis: writing %s: %w", path, err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return fmt.Errorf("analysis: writing %s: %w", path, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("analysis: writing %s: %w", path, err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("analysis: writing %s: %w", path, err)
	}
	return nil
}

// ReadResults reads a file written by WriteResults. For a file of another format version it
// returns an error that wraps ErrFormatVersion and asks the user to rerun topocnn analyze.
func ReadResults(path string) (*Results, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("analysis: reading results: %w", err)
	}
	var header struct {
		FormatVersion *int `json:"format_version"`
	}
	if err := json.Unmarshal(data, &header); err != nil {
		return nil, fmt.Errorf("analysis: %s is not valid JSON: %w; rerun topocnn analyze to rewrite it", path, err)
	}
	if header.FormatVersion == nil {
		return nil, fmt.Errorf("analysis: %s has no format_version: %w; rerun topocnn analyze to rewrite it", path, ErrFormatVersion)
	}
	if *header.FormatVersion != FormatVersion {
		return nil, fmt.Errorf("analysis: %s has format version %d, this build reads %d: %w; rerun topocnn analyze to rewrite it",
			path, *header.FormatVersion, FormatVersion, ErrFormatVersion)
	}

	var r Results
	if err := json.Unmarshal(data, &r); err != nil {
		return nil, fmt.Errorf("analysis: decoding %s: %w; rerun topocnn analyze to rewrite it", path, err)
	}
	return &r, nil
}
