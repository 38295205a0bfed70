package analysis

import (
	"fmt"
	"math"
	"math/rand/v2"

	"gonum.org/v1/gonum/mat"
	"gonum.org/v1/gonum/stat"

	"github.com/topocnn/topocnn/pkg/grid"
)

// ExpertConfig sets the expert-unit analysis.
type ExpertConfig struct {
	// Threshold is the minimum d′ for a unit to be an expert for its most-driving class.
	Threshold float64
	// Permutations is the number of random placements in the clustering null distribution.
	Permutations int
	// Seed seeds the random placements (PCG).
	Seed uint64
}

// DefaultExpertConfig returns d′ ≥ 1 and 1000 permutations (200 in the quick suite).
func DefaultExpertConfig(quick bool) ExpertConfig {
	cfg := ExpertConfig{Threshold: 1, Permutations: 1000}
	if quick {
		cfg.Permutations = 200
	}
	return cfg
}

// ExpertResult lists the expert units of each class and whether they cluster on the grid.
type ExpertResult struct {
	Threshold    float64 `json:"threshold"`
	Permutations int     `json:"permutations"`
	Seed         uint64  `json:"seed"`
	// PreferredClass is each unit's most-driving class (highest mean activation), −1 when no
	// class has 2 images. DPrime is the unit's d′ for that class, null in JSON when it is
	// undefined (0/0) or infinite (both classes have zero variance).
	PreferredClass []int   `json:"preferred_class"`
	DPrime         []Float `json:"d_prime"`
	// Experts is the number of units with d′ ≥ Threshold, Fraction that number over all units.
	Experts  int     `json:"experts"`
	Fraction float64 `json:"fraction"`
	// Classes has one entry per class.
	Classes []ClassExperts `json:"classes"`
}

// ClassExperts is the set of expert units of one class and its spatial clustering.
type ClassExperts struct {
	Class int   `json:"class"`
	Count int   `json:"count"`
	Units []int `json:"units"`
	// NearestNeighbour is the mean over the class's experts of the grid distance (cells) to the
	// nearest other expert of the class, or NaN with fewer than 2 experts.
	NearestNeighbour Float `json:"nearest_neighbour"`
	// NullMean is the mean of the same statistic over random placements of Count units on the
	// grid, and P the one-sided permutation p-value (1 + #{null ≤ observed}) / (1 +
	// Permutations). A small P means that the experts cluster.
	NullMean Float `json:"null_mean"`
	P        Float `json:"p"`
}

// Experts finds the expert units of each class from activations x (images × units, the units
// laid row-major on g) and labels. A unit's most-driving class c is the class with the highest
// mean activation, and the unit is an expert for c when
//
//	d′ = (μ_c − μ_rest) / √((σ_c² + σ_rest²) / 2) ≥ cfg.Threshold,
//
// with the mean μ and sample variance σ² over the images of class c and over all other images.
// For each class with at least two experts it compares the mean nearest-neighbour grid distance
// among the experts with that of the same number of units placed at random on the grid, drawn
// cfg.Permutations times from a PCG generator seeded with cfg.Seed. Classes with fewer than 2
// images are never most-driving. It returns an error if labels do not match x or lie outside
// [0, classes).
func Experts(x mat.Matrix, labels []int32, classes int, g grid.Grid, cfg ExpertConfig) (*ExpertResult, error) {
	rows, units := x.Dims()
	if units != g.Size() {
		return nil, fmt.Errorf("analysis: Experts got %d units for a %s grid of %d", units, g, g.Size())
	}
	if len(labels) != rows {
		return nil, fmt.Errorf("analysis: Experts got %d labels for %d images; pass one label per image", len(labels), rows)
	}
	if cfg.Permutations < 1 {
		return nil, fmt.Errorf("analysis: Experts got %d permutations; use at least 1", cfg.Permutations)
	}
	members := make([][]int, classes)
	for i, l := range labels {
		if l < 0 || int(l) >= classes {
			return nil, fmt.Errorf("analysis: label %d of image %d is outside [0, %d)", l, i, classes)
		}
		members[l] = append(members[l], i)
	}

	res := &ExpertResult{
		Threshold: cfg.Threshold, Permutations: cfg.Permutations, Seed: cfg.Seed,
		PreferredClass: make([]int, units), DPrime: make([]Float, units),
	}
	expertsOf := make([][]int, classes)
	col := make([]float64, rows)
	for u := 0; u < units; u++ {
		mat.Col(col, u, x)
		class, d := preferredClass(col, labels, members)
		res.PreferredClass[u], res.DPrime[u] = class, Float(d)
		if class >= 0 && d >= cfg.Threshold {
			expertsOf[class] = append(expertsOf[class], u)
			res.Experts++
		}
	}
	res.Fraction = float64(res.Experts) / float64(units)

	rng := rand.New(rand.NewPCG(cfg.Seed, 0x657870657274)) // "expert"
	for c := 0; c < classes; c++ {
		ce := ClassExperts{Class: c, Count: len(expertsOf[c]), Units: expertsOf[c]}
		if ce.Units == nil {
			ce.Units = []int{}
		}
		ce.NearestNeighbour, ce.NullMean, ce.P = Float(math.NaN()), Float(math.NaN()), Float(math.NaN())
		if ce.Count >= 2 {
			observed := meanNearestNeighbour(expertsOf[c], g)
			var sum float64
			atMost := 0
			for range cfg.Permutations {
				null := meanNearestNeighbour(rng.Perm(units)[:ce.Count], g)
				sum += null
				if null <= observed {
					atMost++
				}
			}
			ce.NearestNeighbour = Float(observed)
			ce.NullMean = Float(sum / float64(cfg.Permutations))
			ce.P = Float(float64(1+atMost) / float64(1+cfg.Permutations))
		}
		res.Classes = append(res.Classes, ce)
	}
	return res, nil
}

// preferredClass returns the class with the highest mean of a unit's activations and the
// unit's d′ for it: ±Inf when both variances are 0 and the means differ, NaN when they are
// equal, and (−1, NaN) when no class has 2 images.
func preferredClass(activations []float64, labels []int32, members [][]int) (int, float64) {
	best, bestMean := -1, math.Inf(-1)
	for c, idx := range members {
		if len(idx) < 2 {
			continue
		}
		var sum float64
		for _, i := range idx {
			sum += activations[i]
		}
		if m := sum / float64(len(idx)); m > bestMean {
			best, bestMean = c, m
		}
	}
	if best < 0 {
		return -1, math.NaN()
	}

	in := make([]float64, 0, len(members[best]))
	rest := make([]float64, 0, len(activations)-len(members[best]))
	for i, a := range activations {
		if int(labels[i]) == best {
			in = append(in, a)
		} else {
			rest = append(rest, a)
		}
	}
	if len(rest) < 2 {
		return -1, math.NaN()
	}
	mc, vc := stat.MeanVariance(in, nil)
	mr, vr := stat.MeanVariance(rest, nil)
	pooled := math.Sqrt((vc + vr) / 2)
	if pooled == 0 {
		if mc == mr {
			return best, math.NaN()
		}
		return best, math.Copysign(math.Inf(1), mc-mr)
	}
	return best, (mc - mr) / pooled
}

// meanNearestNeighbour returns the mean over units of the grid distance to the nearest other
// unit of the set. It needs at least 2 units.
func meanNearestNeighbour(units []int, g grid.Grid) float64 {
	var sum float64
	for i, p := range units {
		nearest := math.Inf(1)
		for j, q := range units {
			if i != j {
				nearest = math.Min(nearest, g.Distance(p, q))
			}
		}
		sum += nearest
	}
	return sum / float64(len(units))
}
