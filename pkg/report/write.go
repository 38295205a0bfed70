package report

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"

	"github.com/topocnn/topocnn/pkg/plotting"
	"github.com/topocnn/topocnn/pkg/sweep"
)

// Write writes the report into dir: results.json, runs.csv, conditions.csv, curves.csv,
// claims.csv, figures/NAME.png and figures/NAME.svg, report.md and report.html. Each file is
// written atomically. PNG and SVG files in dir/figures that are not part of this report are
// removed, so the folder matches the report.
func (rep *Report) Write(dir string) error {
	figDir := filepath.Join(dir, "figures")
	if err := os.MkdirAll(figDir, 0o755); err != nil {
		return fmt.Errorf("report: %w", err)
	}

	pngs := map[string][]byte{}
	files := map[string][]byte{}
	var kept []string
	for _, f := range rep.Figures {
		png, err := plotting.PNG(f.Plot, f.Width, f.Height)
		if err == nil {
			var svg []byte
			if svg, err = plotting.SVG(f.Plot, f.Width, f.Height); err == nil {
				files[f.Name+".svg"] = svg
			}
		}
		if err != nil {
			rep.Notes = append(rep.Notes, fmt.Sprintf("Figure %q is left out: %v.", f.Name, err))
			continue
		}
		pngs[f.Name] = png
		files[f.Name+".png"] = png
		kept = append(kept, f.Name)
	}
	rep.Figures = slices.DeleteFunc(rep.Figures, func(f Figure) bool { return !slices.Contains(kept, f.Name) })
	if err := writeFiles(figDir, files); err != nil {
		return err
	}
	if err := removeStaleFigures(figDir, files); err != nil {
		return err
	}

	top, err := csvFiles(rep.Results)
	if err != nil {
		return err
	}
	if top["results.json"], err = marshalResults(rep.Results); err != nil {
		return err
	}
	doc := buildDocument(rep)
	top["report.md"] = []byte(doc.markdown())
	top["report.html"] = []byte(doc.htmlPage(pngs))
	return writeFiles(dir, top)
}

func removeStaleFigures(figDir string, keep map[string][]byte) error {
	entries, err := os.ReadDir(figDir)
	if err != nil {
		return fmt.Errorf("report: %w", err)
	}
	for _, e := range entries {
		name := e.Name()
		ext := filepath.Ext(name)
		if e.Type().IsRegular() && (ext == ".png" || ext == ".svg") && keep[name] == nil {
			if err := os.Remove(filepath.Join(figDir, name)); err != nil {
				return fmt.Errorf("report: %w", err)
			}
		}
	}
	return nil
}

// writeFiles writes each file under dir atomically.
func writeFiles(dir string, files map[string][]byte) error {
	names := make([]string, 0, len(files))
	for n := range files {
		names = append(names, n)
	}
	slices.Sort(names)
	for _, n := range names {
		if err := sweep.WriteFileAtomic(filepath.Join(dir, n), files[n]); err != nil {
			return err
		}
	}
	return nil
}
