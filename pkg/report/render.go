package report

import (
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/topocnn/topocnn/pkg/analysis"
)

// datasetNames maps dataset keys to their usual names.
var datasetNames = map[string]string{"mnist": "MNIST", "fashion-mnist": "Fashion-MNIST", "cifar10": "CIFAR-10"}

// buildDocument lays out the report: summary, claims, metrics, figures, training, configuration.
func buildDocument(rep *Report) *document {
	res := rep.Results
	p := res.Protocol
	d := &document{title: fmt.Sprintf("What WS and AS did: %s, %s protocol", datasetNames[p.Dataset], p.Name)}

	d.add(heading{2, "Summary"})
	d.add(summaryBlocks(rep)...)

	d.add(heading{2, "Claims"})
	d.add(paragraph{"Each published finding of Truong & Hasson (arXiv 2508.00043) is tested on this run's models. " + DecisionRule})
	d.add(claimsTable(res.Claims, len(p.Lambdas) > 1))

	d.add(heading{2, "Metrics per condition"})
	d.add(paragraph{"Mean ± SEM over models (n models with a defined value). Definitions are listed below the table."})
	d.add(metricsTable(res))
	var defs []string
	for _, m := range res.Metrics {
		unit := ""
		if m.Unit != "" {
			unit = " [" + m.Unit + "]"
		}
		defs = append(defs, fmt.Sprintf("**%s**%s: %s.", m.Label, unit, m.Definition))
	}
	d.add(list{defs})

	if len(rep.Figures) > 0 {
		d.add(heading{2, "Figures"})
		for _, f := range rep.Figures {
			d.add(figureBlock{name: f.Name, title: f.Title, caption: f.Caption})
		}
	}
	if len(rep.Notes) > 0 {
		d.add(heading{2, "Notes"})
		d.add(list{rep.Notes})
	}

	d.add(heading{2, "Training"})
	d.add(trainingTable(rep))

	d.add(heading{2, "Configuration"})
	d.add(configurationBlocks(rep)...)
	return d
}

func summaryBlocks(rep *Report) []block {
	res := rep.Results
	var items []string
	items = append(items, fmt.Sprintf("%d of %d planned models are trained and analysed.", len(res.Finished), res.Planned))
	if len(res.Missing) > 0 {
		var m []string
		for i, j := range res.Missing {
			if i == 10 {
				m = append(m, fmt.Sprintf("and %d more", len(res.Missing)-10))
				break
			}
			m = append(m, fmt.Sprintf("`%s` (%s)", j.Name, j.State))
		}
		items = append(items, "Missing: "+strings.Join(m, ", ")+". Finish them with the same `topocnn reproduce` command, then run `topocnn report`.")
	}

	for _, key := range []string{MetricAccuracy, MetricMoransI, MetricBimodality, MetricWeightAll, MetricNoise} {
		info := metricInfo(key)
		var parts []string
		for _, c := range res.Conditions {
			parts = append(parts, fmt.Sprintf("%s %s", c.Label, formatSummary(c.Metrics[key])))
		}
		if len(parts) > 0 {
			items = append(items, fmt.Sprintf("%s%s: %s.", capitalise(info.Label), unitSuffix(info), strings.Join(parts, "; ")))
		}
	}

	counts := map[Verdict]int{}
	for _, c := range res.Claims {
		counts[c.Verdict]++
	}
	items = append(items, fmt.Sprintf("Claims: %d supported, %d contradicted, %d cannot decide, %d not tested (out of %d claim rows).",
		counts[Supports], counts[Contradicts], counts[CannotDecide], counts[NotTested], len(res.Claims)))

	var decided []string
	for _, c := range res.Claims {
		if c.Verdict == Supports || c.Verdict == Contradicts {
			decided = append(decided, fmt.Sprintf("**%s** %s%s (%s).", c.Verdict, c.Finding, lambdaSuffix(c, len(res.Protocol.Lambdas) > 1), c.Reason))
		}
	}
	blocks := []block{list{items}}
	if len(decided) > 0 {
		blocks = append(blocks, paragraph{"Decided claims:"}, list{decided})
	}
	return blocks
}

func lambdaSuffix(c ClaimResult, several bool) string {
	if !several {
		return ""
	}
	return fmt.Sprintf(" at λ = %s", num(c.Lambda))
}

func claimsTable(claims []ClaimResult, severalLambdas bool) table {
	t := table{header: []string{"finding", "condition", "baseline", "difference", "p (Welch)", "p (Mann–Whitney)", "Cohen's d", "verdict"},
		align: []string{"l", "r", "r", "r", "r", "r", "r", "l"}}
	if severalLambdas {
		t.header = slices.Insert(t.header, 1, "λ")
		t.align = slices.Insert(t.align, 1, "r")
	}
	for _, c := range claims {
		info := metricInfo(c.Metric)
		finding := fmt.Sprintf("%s [%s%s]", c.Finding, info.Label, unitSuffix(info))
		verdict := string(c.Verdict)
		if c.Reason != "" {
			verdict += ": " + c.Reason
		}
		row := []string{finding,
			c.Condition + " " + formatSummary(c.Summary),
			c.BaselineCondition + " " + formatSummary(c.BaselineSum),
			formatNumber(float64(c.Difference)),
			formatP(float64(c.P)), formatP(float64(c.MannWhitneyP)), formatNumber(float64(c.CohensD)),
			verdict}
		if severalLambdas {
			row = slices.Insert(row, 1, num(c.Lambda))
		}
		t.rows = append(t.rows, row)
	}
	return t
}

func metricsTable(res *Results) table {
	t := table{header: []string{"metric"}, align: []string{"l"}}
	for _, c := range res.Conditions {
		t.header = append(t.header, c.Label)
		t.align = append(t.align, "r")
	}
	for _, m := range res.Metrics {
		row := []string{m.Label + unitSuffix(m)}
		for _, c := range res.Conditions {
			row = append(row, formatSummary(c.Metrics[m.Key]))
		}
		t.rows = append(t.rows, row)
	}
	return t
}

func trainingTable(rep *Report) block {
	t := table{header: []string{"condition", "models", "seeds", "final validation accuracy", "mean training time per model"},
		align: []string{"l", "r", "l", "r", "r"}}
	for _, c := range rep.Results.Conditions {
		var final, secs []float64
		for _, r := range rep.Records {
			if r.Job.Condition().Key() != c.Key {
				continue
			}
			if n := len(r.Training.ValAccuracy); n > 0 {
				final = append(final, r.Training.ValAccuracy[n-1])
			}
			if r.Training.Seconds > 0 {
				secs = append(secs, r.Training.Seconds)
			}
		}
		var seeds []string
		for _, s := range c.Seeds {
			seeds = append(seeds, fmt.Sprint(s))
		}
		meanTime := "–"
		if len(secs) > 0 {
			meanTime = (time.Duration(float64(analysis.Summarize(secs).Mean)) * time.Second).String()
		}
		t.rows = append(t.rows, []string{c.Label, fmt.Sprint(len(c.Runs)), strings.Join(seeds, ", "),
			formatSummary(analysis.Summarize(final)), meanTime})
	}
	return t
}

func configurationBlocks(rep *Report) []block {
	res := rep.Results
	p := res.Protocol
	limit := func(n int, all string) string {
		if n == 0 {
			return all
		}
		return fmt.Sprint(n)
	}
	var seeds []string
	for _, s := range p.Seeds {
		seeds = append(seeds, fmt.Sprint(s))
	}
	var lambdas []string
	for _, l := range p.Lambdas {
		lambdas = append(lambdas, num(l))
	}
	proto := table{header: []string{"setting", "value"}, rows: [][]string{
		{"protocol", p.Name},
		{"dataset", datasetNames[p.Dataset]},
		{"regularisers", strings.Join(p.Regs, ", ")},
		{"λ", strings.Join(lambdas, ", ")},
		{"seeds", strings.Join(seeds, ", ")},
		{"epochs", fmt.Sprint(p.Epochs)},
		{"training examples", limit(p.TrainLimit, "all of the training split")},
		{"validation and test images during training", limit(p.EvalLimit, "all")},
		{"analysis suite", p.Suite},
		{"test images analysed", limit(p.TestLimit, "the suite's default")},
		{"perturbation and ablation draws per level", limit(p.Draws, "the suite's default")},
		{"backends", strings.Join(res.Environment.Backends, ", ")},
	}}
	blocks := []block{proto}

	if len(rep.Config) > 0 {
		blocks = append(blocks, paragraph{"Training configuration of the models (the same for every model apart from the regulariser, λ and seed):"})
		t := table{header: []string{"field", "value"}}
		for _, kv := range rep.Config {
			t.rows = append(t.rows, []string{kv[0], kv[1]})
		}
		blocks = append(blocks, t)
	}

	if len(res.Environment.Versions) > 0 {
		var keys []string
		for k := range res.Environment.Versions {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		t := table{header: []string{"module", "version"}}
		for _, k := range keys {
			t.rows = append(t.rows, []string{"`" + k + "`", res.Environment.Versions[k]})
		}
		blocks = append(blocks, paragraph{"Versions:"}, t)
	}
	blocks = append(blocks, paragraph{"Machine-readable results: `results.json` (every number in this report), `runs.csv` (one row per model), " +
		"`conditions.csv` (summaries per condition), `curves.csv` (curves per condition), `claims.csv` (the claims table). " +
		"Each model's run directory under `runs/` contains its `run.json`, checkpoint and `analysis.json`."})
	return blocks
}

// formatSummary writes "mean ± SEM (n=N)" with the SEM to 2 significant digits and the mean to
// the same decimal place, "mean (n=1)" for a single value, or "–" when there is no value.
func formatSummary(s analysis.Summary) string {
	m, sem := float64(s.Mean), float64(s.SEM)
	if s.N == 0 || math.IsNaN(m) {
		return "–"
	}
	if s.N < 2 || math.IsNaN(sem) {
		return fmt.Sprintf("%s (n=%d)", formatNumber(m), s.N)
	}
	if sem == 0 || math.Abs(m) >= 1e6 || sem < 1e-6 {
		return fmt.Sprintf("%s ± %s (n=%d)", formatNumber(m), formatNumber(sem), s.N)
	}
	decimals := max(0, 1-int(math.Floor(math.Log10(sem))))
	if math.Abs(m) < 0.5*math.Pow(10, -float64(decimals)) {
		m = 0 // no "-0.000"
	}
	return fmt.Sprintf("%.*f ± %.*f (n=%d)", decimals, m, decimals, sem, s.N)
}

// formatNumber writes v with 3 significant digits, or "–" for NaN.
func formatNumber(v float64) string {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return "–"
	}
	return strings.Replace(fmt.Sprintf("%.3g", v), "e-0", "e-", 1)
}

// formatP writes a p-value with 2 significant digits, "< 0.0001" below that, or "–".
func formatP(p float64) string {
	switch {
	case math.IsNaN(p):
		return "–"
	case p < 1e-4:
		return "< 0.0001"
	}
	return fmt.Sprintf("%.2g", p)
}

func unitSuffix(m MetricInfo) string {
	if m.Unit == "" {
		return ""
	}
	return " (" + m.Unit + ")"
}

func capitalise(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// Report is a rendered report: the results, the records they came from and the figures.
type Report struct {
	Results *Results
	Records []Record
	Figures []Figure
	// Config lists the training configuration shared by the models as field, value pairs.
	Config [][2]string
	// Notes lists what the report could not do, for example a figure left out and why.
	Notes []string
}
