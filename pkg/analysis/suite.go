package analysis

import (
	"context"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"slices"
	"time"

	"gonum.org/v1/gonum/mat"

	"github.com/topocnn/topocnn/pkg/dataset"
	"github.com/topocnn/topocnn/pkg/grid"
	"github.com/topocnn/topocnn/pkg/network"
)

// FormatVersion is the version of the analysis.json layout that WriteResults writes and
// ReadResults accepts. It changes when a key is renamed or removed or its meaning changes.
const FormatVersion = 1

// Suite selects how many images, draws and permutations the analyses use.
type Suite string

const (
	// Quick runs every analysis on a seeded subset of QuickImages test images with fewer
	// noise draws and permutations, for a fast look at one run.
	Quick Suite = "quick"
	// Full runs every analysis with the protocol's sizes on the whole test set.
	Full Suite = "full"
)

// QuickImages is the number of test images the quick suite analyses.
const QuickImages = 1000

// Suites lists the accepted suite names.
func Suites() []string { return []string{string(Quick), string(Full)} }

// ParseSuite reads "quick" or "full".
func ParseSuite(s string) (Suite, error) {
	switch Suite(s) {
	case Quick, Full:
		return Suite(s), nil
	}
	return "", fmt.Errorf("analysis: invalid suite %q: use quick or full", s)
}

// Config holds every setting of a suite run. DefaultConfig fills it, and callers may change
// fields before RunConfig.
type Config struct {
	Suite Suite
	// Seed is the suite's seed. Each analysis gets its own seed derived from it.
	Seed uint64
	// Images is the number of test images analysed, a seeded random subset, or 0 for all.
	Images int

	// HistogramBins is the number of bins of the correlation histogram over [−1, 1].
	HistogramBins int
	// DistanceBinWidth is the width in cells of the bins of the correlation–distance curve.
	DistanceBinWidth float64
	// LocalisationThresholds are the correlation thresholds τ of the localisation analysis.
	LocalisationThresholds []float64

	Experts        ExpertConfig
	Degradation    DegradationConfig
	Perturbation   PerturbationConfig
	Ablation       AblationConfig
	Orientation    OrientationConfig
	Symmetry       SymmetryConfig
	ReceptiveField ReceptiveFieldConfig
}

// DefaultConfig returns the settings of a suite: the protocol's values for Full, and a
// QuickImages-image subset with the quick configurations of each analysis for Quick. The
// seeds of the analyses are derived from seed.
func DefaultConfig(suite Suite, seed uint64) Config {
	quick := suite == Quick
	cfg := Config{
		Suite:                  suite,
		Seed:                   seed,
		HistogramBins:          40,
		DistanceBinWidth:       1,
		LocalisationThresholds: slices.Clone(DefaultLocalisationThresholds),
		Experts:                DefaultExpertConfig(quick),
		Degradation:            DefaultDegradationConfig(quick),
		Perturbation:           DefaultPerturbationConfig(quick),
		Ablation:               DefaultAblationConfig(quick),
		Orientation:            DefaultOrientationConfig(quick),
		Symmetry:               DefaultSymmetryConfig(quick),
		ReceptiveField:         DefaultReceptiveFieldConfig(quick),
	}
	if quick {
		cfg.Images = QuickImages
	}
	cfg.Experts.Seed = deriveSeed(seed, 1)
	cfg.Degradation.Seed = deriveSeed(seed, 2)
	cfg.Perturbation.Seed = deriveSeed(seed, 3)
	cfg.Ablation.Seed = deriveSeed(seed, 4)
	cfg.Orientation.Seed = deriveSeed(seed, 5)
	cfg.Symmetry.Seed = deriveSeed(seed, 6)
	cfg.ReceptiveField.Seed = deriveSeed(seed, 7)
	return cfg
}

// deriveSeed returns a seed for stream i of a suite seed (the SplitMix64 finaliser of
// seed + i·golden ratio), so analyses do not share random streams.
func deriveSeed(seed uint64, i uint64) uint64 {
	z := seed + i*0x9e3779b97f4a7c15
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	return z ^ (z >> 31)
}

// Results is the content of analysis.json. docs/analysis.md defines every key.
type Results struct {
	FormatVersion int    `json:"format_version"`
	Suite         Suite  `json:"suite"`
	Seed          uint64 `json:"seed"`
	Dataset       string `json:"dataset"`
	Grid          string `json:"grid"`
	Units         int    `json:"units"`
	// NImages is the number of test images analysed. TestIndices lists them when they are a
	// subset (nil for the whole test set).
	NImages     int   `json:"n_images"`
	TestIndices []int `json:"test_indices,omitempty"`

	// TestAccuracy is the clean accuracy on the analysed test images, in [0, 1].
	TestAccuracy float64 `json:"test_accuracy"`

	MoransI      MoranPair         `json:"morans_i"`
	Correlation  CorrelationResult `json:"correlation"`
	Localisation Localisation      `json:"localisation"`

	ActivationVariance      VarianceResult `json:"activation_variance"`
	Entropy                 EntropyResult  `json:"entropy"`
	EffectiveDimensionality Dimensionality `json:"effective_dimensionality"`
	Experts                 *ExpertResult  `json:"experts"`
	RowNorms                RowNorms       `json:"row_norms"`

	InputDegradation   *DegradationResult  `json:"input_degradation"`
	WeightPerturbation *PerturbationResult `json:"weight_perturbation"`
	Ablation           *AblationResult     `json:"ablation"`

	Orientation *OrientationResult `json:"orientation"`
	Symmetry    *SymmetryResult    `json:"symmetry"`
	// Eccentricity holds the receptive-field probe: RF centres and sizes, the eccentricity
	// profile and retinotopy.
	Eccentricity *ReceptiveFieldResult `json:"eccentricity"`

	// Timings gives the wall time of each analysis in seconds, and "total".
	Timings map[string]float64 `json:"timings"`
}

// MoranPair is Moran's I of the per-image activation maps under both neighbourhoods.
type MoranPair struct {
	Queen *MoranResult `json:"queen"`
	Rook  *MoranResult `json:"rook"`
}

// CorrelationResult summarises the inter-unit correlation matrix.
type CorrelationResult struct {
	Images int `json:"images"`
	Pairs  int `json:"pairs"`
	// ConstantUnits lists units with the same activation on every image, left out.
	ConstantUnits []int     `json:"constant_units"`
	Histogram     Histogram `json:"histogram"`
	MeanR         Float     `json:"mean_r"`
	// Bimodality is Sarle's coefficient of the r values. Above 5/9 it suggests two modes.
	Bimodality       Float         `json:"bimodality"`
	DistanceProfile  []DistanceBin `json:"distance_profile"`
	DistanceBinWidth float64       `json:"distance_bin_width"`
}

// Dimensionality holds participation ratios (see EffectiveDimensionality) of the topographic
// layer.
type Dimensionality struct {
	// Activations uses pre-ReLU activations (images × units), ActivationsReLU post-ReLU ones.
	Activations     Float `json:"activations"`
	ActivationsReLU Float `json:"activations_relu"`
	// Weights uses the incoming weight vectors (units × inputs).
	Weights Float `json:"weights"`
}

// Run runs the analysis suite with DefaultConfig(suite, seed), as RunConfig describes.
func Run(ctx context.Context, net network.Network, test *dataset.Set, suite Suite, seed uint64, log *slog.Logger) (*Results, error) {
	if _, err := ParseSuite(string(suite)); err != nil {
		return nil, err
	}
	return RunConfig(ctx, net, test, DefaultConfig(suite, seed), log)
}

// RunConfig runs every analysis on net and the test set: one forward pass over the analysed
// images gives the accuracy and the topographic layer's activations, which (with one
// correlation matrix) the topography and unit analyses share. The robustness analyses and
// stimulus probes then run their own forward passes. Each analysis's start and duration are
// logged at Info level. Cancelling ctx stops the suite between analyses. log may be nil.
func RunConfig(ctx context.Context, net network.Network, test *dataset.Set, cfg Config, log *slog.Logger) (*Results, error) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	info := net.Info()
	g := grid.Grid{Rows: info.GridRows, Cols: info.GridCols}
	if err := checkSet(info, test); err != nil {
		return nil, err
	}

	start := time.Now()
	res := &Results{
		FormatVersion: FormatVersion, Suite: cfg.Suite, Seed: cfg.Seed,
		Dataset: info.Dataset, Grid: g.String(), Units: g.Size(),
		Timings: map[string]float64{},
	}
	set := test
	if cfg.Images > 0 && cfg.Images < test.Len() {
		res.TestIndices = subsetIndices(test.Len(), cfg.Images, deriveSeed(cfg.Seed, 0))
		set = test.Subset(res.TestIndices)
	}
	res.NImages = set.Len()
	if res.NImages < 2 {
		return nil, fmt.Errorf("analysis: the test set has %d images; the analyses need at least 2", res.NImages)
	}

	step := func(name string, fn func() error) error {
		if err := ctx.Err(); err != nil {
			return fmt.Errorf("analysis: stopped before %s: %w", name, err)
		}
		log.Info("analysis started", "analysis", name)
		t := time.Now()
		if err := fn(); err != nil {
			return fmt.Errorf("analysis: %s: %w", name, err)
		}
		res.Timings[name] = time.Since(t).Seconds()
		log.Info("analysis finished", "analysis", name, "seconds", res.Timings[name])
		return nil
	}

	var pre, post *mat.Dense
	var corr *Correlations
	steps := []struct {
		name string
		fn   func() error
	}{
		{"inference", func() error {
			out, err := net.Forward(set.Images, set.Len())
			if err != nil {
				return err
			}
			res.TestAccuracy = Accuracy(out.Logits, set.Labels, out.Classes)
			pre = Matrix(out.Pre, out.N, out.Units)
			post = ReLU(pre)
			return nil
		}},
		{"morans_i", func() error {
			res.MoransI = MoranPair{Queen: MoransIImages(pre, g, grid.Queen), Rook: MoransIImages(pre, g, grid.Rook)}
			return nil
		}},
		{"correlation", func() error {
			corr = NewCorrelations(pre, g)
			res.Correlation = summariseCorrelations(corr, cfg)
			res.Localisation = corr.Localisation(cfg.LocalisationThresholds)
			return nil
		}},
		{"unit_statistics", func() error {
			return unitStatistics(res, net, info, g, pre, post, set, cfg)
		}},
		{"input_degradation", func() (err error) {
			res.InputDegradation, err = InputDegradation(net, set, cfg.Degradation)
			return err
		}},
		{"weight_perturbation", func() (err error) {
			res.WeightPerturbation, err = WeightPerturbation(net, set, cfg.Perturbation)
			return err
		}},
		{"ablation", func() (err error) {
			res.Ablation, err = UnitAblation(net, set, cfg.Ablation)
			return err
		}},
		{"orientation", func() (err error) {
			res.Orientation, err = Orientation(net, cfg.Orientation)
			return err
		}},
		{"symmetry", func() (err error) {
			res.Symmetry, err = Symmetry(net, cfg.Symmetry)
			return err
		}},
		{"eccentricity", func() (err error) {
			res.Eccentricity, err = ReceptiveFields(net, cfg.ReceptiveField)
			return err
		}},
	}
	for _, s := range steps {
		if err := step(s.name, s.fn); err != nil {
			return nil, err
		}
	}

	res.Timings["total"] = time.Since(start).Seconds()
	log.Info("analysis suite finished", "suite", cfg.Suite, "images", res.NImages, "seconds", res.Timings["total"])
	return res, nil
}

// checkSet returns an error unless the test set's images fit the network's input and classes.
func checkSet(info network.Info, test *dataset.Set) error {
	if test == nil {
		return fmt.Errorf("analysis: no test set: load one with dataset.Load(name, dataset.Test, dir)")
	}
	if test.Height != info.Height || test.Width != info.Width || test.Channels != info.Channels {
		return fmt.Errorf("analysis: test set %q has %d×%d×%d images but the network takes %d×%d×%d; use the dataset the network was trained on (%q)",
			test.Name, test.Height, test.Width, test.Channels, info.Height, info.Width, info.Channels, info.Dataset)
	}
	if test.Classes != info.Classes {
		return fmt.Errorf("analysis: test set %q has %d classes but the network has %d outputs; use the dataset the network was trained on (%q)",
			test.Name, test.Classes, info.Classes, info.Dataset)
	}
	if _, err := grid.New(info.GridRows, info.GridCols); err != nil {
		return fmt.Errorf("analysis: the network's topographic layer: %w", err)
	}
	return nil
}

// subsetIndices returns k distinct indices of [0, n), drawn with a PCG generator seeded with
// seed, in increasing order.
func subsetIndices(n, k int, seed uint64) []int {
	rng := rand.New(rand.NewPCG(seed, 0x7375627365)) // "subse"
	idx := rng.Perm(n)[:k]
	slices.Sort(idx)
	return idx
}

func summariseCorrelations(c *Correlations, cfg Config) CorrelationResult {
	s := Summarize(c.Values())
	constant := c.Constant
	if constant == nil {
		constant = []int{}
	}
	return CorrelationResult{
		Images: c.Images, Pairs: c.Pairs(), ConstantUnits: constant,
		Histogram:        c.Histogram(cfg.HistogramBins),
		MeanR:            s.Mean,
		Bimodality:       Float(c.Bimodality()),
		DistanceProfile:  c.DistanceProfile(cfg.DistanceBinWidth),
		DistanceBinWidth: cfg.DistanceBinWidth,
	}
}

// unitStatistics fills the activation variance, entropy, effective dimensionality, experts and
// row norms.
func unitStatistics(res *Results, net network.Network, info network.Info, g grid.Grid, pre, post *mat.Dense, set *dataset.Set, cfg Config) error {
	res.ActivationVariance = ActivationVariance(pre)
	res.Entropy = ActivationEntropy(post)
	res.EffectiveDimensionality.Activations = Float(EffectiveDimensionality(pre))
	res.EffectiveDimensionality.ActivationsReLU = Float(EffectiveDimensionality(post))

	weights, _, err := TopographicWeights(net.Parameters(), info)
	if err != nil {
		return err
	}
	res.EffectiveDimensionality.Weights = Float(EffectiveDimensionality(weights))
	res.RowNorms = WeightRowNorms(weights, g)

	res.Experts, err = Experts(pre, set.Labels, info.Classes, g, cfg.Experts)
	return err
}
