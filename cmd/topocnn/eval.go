package main

import (
	"context"
	"fmt"
	"io"

	"github.com/topocnn/topocnn/pkg/dataset"
	"github.com/topocnn/topocnn/pkg/topocnn"
)

func init() {
	register(&command{
		name:    "eval",
		summary: "print the test accuracy of a trained run",
		run:     runEval,
	})
}

func runEval(_ context.Context, args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("eval", "--run DIR [--data-dir DIR]", stderr)
	dir := fs.String("run", "", "run directory written by topocnn train --out (required)")
	dataDir := fs.String("data-dir", "", "folder holding the dataset's files (default: the run's --data-dir, then the standard location)")
	if code := fs.parse(args); code >= 0 {
		return code
	}
	if *dir == "" {
		fmt.Fprintln(stderr, "topocnn eval: missing --run DIR: name a directory written by topocnn train")
		return exitUsage
	}

	model, err := topocnn.Open(*dir)
	if err != nil {
		printError(stderr, "eval", err)
		return exitFailure
	}
	cfg := model.Run().Config
	if *dataDir == "" {
		*dataDir = cfg.DataDir
	}
	test, err := dataset.Load(cfg.Dataset, dataset.Test, *dataDir)
	if err != nil {
		printError(stderr, "eval", err)
		return exitFailure
	}
	accuracy, err := model.Evaluate(test)
	if err != nil {
		printError(stderr, "eval", err)
		return exitFailure
	}
	fmt.Fprintf(stdout, "test accuracy %.4f on %d %s test images\n", accuracy, test.Len(), cfg.Dataset)
	return exitOK
}
