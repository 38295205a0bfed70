package analysis

import (
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/topocnn/topocnn/pkg/grid"
	"github.com/topocnn/topocnn/pkg/network"
	"github.com/topocnn/topocnn/pkg/stimuli"
)

// probeNet is a fake network.Network whose topographic units are arbitrary functions of the
// image, for stimulus probes with known results. Its logits are 0 and it has no parameters.
type probeNet struct {
	info  network.Info
	units []func(img []float32) float64
}

func newProbeNet(h, w, c int, g grid.Grid, units []func(img []float32) float64) *probeNet {
	if len(units) != g.Size() {
		panic(fmt.Sprintf("newProbeNet: %d units for a %s grid", len(units), g))
	}
	return &probeNet{
		info:  network.Info{Dataset: "probe", Height: h, Width: w, Channels: c, Classes: 2, Layer: "fc1", GridRows: g.Rows, GridCols: g.Cols},
		units: units,
	}
}

func (n *probeNet) Info() network.Info              { return n.info }
func (n *probeNet) Parameters() []network.Parameter { return nil }
func (n *probeNet) WithParameters([]network.Parameter) (network.Network, error) {
	return nil, fmt.Errorf("probeNet has no parameters")
}

func (n *probeNet) Forward(images []float32, count int) (*network.Output, error) {
	size := n.info.ImageSize()
	if len(images) != count*size {
		return nil, fmt.Errorf("probeNet: %d values for %d images of %d", len(images), count, size)
	}
	units := len(n.units)
	out := &network.Output{N: count, Classes: n.info.Classes, Units: units,
		Logits: make([]float32, count*n.info.Classes), Pre: make([]float32, count*units)}
	for i := 0; i < count; i++ {
		img := images[i*size : (i+1)*size]
		for u, f := range n.units {
			out.Pre[i*units+u] = float32(f(img))
		}
	}
	return out, nil
}

// energyUnit returns a phase-invariant orientation detector, a complex-cell energy model: the
// length of the projection of the first channel (minus mid-grey) onto a quadrature pair of
// gratings at orientation theta and the given frequency. A linear unit would not do, because
// the mean over phases of its response to a grating is the same at every orientation.
func energyUnit(h, w, c int, theta, cycles float64) func(img []float32) float64 {
	even := make([]float64, h*w)
	odd := make([]float64, h*w)
	stimuli.RenderGrating(even, h, w, stimuli.Grating{Orientation: theta, Cycles: cycles, Contrast: 1})
	stimuli.RenderGrating(odd, h, w, stimuli.Grating{Orientation: theta, Cycles: cycles, Phase: math.Pi / 2, Contrast: 1})
	return func(img []float32) float64 {
		var a, b float64
		for p := range even {
			x := float64(img[p*c]) - 0.5
			a += x * (even[p] - 0.5)
			b += x * (odd[p] - 0.5)
		}
		return math.Hypot(a, b)
	}
}

// thresholdedUnit is an energyUnit minus half its response to its own grating at full
// contrast, so its phase-averaged response is positive only near its orientation.
func thresholdedUnit(h, w, c int, theta, cycles float64) func(img []float32) float64 {
	energy := energyUnit(h, w, c, theta, cycles)
	plane := make([]float64, h*w)
	stimuli.RenderGrating(plane, h, w, stimuli.Grating{Orientation: theta, Cycles: cycles, Contrast: 1})
	img := make([]float32, h*w*c)
	for p, v := range plane {
		for ch := 0; ch < c; ch++ {
			img[p*c+ch] = float32(v)
		}
	}
	threshold := energy(img) / 2
	return func(img []float32) float64 { return energy(img) - threshold }
}

func TestOrientationRecoversTunedUnits(t *testing.T) {
	const h, w, c = 28, 28, 1
	g := grid.Grid{Rows: 4, Cols: 4}
	thetas := []float64{45, 0, 22.5, 67.5, 90, 112.5, 135, 157.5}
	var units []func([]float32) float64
	for _, theta := range thetas {
		units = append(units, thresholdedUnit(h, w, c, theta, 4))
	}
	units = append(units,
		energyUnit(h, w, c, 45, 4),      // broadly tuned to 45°
		energyUnit(h, w, c, 90, 4),      // broadly tuned to 90°
		thresholdedUnit(h, w, c, 45, 2), // tuned to 45° at another frequency
		func(img []float32) float64 { // contrast energy: no orientation preference
			var sum float64
			for _, v := range img {
				sum += (float64(v) - 0.5) * (float64(v) - 0.5)
			}
			return sum
		},
		func([]float32) float64 { return -1 }, // never above 0: unresponsive
		func([]float32) float64 { return 0 },  // silent
		func([]float32) float64 { return -2 },
		func([]float32) float64 { return -3 },
	)
	net := newProbeNet(h, w, c, g, units)

	res, err := Orientation(net, DefaultOrientationConfig(true))
	if err != nil {
		t.Fatal(err)
	}
	for u, theta := range thetas {
		got := float64(res.Preferred[u])
		if OrientationDifference(got, theta) > 1 {
			t.Errorf("unit tuned to %g°: preferred %g°, want within 1°", theta, got)
		}
		if osi := float64(res.OSI[u]); osi < 0.99 {
			t.Errorf("unit tuned to %g°: OSI %g, want near 1", theta, osi)
		}
		if res.BestCycles[u] != 4 {
			t.Errorf("unit tuned to %g°: best frequency %g cycles, want 4", theta, res.BestCycles[u])
		}
	}
	// Broad tuning leaks into the neighbouring orientations symmetrically about 45° and 90°,
	// so the preferred orientation stays, and the OSI drops below 1.
	for u, theta := range map[int]float64{8: 45, 9: 90} {
		if got := float64(res.Preferred[u]); OrientationDifference(got, theta) > 1 {
			t.Errorf("broad unit tuned to %g°: preferred %g°, want within 1°", theta, got)
		}
		if osi := float64(res.OSI[u]); osi < 0.5 || osi > 0.95 {
			t.Errorf("broad unit tuned to %g°: OSI %g, want clearly between 0.5 and 1", theta, osi)
		}
	}
	if got := float64(res.Preferred[10]); OrientationDifference(got, 45) > 1 || res.BestCycles[10] != 2 {
		t.Errorf("45° unit at 2 cycles: preferred %g° at %g cycles", got, res.BestCycles[10])
	}
	if osi := float64(res.OSI[11]); osi > 0.05 {
		t.Errorf("isotropic unit: OSI %g, want near 0", osi)
	}
	for u := 12; u < 16; u++ {
		if !math.IsNaN(float64(res.Preferred[u])) || !math.IsNaN(float64(res.OSI[u])) {
			t.Errorf("unresponsive unit %d: preferred %g, OSI %g, want undefined", u, res.Preferred[u], res.OSI[u])
		}
	}
	if res.Responsive != 12 {
		t.Errorf("%d responsive units, want 12", res.Responsive)
	}

	data, err := json.Marshal(res)
	if err != nil {
		t.Fatalf("the result does not encode as JSON: %v", err)
	}
	var back OrientationResult
	if err := json.Unmarshal(data, &back); err != nil {
		t.Fatal(err)
	}
	if !math.IsNaN(float64(back.Preferred[12])) || math.Abs(float64(back.Preferred[0])-float64(res.Preferred[0])) > 1e-12 {
		t.Errorf("JSON round trip gave %v, want %v", back.Preferred, res.Preferred)
	}
}

func TestPreferredOrientationKnownCurves(t *testing.T) {
	thetas := []float64{0, 45, 90, 135}
	cases := []struct {
		r       []float64
		pref    float64
		osi     float64
		comment string
	}{
		{[]float64{0, 1, 0, 0}, 45, 1, "a single orientation"},
		{[]float64{1, 1, 1, 1}, math.NaN(), 0, "flat: no preference"},
		{[]float64{2, 1, 0, 1}, 0, 0.5, "V = 2 − 0 + i(1 − 1) = 2, Σr = 4"},
		{[]float64{1, 0, 0, 1}, 157.5, math.Sqrt2 / 2, "V = 1 − i, between 135° and 180°"},
	}
	for _, c := range cases {
		pref, osi := PreferredOrientation(c.r, thetas)
		if !math.IsNaN(c.pref) && math.Abs(pref-c.pref) > 1e-9 {
			t.Errorf("%s: preferred %g, want %g", c.comment, pref, c.pref)
		}
		if math.Abs(float64(osi)-c.osi) > 1e-9 {
			t.Errorf("%s: OSI %g, want %g", c.comment, osi, c.osi)
		}
	}
	pref, osi := PreferredOrientation([]float64{0, 0, 0, 0}, thetas)
	if !math.IsNaN(pref) || !math.IsNaN(float64(osi)) {
		t.Errorf("zero curve: %g, %g, want NaN", pref, osi)
	}
}

func TestOrientationDifference(t *testing.T) {
	cases := [][3]float64{{0, 90, 90}, {10, 170, 20}, {170, 10, 20}, {45, 45, 0}, {0, 179, 1}, {30, 120, 90}, {0, 180, 0}}
	for _, c := range cases {
		if got := OrientationDifference(c[0], c[1]); math.Abs(got-c[2]) > 1e-12 {
			t.Errorf("difference of %g° and %g°: %g, want %g", c[0], c[1], got, c[2])
		}
	}
}

func TestOrientationMapSmoothness(t *testing.T) {
	g := grid.Grid{Rows: 8, Cols: 8}
	rng := rand.New(rand.NewPCG(1, 1))

	// A smooth map: orientation 10° per column step, 5° per row step.
	smooth := make([]float64, g.Size())
	for u := range smooth {
		r, c := g.Position(u)
		smooth[u] = math.Mod(10*float64(c)+5*float64(r), 180)
	}
	res := OrientationMapSmoothness(smooth, g, grid.Queen, 200, rng)
	// Unordered queen pairs on 8 × 8: 7·8 horizontal + 8·7 vertical + 2·7·7 diagonal = 210,
	// with differences 10°, 5°, 15° and 5° respectively.
	wantMean := (56*10 + 56*5 + 49*15 + 49*5) / 210.0
	if res.Pairs != 210 || math.Abs(float64(res.MeanDifference)-wantMean) > 1e-9 {
		t.Errorf("smooth map: %d pairs, mean difference %g, want 210 and %g", res.Pairs, res.MeanDifference, wantMean)
	}
	// The map spans 0°–105°, so shuffled neighbours differ by less than the 45° of uniform
	// orientations, but far more than the smooth map's neighbours.
	if float64(res.P) != 1.0/201 || float64(res.ShuffledMean) < 2*wantMean {
		t.Errorf("smooth map: p = %g, shuffled mean %g°, want p = 1/201 and a shuffled mean above %g°", res.P, res.ShuffledMean, 2*wantMean)
	}

	// A random map is not smoother than its shuffles.
	random := make([]float64, g.Size())
	for u := range random {
		random[u] = 180 * rng.Float64()
	}
	res = OrientationMapSmoothness(random, g, grid.Queen, 200, rng)
	if float64(res.P) < 0.05 {
		t.Errorf("random map: p = %g, want no evidence of smoothness", res.P)
	}
	if math.Abs(float64(res.ShuffledMean)-45) > 5 {
		t.Errorf("random map: shuffled mean %g°, want about 45°", res.ShuffledMean)
	}

	// Units with no preferred orientation are left out of the pairs and the shuffles.
	smooth[0], smooth[1] = math.NaN(), math.NaN()
	res = OrientationMapSmoothness(smooth, g, grid.Rook, 50, rng)
	// Rook pairs that touch unit 0 or 1 on 8 × 8: (0, 1), (0, 8), (1, 2) and (1, 9).
	if want := 7*8 + 8*7 - 4; res.Pairs != want {
		t.Errorf("rook pairs without units 0 and 1: %d, want %d", res.Pairs, want)
	}
}

func BenchmarkOrientation(b *testing.B) {
	net, _ := mnistTask(1)
	cfg := DefaultOrientationConfig(false)
	for b.Loop() {
		if _, err := Orientation(net, cfg); err != nil {
			b.Fatal(err)
		}
	}
}
