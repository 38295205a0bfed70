package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/topocnn/topocnn/pkg/report"
	"github.com/topocnn/topocnn/pkg/sweep"
)

// e2eArgs is a two-model sweep (control and WS at λ = 1, seed 1) of the smoke protocol: the
// smallest sweep that trains, resumes, analyses and compares for real on MNIST.
var e2eArgs = []string{"--protocol", "smoke", "--reg", "none,ws", "--test-limit", "100"}

func runCommand(ctx context.Context, args ...string) (code int, stdout, stderr string) {
	var out, errOut bytes.Buffer
	code = run(ctx, args, &out, &errOut)
	return code, out.String(), errOut.String()
}

func modTime(t *testing.T, path string) time.Time {
	t.Helper()
	info, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	return info.ModTime()
}

// TestReproduceEndToEnd runs the smoke protocol for real. It interrupts a sweep after its
// first model, restarts it and checks that the finished model is not trained again. Then it
// runs the same sweep as two shards plus report and compares results.json.
func TestReproduceEndToEnd(t *testing.T) {
	if testing.Short() {
		t.Skip("trains four small MNIST models; skipped with -short")
	}
	base := t.TempDir()
	whole := filepath.Join(base, "whole")

	// Interrupt the unsharded sweep as soon as its first model is analysed.
	ctx, cancel := context.WithCancel(context.Background())
	first := filepath.Join(whole, sweep.RunsDir, "control-s1")
	done := make(chan int)
	var firstStderr string
	go func() {
		code, _, stderr := runCommand(ctx, append([]string{"reproduce", "--out", whole}, e2eArgs...)...)
		firstStderr = stderr
		done <- code
	}()
	var code int
wait:
	for {
		select {
		case code = <-done:
			break wait
		case <-time.After(100 * time.Millisecond):
			if _, err := os.Stat(filepath.Join(first, sweep.AnalysisFile)); err == nil {
				cancel()
			}
		}
	}
	cancel()
	if code != exitInterrupted {
		t.Fatalf("interrupted reproduce exited with %d, want %d; stderr:\n%s", code, exitInterrupted, firstStderr)
	}
	if !strings.Contains(firstStderr, "Run the same command again") {
		t.Errorf("interrupted reproduce does not say how to continue; stderr:\n%s", firstStderr)
	}
	runJSON, analysisJSON := filepath.Join(first, sweep.RunFile), filepath.Join(first, sweep.AnalysisFile)
	trainedAt, analysedAt := modTime(t, runJSON), modTime(t, analysisJSON)

	code, stdout, stderr := runCommand(context.Background(), append([]string{"reproduce", "--out", whole}, e2eArgs...)...)
	if code != exitOK {
		t.Fatalf("restarted reproduce exited with %d; stderr:\n%s", code, stderr)
	}
	if !modTime(t, runJSON).Equal(trainedAt) || !modTime(t, analysisJSON).Equal(analysedAt) {
		t.Error("the restart trained or analysed control-s1 again, which had finished before the interruption")
	}
	if !strings.Contains(stdout, "2 of 2 models finished") {
		t.Errorf("restarted reproduce does not report both models finished; stdout:\n%s", stdout)
	}
	checkReportFiles(t, whole)

	// The same sweep as two shards, then report.
	sharded := filepath.Join(base, "sharded")
	for _, shard := range []string{"1/2", "2/2"} {
		code, stdout, stderr := runCommand(context.Background(), append([]string{"reproduce", "--out", sharded, "--shard", shard}, e2eArgs...)...)
		if code != exitOK {
			t.Fatalf("shard %s exited with %d; stderr:\n%s", shard, code, stderr)
		}
		if !strings.Contains(stdout, "topocnn report --out") {
			t.Errorf("shard %s does not say how to write the report; stdout:\n%s", shard, stdout)
		}
		if _, err := os.Stat(filepath.Join(sharded, "results.json")); err == nil {
			t.Errorf("shard %s wrote a report before every shard had finished", shard)
		}
	}
	if code, _, stderr := runCommand(context.Background(), "report", "--out", sharded); code != exitOK {
		t.Fatalf("report exited with %d; stderr:\n%s", code, stderr)
	}
	a, errA := os.ReadFile(filepath.Join(whole, "results.json"))
	b, errB := os.ReadFile(filepath.Join(sharded, "results.json"))
	if errA != nil || errB != nil {
		t.Fatal(errA, errB)
	}
	if !bytes.Equal(a, b) {
		t.Errorf("results.json of two shards plus report differs from the unsharded sweep's:\n%s", firstDifference(a, b))
	}
}

// checkReportFiles checks that dir holds a report with every figure of a sweep with all
// models finished and the claims table.
func checkReportFiles(t *testing.T, dir string) {
	t.Helper()
	res, err := report.ReadResults(filepath.Join(dir, "results.json"))
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Missing) != 0 || len(res.Finished) != 2 {
		t.Errorf("results.json lists %d finished and %d missing models, want 2 and 0", len(res.Finished), len(res.Missing))
	}
	if len(res.Claims) != len(report.Claims) {
		t.Errorf("results.json has %d claims, want %d", len(res.Claims), len(report.Claims))
	}
	md, err := os.ReadFile(filepath.Join(dir, "report.md"))
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"accuracy", "weight-perturbation-all", "noise-grid", "distance-threshold",
		"correlation-histogram", "orientation-maps", "expert-maps", "topographic-maps", "degraded-images",
		"stimuli", "rsa-activations"} {
		if _, err := os.Stat(filepath.Join(dir, "figures", name+".png")); err != nil {
			t.Errorf("figure %s missing: %v", name, err)
		}
		if !strings.Contains(string(md), "figures/"+name+".png") {
			t.Errorf("report.md does not show figure %s", name)
		}
	}
	if !strings.Contains(string(md), "## Claims") {
		t.Error("report.md has no claims table")
	}
	page, err := os.ReadFile(filepath.Join(dir, "report.html"))
	if err != nil || !bytes.Contains(page, []byte("data:image/png;base64,")) {
		t.Errorf("report.html does not embed the figures (%v)", err)
	}
}

// firstDifference describes where two JSON documents first differ.
func firstDifference(a, b []byte) string {
	var x, y map[string]json.RawMessage
	if json.Unmarshal(a, &x) != nil || json.Unmarshal(b, &y) != nil {
		return "one file is not valid JSON"
	}
	for k, v := range x {
		if !bytes.Equal(v, y[k]) {
			return "first differing key: " + k + "\n" + string(v) + "\n≠\n" + string(y[k])
		}
	}
	return "the files differ in layout only"
}

func TestReproduceRejectsBadFlags(t *testing.T) {
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"--protocol", "huge"}, "smoke, quick, paper"},
		{[]string{"--dataset", "imagenet"}, "mnist"},
		{[]string{"--reg", "ws,xs"}, "as-global"},
		{[]string{"--lambdas", "-1"}, "positive"},
		{[]string{"--seeds", "5-1"}, "1-5"},
		{[]string{"--shard", "3/2"}, "between 1 and 2"},
		{[]string{"--shard", "0/2"}, "counts from 1"},
		{[]string{"--epochs", "0"}, "at least 1"},
		{[]string{"--train-limit", "-5"}, "at least 0"},
		{[]string{"--suite", "medium"}, "quick, full"},
		{[]string{"--reg", "ws,ws"}, "twice"},
		{[]string{"extra"}, "unexpected argument"},
	}
	for _, c := range cases {
		code, _, stderr := runCommand(context.Background(), append([]string{"reproduce", "--out", t.TempDir()}, c.args...)...)
		if code != exitUsage {
			t.Errorf("reproduce %v exited with %d, want %d", c.args, code, exitUsage)
		}
		if !strings.Contains(stderr, c.want) {
			t.Errorf("reproduce %v: message %q does not mention %q", c.args, stderr, c.want)
		}
	}
}

func TestReproduceRejectsOtherProtocolInDirectory(t *testing.T) {
	dir := t.TempDir()
	p, _ := sweep.ProtocolFor(sweep.Smoke, "mnist")
	if _, err := sweep.Prepare(dir, p); err != nil {
		t.Fatal(err)
	}
	code, _, stderr := runCommand(context.Background(), "reproduce", "--out", dir, "--protocol", "smoke", "--epochs", "3")
	if code != exitFailure || !strings.Contains(stderr, "epochs") {
		t.Errorf("reproduce with other epochs on an existing sweep: exit %d, message %q; want %d and the field named", code, stderr, exitFailure)
	}
}

func TestReportCommandErrors(t *testing.T) {
	if code, _, stderr := runCommand(context.Background(), "report"); code != exitUsage || !strings.Contains(stderr, "--out") {
		t.Errorf("report without --out: exit %d, message %q", code, stderr)
	}
	code, _, stderr := runCommand(context.Background(), "report", "--out", t.TempDir())
	if code != exitFailure || !strings.Contains(stderr, "sweep.json") {
		t.Errorf("report on an empty directory: exit %d, message %q; want %d naming sweep.json", code, stderr, exitFailure)
	}
}
