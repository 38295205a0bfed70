package analysis

import (
	"encoding/json"
	"math"
	"math/rand/v2"
	"reflect"
	"testing"

	"gonum.org/v1/gonum/mat"

	"github.com/topocnn/topocnn/pkg/grid"
)

func TestExpertsDPrimeByHand(t *testing.T) {
	// One unit, classes 0 and 1. Class 1 drives it: values 4, 6 (mean 5, variance 2) against
	// 0, 1, 2 (mean 1, variance 1), so d′ = 4 / √1.5.
	g := grid.Grid{Rows: 1, Cols: 1}
	x := mat.NewDense(5, 1, []float64{0, 4, 1, 6, 2})
	labels := []int32{0, 1, 0, 1, 0}
	res, err := Experts(x, labels, 2, g, ExpertConfig{Threshold: 1, Permutations: 10})
	if err != nil {
		t.Fatal(err)
	}
	if res.PreferredClass[0] != 1 {
		t.Errorf("preferred class = %d, want 1", res.PreferredClass[0])
	}
	if want := 4 / math.Sqrt(1.5); math.Abs(float64(res.DPrime[0])-want) > 1e-12 {
		t.Errorf("d′ = %v, want %v", res.DPrime[0], want)
	}
	if res.Experts != 1 || res.Classes[1].Count != 1 || res.Classes[0].Count != 0 {
		t.Errorf("experts = %d, class counts %d and %d; want 1, 0 and 1", res.Experts, res.Classes[0].Count, res.Classes[1].Count)
	}
	// One expert has no nearest neighbour.
	if !math.IsNaN(float64(res.Classes[1].NearestNeighbour)) {
		t.Errorf("nearest neighbour of a single expert = %v, want NaN", res.Classes[1].NearestNeighbour)
	}
}

// clusteredExperts builds activations on an 8 × 8 grid in which class 0 drives a 2 × 3 block
// of units and class 1 drives six units spread over the grid; the other units are noise.
func clusteredExperts(seed uint64) (*mat.Dense, []int32, []int, []int) {
	g := grid.Grid{Rows: 8, Cols: 8}
	block := []int{g.Index(1, 1), g.Index(1, 2), g.Index(1, 3), g.Index(2, 1), g.Index(2, 2), g.Index(2, 3)}
	spread := []int{g.Index(0, 7), g.Index(7, 0), g.Index(7, 7), g.Index(4, 5), g.Index(0, 5), g.Index(5, 2)}
	rng := rand.New(rand.NewPCG(seed, 1))
	const images = 600
	x := mat.NewDense(images, g.Size(), nil)
	labels := make([]int32, images)
	for i := range labels {
		labels[i] = int32(i % 3)
		for u := 0; u < g.Size(); u++ {
			x.Set(i, u, rng.NormFloat64())
		}
		for _, u := range block {
			if labels[i] == 0 {
				x.Set(i, u, x.At(i, u)+3)
			}
		}
		for _, u := range spread {
			if labels[i] == 1 {
				x.Set(i, u, x.At(i, u)+3)
			}
		}
	}
	return x, labels, block, spread
}

func TestExpertsFindsClusteredAndSpreadClasses(t *testing.T) {
	g := grid.Grid{Rows: 8, Cols: 8}
	x, labels, block, spread := clusteredExperts(7)
	cfg := ExpertConfig{Threshold: 1, Permutations: 500, Seed: 3}
	res, err := Experts(x, labels, 3, g, cfg)
	if err != nil {
		t.Fatal(err)
	}

	if !reflect.DeepEqual(res.Classes[0].Units, block) {
		t.Errorf("class 0 experts = %v, want the block %v", res.Classes[0].Units, block)
	}
	spreadSorted := append([]int(nil), spread...)
	sortInts(spreadSorted)
	if !reflect.DeepEqual(res.Classes[1].Units, spreadSorted) {
		t.Errorf("class 1 experts = %v, want %v", res.Classes[1].Units, spreadSorted)
	}
	if res.Experts != 12 || res.Fraction != 12.0/64 {
		t.Errorf("experts = %d (fraction %v), want 12", res.Experts, res.Fraction)
	}

	block0 := res.Classes[0]
	if block0.NearestNeighbour != 1 || block0.P > 0.01 || block0.NullMean <= block0.NearestNeighbour {
		t.Errorf("block class: %+v, want nearest-neighbour distance 1, well below the null, p ≤ 0.01", block0)
	}
	if p := res.Classes[1].P; p < 0.2 {
		t.Errorf("spread class: p = %v, want no evidence of clustering", p)
	}

	// JSON compares NaN fields as equal (null), which reflect.DeepEqual does not.
	again, _ := Experts(x, labels, 3, g, cfg)
	first, _ := json.Marshal(res)
	second, _ := json.Marshal(again)
	if string(first) != string(second) {
		t.Error("the same seed gave different results")
	}
}

func sortInts(a []int) {
	for i := 1; i < len(a); i++ {
		for j := i; j > 0 && a[j] < a[j-1]; j-- {
			a[j], a[j-1] = a[j-1], a[j]
		}
	}
}

func TestExpertsRejectsBadLabels(t *testing.T) {
	g := grid.Grid{Rows: 1, Cols: 2}
	x := mat.NewDense(3, 2, nil)
	cfg := DefaultExpertConfig(true)
	if _, err := Experts(x, []int32{0, 1}, 2, g, cfg); err == nil {
		t.Error("2 labels for 3 images: no error")
	}
	if _, err := Experts(x, []int32{0, 1, 5}, 2, g, cfg); err == nil {
		t.Error("label 5 with 2 classes: no error")
	}
	if _, err := Experts(mat.NewDense(3, 3, nil), []int32{0, 1, 1}, 2, g, cfg); err == nil {
		t.Error("3 units on a 1x2 grid: no error")
	}
}

func TestMeanNearestNeighbour(t *testing.T) {
	g := grid.Grid{Rows: 5, Cols: 5}
	if got := meanNearestNeighbour([]int{0, 1, 5, 6}, g); got != 1 {
		t.Errorf("2 × 2 block: %v, want 1", got)
	}
	// Corners (0,0) and (0,4) are 4 apart, (4,4) is 4 from (0,4).
	if got := meanNearestNeighbour([]int{0, 4, 24}, g); got != 4 {
		t.Errorf("three corners: %v, want 4", got)
	}
}
