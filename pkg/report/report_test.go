package report

import (
	"bytes"
	"context"
	"encoding/json"
	"image"
	"image/png"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/topocnn/topocnn/pkg/network"
	"github.com/topocnn/topocnn/pkg/sweep"
	"github.com/topocnn/topocnn/pkg/topocnn"
)

// linearNet is a network.Network for tests: fc1 pre-activations are a fixed random linear map
// of the pixels, and the logits a fixed random linear map of their ReLU.
type linearNet struct {
	w, b, v []float32 // w is 784 × 121 ([inputs, units]), v is 121 × 10
}

func newLinearNet(seed uint64) *linearNet {
	rng := rand.New(rand.NewPCG(seed, 7))
	n := &linearNet{w: make([]float32, 784*121), b: make([]float32, 121), v: make([]float32, 121*10)}
	for i := range n.w {
		n.w[i] = float32(rng.NormFloat64() * 0.05)
	}
	for i := range n.v {
		n.v[i] = float32(rng.NormFloat64())
	}
	return n
}

func (n *linearNet) Info() network.Info {
	return network.Info{Dataset: "mnist", Height: 28, Width: 28, Channels: 1, Classes: 10, Layer: "fc1", GridRows: 11, GridCols: 11}
}

func (n *linearNet) Forward(images []float32, count int) (*network.Output, error) {
	out := &network.Output{N: count, Classes: 10, Units: 121, Logits: make([]float32, count*10), Pre: make([]float32, count*121)}
	for i := range count {
		img := images[i*784 : (i+1)*784]
		pre := out.Pre[i*121 : (i+1)*121]
		copy(pre, n.b)
		for p, x := range img {
			if x == 0 {
				continue
			}
			row := n.w[p*121 : (p+1)*121]
			for u := range pre {
				pre[u] += x * row[u]
			}
		}
		for u, a := range pre {
			if a <= 0 {
				continue
			}
			for c := range 10 {
				out.Logits[i*10+c] += a * n.v[u*10+c]
			}
		}
	}
	return out, nil
}

func (n *linearNet) Parameters() []network.Parameter {
	return []network.Parameter{
		{Name: "/fc1/dense/weights", Shape: []int{784, 121}, Layer: "fc1", Values: slices.Clone(n.w)},
		{Name: "/fc1/dense/biases", Shape: []int{121}, Layer: "fc1", Values: slices.Clone(n.b)},
		{Name: "/fc2/dense/weights", Shape: []int{121, 10}, Layer: "fc2", Values: slices.Clone(n.v)},
	}
}

func (n *linearNet) WithParameters([]network.Parameter) (network.Network, error) { return n, nil }

// syntheticRecord returns a record whose values depend on the condition as the publication
// reports (WS smooth, AS bimodal) plus seeded noise.
func syntheticRecord(job sweep.Job) Record {
	rng := rand.New(rand.NewPCG(job.Seed, uint64(job.Index)))
	noise := func(sd float64) float64 { return rng.NormFloat64() * sd }
	ws, as := 0.0, 0.0
	switch job.Reg {
	case "ws":
		ws = 1
	case "as":
		as = 1
	}
	r := Record{Job: job, Values: map[string]float64{
		MetricAccuracy:       0.95 + noise(0.003),
		MetricMoransI:        0.6*ws + 0.1*as + noise(0.02),
		MetricNeighbourR:     0.5*ws + noise(0.02),
		MetricLocalisation:   5.7 - 3*ws + noise(0.1),
		MetricBimodality:     0.3 + 0.3*as + noise(0.02),
		MetricVariance:       1 + ws + noise(0.05),
		MetricEntropy:        6 + noise(0.05),
		MetricDimensionality: 10 + 3*as + noise(0.5),
		MetricDimWeights:     20 + noise(0.5),
		MetricExperts:        float64(30 + rng.IntN(5)),
		MetricWeightAll:      -20 + 5*ws + 5*as + noise(1),
		MetricWeightFC1:      -5 + 2*ws + noise(0.5),
		MetricNoise:          -10 + 3*ws + noise(0.5),
		MetricOSI:            0.3 + noise(0.02),
		MetricSymmetry:       0.1 + noise(0.02),
		MetricEccentricity:   -0.01 + noise(0.002),
	}}
	alphas := []float64{0, 0.1, 0.2, 0.3, 0.5, 0.75, 1}
	levels := []float64{0.01, 0.05, 0.1, 0.15, 0.2}
	curve := func(x []float64, f func(x float64) float64) Curve {
		c := Curve{X: x}
		for _, v := range x {
			c.Y = append(c.Y, f(v)+noise(0.005))
		}
		return c
	}
	r.Curves = map[string]Curve{
		CurveWeightAll:                   curve(alphas, func(a float64) float64 { return 0.95 - (0.6-0.2*ws)*a*a }),
		CurveWeightFC1:                   curve(alphas, func(a float64) float64 { return 0.95 - 0.2*a*a }),
		CurveNoisePrefix + "white":       curve(levels, func(l float64) float64 { return -100 * l * (1 - ws/2) }),
		CurveNoisePrefix + "pink":        curve(levels, func(l float64) float64 { return -80 * l }),
		CurveNoisePrefix + "salt-pepper": curve(levels, func(l float64) float64 { return -150 * l }),
		CurveNoisePrefix + "blur":        curve([]float64{0.5, 1, 2}, func(l float64) float64 { return -10 * l }),
		CurveLocalisation:                curve([]float64{0.1, 0.3, 0.5, 0.6, 0.7, 0.8}, func(t float64) float64 { return 5.7 - 4*ws*t }),
		CurveDistance:                    curve([]float64{1.5, 2.5, 3.5, 4.5}, func(d float64) float64 { return 0.5 * ws / d }),
		CurveHistogram:                   curve([]float64{-0.75, -0.25, 0.25, 0.75}, func(x float64) float64 { return 0.5 + as*math.Abs(x) }),
		CurveAblationRand:                curve([]float64{0.1, 0.3, 0.5}, func(f float64) float64 { return 0.95 - f }),
		CurveAblationDisk:                curve([]float64{0.1, 0.3, 0.5}, func(f float64) float64 { return 0.95 - 0.5*f }),
		CurveEccentricity:                curve([]float64{0, 4, 8, 12}, func(d float64) float64 { return 1 - d/20 }),
		CurveValAccuracy:                 curve([]float64{1, 2}, func(e float64) float64 { return 0.9 + 0.02*e }),
	}
	angles, osi, experts := make([]float64, 121), make([]float64, 121), make([]float64, 121)
	for u := range angles {
		angles[u] = math.Mod(float64(u%11)*0.3+ws*float64(u/11)*0.1, math.Pi)
		osi[u] = rng.Float64()
		experts[u] = float64(rng.IntN(11) - 1)
	}
	angles[0] = math.NaN() // a silent unit
	r.Maps = map[string][]float64{MapOrientation: angles, MapOSI: osi, MapExpertClass: experts}
	r.Training = Training{Backend: "go", Versions: map[string]string{"go": "go1.26.8"}, ValAccuracy: r.Curves[CurveValAccuracy].Y, Seconds: 60}
	r.Setting = Setting{Grid: "11x11", LocalisationBaseline: 5.76,
		NoiseUnits: map[string]string{"white": "noise SD", "pink": "noise SD", "salt-pepper": "fraction of pixels", "blur": "blur SD in pixels"}}
	return r
}

func syntheticReport(t *testing.T, dir string, jobs []sweep.Job, open bool) *Report {
	t.Helper()
	p, _ := sweep.ProtocolFor(sweep.Quick, "mnist")
	m := sweep.NewManifest(p)
	var records []Record
	var configs []topocnn.Config
	var missing []JobStatus
	for _, j := range m.Jobs {
		if !slices.ContainsFunc(jobs, func(k sweep.Job) bool { return k.Name() == j.Name() }) {
			missing = append(missing, JobStatus{Name: j.Name(), State: "not started"})
			continue
		}
		records = append(records, syntheticRecord(j))
		cfg := topocnn.DefaultConfig("mnist")
		cfg.Reg, cfg.Lambda, cfg.Seed, cfg.Epochs = j.Reg, j.Lambda, j.Seed, 2
		configs = append(configs, cfg)
	}
	rep := assemble(m, records, missing, configs)
	opts := Options{}
	if open {
		opts.Open = func(runDir string) (network.Network, error) {
			return newLinearNet(uint64(len(filepath.Base(runDir)))), nil
		}
	}
	if err := drawFigures(context.Background(), rep, dir, opts, nil); err != nil {
		t.Fatal(err)
	}
	return rep
}

// wantFigures lists the figures a report of the quick protocol with every model holds.
var wantFigures = []string{
	"accuracy", "weight-perturbation-all", "weight-perturbation-fc1", "noise-grid", "degradation-blur",
	"ablation-random", "ablation-disk", "distance-threshold", "correlation-distance", "correlation-histogram",
	"eccentricity", "training", "orientation-maps", "expert-maps", "degraded-images", "stimuli",
	"topographic-maps", "rsa-activations", "rsa-weights", "rsa-activations-models", "rsa-weights-models",
}

func TestReportHoldsEveryFigureAndClaim(t *testing.T) {
	dir := t.TempDir()
	p, _ := sweep.ProtocolFor(sweep.Quick, "mnist")
	rep := syntheticReport(t, dir, p.Plan(), true)
	if err := rep.Write(dir); err != nil {
		t.Fatal(err)
	}
	for _, n := range rep.Notes {
		t.Logf("note: %s", n)
	}

	md, err := os.ReadFile(filepath.Join(dir, "report.md"))
	if err != nil {
		t.Fatal(err)
	}
	page, err := os.ReadFile(filepath.Join(dir, "report.html"))
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range wantFigures {
		checkPNG(t, filepath.Join(dir, "figures", name+".png"))
		svg, err := os.ReadFile(filepath.Join(dir, "figures", name+".svg"))
		if err != nil || !bytes.Contains(svg, []byte("<svg")) {
			t.Errorf("figure %s: no SVG (%v)", name, err)
		}
		if !strings.Contains(string(md), "](figures/"+name+".png)") {
			t.Errorf("report.md does not show figure %s", name)
		}
	}
	if got := strings.Count(string(page), `src="data:image/png;base64,`); got != len(rep.Figures) {
		t.Errorf("report.html embeds %d images, want one per figure (%d)", got, len(rep.Figures))
	}
	if strings.Contains(string(page), `src="figures/`) || strings.Contains(string(page), `src="http`) || strings.Contains(string(page), `href="http`) {
		t.Error("report.html refers to a file or URL instead of embedding everything")
	}
	for _, c := range Claims {
		if !strings.Contains(string(md), c.Finding) {
			t.Errorf("report.md lacks claim %s", c.ID)
		}
	}
	for _, section := range []string{"## Summary", "## Claims", "## Metrics per condition", "## Figures", "## Training", "## Configuration"} {
		if !strings.Contains(string(md), section) {
			t.Errorf("report.md lacks section %q", section)
		}
	}

	res, err := ReadResults(filepath.Join(dir, "results.json"))
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Claims) != len(Claims) || len(res.Finished) != 15 || len(res.Missing) != 0 {
		t.Errorf("results.json has %d claims, %d finished and %d missing models; want %d, 15, 0", len(res.Claims), len(res.Finished), len(res.Missing), len(Claims))
	}
	if res.RSA == nil || len(res.RSA.Activations.Runs) != 15 {
		t.Errorf("results.json lacks the RSA of the 15 models")
	}
	for _, name := range []string{"runs.csv", "conditions.csv", "curves.csv", "claims.csv"} {
		data, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil || bytes.Count(data, []byte("\n")) < 4 {
			t.Errorf("%s is missing or nearly empty (%v)", name, err)
		}
	}
}

// checkPNG fails unless path is a PNG with more than a handful of colours.
func checkPNG(t *testing.T, path string) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Errorf("figure missing: %v", err)
		return
	}
	img, err := png.Decode(bytes.NewReader(data))
	if err != nil {
		t.Errorf("%s is not a valid PNG: %v", filepath.Base(path), err)
		return
	}
	if n := countColours(img, 20); n < 20 {
		t.Errorf("%s has only %d distinct colours; the figure looks empty", filepath.Base(path), n)
	}
}

// countColours counts distinct colours in img, stopping at limit.
func countColours(img image.Image, limit int) int {
	seen := map[[4]uint32]bool{}
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y += 2 {
		for x := b.Min.X; x < b.Max.X; x += 2 {
			r, g, bl, a := img.At(x, y).RGBA()
			seen[[4]uint32{r, g, bl, a}] = true
			if len(seen) >= limit {
				return len(seen)
			}
		}
	}
	return len(seen)
}

func TestReportVerdictsOnSyntheticEffects(t *testing.T) {
	p, _ := sweep.ProtocolFor(sweep.Quick, "mnist")
	var records []Record
	for _, j := range p.Plan() {
		records = append(records, syntheticRecord(j))
	}
	rep := assemble(sweep.NewManifest(p), records, nil, nil)
	want := map[string]Verdict{"ws-smooth": Supports, "as-bimodal": Supports, "ws-localisation": Supports,
		"as-not-smooth": Supports, "ws-accuracy": Supports, "as-noise-cifar10": NotTested}
	for id, v := range want {
		if got := findClaim(t, rep.Results.Claims, id); got.Verdict != v {
			t.Errorf("claim %s: verdict %q (%s), want %q", id, got.Verdict, got.Reason, v)
		}
	}
}

func TestResultsIndependentOfOrder(t *testing.T) {
	p, _ := sweep.ProtocolFor(sweep.Quick, "mnist")
	m := sweep.NewManifest(p)
	var records []Record
	for _, j := range m.Jobs {
		records = append(records, syntheticRecord(j))
	}
	encode := func(recs []Record) []byte {
		data, err := marshalResults(assemble(m, recs, nil, nil).Results)
		if err != nil {
			t.Fatal(err)
		}
		return data
	}
	first := encode(records)
	reversed := slices.Clone(records)
	slices.Reverse(reversed)
	if second := encode(reversed); !bytes.Equal(first, second) {
		t.Error("results.json depends on the order in which models were read")
	}
	if bytes.Contains(first, []byte("wall")) || bytes.Contains(first, []byte(`"seconds"`)) {
		t.Error("results.json holds wall times")
	}
}

func TestReportListsMissingModels(t *testing.T) {
	dir := t.TempDir()
	p, _ := sweep.ProtocolFor(sweep.Quick, "mnist")
	rep := syntheticReport(t, dir, p.Plan()[:4], false)
	if got := len(rep.Results.Missing); got != 11 {
		t.Errorf("%d missing models, want 11", got)
	}
	if err := rep.Write(dir); err != nil {
		t.Fatal(err)
	}
	md, _ := os.ReadFile(filepath.Join(dir, "report.md"))
	if !strings.Contains(string(md), "4 of 15 planned models") || !strings.Contains(string(md), "`as-l1-s2` (not started)") {
		t.Error("report.md does not say which models are missing")
	}
	if !strings.Contains(string(md), "without access to the trained models") {
		t.Error("report.md does not say why the example maps are missing")
	}
	var res Results
	data, _ := os.ReadFile(filepath.Join(dir, "results.json"))
	if err := json.Unmarshal(data, &res); err != nil {
		t.Fatal(err)
	}
	for _, c := range res.Claims {
		if c.Verdict == Supports || c.Verdict == Contradicts {
			t.Errorf("claim %s decided with at most 2 models per condition", c.ID)
		}
	}
}

func TestInlineHTML(t *testing.T) {
	got := inlineHTML("a `b<c>` **d** e**")
	want := "a <code>b&lt;c&gt;</code> <b>d</b> e**"
	if got != want {
		t.Errorf("inlineHTML = %q, want %q", got, want)
	}
}

func TestReportSeveralLambdas(t *testing.T) {
	p, _ := sweep.ProtocolFor(sweep.Quick, "mnist")
	p.Lambdas = []float64{0.5, 1}
	p.Seeds = []uint64{1, 2, 3}
	m := sweep.NewManifest(p)
	var records []Record
	for _, j := range m.Jobs {
		records = append(records, syntheticRecord(j))
	}
	rep := assemble(m, records, nil, nil)
	if err := drawFigures(context.Background(), rep, t.TempDir(), Options{}, nil); err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, f := range rep.Figures {
		names = append(names, f.Name)
	}
	for _, key := range []string{MetricMoransI, MetricDimensionality, MetricEntropy, MetricAccuracy} {
		if !slices.Contains(names, "lambda-"+key) {
			t.Errorf("no figure of %s against λ; figures: %v", key, names)
		}
	}
	if got, want := len(rep.Results.Claims), 2*len(Claims); got != want {
		t.Errorf("%d claim rows, want %d (each claim at each λ)", got, want)
	}
	md := buildDocument(rep).markdown()
	if !strings.Contains(md, "| finding | λ |") {
		t.Error("the claims table of a sweep over several λ has no λ column")
	}
}
