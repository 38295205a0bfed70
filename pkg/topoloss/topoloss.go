// Package topoloss builds topographic losses as GoMLX graph operations. A topographic loss
// makes units laid out on a 2-D grid similar to their neighbours, either in their incoming
// weights (WS, weight similarity) or in their activations over a mini-batch (AS, activation
// similarity).
//
// The losses follow Truong & Hasson, "Improved robustness and functional localization in
// topographic CNNs through weight similarity" (arXiv 2508.00043, 2025):
//
//   - WS: the mean over neighbour pairs (p, q) of d(w_p, w_q), where w_p is unit p's vector of
//     incoming weights (biases excluded).
//   - Local AS: the same mean of d(a_p, a_q), where a_p is unit p's vector of activations over
//     the samples of a mini-batch.
//   - Global AS: over all unit pairs i < j, mean((cos(a_i, a_j) − 1/(d_ij + 1))²), with d_ij the
//     distance between the units' grid positions on a grid rescaled to the unit square.
//
// Neighbours come from grid.Grid.Pairs: queen (8 cells) or rook (4 cells) neighbourhoods, with
// open or toroidal edges. The mean over the directed pairs equals the mean over unordered pairs,
// because every distance here is symmetric, so the losses evaluate each unordered pair once.
package topoloss

import (
	"fmt"
	"strings"

	. "github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/topocnn/topocnn/pkg/grid"
)

// Epsilon keeps square roots and denominators away from zero in every distance.
const Epsilon = 1e-8

// Metric is the distance d between two unit vectors.
type Metric int

const (
	// Euclidean is d(u, v) = √(‖u − v‖² + Epsilon): the Euclidean distance, not squared. Epsilon
	// keeps the gradient finite (zero) at u = v and adds at most √Epsilon = 1e-4 to the value.
	Euclidean Metric = iota
	// Cosine is d(u, v) = 1 − u·v / √(‖u‖²‖v‖² + Epsilon²), the cosine distance.
	Cosine
	// Correlation is the Cosine distance between the mean-centred vectors: 1 − r(u, v), with r
	// Pearson's correlation over the vectors' entries.
	Correlation
)

// String returns "euclidean", "cosine" or "correlation".
func (m Metric) String() string {
	switch m {
	case Euclidean:
		return "euclidean"
	case Cosine:
		return "cosine"
	case Correlation:
		return "correlation"
	}
	return fmt.Sprintf("Metric(%d)", int(m))
}

// MetricNames lists the names ParseMetric accepts.
var MetricNames = []string{"euclidean", "cosine", "correlation"}

// ParseMetric reads a metric name: "euclidean", "cosine" or "correlation".
func ParseMetric(s string) (Metric, error) {
	for m, name := range MetricNames {
		if strings.EqualFold(s, name) {
			return Metric(m), nil
		}
	}
	return Euclidean, fmt.Errorf("topoloss: invalid metric %q: use %s", s, strings.Join(MetricNames, ", "))
}

// Layout is the position of each unit's incoming weights in a weight matrix.
type Layout int

const (
	// UnitsInColumns is GoMLX's layers.Dense layout, [inputs, units]: unit p's incoming weights
	// are column p.
	UnitsInColumns Layout = iota
	// UnitsInRows is PyTorch's nn.Linear layout, [units, inputs]: unit p's incoming weights are
	// row p.
	UnitsInRows
)

// Local is a loss over the neighbour pairs of a grid: WS on weights or local AS on
// activations.
type Local struct {
	Grid          grid.Grid
	Neighbourhood grid.Neighbourhood
	Edges         grid.Edges
	Metric        Metric
}

// Pairs returns the directed neighbour pairs (p, q) the loss averages over, as grid.Grid.Pairs
// lists them: 840 queen pairs on an open 11 × 11 grid.
func (l Local) Pairs() [][2]int {
	return l.Grid.Pairs(l.Neighbourhood, l.Edges)
}

// Check returns an error unless the grid has exactly one cell per unit and the metric is
// known. The error lists the grid sizes that would fit.
func (l Local) Check(units int) error {
	if err := l.Grid.CheckFits(units); err != nil {
		return fmt.Errorf("topoloss: %w", err)
	}
	if l.Metric < Euclidean || l.Metric > Correlation {
		return fmt.Errorf("topoloss: invalid metric %d: use Euclidean, Cosine or Correlation", int(l.Metric))
	}
	return nil
}

// Weights returns the WS loss of a rank-2 weight matrix: the mean of d(w_p, w_q) over the
// neighbour pairs, where w_p is unit p's vector of incoming weights, read according to layout.
//
// It panics (the GoMLX way to report graph-building errors) if w is not rank 2 or if the grid
// does not fit the number of units. The panic value is an error that lists the fitting sizes.
func (l Local) Weights(w *Node, layout Layout) *Node {
	if w.Rank() != 2 {
		panic(fmt.Errorf("topoloss: weights must have rank 2, got shape %s", w.Shape()))
	}
	if layout == UnitsInColumns {
		w = Transpose(w, 0, 1)
	}
	return l.mean(w)
}

// Activations returns the local AS loss of activations whose last axis is the units laid on
// the grid: the mean of d(a_p, a_q) over the neighbour pairs, where a_p is unit p's vector of
// activations over the samples. All other axes are flattened into samples, so [batch, units]
// and [batch, height, width, units] both work.
//
// It panics if the grid does not fit the last axis. The panic value is an error that lists the
// fitting sizes.
func (l Local) Activations(a *Node) *Node {
	return l.mean(unitsFirst(a))
}

// mean returns the mean distance over unordered neighbour pairs of the rows of x, shaped
// [units, features].
func (l Local) mean(x *Node) *Node {
	if err := l.Check(x.Shape().Dimensions[0]); err != nil {
		panic(err)
	}
	var ps, qs []int32
	for _, pq := range l.Pairs() {
		if pq[0] < pq[1] {
			ps = append(ps, int32(pq[0]))
			qs = append(qs, int32(pq[1]))
		}
	}
	if len(ps) == 0 {
		return ScalarZero(x.Graph(), x.DType())
	}
	g := x.Graph()
	p := Gather(x, Reshape(Const(g, ps), len(ps), 1))
	q := Gather(x, Reshape(Const(g, qs), len(qs), 1))
	return ReduceAllMean(distance(l.Metric, p, q))
}

// distance returns d(p_i, q_i) for each row i of p and q, shaped [pairs, features].
func distance(m Metric, p, q *Node) *Node {
	switch m {
	case Euclidean:
		return Sqrt(AddScalar(ReduceSum(Square(Sub(p, q)), 1), Epsilon))
	case Cosine:
		return OneMinus(cosine(p, q))
	case Correlation:
		return OneMinus(cosine(centre(p), centre(q)))
	}
	panic(fmt.Errorf("topoloss: invalid metric %d", int(m)))
}

// cosine returns u·v / √(‖u‖²‖v‖² + Epsilon²) for each row pair. The form under the square root
// has a finite gradient where a vector is zero, where ‖u‖·‖v‖ would give NaN.
func cosine(u, v *Node) *Node {
	dot := ReduceSum(Mul(u, v), 1)
	norms := Mul(ReduceSum(Square(u), 1), ReduceSum(Square(v), 1))
	return Div(dot, Sqrt(AddScalar(norms, Epsilon*Epsilon)))
}

// centre subtracts from each row its mean.
func centre(x *Node) *Node {
	return Sub(x, ReduceAndKeep(x, ReduceMean, 1))
}

// unitsFirst reshapes activations [..., units] to [units, samples].
func unitsFirst(a *Node) *Node {
	if a.Rank() < 1 {
		panic(fmt.Errorf("topoloss: activations must have rank ≥ 1, got shape %s", a.Shape()))
	}
	units := a.Shape().Dimensions[a.Rank()-1]
	return Transpose(Reshape(a, -1, units), 0, 1)
}

// GlobalActivations returns the global AS loss of activations whose last axis is the units
// laid on grid g (other axes are flattened into samples):
//
//	L = 2 / (n(n − 1)) · Σ_{i<j} (cos(a_i, a_j) − 1/(d_ij + 1))²,
//
// with n units, a_i unit i's activations over the samples, cos as in Cosine, and d_ij =
// grid.Grid.UnitSquareDistance(i, j). Neighbouring units are pushed towards correlated
// activity, distant ones towards weaker correlation. It panics if g does not fit the units.
func GlobalActivations(g grid.Grid, a *Node) *Node {
	x := unitsFirst(a)
	n := x.Shape().Dimensions[0]
	if err := g.CheckFits(n); err != nil {
		panic(fmt.Errorf("topoloss: %w", err))
	}
	if n < 2 {
		return ScalarZero(x.Graph(), x.DType())
	}

	// Cosine similarity of every pair of units, from one matrix product of dot products.
	dots := Dot(x, Transpose(x, 0, 1))
	squares := ReduceSum(Square(x), 1)
	norms := Mul(InsertAxes(squares, 1), InsertAxes(squares, 0))
	cos := Div(dots, Sqrt(AddScalar(norms, Epsilon*Epsilon)))

	// Target similarity and the i < j mask, as constants.
	target := make([][]float64, n)
	mask := make([][]float64, n)
	for i := range n {
		target[i] = make([]float64, n)
		mask[i] = make([]float64, n)
		for j := i + 1; j < n; j++ {
			target[i][j] = 1 / (g.UnitSquareDistance(i, j) + 1)
			mask[i][j] = 1
		}
	}
	gr := x.Graph()
	diff := Sub(cos, ConvertDType(Const(gr, target), x.DType()))
	sum := ReduceAllSum(Mul(Square(diff), ConvertDType(Const(gr, mask), x.DType())))
	return DivScalar(sum, float64(n*(n-1)/2))
}
