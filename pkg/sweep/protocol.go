// Package sweep plans, shards, runs and resumes the comparison of control, WS and AS networks.
// A sweep is a list of jobs (regulariser × λ × seed), each trained and analysed in a run
// directory of its own. So a killed sweep can be started again, and a sweep can be spread over
// processes or machines.
//
// A sweep directory DIR contains DIR/sweep.json (the protocol and the job list) and one run
// directory per job under DIR/runs, named after the job (for example DIR/runs/ws-l1-s3). A job is
// finished when its run.json records a complete training run and its analysis.json exists.
package sweep

import (
	"fmt"
	"slices"
	"strings"
)

// Regularisers accepted in Protocol.Regs. "none" is the control condition.
var Regularisers = []string{"none", "ws", "as", "as-global"}

// Protocol names accepted by ProtocolFor.
const (
	// Paper is the published sweep: control, WS and AS at λ ∈ {0.1, 0.3, 0.5, 1, 2, 3}, 10 seeds,
	// full training data (10 epochs on MNIST and Fashion-MNIST, 30 on CIFAR-10) and the full
	// analysis suite.
	Paper = "paper"
	// Quick compares control, WS and AS at λ = 1 over 5 seeds, enough for a test between
	// conditions, after 3 epochs on the full training split, with the quick analysis suite.
	Quick = "quick"
	// Smoke runs the whole pipeline on tiny data, for tests and for checking an installation.
	Smoke = "smoke"
)

// ProtocolNames lists the protocols in the order of their size.
var ProtocolNames = []string{Smoke, Quick, Paper}

// Analysis suites, the values of analysis.Suite.
const (
	SuiteQuick = "quick"
	SuiteFull  = "full"
)

// Protocol is everything that decides which models a sweep trains and how it analyses them.
// Two sweeps with equal protocols produce the same results.
type Protocol struct {
	// Name is the protocol the values started from (Paper, Quick or Smoke).
	Name string `json:"name"`
	// Dataset is "mnist", "fashion-mnist" or "cifar10".
	Dataset string `json:"dataset"`
	// Regs lists the regularisers, "none" (control), "ws", "as" or "as-global".
	Regs []string `json:"regs"`
	// Lambdas lists the strengths λ of the topographic loss; the control ignores them.
	Lambdas []float64 `json:"lambdas"`
	// Seeds lists the seeds; each condition trains one model per seed.
	Seeds []uint64 `json:"seeds"`
	// Epochs is the number of training epochs per model.
	Epochs int `json:"epochs"`
	// TrainLimit trains on the first TrainLimit examples of the training split; 0 uses all.
	TrainLimit int `json:"train_limit"`
	// EvalLimit validates after each epoch on the first EvalLimit images of the validation
	// split, and measures the final test accuracy of run.json on the first EvalLimit test
	// images; 0 uses all of them. It does not change training.
	EvalLimit int `json:"eval_limit"`
	// Suite is the analysis suite, SuiteQuick or SuiteFull.
	Suite string `json:"suite"`
	// TestLimit analyses a seeded random subset of TestLimit test images; 0 uses the suite's
	// default (1,000 images for the quick suite, all 10,000 for the full one).
	TestLimit int `json:"test_limit"`
	// Draws, when positive, sets the number of random draws per level of the weight-perturbation
	// and unit-ablation analyses in place of the suite's (3 quick, 10 full).
	Draws int `json:"draws"`
}

// Sizes of the quick and smoke protocols. A quick model trains on the full training split for
// 3 epochs (2,250 steps), validates and tests on all images, and is analysed by the quick suite
// on 1,000 test images. The 15 quick models took 19.5 minutes on a 2-core x86-64 machine with
// AVX-512 and the topocnn backend built with GOEXPERIMENT=simd, with another job running: about
// 70 s of training and 10 s of analysis each. The smoke protocol's 3 models take under a minute.
const (
	quickSeeds      = 5
	quickEpochs     = 3
	quickTrainLimit = 0
	quickEvalLimit  = 0
	quickTestLimit  = 1000
	quickDraws      = 3
	smokeSeeds      = 1
	smokeEpochs     = 1
	smokeTrainLimit = 6400
	smokeEvalLimit  = 1000
	smokeTestLimit  = 200
	smokeDraws      = 1
)

// PaperLambdas are the strengths λ of the published sweep.
var PaperLambdas = []float64{0.1, 0.3, 0.5, 1, 2, 3}

// ProtocolFor returns the named protocol for a dataset. It returns an error naming the accepted
// values when name or dataset is unknown.
func ProtocolFor(name, dataset string) (Protocol, error) {
	if err := checkDataset(dataset); err != nil {
		return Protocol{}, err
	}
	p := Protocol{Name: name, Dataset: dataset, Regs: []string{"none", "ws", "as"}}
	switch name {
	case Paper:
		p.Lambdas = slices.Clone(PaperLambdas)
		p.Seeds = seedRange(1, 10)
		p.Epochs = 10
		if dataset == "cifar10" {
			p.Epochs = 30
		}
		p.Suite = SuiteFull
	case Quick:
		p.Lambdas = []float64{1}
		p.Seeds = seedRange(1, quickSeeds)
		p.Epochs = quickEpochs
		p.TrainLimit = quickTrainLimit
		p.EvalLimit = quickEvalLimit
		p.TestLimit = quickTestLimit
		p.Draws = quickDraws
		p.Suite = SuiteQuick
	case Smoke:
		p.Lambdas = []float64{1}
		p.Seeds = seedRange(1, smokeSeeds)
		p.Epochs = smokeEpochs
		p.TrainLimit = smokeTrainLimit
		p.EvalLimit = smokeEvalLimit
		p.TestLimit = smokeTestLimit
		p.Draws = smokeDraws
		p.Suite = SuiteQuick
	default:
		return Protocol{}, fmt.Errorf("sweep: unknown protocol %q; accepted protocols: %s", name, strings.Join(ProtocolNames, ", "))
	}
	return p, nil
}

// Datasets lists the dataset names a protocol accepts.
var Datasets = []string{"mnist", "fashion-mnist", "cifar10"}

func checkDataset(name string) error {
	if !slices.Contains(Datasets, name) {
		return fmt.Errorf("sweep: unknown dataset %q; accepted datasets: %s", name, strings.Join(Datasets, ", "))
	}
	return nil
}

// seedRange returns first, first+1, …, last. It counts by offset so that last = MaxUint64 ends.
func seedRange(first, last uint64) []uint64 {
	var seeds []uint64
	for i := uint64(0); i <= last-first; i++ {
		seeds = append(seeds, first+i)
	}
	return seeds
}

// Validate returns an error naming the first invalid field, its value and what would be valid.
func (p Protocol) Validate() error {
	if err := checkDataset(p.Dataset); err != nil {
		return err
	}
	if err := p.validateConditions(); err != nil {
		return err
	}
	return p.validateSizes()
}

// validateConditions checks the regularisers, strengths and seeds.
func (p Protocol) validateConditions() error {
	if len(p.Regs) == 0 {
		return fmt.Errorf("sweep: no regularisers; give at least one of %s", strings.Join(Regularisers, ", "))
	}
	for i, r := range p.Regs {
		if !slices.Contains(Regularisers, r) {
			return fmt.Errorf("sweep: unknown regulariser %q; accepted regularisers: %s", r, strings.Join(Regularisers, ", "))
		}
		if slices.Contains(p.Regs[:i], r) {
			return fmt.Errorf("sweep: regulariser %q is listed twice", r)
		}
	}
	if p.needsLambdas() && len(p.Lambdas) == 0 {
		return fmt.Errorf("sweep: regularisers %v need at least one λ; give positive values such as 1 or 0.1,0.3,1", p.Regs)
	}
	for i, l := range p.Lambdas {
		if !(l > 0) || l > 1e4 {
			return fmt.Errorf("sweep: invalid λ %v; each λ must be positive and at most 1e4", l)
		}
		if slices.Contains(p.Lambdas[:i], l) {
			return fmt.Errorf("sweep: λ %v is listed twice", l)
		}
	}
	if len(p.Seeds) == 0 {
		return fmt.Errorf("sweep: no seeds; give at least one, for example 1-5")
	}
	for i, s := range p.Seeds {
		if slices.Contains(p.Seeds[:i], s) {
			return fmt.Errorf("sweep: seed %d is listed twice", s)
		}
	}
	return nil
}

// validateSizes checks the epochs, limits, draws and suite.
func (p Protocol) validateSizes() error {
	if p.Epochs <= 0 {
		return fmt.Errorf("sweep: invalid number of epochs %d; it must be at least 1", p.Epochs)
	}
	if p.TrainLimit < 0 {
		return fmt.Errorf("sweep: invalid train limit %d; use 0 for the whole training split or a positive number of examples", p.TrainLimit)
	}
	if p.EvalLimit < 0 {
		return fmt.Errorf("sweep: invalid evaluation limit %d; use 0 for the whole validation split and test set or a positive number of images", p.EvalLimit)
	}
	if p.TestLimit < 0 {
		return fmt.Errorf("sweep: invalid test limit %d; use 0 for the suite's default or a positive number of images", p.TestLimit)
	}
	if p.Draws < 0 {
		return fmt.Errorf("sweep: invalid number of draws %d; use 0 for the suite's default or a positive number", p.Draws)
	}
	if p.Suite != SuiteQuick && p.Suite != SuiteFull {
		return fmt.Errorf("sweep: unknown analysis suite %q; accepted suites: %s, %s", p.Suite, SuiteQuick, SuiteFull)
	}
	return nil
}

// needsLambdas reports whether any regulariser other than "none" is in the sweep.
func (p Protocol) needsLambdas() bool {
	return slices.ContainsFunc(p.Regs, func(r string) bool { return r != "none" })
}
