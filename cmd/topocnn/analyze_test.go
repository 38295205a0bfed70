package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// runAnalyzeArgs runs topocnn analyze with args and returns the exit status and stderr.
func runAnalyzeArgs(t *testing.T, args ...string) (int, string) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	code := run(context.Background(), append([]string{"analyze"}, args...), &stdout, &stderr)
	return code, stderr.String()
}

func TestAnalyzeInvalidSuiteExitsTwo(t *testing.T) {
	code, stderr := runAnalyzeArgs(t, "--run", t.TempDir(), "--suite", "medium")
	if code != exitUsage {
		t.Errorf("exit status %d, want %d", code, exitUsage)
	}
	if !strings.Contains(stderr, "quick") || !strings.Contains(stderr, "full") {
		t.Errorf("stderr does not name the accepted suites:\n%s", stderr)
	}
}

func TestAnalyzeMissingRunFlagExitsTwo(t *testing.T) {
	code, stderr := runAnalyzeArgs(t)
	if code != exitUsage || !strings.Contains(stderr, "--run") {
		t.Errorf("exit status %d, stderr %q; want %d naming --run", code, stderr, exitUsage)
	}
}

func TestAnalyzeMissingDirectory(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "no-such-run")
	code, stderr := runAnalyzeArgs(t, "--run", dir)
	if code != exitFailure {
		t.Errorf("exit status %d, want %d", code, exitFailure)
	}
	if !strings.Contains(stderr, dir) || !strings.Contains(stderr, "train --out") {
		t.Errorf("stderr does not name the directory and the fix:\n%s", stderr)
	}
}

func TestAnalyzeRejectsBadRunDirectories(t *testing.T) {
	for _, tc := range []struct {
		name, runJSON string
		want          []string
	}{
		{"incomplete", `{"format_version": 1, "config": {"dataset": "mnist", "epochs": 10}, "epochs": [], "complete": false}`,
			[]string{"incomplete", "--resume"}},
		{"future version", `{"format_version": 99, "complete": true}`,
			[]string{"format version 99"}},
		{"corrupt", `{"format_version": `, []string{"corrupt"}},
		{"no run.json", "", []string{"run.json"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			if tc.runJSON != "" {
				if err := os.WriteFile(filepath.Join(dir, "run.json"), []byte(tc.runJSON), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			code, stderr := runAnalyzeArgs(t, "--run", dir)
			if code != exitFailure {
				t.Errorf("exit status %d, want %d", code, exitFailure)
			}
			if !strings.Contains(stderr, dir) {
				t.Errorf("stderr does not name %s:\n%s", dir, stderr)
			}
			for _, w := range tc.want {
				if !strings.Contains(stderr, w) {
					t.Errorf("stderr does not contain %q:\n%s", w, stderr)
				}
			}
			if _, err := os.Stat(filepath.Join(dir, "analysis.json")); err == nil {
				t.Error("analysis.json was written for a bad run directory")
			}
		})
	}
}
