package analysis

import (
	"fmt"
	"math"
	"math/cmplx"
	"math/rand/v2"
	"slices"

	"gonum.org/v1/gonum/stat"

	"github.com/topocnn/topocnn/pkg/grid"
	"github.com/topocnn/topocnn/pkg/network"
	"github.com/topocnn/topocnn/pkg/stimuli"
)

// OrientationConfig sets up the orientation-tuning probe.
type OrientationConfig struct {
	// Seed seeds the shuffles of the map-smoothness test.
	Seed     uint64                `json:"seed"`
	Gratings stimuli.GratingConfig `json:"gratings"`
	// Neighbourhood selects the neighbour pairs of the map-smoothness measure (open edges).
	Neighbourhood grid.Neighbourhood `json:"-"`
	// Shuffles is the number of random permutations of the map for the smoothness p-value.
	Shuffles int `json:"shuffles"`
}

// DefaultOrientationConfig returns the default gratings (8 orientations, 2, 3, 4 and 6 cycles
// per image, 4 phases: 128 images), queen neighbours, and 1,000 shuffles in Full or 200 in
// quick.
func DefaultOrientationConfig(quick bool) OrientationConfig {
	cfg := OrientationConfig{Gratings: stimuli.DefaultGratingConfig(), Neighbourhood: grid.Queen, Shuffles: 1000}
	if quick {
		cfg.Shuffles = 200
	}
	return cfg
}

// OrientationSmoothness compares the orientation map's neighbour differences with shuffled
// maps.
type OrientationSmoothness struct {
	Neighbourhood string `json:"neighbourhood"`
	// Pairs is the number of unordered neighbour pairs of responsive units.
	Pairs int `json:"pairs"`
	// MeanDifference is the mean angular difference in degrees between the preferred
	// orientations of neighbouring responsive units, in [0, 90].
	MeanDifference Float `json:"mean_difference_deg"`
	// ShuffledMean and ShuffledSD describe MeanDifference over maps with the preferred
	// orientations permuted among the responsive units (about 45° for unrelated neighbours).
	ShuffledMean Float `json:"shuffled_mean_deg"`
	ShuffledSD   Float `json:"shuffled_sd_deg"`
	// P is the one-sided permutation p-value (1 + #{shuffled ≤ observed})/(1 + Shuffles) of a
	// map smoother than chance.
	P        Float `json:"p"`
	Shuffles int   `json:"shuffles"`
}

// OrientationResult is the orientation tuning of every topographic unit.
type OrientationResult struct {
	Seed     uint64                `json:"seed"`
	Gratings stimuli.GratingConfig `json:"gratings"`
	GridRows int                   `json:"grid_rows"`
	GridCols int                   `json:"grid_cols"`
	// Orientations are the grating orientations in degrees.
	Orientations []float64 `json:"orientations_deg"`
	// BestCycles is each unit's best spatial frequency in cycles per image.
	BestCycles []float64 `json:"best_cycles"`
	// Tuning is each unit's rectified tuning curve r(θ) at its best frequency, one value per
	// orientation.
	Tuning [][]float64 `json:"tuning"`
	// Preferred is each unit's preferred orientation in degrees, in [0, 180): the orientation
	// map, row-major on the grid. It is null for units whose rectified curve is 0 everywhere.
	Preferred []Float `json:"preferred_deg"`
	// OSI is each unit's orientation selectivity index in [0, 1], null where Preferred is.
	OSI []Float `json:"osi"`
	// Responsive is the number of units with a non-zero rectified tuning curve.
	Responsive int                   `json:"responsive"`
	MeanOSI    Float                 `json:"mean_osi"`
	Smoothness OrientationSmoothness `json:"smoothness"`
}

// Orientation probes net with sinusoidal gratings (stimuli.Gratings at the network's input
// size) in one forward pass and computes, from the topographic layer's pre-ReLU responses:
//
//   - the tuning curve of each unit: the mean response over phases at each orientation, at
//     the unit's best frequency (the frequency whose phase-averaged curve has the highest
//     peak), rectified as r(θ) = max(curve(θ), 0);
//   - the preferred orientation from the doubled-angle vector mean, θ_pref = ½·arg Σ r(θ)·e^{2iθ};
//   - the orientation selectivity index OSI = |Σ r(θ)·e^{2iθ}| / Σ r(θ);
//   - the smoothness of the orientation map (see OrientationSmoothness).
//
// It returns an error for an invalid configuration or a failed forward pass.
func Orientation(net network.Network, cfg OrientationConfig) (*OrientationResult, error) {
	if cfg.Shuffles < 1 {
		return nil, fmt.Errorf("analysis: invalid orientation shuffle count %d: use at least 1 (1000 by default)", cfg.Shuffles)
	}
	info := net.Info()
	g, err := grid.New(info.GridRows, info.GridCols)
	if err != nil {
		return nil, fmt.Errorf("analysis: the network's topographic layer: %w", err)
	}
	set, err := stimuli.Gratings(info.Height, info.Width, info.Channels, cfg.Gratings)
	if err != nil {
		return nil, err
	}
	pre, err := probeResponses(net, set.Images, set.Len())
	if err != nil {
		return nil, fmt.Errorf("analysis: orientation probe: %w", err)
	}

	gc := cfg.Gratings
	res := &OrientationResult{
		Seed: cfg.Seed, Gratings: gc, GridRows: g.Rows, GridCols: g.Cols,
		Orientations: gc.OrientationsDeg(),
		BestCycles:   make([]float64, g.Size()),
		Tuning:       make([][]float64, g.Size()),
		Preferred:    make([]Float, g.Size()),
		OSI:          make([]Float, g.Size()),
	}
	preferred := make([]float64, g.Size())
	var osis []float64
	for u := 0; u < g.Size(); u++ {
		curves := phaseMeans(pre, u, g.Size(), gc)
		best := 0
		for f := range curves {
			if slices.Max(curves[f]) > slices.Max(curves[best]) {
				best = f
			}
		}
		res.BestCycles[u] = gc.Cycles[best]
		res.Tuning[u] = make([]float64, gc.Orientations)
		for o, v := range curves[best] {
			res.Tuning[u][o] = math.Max(v, 0)
		}
		preferred[u], res.OSI[u] = PreferredOrientation(res.Tuning[u], res.Orientations)
		res.Preferred[u] = Float(preferred[u])
		if !math.IsNaN(preferred[u]) {
			res.Responsive++
			osis = append(osis, float64(res.OSI[u]))
		}
	}
	res.MeanOSI = Summarize(osis).Mean

	rng := rand.New(rand.NewPCG(cfg.Seed, 0))
	res.Smoothness = OrientationMapSmoothness(preferred, g, cfg.Neighbourhood, cfg.Shuffles, rng)
	return res, nil
}

// probeResponses runs net on n images and returns the topographic layer's pre-ReLU responses
// (n × units, row-major).
func probeResponses(net network.Network, images []float32, n int) ([]float32, error) {
	out, err := net.Forward(images, n)
	if err != nil {
		return nil, err
	}
	if units := net.Info().Units(); len(out.Pre) != n*units {
		return nil, fmt.Errorf("the network returned %d topographic activations for %d images × %d units", len(out.Pre), n, units)
	}
	return out.Pre, nil
}

// phaseMeans returns unit u's mean response over phases, indexed [frequency][orientation].
func phaseMeans(pre []float32, u, units int, gc stimuli.GratingConfig) [][]float64 {
	curves := make([][]float64, len(gc.Cycles))
	for f := range curves {
		curves[f] = make([]float64, gc.Orientations)
		for o := range curves[f] {
			var sum float64
			for p := 0; p < gc.Phases; p++ {
				sum += float64(pre[gc.Index(o, f, p)*units+u])
			}
			curves[f][o] = sum / float64(gc.Phases)
		}
	}
	return curves
}

// PreferredOrientation returns the preferred orientation in degrees, in [0, 180), and the
// orientation selectivity index of a non-negative tuning curve r sampled at orientationsDeg:
//
//	V = Σ r(θ)·e^{2iθ},  θ_pref = ½·arg V,  OSI = |V| / Σ r(θ).
//
// Doubling the angle makes θ and θ + 180° the same orientation. OSI is clamped to 1, which
// rounding can exceed by an ulp for a curve with one non-zero value. Both results are NaN when
// Σ r(θ) = 0. It panics if the lengths differ or a value of r is negative.
func PreferredOrientation(r, orientationsDeg []float64) (preferredDeg float64, osi Float) {
	if len(r) != len(orientationsDeg) {
		panic(fmt.Sprintf("analysis: PreferredOrientation got %d responses for %d orientations", len(r), len(orientationsDeg)))
	}
	var sum float64
	var v complex128
	for k, x := range r {
		if x < 0 {
			panic(fmt.Sprintf("analysis: PreferredOrientation got negative response %g", x))
		}
		sum += x
		v += complex(x, 0) * cmplx.Rect(1, 2*orientationsDeg[k]*math.Pi/180)
	}
	if sum == 0 {
		return math.NaN(), Float(math.NaN())
	}
	deg := cmplx.Phase(v) * 90 / math.Pi
	if deg < 0 {
		deg += 180
	}
	if deg >= 180 {
		deg -= 180
	}
	return deg, Float(math.Min(cmplx.Abs(v)/sum, 1))
}

// OrientationDifference returns the angle in degrees between orientations a and b,
// min(|a − b| mod 180, 180 − |a − b| mod 180), in [0, 90].
func OrientationDifference(a, b float64) float64 {
	d := math.Mod(math.Abs(a-b), 180)
	return math.Min(d, 180-d)
}

// OrientationMapSmoothness returns the mean OrientationDifference over the unordered neighbour
// pairs (open edges) of units whose preferred orientation is not NaN, and compares it with
// shuffles maps that permute the non-NaN orientations among the same units, drawn from rng.
// The values are undefined (NaN) with no valid pair. It panics if len(preferredDeg) is not
// g.Size().
func OrientationMapSmoothness(preferredDeg []float64, g grid.Grid, n grid.Neighbourhood, shuffles int, rng *rand.Rand) OrientationSmoothness {
	if len(preferredDeg) != g.Size() {
		panic(fmt.Sprintf("analysis: OrientationMapSmoothness got %d orientations for a %s grid", len(preferredDeg), g))
	}
	res := OrientationSmoothness{
		Neighbourhood: n.String(), Shuffles: shuffles,
		MeanDifference: Float(math.NaN()), ShuffledMean: Float(math.NaN()), ShuffledSD: Float(math.NaN()), P: Float(math.NaN()),
	}
	var pairs [][2]int
	for _, pq := range g.Pairs(n, grid.Open) {
		if pq[0] < pq[1] && !math.IsNaN(preferredDeg[pq[0]]) && !math.IsNaN(preferredDeg[pq[1]]) {
			pairs = append(pairs, pq)
		}
	}
	res.Pairs = len(pairs)
	if len(pairs) == 0 {
		return res
	}
	meanDifference := func(theta []float64) float64 {
		var sum float64
		for _, pq := range pairs {
			sum += OrientationDifference(theta[pq[0]], theta[pq[1]])
		}
		return sum / float64(len(pairs))
	}
	observed := meanDifference(preferredDeg)
	res.MeanDifference = Float(observed)

	var valid []int
	for u, v := range preferredDeg {
		if !math.IsNaN(v) {
			valid = append(valid, u)
		}
	}
	shuffled := append([]float64(nil), preferredDeg...)
	samples := make([]float64, shuffles)
	atMost := 0
	for s := range samples {
		perm := rng.Perm(len(valid))
		for k, u := range valid {
			shuffled[u] = preferredDeg[valid[perm[k]]]
		}
		samples[s] = meanDifference(shuffled)
		if samples[s] <= observed {
			atMost++
		}
	}
	mean, sd := stat.MeanStdDev(samples, nil)
	res.ShuffledMean, res.ShuffledSD = Float(mean), Float(sd)
	res.P = Float(float64(1+atMost) / float64(1+shuffles))
	return res
}
