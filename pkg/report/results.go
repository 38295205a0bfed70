package report

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/topocnn/topocnn/pkg/analysis"
	"github.com/topocnn/topocnn/pkg/sweep"
)

// ResultsVersion is the format version of results.json.
const ResultsVersion = 1

// Results is the content of results.json: everything the report states, as numbers. It
// contains no timestamps and no wall times, so that the same finished models give
// byte-identical files, whether they were trained in one process or in several shards.
type Results struct {
	FormatVersion int            `json:"format_version"`
	Protocol      sweep.Protocol `json:"protocol"`
	// Planned is the number of jobs in the sweep; Finished lists those trained and analysed, and
	// Missing the others with their state.
	Planned     int               `json:"planned"`
	Finished    []string          `json:"finished"`
	Missing     []JobStatus       `json:"missing"`
	Environment Environment       `json:"environment"`
	Setting     Setting           `json:"setting"`
	Metrics     []MetricInfo      `json:"metrics"`
	Runs        []RunResult       `json:"runs"`
	Conditions  []ConditionResult `json:"conditions"`
	// DecisionRule states how each claim's verdict follows from its test.
	DecisionRule string        `json:"decision_rule"`
	Claims       []ClaimResult `json:"claims"`
	// RSA is the similarity of the models' representational dissimilarity matrices, when the
	// report could open the trained models.
	RSA *RSA `json:"rsa,omitempty"`
}

// JobStatus is the state of an unfinished job: "not started", "training interrupted after
// epoch K of N", "trained, not analysed" or an error reading its files.
type JobStatus struct {
	Name  string `json:"name"`
	State string `json:"state"`
}

// Environment records the backends and module versions the finished models were trained with.
type Environment struct {
	Backends []string `json:"backends"`
	// Versions maps module paths (and "go") to versions; when models disagree, the versions
	// are listed sorted and joined by ", ".
	Versions map[string]string `json:"versions"`
}

// RunResult is one finished model's metrics.
type RunResult struct {
	Name      string                    `json:"name"`
	Condition string                    `json:"condition"`
	Seed      uint64                    `json:"seed"`
	Values    map[string]analysis.Float `json:"values"`
	// ValAccuracy is the validation accuracy after each epoch.
	ValAccuracy []analysis.Float `json:"val_accuracy"`
}

// environment merges the models' backends and versions.
func environment(records []Record) Environment {
	env := Environment{Versions: map[string]string{}}
	seen := map[string][]string{}
	for _, r := range records {
		if b := r.Training.Backend; b != "" && !slices.Contains(env.Backends, b) {
			env.Backends = append(env.Backends, b)
		}
		for k, v := range r.Training.Versions {
			if !slices.Contains(seen[k], v) {
				seen[k] = append(seen[k], v)
			}
		}
	}
	slices.Sort(env.Backends)
	for k, vs := range seen {
		slices.Sort(vs)
		env.Versions[k] = strings.Join(vs, ", ")
	}
	return env
}

func runResults(records []Record) []RunResult {
	var out []RunResult
	for _, r := range records {
		rr := RunResult{Name: r.Job.Name(), Condition: r.Job.Condition().Label(), Seed: r.Job.Seed,
			Values: map[string]analysis.Float{}, ValAccuracy: analysis.Floats(r.Training.ValAccuracy)}
		for k, v := range r.Values {
			rr.Values[k] = analysis.Float(v)
		}
		out = append(out, rr)
	}
	return out
}

// marshalResults encodes r as indented JSON with a final newline.
func marshalResults(r *Results) ([]byte, error) {
	data, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("report: encoding results.json failed: %w", err)
	}
	return append(data, '\n'), nil
}

// ReadResults reads a results.json written by Write.
func ReadResults(path string) (*Results, error) {
	data, err := readFile(path)
	if err != nil {
		return nil, err
	}
	var r Results
	if err := json.Unmarshal(data, &r); err != nil {
		return nil, fmt.Errorf("report: corrupt %s: %w", path, err)
	}
	if r.FormatVersion != ResultsVersion {
		return nil, fmt.Errorf("report: %s has format version %d; this program reads version %d", path, r.FormatVersion, ResultsVersion)
	}
	return &r, nil
}

// csvFiles returns the CSV tables of r by file name.
func csvFiles(r *Results) (map[string][]byte, error) {
	files := map[string][]byte{}
	var err error

	// runs.csv: one row per model, one column per metric.
	header := []string{"run", "condition", "reg", "lambda", "seed"}
	for _, m := range r.Metrics {
		header = append(header, m.Key)
	}
	rows := [][]string{header}
	conds := conditionsByRun(r)
	for _, run := range r.Runs {
		c := conds[run.Name]
		row := []string{run.Name, run.Condition, c.Reg, num(c.Lambda), strconv.FormatUint(run.Seed, 10)}
		for _, m := range r.Metrics {
			v, ok := run.Values[m.Key]
			if !ok {
				v = analysis.Float(math.NaN())
			}
			row = append(row, num(float64(v)))
		}
		rows = append(rows, row)
	}
	if files["runs.csv"], err = encodeCSV(rows); err != nil {
		return nil, err
	}

	// conditions.csv: one row per condition and metric.
	rows = [][]string{{"condition", "reg", "lambda", "metric", "unit", "n", "mean", "sd", "sem"}}
	for _, c := range r.Conditions {
		for _, m := range r.Metrics {
			s := c.Metrics[m.Key]
			rows = append(rows, []string{c.Label, c.Reg, num(c.Lambda), m.Key, m.Unit, strconv.Itoa(s.N),
				num(float64(s.Mean)), num(float64(s.SD)), num(float64(s.SEM))})
		}
	}
	if files["conditions.csv"], err = encodeCSV(rows); err != nil {
		return nil, err
	}

	// curves.csv: one row per condition, curve and point.
	rows = [][]string{{"condition", "curve", "x", "n", "mean", "sd", "sem"}}
	for _, c := range r.Conditions {
		keys := make([]string, 0, len(c.Curves))
		for k := range c.Curves {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		for _, k := range keys {
			cs := c.Curves[k]
			for i, x := range cs.X {
				rows = append(rows, []string{c.Label, k, num(x), strconv.Itoa(cs.N[i]),
					num(float64(cs.Mean[i])), num(float64(cs.SD[i])), num(float64(cs.SEM[i]))})
			}
		}
	}
	if files["curves.csv"], err = encodeCSV(rows); err != nil {
		return nil, err
	}

	// claims.csv: one row per claim and λ.
	rows = [][]string{{"claim", "finding", "lambda", "condition", "baseline", "metric", "kind", "n", "mean", "sem",
		"baseline_n", "baseline_mean", "baseline_sem", "difference", "test", "p", "mann_whitney_p", "cohens_d",
		"ci_low", "ci_high", "verdict", "reason"}}
	for _, c := range r.Claims {
		rows = append(rows, []string{c.ID, c.Finding, num(c.Lambda), c.Condition, c.BaselineCondition, c.Metric, string(c.Kind),
			strconv.Itoa(c.Summary.N), num(float64(c.Summary.Mean)), num(float64(c.Summary.SEM)),
			strconv.Itoa(c.BaselineSum.N), num(float64(c.BaselineSum.Mean)), num(float64(c.BaselineSum.SEM)),
			num(float64(c.Difference)), c.Test, num(float64(c.P)), num(float64(c.MannWhitneyP)), num(float64(c.CohensD)),
			num(float64(c.CILow)), num(float64(c.CIHigh)), string(c.Verdict), c.Reason})
	}
	if files["claims.csv"], err = encodeCSV(rows); err != nil {
		return nil, err
	}
	return files, nil
}

func conditionsByRun(r *Results) map[string]ConditionResult {
	out := map[string]ConditionResult{}
	for _, c := range r.Conditions {
		for _, name := range c.Runs {
			out[name] = c
		}
	}
	return out
}

// num formats v in the shortest form that reads back exactly, and NaN as an empty field.
func num(v float64) string {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return ""
	}
	return strconv.FormatFloat(v, 'g', -1, 64)
}

func encodeCSV(rows [][]string) ([]byte, error) {
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	if err := w.WriteAll(rows); err != nil {
		return nil, fmt.Errorf("report: encoding CSV failed: %w", err)
	}
	return buf.Bytes(), nil
}
