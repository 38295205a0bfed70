// Package report turns a sweep directory into a report on what WS and AS did to the networks:
// results.json with every number, CSV tables, figures as PNG and SVG, report.md and a
// self-contained report.html. It aggregates whatever models have finished and lists the others
// as missing, so it can run while a sweep is in progress and after shards on several machines
// have finished.
//
// For each finished model it reads run.json (training) and analysis.json (the analysis suite).
// It summarises each metric over the seeds of a condition and tests the published claims of
// Truong & Hasson (arXiv 2508.00043) between conditions (see Claims and DecisionRule). Figures
// that need forward passes (example maps, representational similarity) open the trained models
// through Options.Open.
package report

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"time"

	"github.com/topocnn/topocnn/pkg/dataset"
	"github.com/topocnn/topocnn/pkg/network"
	"github.com/topocnn/topocnn/pkg/sweep"
	"github.com/topocnn/topocnn/pkg/topocnn"
)

// Options configures Build.
type Options struct {
	// Log receives progress messages; nil discards them.
	Log *slog.Logger
	// Open opens the trained model in a run directory, for the example maps and the
	// representational similarity analysis. Nil leaves those out.
	Open func(runDir string) (network.Network, error)
	// DataDir is the folder of the test set (see dataset.Load); empty uses the default location.
	DataDir string
}

// Build reads the sweep in dir and computes the report without writing anything. It returns an
// error only when dir is not a sweep directory or ctx is cancelled. Unfinished or unreadable
// models are listed as missing, and figures that cannot be drawn are listed in Report.Notes.
func Build(ctx context.Context, dir string, opts Options) (*Report, error) {
	log := opts.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	m, err := sweep.ReadManifest(dir)
	if err != nil {
		return nil, err
	}
	start := time.Now()

	records, missing, configs := collect(dir, m)
	log.Info("report: collected models", "finished", len(records), "planned", len(m.Jobs))
	rep := assemble(m, records, missing, configs)

	if err := drawFigures(ctx, rep, dir, opts, log); err != nil {
		return nil, err
	}
	log.Info("report: built", "figures", len(rep.Figures), "seconds", time.Since(start).Seconds())
	return rep, nil
}

// assemble computes the results of the finished records: summaries per condition, claims and
// the shared configuration.
func assemble(m *sweep.Manifest, records []Record, missing []JobStatus, configs []topocnn.Config) *Report {
	p := m.Protocol
	records = slices.Clone(records)
	slices.SortFunc(records, func(a, b Record) int { return a.Job.Index - b.Job.Index })
	res := &Results{
		FormatVersion: ResultsVersion,
		Protocol:      p,
		Planned:       len(m.Jobs),
		Finished:      []string{},
		Missing:       missing,
		Environment:   environment(records),
		Metrics:       Metrics,
		Runs:          runResults(records),
		Conditions:    aggregate(p, records),
		DecisionRule:  DecisionRule,
		Claims:        EvaluateClaims(p, conditionValues(p, records)),
	}
	if res.Missing == nil {
		res.Missing = []JobStatus{}
	}
	for _, r := range records {
		res.Finished = append(res.Finished, r.Job.Name())
	}
	if len(records) > 0 {
		res.Setting = records[0].Setting
	}
	if spec, err := dataset.SpecFor(p.Dataset); err == nil {
		res.Setting.ClassNames = spec.ClassNames
	}

	rep := &Report{Results: res, Records: records}
	rep.Config, rep.Notes = sharedConfig(configs)
	return rep
}

// sharedConfig lists the training configuration fields that every model shares, leaving out
// those that identify the job (regulariser, λ, seed) and the data folder. Fields that differ
// between models give a note.
func sharedConfig(configs []topocnn.Config) ([][2]string, []string) {
	if len(configs) == 0 {
		return nil, nil
	}
	fields := func(c topocnn.Config) [][2]string {
		return [][2]string{
			{"metric", c.Metric}, {"neighbourhood", c.Neighbourhood}, {"edges", c.Edges},
			{"grid", fmt.Sprintf("%dx%d", c.GridRows, c.GridCols)}, {"dropout", num(c.Dropout)},
			{"ρ (gradient-matched λ; 0 = fixed λ)", num(c.Rho)},
			{"epochs", fmt.Sprint(c.Epochs)}, {"batch size", fmt.Sprint(c.BatchSize)},
			{"learning rate (Adam)", num(c.LearningRate)},
			{"training examples", trainLimit(c.TrainLimit)}, {"validation fraction", num(c.ValFraction)},
		}
	}
	first := fields(configs[0])
	var notes []string
	for _, c := range configs[1:] {
		for i, kv := range fields(c) {
			if kv[1] != first[i][1] && !strings.Contains(first[i][1], kv[1]) {
				notes = append(notes, fmt.Sprintf("Models differ in %s (%s and %s).", kv[0], first[i][1], kv[1]))
				first[i][1] += ", " + kv[1]
			}
		}
	}
	return first, notes
}

func trainLimit(n int) string {
	if n == 0 {
		return "all of the training split"
	}
	return fmt.Sprintf("first %d of the training split", n)
}

// Generate builds the report of the sweep in dir and writes it there.
func Generate(ctx context.Context, dir string, opts Options) (*Report, error) {
	rep, err := Build(ctx, dir, opts)
	if err != nil {
		return nil, err
	}
	if err := rep.Write(dir); err != nil {
		return nil, err
	}
	return rep, nil
}
