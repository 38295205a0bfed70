package grid

import (
	"math"
	"strings"
	"testing"
)

func TestPairCounts(t *testing.T) {
	cases := []struct {
		rows, cols int
		n          Neighbourhood
		e          Edges
		want       int
	}{
		{11, 11, Queen, Open, 840},
		{11, 11, Rook, Open, 440},
		{11, 11, Queen, Toroidal, 121 * 8},
		{11, 11, Rook, Toroidal, 121 * 4},
		{16, 16, Queen, Open, 2 * (2*16*15 + 2*15*15)},
		{1, 1, Queen, Toroidal, 0},
	}
	for _, c := range cases {
		g := Grid{c.rows, c.cols}
		if got := len(g.Pairs(c.n, c.e)); got != c.want {
			t.Errorf("%s %s %s: %d pairs, want %d", g, c.n, c.e, got, c.want)
		}
	}
}

func TestPairsSymmetric(t *testing.T) {
	g := Grid{5, 7}
	for _, e := range []Edges{Open, Toroidal} {
		set := map[[2]int]bool{}
		for _, pq := range g.Pairs(Queen, e) {
			if pq[0] == pq[1] {
				t.Fatalf("self pair %v", pq)
			}
			set[pq] = true
		}
		for pq := range set {
			if !set[[2]int{pq[1], pq[0]}] {
				t.Errorf("%s: pair %v has no reverse", e, pq)
			}
		}
	}
}

func TestMeanDistanceBaseline(t *testing.T) {
	if got := (Grid{11, 11}).MeanDistance(); math.Abs(got-5.76) > 0.005 {
		t.Errorf("11x11 mean distance %.4f, want 5.76", got)
	}
	if got := (Grid{16, 16}).MeanDistance(); math.Abs(got-8.36) > 0.005 {
		t.Errorf("16x16 mean distance %.4f, want 8.36", got)
	}
}

func TestCheckFitsListsSizes(t *testing.T) {
	err := Grid{11, 11}.CheckFits(128)
	if err == nil {
		t.Fatal("11x11 accepted for 128 units")
	}
	for _, want := range []string{"121 cells", "128 units", "8x16"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q lacks %q", err, want)
		}
	}
	if err := (Grid{16, 16}).CheckFits(256); err != nil {
		t.Errorf("16x16 rejected for 256 units: %v", err)
	}
}

func TestParse(t *testing.T) {
	g, err := Parse("16x16")
	if err != nil || g != (Grid{16, 16}) {
		t.Errorf("Parse(16x16) = %v, %v", g, err)
	}
	for _, bad := range []string{"", "11", "0x5", "11x11x2", "axb"} {
		if _, err := Parse(bad); err == nil {
			t.Errorf("Parse(%q) accepted", bad)
		}
	}
}

func TestUnitSquareDistance(t *testing.T) {
	g := Grid{11, 11}
	if d := g.UnitSquareDistance(0, 120); math.Abs(d-math.Sqrt2) > 1e-12 {
		t.Errorf("corner to corner %.6f, want sqrt 2", d)
	}
	if d := g.UnitSquareDistance(0, 1); math.Abs(d-0.1) > 1e-12 {
		t.Errorf("adjacent columns %.6f, want 0.1", d)
	}
}
