package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
)

func init() {
	register(&command{
		name:    "report",
		summary: "aggregate the finished models of a sweep directory into report.md, report.html and results.json",
		run:     runReport,
	})
}

func runReport(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("report", "--out DIR [--data-dir DIR]", stderr)
	out := fs.String("out", "", "sweep directory written by topocnn reproduce (required)")
	dataDir := fs.String("data-dir", "", "folder holding the dataset's files, for the example images and maps (default: the standard location)")
	if code := fs.parse(args); code >= 0 {
		return code
	}
	if *out == "" {
		fmt.Fprintln(stderr, "topocnn report: missing --out DIR: name the sweep directory given to topocnn reproduce")
		return exitUsage
	}
	return writeReport(ctx, *out, *dataDir, slog.New(slog.NewTextHandler(stderr, nil)), stdout, stderr, "report")
}
