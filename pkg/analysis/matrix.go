package analysis

import (
	"encoding/json"
	"fmt"
	"math"
	"strconv"

	"gonum.org/v1/gonum/mat"

	"github.com/topocnn/topocnn/pkg/network"
)

// Matrix returns a rows × cols gonum matrix holding values (row-major) as float64, for example
// the n × units pre-activations of a network.Output. It panics if len(values) != rows · cols.
func Matrix(values []float32, rows, cols int) *mat.Dense {
	if len(values) != rows*cols {
		panic(fmt.Sprintf("analysis: Matrix got %d values for %d × %d", len(values), rows, cols))
	}
	data := make([]float64, len(values))
	for i, v := range values {
		data[i] = float64(v)
	}
	return mat.NewDense(rows, cols, data)
}

// ReLU returns a new matrix with max(x, 0) applied to every element of x.
func ReLU(x mat.Matrix) *mat.Dense {
	var out mat.Dense
	out.Apply(func(_, _ int, v float64) float64 { return math.Max(v, 0) }, x)
	return &out
}

// TopographicWeights finds the topographic layer's dense weights and biases among params: the
// rank-2 tensor of layer info.Layer shaped [inputs, units] and the rank-1 tensor shaped
// [units]. It returns the weights transposed to units × inputs, so row u is unit u's incoming
// weight vector, and the biases (nil if the layer has none).
func TopographicWeights(params []network.Parameter, info network.Info) (weights *mat.Dense, biases []float64, err error) {
	units := info.Units()
	for _, p := range params {
		if p.Layer != info.Layer {
			continue
		}
		switch {
		case len(p.Shape) == 2 && p.Shape[1] == units && weights == nil:
			in := p.Shape[0]
			weights = mat.NewDense(units, in, nil)
			for i := 0; i < in; i++ {
				for u := 0; u < units; u++ {
					weights.Set(u, i, float64(p.Values[i*units+u]))
				}
			}
		case len(p.Shape) == 1 && p.Shape[0] == units && biases == nil:
			biases = make([]float64, units)
			for u, v := range p.Values {
				biases[u] = float64(v)
			}
		}
	}
	if weights == nil {
		var names []string
		for _, p := range params {
			names = append(names, fmt.Sprintf("%s %v (layer %q)", p.Name, p.Shape, p.Layer))
		}
		return nil, nil, fmt.Errorf("analysis: no weight tensor of layer %q shaped [inputs, %d]; the network's parameters are %v",
			info.Layer, units, names)
	}
	return weights, biases, nil
}

// Float is a float64 that encodes NaN and ±Inf as JSON null, for values that are undefined in
// some cases (a mean over no items, a correlation of a constant unit). A JSON null decodes to
// NaN.
type Float float64

// MarshalJSON writes the number, or null when it is NaN or infinite.
func (f Float) MarshalJSON() ([]byte, error) {
	v := float64(f)
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return []byte("null"), nil
	}
	return strconv.AppendFloat(nil, v, 'g', -1, 64), nil
}

// UnmarshalJSON reads a number, or NaN from null.
func (f *Float) UnmarshalJSON(data []byte) error {
	if string(data) == "null" {
		*f = Float(math.NaN())
		return nil
	}
	var v float64
	if err := json.Unmarshal(data, &v); err != nil {
		return err
	}
	*f = Float(v)
	return nil
}

// Floats converts a slice to []Float.
func Floats(x []float64) []Float {
	out := make([]Float, len(x))
	for i, v := range x {
		out[i] = Float(v)
	}
	return out
}
