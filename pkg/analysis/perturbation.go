package analysis

import (
	"cmp"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"

	"gonum.org/v1/gonum/stat"

	"github.com/topocnn/topocnn/pkg/dataset"
	"github.com/topocnn/topocnn/pkg/grid"
	"github.com/topocnn/topocnn/pkg/network"
)

// Perturbation targets: the topographic layer's weights only, or the weights of every layer.
const (
	TargetTopographic = "topographic"
	TargetAll         = "all"
)

// PerturbationConfig sets up the weight-perturbation analysis.
type PerturbationConfig struct {
	// Seed seeds the noise. Draw d of a target uses the same ε at every α, so the curves over
	// α are paired.
	Seed uint64 `json:"seed"`
	// Images is the size of the seeded random subset of test images analysed. With 0, or a
	// value of at least the set's size, every image is analysed.
	Images int `json:"images"`
	// Alphas are the noise scales α, relative to each tensor's SD.
	Alphas []float64 `json:"alphas"`
	// Draws is the number of noise draws per α and target.
	Draws int `json:"draws"`
	// Targets are TargetTopographic and/or TargetAll.
	Targets []string `json:"targets"`
	// IncludeBiases also perturbs rank-1 tensors (biases, batch-normalisation scales and
	// offsets). Without it only tensors of rank ≥ 2 (convolution kernels, dense weights) are
	// perturbed.
	IncludeBiases bool `json:"include_biases"`
}

// DefaultPerturbationConfig returns α ∈ {0, 0.1, 0.2, 0.3, 0.5, 0.75, 1} on both targets,
// with 10 draws per level on 2,000 test images in Full and 3 draws on 500 images in quick.
// α = 0 costs one forward pass, and every other α costs one per draw and target.
func DefaultPerturbationConfig(quick bool) PerturbationConfig {
	cfg := PerturbationConfig{
		Alphas:  []float64{0, 0.1, 0.2, 0.3, 0.5, 0.75, 1},
		Draws:   10,
		Images:  2000,
		Targets: []string{TargetTopographic, TargetAll},
	}
	if quick {
		cfg.Draws = 3
		cfg.Images = 500
	}
	return cfg
}

// PerturbationPoint is the accuracy at one α.
type PerturbationPoint struct {
	Alpha float64 `json:"alpha"`
	// Accuracy summarises Draws: mean, sample SD and SEM over the draws.
	Accuracy Summary `json:"accuracy"`
	// Draws is the accuracy of each draw, in [0, 1].
	Draws []float64 `json:"draws"`
}

// PerturbationCurve is the accuracy against α for one target.
type PerturbationCurve struct {
	Target string `json:"target"`
	// Tensors names the perturbed parameters.
	Tensors []string            `json:"tensors"`
	Points  []PerturbationPoint `json:"points"`
}

// PerturbationResult is the accuracy under Gaussian weight noise.
type PerturbationResult struct {
	Seed          uint64              `json:"seed"`
	Images        int                 `json:"n_images"`
	Draws         int                 `json:"draws"`
	IncludeBiases bool                `json:"include_biases"`
	CleanAccuracy float64             `json:"clean_accuracy"`
	Curves        []PerturbationCurve `json:"curves"`
}

// WeightPerturbation measures the accuracy of net when every targeted weight tensor w is
// replaced by
//
//	w' = w + α·std(w)·ε,  ε ~ N(0, 1) per value,
//
// with std the population SD of the tensor's values, for each α and target of cfg and
// cfg.Draws draws. Draw d of a target uses one PCG stream (Seed, target·2³² + d), read tensor
// by tensor in parameter order, for every α. At α = 0 every draw gives the clean network, so
// one forward pass stands for all of them. It returns an error for an invalid configuration,
// a set that does not fit the network, a network without a topographic weight tensor, or a
// failed forward pass.
func WeightPerturbation(net network.Network, test *dataset.Set, cfg PerturbationConfig) (*PerturbationResult, error) {
	if cfg.Draws < 1 {
		return nil, fmt.Errorf("analysis: invalid perturbation draw count %d: use at least 1 (10 in the protocol)", cfg.Draws)
	}
	for _, a := range cfg.Alphas {
		if !(a >= 0) || math.IsInf(a, 0) {
			return nil, fmt.Errorf("analysis: invalid perturbation scale α = %g: use a finite α ≥ 0", a)
		}
	}
	info := net.Info()
	set, err := analysedSet(info, test, cfg.Images, cfg.Seed)
	if err != nil {
		return nil, err
	}
	params := net.Parameters()
	targets := make([][]int, len(cfg.Targets))
	for t, target := range cfg.Targets {
		if targets[t], err = perturbationTensors(params, info, target, cfg.IncludeBiases); err != nil {
			return nil, err
		}
	}

	clean, err := accuracyOn(net, set.Images, set)
	if err != nil {
		return nil, err
	}
	res := &PerturbationResult{Seed: cfg.Seed, Images: set.Len(), Draws: cfg.Draws, IncludeBiases: cfg.IncludeBiases, CleanAccuracy: clean}
	for t, target := range cfg.Targets {
		selected := targets[t]
		curve := PerturbationCurve{Target: target}
		for _, i := range selected {
			curve.Tensors = append(curve.Tensors, params[i].Name)
		}
		noise := make([][][]float64, cfg.Draws)
		for d := range noise {
			noise[d] = drawNoise(params, selected, rand.New(rand.NewPCG(cfg.Seed, uint64(t)<<32|uint64(d))))
		}

		for _, alpha := range cfg.Alphas {
			point := PerturbationPoint{Alpha: alpha, Draws: make([]float64, cfg.Draws)}
			for d := range point.Draws {
				if alpha == 0 && d > 0 {
					point.Draws[d] = point.Draws[0]
					continue
				}
				perturbed := PerturbWeights(params, selected, noise[d], alpha)
				point.Draws[d], err = accuracyWith(net, perturbed, set)
				if err != nil {
					return nil, fmt.Errorf("analysis: weight perturbation of %s at α = %g: %w", target, alpha, err)
				}
			}
			point.Accuracy = Summarize(point.Draws)
			curve.Points = append(curve.Points, point)
		}
		res.Curves = append(res.Curves, curve)
	}
	return res, nil
}

// perturbationTensors returns the indices in params of the tensors a target perturbs. These are
// the tensors of layer info.Layer for TargetTopographic and every tensor for TargetAll, in both
// cases only those of rank ≥ 2 unless includeBiases.
func perturbationTensors(params []network.Parameter, info network.Info, target string, includeBiases bool) ([]int, error) {
	if target != TargetTopographic && target != TargetAll {
		return nil, fmt.Errorf("analysis: unknown perturbation target %q: use %q or %q", target, TargetTopographic, TargetAll)
	}
	var selected []int
	for i, p := range params {
		if target == TargetTopographic && p.Layer != info.Layer {
			continue
		}
		if len(p.Shape) >= 2 || includeBiases {
			selected = append(selected, i)
		}
	}
	if len(selected) == 0 {
		return nil, fmt.Errorf("analysis: perturbation target %q selects no tensor of the network (layer %q); its parameters are %s",
			target, info.Layer, describeParameters(params))
	}
	return selected, nil
}

// drawNoise draws one N(0, 1) value per element of each selected tensor, in order.
func drawNoise(params []network.Parameter, selected []int, rng *rand.Rand) [][]float64 {
	noise := make([][]float64, len(selected))
	for k, i := range selected {
		noise[k] = make([]float64, len(params[i].Values))
		for j := range noise[k] {
			noise[k][j] = rng.NormFloat64()
		}
	}
	return noise
}

// PerturbWeights returns copies of the tensors params[selected[k]] with
// w' = w + alpha·std(w)·noise[k], std being the population SD of the tensor's values. It
// panics if len(noise) != len(selected) or a noise slice's length differs from its tensor's.
func PerturbWeights(params []network.Parameter, selected []int, noise [][]float64, alpha float64) []network.Parameter {
	if len(noise) != len(selected) {
		panic(fmt.Sprintf("analysis: PerturbWeights got %d noise slices for %d tensors", len(noise), len(selected)))
	}
	out := make([]network.Parameter, len(selected))
	for k, i := range selected {
		p := params[i].Clone()
		if len(noise[k]) != len(p.Values) {
			panic(fmt.Sprintf("analysis: PerturbWeights got %d noise values for tensor %s of %d values", len(noise[k]), p.Name, len(p.Values)))
		}
		values := make([]float64, len(p.Values))
		for j, v := range p.Values {
			values[j] = float64(v)
		}
		_, sd := stat.PopMeanStdDev(values, nil)
		for j, v := range values {
			p.Values[j] = float32(v + alpha*sd*noise[k][j])
		}
		out[k] = p
	}
	return out
}

// accuracyWith returns the accuracy on set of net with the given tensors replaced.
func accuracyWith(net network.Network, params []network.Parameter, set *dataset.Set) (float64, error) {
	changed, err := net.WithParameters(params)
	if err != nil {
		return 0, err
	}
	return accuracyOn(changed, set.Images, set)
}

// describeParameters lists each parameter's name, shape and layer.
func describeParameters(params []network.Parameter) string {
	var names []string
	for _, p := range params {
		names = append(names, fmt.Sprintf("%s %v (layer %q)", p.Name, p.Shape, p.Layer))
	}
	return fmt.Sprint(names)
}

// AblationConfig sets up the unit-ablation analysis.
type AblationConfig struct {
	// Seed seeds the random unit sets and disk centres.
	Seed uint64 `json:"seed"`
	// Images is the size of the seeded random subset of test images analysed. With 0, or a
	// value of at least the set's size, every image is analysed.
	Images int `json:"images"`
	// Fractions are the fractions of the topographic layer's units ablated, in [0, 1].
	Fractions []float64 `json:"fractions"`
	// Draws is the number of random unit sets, and of disk centres, per fraction.
	Draws int `json:"draws"`
}

// DefaultAblationConfig returns fractions {0.1, 0.25, 0.5, 0.75, 1} with 10 draws on 2,000
// test images in Full, and 3 draws on 500 images in quick. A fraction that ablates no unit or
// every unit costs one forward pass, and any other costs two per draw.
func DefaultAblationConfig(quick bool) AblationConfig {
	cfg := AblationConfig{Fractions: []float64{0.1, 0.25, 0.5, 0.75, 1}, Draws: 10, Images: 2000}
	if quick {
		cfg.Draws = 3
		cfg.Images = 500
	}
	return cfg
}

// AblationPoint is the accuracy after ablating one number of units.
type AblationPoint struct {
	Fraction float64 `json:"fraction"`
	// Units is the number of ablated units, round(Fraction · units).
	Units int `json:"units"`
	// Random summarises RandomDraws, the accuracy with units drawn uniformly without
	// replacement.
	Random      Summary   `json:"random"`
	RandomDraws []float64 `json:"random_draws"`
	// Disk summarises DiskDraws, the accuracy with a contiguous disk of units ablated.
	Disk      Summary   `json:"disk"`
	DiskDraws []float64 `json:"disk_draws"`
	// DiskCentres is the centre unit of each disk.
	DiskCentres []int `json:"disk_centres"`
}

// AblationResult is the accuracy after silencing units of the topographic layer.
type AblationResult struct {
	Seed   uint64 `json:"seed"`
	Images int    `json:"n_images"`
	Draws  int    `json:"draws"`
	// Units is the number of units of the topographic layer.
	Units         int     `json:"units"`
	CleanAccuracy float64 `json:"clean_accuracy"`
	// ChanceAccuracy is 1/classes.
	ChanceAccuracy float64         `json:"chance_accuracy"`
	Points         []AblationPoint `json:"points"`
}

// UnitAblation measures the accuracy of net after ablating round(f·N) of the N topographic
// units for each fraction f of cfg: an ablated unit's incoming weight column and bias are set
// to 0, so its pre-activation is 0 on every image. Units are either drawn uniformly without
// replacement (Random), or form a disk on the grid (Disk): the units nearest, in grid
// distance, to a centre unit drawn uniformly, ties broken at random (see DiskUnits). Both
// draw from PCG streams seeded with cfg.Seed. It returns an error for an invalid
// configuration, a set that does not fit the network, a network without topographic weight
// tensors, or a failed forward pass.
func UnitAblation(net network.Network, test *dataset.Set, cfg AblationConfig) (*AblationResult, error) {
	if cfg.Draws < 1 {
		return nil, fmt.Errorf("analysis: invalid ablation draw count %d: use at least 1 (10 in the protocol)", cfg.Draws)
	}
	for _, f := range cfg.Fractions {
		if !(f >= 0 && f <= 1) {
			return nil, fmt.Errorf("analysis: invalid ablation fraction %g: use a fraction of units in [0, 1]", f)
		}
	}
	info := net.Info()
	set, err := analysedSet(info, test, cfg.Images, cfg.Seed)
	if err != nil {
		return nil, err
	}
	g := grid.Grid{Rows: info.GridRows, Cols: info.GridCols}
	params := net.Parameters()
	weights, biases, err := topographicTensors(params, info)
	if err != nil {
		return nil, err
	}

	clean, err := accuracyOn(net, set.Images, set)
	if err != nil {
		return nil, err
	}
	res := &AblationResult{
		Seed: cfg.Seed, Images: set.Len(), Draws: cfg.Draws, Units: g.Size(),
		CleanAccuracy: clean, ChanceAccuracy: 1 / float64(info.Classes),
	}
	evaluate := func(units []int) (float64, error) {
		return accuracyWith(net, AblateUnits(params, weights, biases, units), set)
	}

	for fi, f := range cfg.Fractions {
		k := int(math.Round(f * float64(g.Size())))
		point := AblationPoint{Fraction: f, Units: k}
		randomRNG := rand.New(rand.NewPCG(cfg.Seed, 1<<32|uint64(fi)))
		diskRNG := rand.New(rand.NewPCG(cfg.Seed, 2<<32|uint64(fi)))
		for d := 0; d < cfg.Draws; d++ {
			random := randomRNG.Perm(g.Size())[:k]
			centre := diskRNG.IntN(g.Size())
			disk := DiskUnits(g, centre, k, diskRNG)
			point.DiskCentres = append(point.DiskCentres, centre)

			// With no unit or every unit ablated, every draw gives the same network.
			if (k == 0 || k == g.Size()) && d > 0 {
				point.RandomDraws = append(point.RandomDraws, point.RandomDraws[0])
				point.DiskDraws = append(point.DiskDraws, point.DiskDraws[0])
				continue
			}
			accRandom, err := evaluate(random)
			if err != nil {
				return nil, fmt.Errorf("analysis: ablation of %d random units: %w", k, err)
			}
			accDisk := accRandom
			if k != 0 && k != g.Size() {
				if accDisk, err = evaluate(disk); err != nil {
					return nil, fmt.Errorf("analysis: ablation of a %d-unit disk: %w", k, err)
				}
			}
			point.RandomDraws = append(point.RandomDraws, accRandom)
			point.DiskDraws = append(point.DiskDraws, accDisk)
		}
		point.Random = Summarize(point.RandomDraws)
		point.Disk = Summarize(point.DiskDraws)
		res.Points = append(res.Points, point)
	}
	return res, nil
}

// DiskUnits returns the k units of g nearest to unit centre in grid distance: a disk clipped
// by the grid's border, grown further where the border cuts it. Units at equal distance are
// ordered by a random permutation drawn from rng, so the last ring is filled without a
// directional bias. The centre itself comes first. It panics if k is outside [0, g.Size()].
func DiskUnits(g grid.Grid, centre, k int, rng *rand.Rand) []int {
	if k < 0 || k > g.Size() {
		panic(fmt.Sprintf("analysis: DiskUnits got %d units on a %s grid", k, g))
	}
	order := rng.Perm(g.Size())
	rank := make([]int, g.Size())
	for r, u := range order {
		rank[u] = r
	}
	units := make([]int, g.Size())
	for u := range units {
		units[u] = u
	}
	slices.SortFunc(units, func(a, b int) int {
		return cmp.Or(cmp.Compare(g.Distance(centre, a), g.Distance(centre, b)), cmp.Compare(rank[a], rank[b]))
	})
	return units[:k]
}

// topographicTensors returns the indices in params of the topographic layer's weights
// ([inputs, units]) and biases ([units], or −1 if the layer has none).
func topographicTensors(params []network.Parameter, info network.Info) (weights, biases int, err error) {
	weights, biases = -1, -1
	units := info.Units()
	for i, p := range params {
		if p.Layer != info.Layer {
			continue
		}
		switch {
		case len(p.Shape) == 2 && p.Shape[1] == units && weights < 0:
			weights = i
		case len(p.Shape) == 1 && p.Shape[0] == units && biases < 0:
			biases = i
		}
	}
	if weights < 0 {
		return -1, -1, fmt.Errorf("analysis: no weight tensor of layer %q shaped [inputs, %d]; the network's parameters are %s",
			info.Layer, units, describeParameters(params))
	}
	return weights, biases, nil
}

// AblateUnits returns copies of the topographic weight tensor params[weights] ([inputs, units],
// row-major) and, if biases ≥ 0, bias tensor params[biases], with the weight column and bias of
// every listed unit set to 0. It panics if a unit is out of range.
func AblateUnits(params []network.Parameter, weights, biases int, units []int) []network.Parameter {
	w := params[weights].Clone()
	n := w.Shape[1]
	for _, u := range units {
		if u < 0 || u >= n {
			panic(fmt.Sprintf("analysis: AblateUnits got unit %d of %d", u, n))
		}
		for i := u; i < len(w.Values); i += n {
			w.Values[i] = 0
		}
	}
	out := []network.Parameter{w}
	if biases >= 0 {
		b := params[biases].Clone()
		for _, u := range units {
			b.Values[u] = 0
		}
		out = append(out, b)
	}
	return out
}
