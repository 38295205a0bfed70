package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/topocnn/topocnn/pkg/analysis"
	"github.com/topocnn/topocnn/pkg/dataset"
	"github.com/topocnn/topocnn/pkg/network"
	"github.com/topocnn/topocnn/pkg/report"
	"github.com/topocnn/topocnn/pkg/sweep"
	"github.com/topocnn/topocnn/pkg/topocnn"
)

func init() {
	register(&command{
		name:    "reproduce",
		summary: "train and analyse control, WS and AS networks over seeds and write a report",
		run:     runReproduce,
	})
}

// listFlag is a flag whose value parse checks; the flag package reports the error with the flag
// name, and exit status 2 follows.
type listFlag struct {
	text  *string
	parse func(string) error
}

func (l listFlag) String() string {
	if l.text == nil {
		return ""
	}
	return *l.text
}

func (l listFlag) Set(s string) error {
	if err := l.parse(s); err != nil {
		return errors.New(strings.TrimPrefix(err.Error(), "sweep: "))
	}
	*l.text = s
	return nil
}

// countParser returns a parser of a whole number of at least least into dst.
func countParser(dst *int, least int) func(string) error {
	return func(s string) error {
		n, err := strconv.Atoi(s)
		if err != nil || n < least {
			return fmt.Errorf("give a whole number of at least %d", least)
		}
		*dst = n
		return nil
	}
}

// reproduceFlags contains the flags of reproduce: the text given and the parsed values.
type reproduceFlags struct {
	dataset, protocol, out, dataDir, suite string
	regs, lambdas, seeds, shard            string
	epochs, trainLimit, evalLimit          string
	testLimit, draws                       string

	parsedEpochs, parsedTrainLimit, parsedEvalLimit int
	parsedTestLimit, parsedDraws                    int

	parsedRegs    []string
	parsedLambdas []float64
	parsedSeeds   []uint64
	parsedShard   sweep.Shard
}

func defineReproduceFlags(fs *flagSet, f *reproduceFlags) {
	f.dataset, f.protocol, f.parsedShard = dataset.MNIST, sweep.Quick, sweep.All
	fs.Var(choiceFlag{&f.dataset, dataset.Names()}, "dataset", "dataset: "+strings.Join(dataset.Names(), ", "))
	fs.Var(choiceFlag{&f.protocol, sweep.ProtocolNames}, "protocol",
		"sweep to run: smoke (whole pipeline on tiny data, minutes), quick (control, WS and AS at λ = 1 over 5 seeds, 3 epochs, about 20 minutes on 2 cores), paper (the published 13 conditions × 10 seeds)")
	fs.StringVar(&f.out, "out", "", "sweep directory for the runs and the report (default results/DATASET-PROTOCOL)")
	fs.StringVar(&f.dataDir, "data-dir", "", "folder holding the dataset's files (default: $"+dataset.EnvDataDir+"/NAME, then the standard location)")
	fs.Var(listFlag{&f.regs, func(s string) (err error) { f.parsedRegs, err = sweep.ParseRegs(s); return }}, "reg",
		"regularisers to compare, comma-separated, from "+strings.Join(sweep.Regularisers, ", ")+" (default: the protocol's none,ws,as)")
	fs.Var(listFlag{&f.lambdas, func(s string) (err error) { f.parsedLambdas, err = sweep.ParseLambdas(s); return }}, "lambdas",
		"strengths λ of the topographic loss, comma-separated, for example 0.1,1,3 (default: the protocol's)")
	fs.Var(listFlag{&f.seeds, func(s string) (err error) { f.parsedSeeds, err = sweep.ParseSeeds(s); return }}, "seeds",
		"seeds, one model per seed and condition, as a list and ranges such as 1-5 or 1,2,7-9 (default: the protocol's)")
	fs.Var(listFlag{&f.epochs, countParser(&f.parsedEpochs, 1)}, "epochs", "training epochs per model (default: the protocol's)")
	fs.Var(listFlag{&f.trainLimit, countParser(&f.parsedTrainLimit, 0)}, "train-limit",
		"train on the first N examples of the training split, 0 for all (default: the protocol's)")
	fs.Var(listFlag{&f.evalLimit, countParser(&f.parsedEvalLimit, 0)}, "eval-limit",
		"validate and test during training on the first N validation and test images, 0 for all (default: the protocol's)")
	fs.Var(listFlag{&f.testLimit, countParser(&f.parsedTestLimit, 0)}, "test-limit",
		"analyse a seeded subset of N test images, 0 for the suite's default (default: the protocol's)")
	fs.Var(listFlag{&f.draws, countParser(&f.parsedDraws, 0)}, "draws",
		"random draws per level of the weight-perturbation and ablation analyses, 0 for the suite's default (default: the protocol's)")
	fs.Var(choiceFlag{&f.suite, analysis.Suites()}, "suite", "analysis suite: quick or full (default: the protocol's)")
	fs.Var(listFlag{&f.shard, func(s string) (err error) { f.parsedShard, err = sweep.ParseShard(s); return }}, "shard",
		"run only shard I of N, the jobs j (from 0) with j mod N = I − 1, for example 2/4; I counts from 1. Run topocnn report when every shard has finished")
}

// sweepProtocol returns the named protocol with the flags given on the command line applied.
func (f *reproduceFlags) sweepProtocol(set map[string]bool) (sweep.Protocol, error) {
	p, err := sweep.ProtocolFor(f.protocol, f.dataset)
	if err != nil {
		return p, err
	}

	// Conditions.
	if set["reg"] {
		p.Regs = f.parsedRegs
	}
	if set["lambdas"] {
		p.Lambdas = f.parsedLambdas
	}
	if set["seeds"] {
		p.Seeds = f.parsedSeeds
	}

	// Sizes of training and analysis.
	if set["epochs"] {
		p.Epochs = f.parsedEpochs
	}
	if set["train-limit"] {
		p.TrainLimit = f.parsedTrainLimit
	}
	if set["eval-limit"] {
		p.EvalLimit = f.parsedEvalLimit
	}
	if set["test-limit"] {
		p.TestLimit = f.parsedTestLimit
	}
	if set["draws"] {
		p.Draws = f.parsedDraws
	}
	if set["suite"] {
		p.Suite = f.suite
	}
	return p, p.Validate()
}

func runReproduce(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("reproduce", "[--dataset mnist] [--protocol smoke|quick|paper] [--out DIR] [flags]", stderr)
	var f reproduceFlags
	defineReproduceFlags(fs, &f)
	if code := fs.parse(args); code >= 0 {
		return code
	}
	p, err := f.sweepProtocol(fs.given())
	if err != nil {
		fmt.Fprintf(stderr, "topocnn reproduce: %s\n", strings.TrimPrefix(err.Error(), "sweep: "))
		return exitUsage
	}
	if f.out == "" {
		f.out = filepath.Join("results", p.Dataset+"-"+p.Name)
	}
	log := slog.New(slog.NewTextHandler(stderr, nil))

	m, err := sweep.Prepare(f.out, p)
	if err != nil {
		printError(stderr, "reproduce", err)
		return exitFailure
	}
	runner := &sweep.Runner{
		Dir: f.out, Manifest: m, Shard: f.parsedShard, Log: log,
		Exec: &sweep.Trainer{Protocol: p, DataDir: f.dataDir, ProgressBar: isTerminal(stdout) && isTerminal(stderr), Log: log},
	}
	sum, runErr := runner.Run(ctx)
	if sum == nil {
		printError(stderr, "reproduce", runErr)
		return exitFailure
	}
	if ctx.Err() != nil {
		fmt.Fprintf(stderr, "topocnn reproduce: interrupted; finished models and the last epoch of the model in training are kept. Run the same command again to continue.\n")
		return exitInterrupted
	}
	if len(sum.Busy) > 0 {
		fmt.Fprintf(stderr, "topocnn reproduce: %d models were locked by another process and left to it: %s\n", len(sum.Busy), strings.Join(sum.Busy, ", "))
	}

	if f.parsedShard != sweep.All {
		fmt.Fprintf(stdout, "shard %s finished: %d trained, %d resumed, %d analysed, %d already finished, %d failed.\n"+
			"When every shard has finished, write the report with: topocnn report --out %s\n",
			f.parsedShard, len(sum.Trained), len(sum.Resumed), len(sum.Analysed), len(sum.Finished), len(sum.Failed), f.out)
	} else if code := writeReport(ctx, f.out, f.dataDir, log, stdout, stderr, "reproduce"); code != exitOK {
		return code
	}
	if runErr != nil {
		printError(stderr, "reproduce", runErr)
		return exitFailure
	}
	return exitOK
}

// writeReport builds and writes the report of the sweep in dir and prints where it is.
func writeReport(ctx context.Context, dir, dataDir string, log *slog.Logger, stdout, stderr io.Writer, cmd string) int {
	rep, err := report.Generate(ctx, dir, report.Options{
		Log:     log,
		DataDir: dataDir,
		Open:    func(runDir string) (network.Network, error) { return topocnn.Open(runDir) },
	})
	if ctx.Err() != nil {
		fmt.Fprintf(stderr, "topocnn %s: interrupted while writing the report; run topocnn report --out %s to write it.\n", cmd, dir)
		return exitInterrupted
	}
	if err != nil {
		printError(stderr, cmd, err)
		return exitFailure
	}
	res := rep.Results
	fmt.Fprintf(stdout, "%d of %d models finished", len(res.Finished), res.Planned)
	if n := len(res.Missing); n > 0 {
		var names []string
		for _, j := range res.Missing {
			names = append(names, j.Name)
		}
		fmt.Fprintf(stdout, "; missing %d: %s", n, strings.Join(names, ", "))
	}
	counts := map[report.Verdict]int{}
	for _, c := range res.Claims {
		counts[c.Verdict]++
	}
	fmt.Fprintf(stdout, ".\nclaims: %d supported, %d contradicted, %d cannot decide, %d not tested.\n",
		counts[report.Supports], counts[report.Contradicts], counts[report.CannotDecide], counts[report.NotTested])
	fmt.Fprintf(stdout, "report: %s (also %s, results.json, %s figures in %s)\n",
		filepath.Join(dir, "report.html"), "report.md", strconv.Itoa(len(rep.Figures)), filepath.Join(dir, "figures"))
	return exitOK
}
