package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/topocnn/topocnn/pkg/dataset"
	"github.com/topocnn/topocnn/pkg/grid"
	"github.com/topocnn/topocnn/pkg/topocnn"
	"github.com/topocnn/topocnn/pkg/topoloss"
)

func init() {
	register(&command{
		name:    "train",
		summary: "train a network with or without a topographic loss and write OUT/run.json",
		run:     runTrain,
	})
}

// configFlags maps each Config field to the train flag that sets it.
var configFlags = map[string]string{
	"Dataset": "dataset", "DataDir": "data-dir", "Reg": "reg", "Lambda": "lambda", "Rho": "rho",
	"Metric": "metric", "Neighbourhood": "neighbourhood", "Edges": "edges", "GridRows": "grid",
	"GridCols": "grid", "Dropout": "dropout", "Epochs": "epochs", "BatchSize": "batch-size",
	"LearningRate": "lr", "Seed": "seed", "TrainLimit": "train-limit", "ValFraction": "val-fraction",
}

// gridFlag sets GridRows and GridCols from "ROWSxCOLS".
type gridFlag struct{ rows, cols *int }

func (g gridFlag) String() string {
	if g.rows == nil {
		return ""
	}
	return fmt.Sprintf("%dx%d", *g.rows, *g.cols)
}

func (g gridFlag) Set(s string) error {
	parsed, err := grid.Parse(s)
	if err != nil {
		return fmt.Errorf("write ROWSxCOLS with positive sizes, for example 11x11")
	}
	*g.rows, *g.cols = parsed.Rows, parsed.Cols
	return nil
}

// trainFlags defines the train flags on fs, parsing into cfg.
func trainFlags(fs *flagSet, cfg *topocnn.Config) {
	def := topocnn.DefaultConfig(dataset.MNIST)
	*cfg = def
	fs.Var(choiceFlag{&cfg.Dataset, dataset.Names()}, "dataset", "dataset: "+strings.Join(dataset.Names(), ", "))
	fs.StringVar(&cfg.DataDir, "data-dir", "", "folder holding the dataset's files (default: $"+dataset.EnvDataDir+"/NAME, then the standard location)")
	fs.Var(choiceFlag{&cfg.Reg, topocnn.RegNames}, "reg", "topographic loss: "+strings.Join(topocnn.RegNames, ", "))
	fs.Float64Var(&cfg.Lambda, "lambda", def.Lambda, "weight λ of the topographic loss, or its starting value with --rho")
	fs.Float64Var(&cfg.Rho, "rho", def.Rho, "if > 0, match λ every step to ρ·‖∇task‖/‖∇topo‖ (gradients with respect to fc1's weights)")
	fs.Var(choiceFlag{&cfg.Metric, topoloss.MetricNames}, "metric", "distance of WS and local AS: "+strings.Join(topoloss.MetricNames, ", "))
	fs.Var(choiceFlag{&cfg.Neighbourhood, []string{"queen", "rook"}}, "neighbourhood", "neighbours on the grid: queen (8 cells) or rook (4 cells)")
	fs.Var(choiceFlag{&cfg.Edges, []string{"open", "toroidal"}}, "edges", "grid edges: open or toroidal")
	fs.Var(gridFlag{&cfg.GridRows, &cfg.GridCols}, "grid", "grid of fc1 as ROWSxCOLS; sets fc1's width")
	fs.Float64Var(&cfg.Dropout, "dropout", def.Dropout, "dropout probability after fc1's ReLU, in [0, 1)")
	fs.IntVar(&cfg.Epochs, "epochs", 0, "training epochs (default 10 for mnist and fashion-mnist, 30 for cifar10)")
	fs.IntVar(&cfg.BatchSize, "batch-size", def.BatchSize, "examples per optimiser step")
	fs.Float64Var(&cfg.LearningRate, "lr", def.LearningRate, "Adam learning rate")
	cfg.Seed = def.Seed
	fs.Var((*seedFlag)(&cfg.Seed), "seed", "seed of the initialisation, dropout, train/validation split and shuffling, a whole number `N`")
	fs.IntVar(&cfg.TrainLimit, "train-limit", 0, "train on the first N examples of the training split only (0: all)")
	fs.Float64Var(&cfg.ValFraction, "val-fraction", def.ValFraction, "fraction of the training set held out for validation")
}

// flagFields copies, for each train flag that sets a Config field, that field from src to dst.
var flagFields = map[string]func(dst *topocnn.Config, src topocnn.Config){
	"dataset":       func(d *topocnn.Config, s topocnn.Config) { d.Dataset = s.Dataset },
	"data-dir":      func(d *topocnn.Config, s topocnn.Config) { d.DataDir = s.DataDir },
	"reg":           func(d *topocnn.Config, s topocnn.Config) { d.Reg = s.Reg },
	"lambda":        func(d *topocnn.Config, s topocnn.Config) { d.Lambda = s.Lambda },
	"rho":           func(d *topocnn.Config, s topocnn.Config) { d.Rho = s.Rho },
	"metric":        func(d *topocnn.Config, s topocnn.Config) { d.Metric = s.Metric },
	"neighbourhood": func(d *topocnn.Config, s topocnn.Config) { d.Neighbourhood = s.Neighbourhood },
	"edges":         func(d *topocnn.Config, s topocnn.Config) { d.Edges = s.Edges },
	"grid":          func(d *topocnn.Config, s topocnn.Config) { d.GridRows, d.GridCols = s.GridRows, s.GridCols },
	"dropout":       func(d *topocnn.Config, s topocnn.Config) { d.Dropout = s.Dropout },
	"epochs":        func(d *topocnn.Config, s topocnn.Config) { d.Epochs = s.Epochs },
	"batch-size":    func(d *topocnn.Config, s topocnn.Config) { d.BatchSize = s.BatchSize },
	"lr":            func(d *topocnn.Config, s topocnn.Config) { d.LearningRate = s.LearningRate },
	"seed":          func(d *topocnn.Config, s topocnn.Config) { d.Seed = s.Seed },
	"train-limit":   func(d *topocnn.Config, s topocnn.Config) { d.TrainLimit = s.TrainLimit },
	"val-fraction":  func(d *topocnn.Config, s topocnn.Config) { d.ValFraction = s.ValFraction },
}

// overrideConfig returns base with the fields whose flags were given taken from parsed.
func overrideConfig(base, parsed topocnn.Config, given map[string]bool) topocnn.Config {
	for name := range given {
		if copyField, ok := flagFields[name]; ok {
			copyField(&base, parsed)
		}
	}
	return base
}

func runTrain(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("train", "--out DIR [flags]", stderr)
	var parsed topocnn.Config
	trainFlags(fs, &parsed)
	out := fs.String("out", "", "run directory for run.json and the checkpoint (required)")
	resume := fs.Bool("resume", false, "continue the run in --out from its last completed epoch, with its stored settings")
	if code := fs.parse(args); code >= 0 {
		return code
	}
	if *out == "" {
		fmt.Fprintln(stderr, "topocnn train: missing --out DIR: name the run directory")
		return exitUsage
	}
	set := fs.given()

	// A new run starts from the protocol's defaults for its dataset, and a resumed run from its
	// stored settings. Flags given on the command line override either.
	base := topocnn.DefaultConfig(parsed.Dataset)
	var stored *topocnn.Config
	if *resume {
		if _, err := os.Stat(*out); os.IsNotExist(err) {
			fmt.Fprintf(stderr, "topocnn train: invalid --out %s with --resume: the directory does not exist; check the path, or drop --resume to start a new run\n", *out)
			return exitUsage
		}
		if _, err := os.Stat(filepath.Join(*out, topocnn.RunFile)); err == nil {
			run, err := topocnn.LoadRun(*out)
			if run == nil {
				printError(stderr, "train", err)
				return exitFailure
			}
			stored = &run.Config
			base = run.Config
		}
	}
	cfg := overrideConfig(base, parsed, set)
	if err := cfg.Validate(); err != nil {
		var fe *topocnn.FieldError
		if errors.As(err, &fe) {
			fmt.Fprintf(stderr, "topocnn train: invalid --%s %v: %s\n", configFlags[fe.Field], fe.Value, fe.Accepted)
			return exitUsage
		}
		printError(stderr, "train", err)
		return exitUsage
	}
	if stored != nil {
		if code := checkResumeFlags(*stored, cfg, set, stderr); code >= 0 {
			return code
		}
	}

	opts := topocnn.Options{
		Out:         *out,
		Resume:      *resume,
		ProgressBar: isTerminal(stdout) && isTerminal(stderr),
		Log:         slog.New(slog.NewTextHandler(stderr, nil)),
	}
	run, err := topocnn.Train(ctx, cfg, opts)
	switch {
	case errors.Is(err, topocnn.ErrInterrupted):
		progress := "keeps the last completed epoch"
		if run == nil || len(run.Epochs) == 0 {
			progress = "has no completed epoch yet"
		}
		fmt.Fprintf(stderr, "topocnn train: interrupted; %s %s. To continue, rerun: %s\n", *out, progress, resumeCommand(args))
		return exitInterrupted
	case err != nil:
		printError(stderr, "train", err)
		return exitFailure
	}
	fmt.Fprintf(stdout, "test accuracy %.4f after %d epoch(s), run in %s\n", run.TestAccuracy, len(run.Epochs), *out)
	return exitOK
}

// checkResumeFlags returns exitUsage, after saying which flags conflict, if flags given with
// --resume change the stored configuration. Otherwise it returns -1.
func checkResumeFlags(stored, cfg topocnn.Config, set map[string]bool, stderr io.Writer) int {
	cfg.DataDir = stored.DataDir
	if cfg == stored {
		return -1
	}
	var changing []string
	for name := range set {
		copyField, ok := flagFields[name]
		if !ok || name == "data-dir" {
			continue
		}
		changed := stored
		copyField(&changed, cfg)
		if changed != stored {
			changing = append(changing, "--"+name)
		}
	}
	slices.Sort(changing)
	fmt.Fprintf(stderr, "topocnn train: --resume continues the stored settings, but the flags %s change them; drop those flags or choose another --out\n",
		strings.Join(changing, ", "))
	return exitUsage
}

// isTerminal reports whether w is a terminal.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	info, err := f.Stat()
	return err == nil && info.Mode()&os.ModeCharDevice != 0
}

// resumeCommand returns the topocnn train command line args with --resume added, for the user
// to copy after an interruption.
func resumeCommand(args []string) string {
	words := []string{"topocnn", "train"}
	resuming := false
	for _, a := range args {
		if a == "--resume" || a == "-resume" || strings.HasPrefix(a, "--resume=") || strings.HasPrefix(a, "-resume=") {
			resuming = true
		}
		if a == "" || strings.ContainsAny(a, " \t'\"$\\") {
			a = "'" + strings.ReplaceAll(a, "'", `'\''`) + "'"
		}
		words = append(words, a)
	}
	if !resuming {
		words = append(words, "--resume")
	}
	return strings.Join(words, " ")
}
