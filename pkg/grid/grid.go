// Package grid describes the 2-D sheet on which a topographic layer lays out its units: unit
// positions, neighbourhoods, neighbour pairs and distances on the sheet.
//
// Unit k sits at row k / Cols and column k % Cols (row-major), as in Truong & Hasson (2025).
package grid

import (
	"fmt"
	"math"
	"strings"
)

// Grid is a sheet of Rows × Cols units.
type Grid struct {
	Rows, Cols int
}

// New returns a Rows × Cols grid, or an error if either side is not positive.
func New(rows, cols int) (Grid, error) {
	if rows <= 0 || cols <= 0 {
		return Grid{}, fmt.Errorf("grid: invalid size %d×%d: rows and columns must be positive", rows, cols)
	}
	return Grid{Rows: rows, Cols: cols}, nil
}

// Size returns the number of units on the grid.
func (g Grid) Size() int { return g.Rows * g.Cols }

// String returns the grid size as "ROWSxCOLS".
func (g Grid) String() string { return fmt.Sprintf("%dx%d", g.Rows, g.Cols) }

// Position returns the row and column of unit k.
func (g Grid) Position(k int) (row, col int) { return k / g.Cols, k % g.Cols }

// Index returns the unit at row, col.
func (g Grid) Index(row, col int) int { return row*g.Cols + col }

// CheckFits returns an error unless the grid has exactly the given number of units. The error
// lists the grid sizes that would fit.
func (g Grid) CheckFits(units int) error {
	if g.Size() == units {
		return nil
	}
	return fmt.Errorf("grid %s has %d cells but the layer has %d units; grids that fit %d units: %s",
		g, g.Size(), units, units, strings.Join(FittingSizes(units), ", "))
}

// FittingSizes lists every "ROWSxCOLS" with ROWS × COLS = units and ROWS ≤ COLS, the most square
// first.
func FittingSizes(units int) []string {
	var sizes []string
	for r := int(math.Sqrt(float64(units))); r >= 1; r-- {
		if units%r == 0 {
			sizes = append(sizes, fmt.Sprintf("%dx%d", r, units/r))
		}
	}
	return sizes
}

// Parse reads a grid size written "ROWSxCOLS", for example "11x11".
func Parse(s string) (Grid, error) {
	var rows, cols int
	var rest string
	n, _ := fmt.Sscanf(strings.ToLower(s)+" end", "%dx%d %s", &rows, &cols, &rest)
	if n != 3 || rest != "end" {
		return Grid{}, fmt.Errorf("grid: invalid size %q: write it as ROWSxCOLS, for example 11x11", s)
	}
	return New(rows, cols)
}

// Neighbourhood selects which cells count as neighbours.
type Neighbourhood int

const (
	// Queen is the 8-cell Moore neighbourhood, the published choice.
	Queen Neighbourhood = iota
	// Rook is the 4-cell von Neumann neighbourhood.
	Rook
)

// String returns "queen" or "rook".
func (n Neighbourhood) String() string {
	if n == Rook {
		return "rook"
	}
	return "queen"
}

// ParseNeighbourhood reads "queen" or "rook".
func ParseNeighbourhood(s string) (Neighbourhood, error) {
	switch strings.ToLower(s) {
	case "queen":
		return Queen, nil
	case "rook":
		return Rook, nil
	}
	return Queen, fmt.Errorf("grid: invalid neighbourhood %q: use queen or rook", s)
}

// Edges selects what happens at the border of the grid.
type Edges int

const (
	// Open edges: border cells have fewer neighbours, the published choice.
	Open Edges = iota
	// Toroidal edges wrap around, so every cell has the same number of neighbours.
	Toroidal
)

// String returns "open" or "toroidal".
func (e Edges) String() string {
	if e == Toroidal {
		return "toroidal"
	}
	return "open"
}

// ParseEdges reads "open" or "toroidal".
func ParseEdges(s string) (Edges, error) {
	switch strings.ToLower(s) {
	case "open":
		return Open, nil
	case "toroidal", "torus":
		return Toroidal, nil
	}
	return Open, fmt.Errorf("grid: invalid edges %q: use open or toroidal", s)
}

// offsets returns the neighbour offsets of a neighbourhood.
func offsets(n Neighbourhood) [][2]int {
	if n == Rook {
		return [][2]int{{-1, 0}, {0, -1}, {0, 1}, {1, 0}}
	}
	return [][2]int{{-1, -1}, {-1, 0}, {-1, 1}, {0, -1}, {0, 1}, {1, -1}, {1, 0}, {1, 1}}
}

// Pairs returns every directed neighbour pair (p, q), p ≠ q, in order of p then q. With open
// edges an 11 × 11 grid has 840 queen pairs and 440 rook pairs. On toroidal grids narrower than
// 3 cells a wrapped neighbour can coincide with another one or with the cell itself; duplicates
// and self-pairs are dropped.
func (g Grid) Pairs(n Neighbourhood, e Edges) [][2]int {
	var pairs [][2]int
	for p := 0; p < g.Size(); p++ {
		r, c := g.Position(p)
		seen := map[int]bool{p: true}
		var qs []int
		for _, d := range offsets(n) {
			rr, cc := r+d[0], c+d[1]
			if e == Toroidal {
				rr = (rr + g.Rows) % g.Rows
				cc = (cc + g.Cols) % g.Cols
			} else if rr < 0 || rr >= g.Rows || cc < 0 || cc >= g.Cols {
				continue
			}
			q := g.Index(rr, cc)
			if !seen[q] {
				seen[q] = true
				qs = append(qs, q)
			}
		}
		sortInts(qs)
		for _, q := range qs {
			pairs = append(pairs, [2]int{p, q})
		}
	}
	return pairs
}

func sortInts(a []int) {
	for i := 1; i < len(a); i++ {
		for j := i; j > 0 && a[j] < a[j-1]; j-- {
			a[j], a[j-1] = a[j-1], a[j]
		}
	}
}

// Adjacency returns the binary spatial weight matrix w[p][q] = 1 for each neighbour pair, as
// used by Moran's I. Its sum equals len(g.Pairs(n, e)).
func (g Grid) Adjacency(n Neighbourhood, e Edges) [][]float64 {
	w := make([][]float64, g.Size())
	for i := range w {
		w[i] = make([]float64, g.Size())
	}
	for _, pq := range g.Pairs(n, e) {
		w[pq[0]][pq[1]] = 1
	}
	return w
}

// Distance returns the Euclidean distance between units p and q in cells (open edges).
func (g Grid) Distance(p, q int) float64 {
	rp, cp := g.Position(p)
	rq, cq := g.Position(q)
	return math.Hypot(float64(rp-rq), float64(cp-cq))
}

// UnitSquareDistance returns the Euclidean distance between units p and q after rescaling the
// grid's row and column coordinates to [0, 1]. A side of one cell maps to coordinate 0.
func (g Grid) UnitSquareDistance(p, q int) float64 {
	rp, cp := g.Position(p)
	rq, cq := g.Position(q)
	return math.Hypot(scale(rp-rq, g.Rows), scale(cp-cq, g.Cols))
}

func scale(d, n int) float64 {
	if n <= 1 {
		return 0
	}
	return float64(d) / float64(n-1)
}

// MeanDistance returns the mean Distance over all pairs of distinct units: the expected
// distance between two units drawn at random without replacement (5.76 cells on 11 × 11,
// 8.36 on 16 × 16). It returns 0 for a grid of one unit.
func (g Grid) MeanDistance() float64 {
	n := g.Size()
	if n < 2 {
		return 0
	}
	var sum float64
	for p := 0; p < n; p++ {
		for q := p + 1; q < n; q++ {
			sum += g.Distance(p, q)
		}
	}
	return sum / float64(n*(n-1)/2)
}
