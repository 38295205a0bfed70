package main

import (
	"bytes"
	"context"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/topocnn/topocnn/pkg/dataset"
	"github.com/topocnn/topocnn/pkg/topocnn"
)

// call runs the command line args and returns the exit status, stdout and stderr.
func call(ctx context.Context, args ...string) (int, string, string) {
	var stdout, stderr bytes.Buffer
	code := run(ctx, args, &stdout, &stderr)
	return code, stdout.String(), stderr.String()
}

// writeSmallMNIST writes the first nTrain training and nTest test images of MNIST as IDX
// files into a new folder, so the commands run end to end in seconds.
func writeSmallMNIST(t *testing.T, nTrain, nTest int) string {
	t.Helper()
	dir := t.TempDir()
	for _, part := range []struct {
		part   dataset.Part
		prefix string
		n      int
	}{{dataset.Train, "train", nTrain}, {dataset.Test, "t10k", nTest}} {
		set, err := dataset.Load(dataset.MNIST, part.part, "")
		if err != nil {
			t.Fatalf("loading MNIST: %v", err)
		}
		set = set.Head(part.n)
		pixels := make([]byte, len(set.Images))
		for i, v := range set.Images {
			pixels[i] = byte(math.Round(float64(v) * 255))
		}
		labels := make([]byte, len(set.Labels))
		for i, l := range set.Labels {
			labels[i] = byte(l)
		}
		writeIDX(t, filepath.Join(dir, part.prefix+"-images-idx3-ubyte"), []int{part.n, 28, 28}, pixels)
		writeIDX(t, filepath.Join(dir, part.prefix+"-labels-idx1-ubyte"), []int{part.n}, labels)
	}
	return dir
}

func writeIDX(t *testing.T, path string, dims []int, data []byte) {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := dataset.WriteIDX(f, dims, data); err != nil {
		t.Fatal(err)
	}
}

func TestTrainThenEval(t *testing.T) {
	data := writeSmallMNIST(t, 256, 100)
	out := filepath.Join(t.TempDir(), "ws-1")
	code, stdout, stderr := call(context.Background(), "train", "--data-dir", data, "--reg", "ws", "--lambda", "1",
		"--metric", "euclidean", "--epochs", "1", "--train-limit", "128", "--seed", "1", "--out", out)
	if code != exitOK {
		t.Fatalf("train exit %d, stderr:\n%s", code, stderr)
	}
	if !strings.Contains(stdout, "test accuracy") || !strings.Contains(stderr, "epoch done") {
		t.Errorf("train stdout %q, stderr %q: want the test accuracy and one log line per epoch", stdout, stderr)
	}
	run, err := topocnn.LoadRun(out)
	if err != nil {
		t.Fatal(err)
	}
	if run.Config.Reg != "ws" || run.Config.Epochs != 1 || run.Config.TrainLimit != 128 || run.TestExamples != 100 {
		t.Errorf("run.json config %+v with %d test examples does not match the flags", run.Config, run.TestExamples)
	}

	code, stdout, stderr = call(context.Background(), "eval", "--run", out)
	if code != exitOK {
		t.Fatalf("eval exit %d, stderr:\n%s", code, stderr)
	}
	want := fmt.Sprintf("test accuracy %.4f on 100 mnist test images", run.TestAccuracy)
	if !strings.Contains(stdout, want) {
		t.Errorf("eval printed %q, want %q", stdout, want)
	}

	// Resuming a complete run is a no-op; changing a setting on resume is a usage error.
	if code, _, stderr := call(context.Background(), "train", "--out", out, "--resume"); code != exitOK {
		t.Errorf("resuming a complete run: exit %d, stderr %s", code, stderr)
	}
	code, _, stderr = call(context.Background(), "train", "--out", out, "--resume", "--lambda", "2", "--train-limit", "128")
	if code != exitUsage || !strings.Contains(stderr, "--lambda") {
		t.Errorf("resume with --lambda 2: exit %d, stderr %q; want %d naming --lambda", code, stderr, exitUsage)
	}
	if strings.Contains(stderr, "--train-limit") {
		t.Errorf("resume with the stored --train-limit: stderr %q names it as a change", stderr)
	}
	// Training into an existing run without --resume fails.
	if code, _, stderr := call(context.Background(), "train", "--data-dir", data, "--out", out); code != exitFailure || !strings.Contains(stderr, "--resume") {
		t.Errorf("train into an existing run: exit %d, stderr %q", code, stderr)
	}
}

func TestInterruptedTrainExits130(t *testing.T) {
	data := writeSmallMNIST(t, 64, 10)
	out := filepath.Join(t.TempDir(), "run")
	ctx, cancel := context.WithCancel(context.Background())
	cancel() // As after SIGINT.
	code, _, stderr := call(ctx, "train", "--data-dir", data, "--epochs", "1", "--out", out)
	if code != exitInterrupted || !strings.Contains(stderr, "--resume") {
		t.Errorf("interrupted train: exit %d, stderr %q; want %d and a hint to rerun with --resume", code, stderr, exitInterrupted)
	}
	wantCommand := "topocnn train --data-dir " + data + " --epochs 1 --out " + out + " --resume"
	if !strings.Contains(stderr, "no completed epoch yet") || !strings.Contains(stderr, wantCommand) {
		t.Errorf("interrupted train: stderr %q; want it to say no epoch finished and to print %q", stderr, wantCommand)
	}
}

func TestInvalidFlagsExit2(t *testing.T) {
	for _, c := range []struct {
		args []string
		want []string // Substrings of stderr.
	}{
		{[]string{"train", "--out", "x", "--reg", "l2"}, []string{"-reg", "none, ws, as, as-global"}},
		{[]string{"train", "--out", "x", "--metric", "manhattan"}, []string{"-metric", "euclidean, cosine, correlation"}},
		{[]string{"train", "--out", "x", "--neighbourhood", "king"}, []string{"-neighbourhood", "queen, rook"}},
		{[]string{"train", "--out", "x", "--edges", "mirror"}, []string{"-edges", "open, toroidal"}},
		{[]string{"train", "--out", "x", "--dataset", "imagenet"}, []string{"-dataset", "mnist, fashion-mnist, cifar10"}},
		{[]string{"train", "--out", "x", "--grid", "11"}, []string{"-grid", "ROWSxCOLS"}},
		{[]string{"train", "--out", "x", "--dropout", "1.5"}, []string{"--dropout 1.5", "[0, 1)"}},
		{[]string{"train", "--out", "x", "--epochs", "-1"}, []string{"--epochs -1", "at least 1"}},
		{[]string{"train", "--out", "x", "--lr", "0"}, []string{"--lr 0", "> 0"}},
		{[]string{"train", "--out", "x", "--lambda", "-1"}, []string{"--lambda -1", "≥ 0"}},
		{[]string{"train", "--out", "x", "--batch-size", "abc"}, []string{"-batch-size"}},
		{[]string{"train", "--out", "x", "--seed", "-1"}, []string{"-seed", "whole number from 0"}},
		{[]string{"reproduce", "--seeds", "5-1"}, []string{"write it as 1-5"}},
		{[]string{"train", "--reg", "ws"}, []string{"--out"}},
		{[]string{"train", "--out", "x", "stray"}, []string{"stray"}},
		{[]string{"train", "--out", "no-such-run-directory", "--resume"}, []string{"--out", "does not exist", "drop --resume"}},
		{[]string{"eval"}, []string{"--run"}},
		{[]string{"bench", "--rounds", "0"}, []string{"--rounds 0", "positive"}},
		{[]string{"bench", "--round-steps", "-2"}, []string{"--round-steps -2", "positive"}},
		{[]string{"bench", "--threads", "-1"}, []string{"--threads -1"}},
		{[]string{"frobnicate"}, []string{"unknown command", "train"}},
		{nil, []string{"Usage"}},
	} {
		code, _, stderr := call(context.Background(), c.args...)
		if code != exitUsage {
			t.Errorf("%v: exit %d, want %d (stderr %q)", c.args, code, exitUsage, stderr)
		}
		for _, w := range c.want {
			if !strings.Contains(stderr, w) {
				t.Errorf("%v: stderr %q does not contain %q", c.args, stderr, w)
			}
		}
	}
}

func TestEvalMissingRunFails(t *testing.T) {
	code, _, stderr := call(context.Background(), "eval", "--run", filepath.Join(t.TempDir(), "none"))
	if code != exitFailure || !strings.Contains(stderr, "does not exist") {
		t.Errorf("eval of a missing run: exit %d, stderr %q", code, stderr)
	}
}

func TestHelp(t *testing.T) {
	code, stdout, _ := call(context.Background(), "help")
	if code != exitOK || !strings.Contains(stdout, "train") || !strings.Contains(stdout, "eval") {
		t.Errorf("help: exit %d, stdout %q; want both commands listed", code, stdout)
	}
	code, stdout, _ = call(context.Background(), "help", "train")
	if code != exitOK || !strings.Contains(stdout, "-train-limit") || !strings.Contains(stdout, "-seed N") {
		t.Errorf("help train: exit %d, stdout %q; want the flags", code, stdout)
	}
}

func TestResumeCommandQuotesAndAddsResume(t *testing.T) {
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--out", "runs/a", "--epochs", "3"}, "topocnn train --out runs/a --epochs 3 --resume"},
		{[]string{"--out", "my runs/a"}, "topocnn train --out 'my runs/a' --resume"},
		{[]string{"--resume", "--out", "it's"}, `topocnn train --resume --out 'it'\''s'`},
	} {
		if got := resumeCommand(c.args); got != c.want {
			t.Errorf("resumeCommand(%q) = %s, want %s", c.args, got, c.want)
		}
	}
}
