package analysis

import (
	"encoding/json"
	"math"
	"testing"

	"gonum.org/v1/gonum/stat"

	"github.com/topocnn/topocnn/pkg/grid"
	"github.com/topocnn/topocnn/pkg/stimuli"
)

// gaussianUnit returns a unit whose response is the first channel weighted by a Gaussian of SD
// sigma pixels centred at (row, col): a receptive field at a known position.
func gaussianUnit(h, w, c int, row, col, sigma float64) func([]float32) float64 {
	weights := make([]float64, h*w)
	for i := 0; i < h; i++ {
		for j := 0; j < w; j++ {
			d2 := (float64(i)-row)*(float64(i)-row) + (float64(j)-col)*(float64(j)-col)
			weights[i*w+j] = math.Exp(-d2 / (2 * sigma * sigma))
		}
	}
	return func(img []float32) float64 {
		var sum float64
		for p, wt := range weights {
			sum += wt * float64(img[p*c])
		}
		return sum
	}
}

func TestReceptiveFieldsLocateKnownFields(t *testing.T) {
	const h, w, c = 28, 28, 1
	const sigma = 1.0
	centres := []stimuli.Point{{Row: 10, Col: 17}, {Row: 14, Col: 14}, {Row: 6, Col: 21}, {Row: 20.5, Col: 7.3}}
	var units []func([]float32) float64
	for _, p := range centres {
		units = append(units, gaussianUnit(h, w, c, p.Row, p.Col, sigma))
	}
	units = append(units, func([]float32) float64 { return 2 }, func(img []float32) float64 { return -gaussianUnit(h, w, c, 14, 14, 1)(img) })
	net := newProbeNet(h, w, c, grid.Grid{Rows: 2, Cols: 3}, units)

	cfg := DefaultReceptiveFieldConfig(true)
	res, err := ReceptiveFields(net, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if res.Probes != 196 {
		t.Errorf("%d probes, want 196", res.Probes)
	}
	// A Gaussian field of SD 1 probed by a blob of SD 1.5 responds as a Gaussian of SD
	// s = √(1 + 1.5²) around the field's centre, whose RMS radial spread is √2·s.
	wantSize := math.Sqrt2 * math.Sqrt(1+1.5*1.5)
	for u, p := range centres {
		row, col := float64(res.CentreRow[u]), float64(res.CentreCol[u])
		if math.Hypot(row-p.Row, col-p.Col) > 1 {
			t.Errorf("unit %d: RF centre (%g, %g), want (%g, %g) within one pixel", u, row, col, p.Row, p.Col)
		}
		if size := float64(res.Size[u]); math.Abs(size-wantSize)/wantSize > 0.05 {
			t.Errorf("unit %d: RF size %g pixels, want %g within 5 %%", u, size, wantSize)
		}
		wantEcc := math.Hypot(row-13.5, col-13.5)
		if math.Abs(float64(res.Eccentricity[u])-wantEcc) > 1e-9 {
			t.Errorf("unit %d: eccentricity %g, want %g", u, res.Eccentricity[u], wantEcc)
		}
	}
	for _, u := range []int{4, 5} {
		if !math.IsNaN(float64(res.CentreRow[u])) || !math.IsNaN(float64(res.Size[u])) {
			t.Errorf("unit %d, never above its baseline: centre (%g, %g), want undefined", u, res.CentreRow[u], res.CentreCol[u])
		}
	}
	if res.Responsive != 4 {
		t.Errorf("%d responsive units, want 4", res.Responsive)
	}
	if _, err := json.Marshal(res); err != nil {
		t.Errorf("the result does not encode as JSON: %v", err)
	}
}

func TestWeightedCentre(t *testing.T) {
	points := []stimuli.Point{{Row: 0, Col: 0}, {Row: 0, Col: 4}, {Row: 2, Col: 0}}
	centre, spread := WeightedCentre(points, []float64{2, 1, 1})
	if centre.Row != 0.5 || centre.Col != 1 {
		t.Errorf("centre %+v, want (0.5, 1)", centre)
	}
	// Squared distances from (0.5, 1): 1.25, 9.25, 3.25, weighted 2, 1, 1 over 4.
	if want := math.Sqrt((2*1.25 + 9.25 + 3.25) / 4); math.Abs(spread-want) > 1e-12 {
		t.Errorf("spread %g, want %g", spread, want)
	}
	centre, spread = WeightedCentre(points, []float64{0, 0, 0})
	if !math.IsNaN(centre.Row) || !math.IsNaN(spread) {
		t.Errorf("zero weights: %+v, %g, want NaN", centre, spread)
	}
}

func TestEccentricityProfile(t *testing.T) {
	const h, w, c = 28, 28, 1
	g := grid.Grid{Rows: 1, Cols: 2}
	units := []func([]float32) float64{gaussianUnit(h, w, c, 13.5, 13.5, 2), gaussianUnit(h, w, c, 13.5, 13.5, 4)}
	net := newProbeNet(h, w, c, g, units)
	res, err := ReceptiveFields(net, DefaultReceptiveFieldConfig(false))
	if err != nil {
		t.Fatal(err)
	}
	profile := res.Profile
	total := 0
	for _, n := range profile.Probes {
		total += n
	}
	if total != 196 || profile.BinWidth != 2 {
		t.Fatalf("%d probes in bins of %g pixels, want 196 in bins of 2", total, profile.BinWidth)
	}

	// Reference: the mean over both units and the probes of each bin, computed directly.
	blobs, _ := stimuli.Blobs(h, w, c, stimuli.DefaultBlobConfig())
	blank := stimuli.Blank(h, w, c, 0)
	sums := make([]float64, len(profile.Probes))
	for p, centre := range blobs.Centres {
		b := int(math.Hypot(centre.Row-13.5, centre.Col-13.5) / 2)
		for _, f := range units {
			sums[b] += f(blobs.Image(p)) - f(blank)
		}
	}
	for b := range sums {
		if profile.Probes[b] == 0 {
			if !math.IsNaN(float64(profile.MeanResponse[b])) {
				t.Errorf("empty bin %d has mean %g, want undefined", b, profile.MeanResponse[b])
			}
			continue
		}
		want := sums[b] / float64(2*profile.Probes[b])
		if got := float64(profile.MeanResponse[b]); math.Abs(got-want) > 1e-6*math.Abs(want) {
			t.Errorf("bin %d: mean %g, want %g", b, got, want)
		}
		if b > 0 && profile.Probes[b-1] > 0 && float64(profile.MeanResponse[b]) >= float64(profile.MeanResponse[b-1]) {
			t.Errorf("bin %d: mean %g not below bin %d's %g for fields at the centre", b, profile.MeanResponse[b], b-1, profile.MeanResponse[b-1])
		}
	}
	if d := profile.Distance[0]; d != 1 {
		t.Errorf("first bin centre %g, want 1", d)
	}
}

func TestRetinotopy(t *testing.T) {
	const h, w, c = 28, 28, 1
	g := grid.Grid{Rows: 4, Cols: 4}
	var ordered, flipped []func([]float32) float64
	var gridRows, rfRows []float64
	for u := 0; u < g.Size(); u++ {
		r, col := g.Position(u)
		ordered = append(ordered, gaussianUnit(h, w, c, 4+6*float64(r), 4+6*float64(col), 1))
		// Columns mirrored and rows spaced unevenly.
		row := 4 + 2*float64(r*r)
		flipped = append(flipped, gaussianUnit(h, w, c, row, 22-6*float64(col), 1))
		gridRows = append(gridRows, float64(r))
		rfRows = append(rfRows, row)
	}

	res, err := ReceptiveFields(newProbeNet(h, w, c, g, ordered), DefaultReceptiveFieldConfig(true))
	if err != nil {
		t.Fatal(err)
	}
	if r := res.Retinotopy; r.Units != 16 || float64(r.RowVsY) < 0.999 || float64(r.ColVsX) < 0.999 {
		t.Errorf("retinotopic layout: %+v, want r = 1 for rows and columns over 16 units", r)
	}

	res, err = ReceptiveFields(newProbeNet(h, w, c, g, flipped), DefaultReceptiveFieldConfig(true))
	if err != nil {
		t.Fatal(err)
	}
	want := stat.Correlation(gridRows, rfRows, nil)
	if r := res.Retinotopy; math.Abs(float64(r.RowVsY)-want) > 0.01 || float64(r.ColVsX) > -0.999 {
		t.Errorf("mirrored layout: %+v, want rows r ≈ %g and columns r = −1", r, want)
	}
}

func BenchmarkReceptiveFields(b *testing.B) {
	net, _ := mnistTask(1)
	cfg := DefaultReceptiveFieldConfig(false)
	for b.Loop() {
		if _, err := ReceptiveFields(net, cfg); err != nil {
			b.Fatal(err)
		}
	}
}
