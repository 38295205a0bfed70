package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"

	"github.com/topocnn/topocnn/pkg/analysis"
	"github.com/topocnn/topocnn/pkg/dataset"
	"github.com/topocnn/topocnn/pkg/topocnn"
)

// defaultAnalysisSeed is the default --seed of analyze. A fixed default makes every run of a
// sweep analyse the same test images and stimuli, which comparisons across runs need.
const defaultAnalysisSeed = 1

func init() {
	register(&command{
		name:    "analyze",
		summary: "run the analysis suite on a trained run and write RUN/analysis.json",
		run:     runAnalyze,
	})
}

func runAnalyze(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("analyze", "--run DIR [--suite quick|full] [--seed N] [--data-dir DIR]", stderr)
	dir := fs.String("run", "", "run directory written by topocnn train --out (required)")
	suite := string(analysis.Quick)
	fs.Var(choiceFlag{&suite, analysis.Suites()}, "suite",
		fmt.Sprintf("analysis suite: quick (%d seeded test images, fewer draws) or full (the protocol's sizes)", analysis.QuickImages))
	seed := fs.Uint64("seed", defaultAnalysisSeed, "seed of the analyses' random choices: test subset, noise draws, permutations")
	dataDir := fs.String("data-dir", "", "folder holding the dataset's files (default: the run's --data-dir, then the standard location)")
	if code := fs.parse(args); code >= 0 {
		return code
	}
	if *dir == "" {
		fmt.Fprintln(stderr, "topocnn analyze: missing --run DIR: name a directory written by topocnn train")
		return exitUsage
	}

	model, test, err := openForAnalysis(*dir, *dataDir)
	if err != nil {
		printError(stderr, "analyze", err)
		return exitFailure
	}

	log := slog.New(slog.NewTextHandler(stderr, nil))
	log.Info("analysis suite started", "run", *dir, "suite", suite, "seed", *seed, "test_images", test.Len())
	res, err := analysis.Run(ctx, model, test, analysis.Suite(suite), *seed, log)
	switch {
	case ctx.Err() != nil:
		fmt.Fprintf(stderr, "topocnn analyze: interrupted; %s was not written. Rerun the same command to analyse the run.\n",
			filepath.Join(*dir, analysis.ResultsFile))
		return exitInterrupted
	case err != nil:
		printError(stderr, "analyze", err)
		return exitFailure
	}

	path := filepath.Join(*dir, analysis.ResultsFile)
	if err := analysis.WriteResults(path, res); err != nil {
		printError(stderr, "analyze", err)
		return exitFailure
	}
	fmt.Fprintf(stdout, "wrote %s: test accuracy %.4f, Moran's I (queen) %.3f on %d images, %.0f s\n",
		path, res.TestAccuracy, float64(res.MoransI.Queen.Mean), res.NImages, res.Timings["total"])
	return exitOK
}

// openForAnalysis opens the complete run in dir and loads its test set, from dataDir if given
// or else from the folder the run was trained with.
func openForAnalysis(dir, dataDir string) (*topocnn.Model, *dataset.Set, error) {
	if _, err := os.Stat(dir); errors.Is(err, os.ErrNotExist) {
		return nil, nil, fmt.Errorf("run directory %s does not exist; pass the folder given to topocnn train --out", dir)
	}
	model, err := topocnn.Open(dir)
	if err != nil {
		return nil, nil, err
	}
	cfg := model.Run().Config
	if dataDir == "" {
		dataDir = cfg.DataDir
	}
	test, err := dataset.Load(cfg.Dataset, dataset.Test, dataDir)
	if err != nil {
		return nil, nil, err
	}
	return model, test, nil
}
