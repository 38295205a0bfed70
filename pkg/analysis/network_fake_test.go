package analysis

import (
	"fmt"
	"math"
	"math/rand/v2"

	"gonum.org/v1/gonum/mat"

	"github.com/topocnn/topocnn/pkg/dataset"
	"github.com/topocnn/topocnn/pkg/network"
)

// gaussianRFNet is an MNIST-sized test network whose topographic layer is linear: unit u on an
// 11 × 11 grid has a zero-mean Gaussian receptive field centred at a pixel that moves with the
// unit's grid position, so neighbouring units see overlapping pixels and their maps are smooth.
// Logits are a seeded random linear read-out of the rectified units.
type gaussianRFNet struct {
	info   network.Info
	params []network.Parameter
}

const (
	fakeSide  = 28
	fakeGrid  = 11
	fakeClass = 10
)

func newGaussianRFNet(seed uint64) *gaussianRFNet {
	info := network.Info{
		Dataset: "mnist", Height: fakeSide, Width: fakeSide, Channels: 1, Classes: fakeClass,
		Layer: "fc1", GridRows: fakeGrid, GridCols: fakeGrid,
	}
	units, pixels := info.Units(), info.ImageSize()

	w1 := make([]float32, pixels*units) // [inputs, units]
	for u := 0; u < units; u++ {
		r, c := u/fakeGrid, u%fakeGrid
		cy, cx := 3+2.2*float64(r), 3+2.2*float64(c)
		rf := make([]float64, pixels)
		var mean float64
		for y := 0; y < fakeSide; y++ {
			for x := 0; x < fakeSide; x++ {
				v := math.Exp(-((float64(y)-cy)*(float64(y)-cy) + (float64(x)-cx)*(float64(x)-cx)) / (2 * 9))
				rf[y*fakeSide+x] = v
				mean += v
			}
		}
		mean /= float64(pixels)
		for p, v := range rf {
			w1[p*units+u] = float32(v - mean)
		}
	}

	rng := rand.New(rand.NewPCG(seed, 1))
	w2 := make([]float32, units*fakeClass)
	for i := range w2 {
		w2[i] = float32(rng.NormFloat64() / math.Sqrt(float64(units)))
	}
	return &gaussianRFNet{info: info, params: []network.Parameter{
		{Name: "/fc1/dense/weights", Shape: []int{pixels, units}, Layer: "fc1", Values: w1},
		{Name: "/fc1/dense/biases", Shape: []int{units}, Layer: "fc1", Values: make([]float32, units)},
		{Name: "/fc2/dense/weights", Shape: []int{units, fakeClass}, Layer: "fc2", Values: w2},
		{Name: "/fc2/dense/biases", Shape: []int{fakeClass}, Layer: "fc2", Values: make([]float32, fakeClass)},
	}}
}

func (n *gaussianRFNet) Info() network.Info { return n.info }

func (n *gaussianRFNet) Forward(images []float32, count int) (*network.Output, error) {
	size := n.info.ImageSize()
	if len(images) != count*size {
		return nil, fmt.Errorf("gaussianRFNet: %d values for %d images of %d", len(images), count, size)
	}
	units := n.info.Units()
	x := Matrix(images, count, size)
	w1 := Matrix(n.params[0].Values, size, units)
	w2 := Matrix(n.params[2].Values, units, fakeClass)

	var pre mat.Dense
	pre.Mul(x, w1)
	for i := 0; i < count; i++ {
		for u := 0; u < units; u++ {
			pre.Set(i, u, pre.At(i, u)+float64(n.params[1].Values[u]))
		}
	}
	var logits mat.Dense
	logits.Mul(ReLU(&pre), w2)
	for i := 0; i < count; i++ {
		for c := 0; c < fakeClass; c++ {
			logits.Set(i, c, logits.At(i, c)+float64(n.params[3].Values[c]))
		}
	}
	return &network.Output{
		N: count, Classes: fakeClass, Units: units,
		Logits: toFloat32(logits.RawMatrix().Data), Pre: toFloat32(pre.RawMatrix().Data),
	}, nil
}

func toFloat32(x []float64) []float32 {
	out := make([]float32, len(x))
	for i, v := range x {
		out[i] = float32(v)
	}
	return out
}

func (n *gaussianRFNet) Parameters() []network.Parameter {
	out := make([]network.Parameter, len(n.params))
	for i, p := range n.params {
		out[i] = p.Clone()
	}
	return out
}

func (n *gaussianRFNet) WithParameters(params []network.Parameter) (network.Network, error) {
	next := &gaussianRFNet{info: n.info, params: n.Parameters()}
	for _, p := range params {
		found := false
		for i, q := range next.params {
			if q.Name == p.Name {
				if len(p.Values) != len(q.Values) {
					return nil, fmt.Errorf("gaussianRFNet: %s has %d values, want %d", p.Name, len(p.Values), len(q.Values))
				}
				next.params[i] = p.Clone()
				found = true
			}
		}
		if !found {
			return nil, fmt.Errorf("gaussianRFNet: no parameter %q", p.Name)
		}
	}
	return next, nil
}

// blobTestSet returns n MNIST-sized images in which class k is a bright Gaussian blob at one
// of ten fixed positions, jittered, on a noisy background.
func blobTestSet(n int, seed uint64) *dataset.Set {
	rng := rand.New(rand.NewPCG(seed, 2))
	set := &dataset.Set{
		Name: "mnist", Height: fakeSide, Width: fakeSide, Channels: 1, Classes: fakeClass,
		ClassNames: []string{"0", "1", "2", "3", "4", "5", "6", "7", "8", "9"},
		Images:     make([]float32, n*fakeSide*fakeSide), Labels: make([]int32, n),
	}
	for i := 0; i < n; i++ {
		k := i % fakeClass
		set.Labels[i] = int32(k)
		cy := 5 + 4*float64(k/4) + rng.NormFloat64()
		cx := 5 + 6*float64(k%4) + rng.NormFloat64()
		img := set.Image(i)
		for y := 0; y < fakeSide; y++ {
			for x := 0; x < fakeSide; x++ {
				v := math.Exp(-((float64(y)-cy)*(float64(y)-cy)+(float64(x)-cx)*(float64(x)-cx))/8) + 0.1*rng.Float64()
				img[y*fakeSide+x] = float32(math.Min(v, 1))
			}
		}
	}
	return set
}
