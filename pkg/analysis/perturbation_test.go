package analysis

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"gonum.org/v1/gonum/stat"

	"github.com/topocnn/topocnn/pkg/dataset"
	"github.com/topocnn/topocnn/pkg/grid"
	"github.com/topocnn/topocnn/pkg/network"
)

// linearNet is a fake network.Network with the reference networks' head and no convolutions:
// pre = x·W1 + b1 on the flattened image (the topographic layer "fc1", W1 shaped
// [inputs, units]), logits = ReLU(pre)·W2 + b2 ("fc2"). Its outputs are known exactly.
type linearNet struct {
	info   network.Info
	params []network.Parameter
}

func (n *linearNet) Info() network.Info { return n.info }

func (n *linearNet) Parameters() []network.Parameter {
	out := make([]network.Parameter, len(n.params))
	for i, p := range n.params {
		out[i] = p.Clone()
	}
	return out
}

func (n *linearNet) WithParameters(params []network.Parameter) (network.Network, error) {
	changed := &linearNet{info: n.info, params: n.Parameters()}
	for _, p := range params {
		i := slices.IndexFunc(changed.params, func(q network.Parameter) bool { return q.Name == p.Name })
		if i < 0 {
			return nil, fmt.Errorf("linearNet: no parameter %q", p.Name)
		}
		if !slices.Equal(p.Shape, changed.params[i].Shape) || len(p.Values) != len(changed.params[i].Values) {
			return nil, fmt.Errorf("linearNet: parameter %q has shape %v, want %v", p.Name, p.Shape, changed.params[i].Shape)
		}
		changed.params[i] = p.Clone()
	}
	return changed, nil
}

func (n *linearNet) Forward(images []float32, count int) (*network.Output, error) {
	in, units, classes := n.info.ImageSize(), n.info.Units(), n.info.Classes
	if len(images) != count*in {
		return nil, fmt.Errorf("linearNet: %d values for %d images of %d", len(images), count, in)
	}
	w1, b1, w2, b2 := n.params[0].Values, n.params[1].Values, n.params[2].Values, n.params[3].Values
	out := &network.Output{N: count, Classes: classes, Units: units,
		Logits: make([]float32, count*classes), Pre: make([]float32, count*units)}
	pre := make([]float64, units)
	for i := 0; i < count; i++ {
		x := images[i*in : (i+1)*in]
		for u := range pre {
			pre[u] = float64(b1[u])
		}
		for j, v := range x {
			if v == 0 {
				continue
			}
			row := w1[j*units : (j+1)*units]
			for u := range pre {
				pre[u] += float64(v) * float64(row[u])
			}
		}
		for c := 0; c < classes; c++ {
			logit := float64(b2[c])
			for u, p := range pre {
				logit += math.Max(p, 0) * float64(w2[u*classes+c])
			}
			out.Logits[i*classes+c] = float32(logit)
		}
		for u, p := range pre {
			out.Pre[i*units+u] = float32(p)
		}
	}
	return out, nil
}

// templateTask returns a linearNet and a balanced labelled set of n images that it classifies
// almost perfectly. Class c has a prototype P_c with uniform pixels in [0, 1], and its images are
// clamp(P_c + N(0, 0.1²)). Unit u detects class u mod classes with the weights P_c − 0.5, and
// fc2 sums the units of each class. fc2's bias favours the last class by 10⁻³, so a network
// with every unit silenced always predicts that class.
func templateTask(h, w, classes int, g grid.Grid, n int, seed uint64) (*linearNet, *dataset.Set) {
	rng := rand.New(rand.NewPCG(seed, 1))
	in, units := h*w, g.Size()
	prototypes := make([][]float64, classes)
	for c := range prototypes {
		prototypes[c] = make([]float64, in)
		for j := range prototypes[c] {
			prototypes[c][j] = rng.Float64()
		}
	}

	w1 := make([]float32, in*units)
	for u := 0; u < units; u++ {
		for j := 0; j < in; j++ {
			w1[j*units+u] = float32(prototypes[u%classes][j] - 0.5)
		}
	}
	w2 := make([]float32, units*classes)
	for u := 0; u < units; u++ {
		w2[u*classes+u%classes] = 1
	}
	b2 := make([]float32, classes)
	b2[classes-1] = 1e-3
	net := &linearNet{
		info: network.Info{Dataset: "template", Height: h, Width: w, Channels: 1, Classes: classes,
			Layer: "fc1", GridRows: g.Rows, GridCols: g.Cols},
		params: []network.Parameter{
			{Name: "/fc1/dense/weights", Shape: []int{in, units}, Layer: "fc1", Values: w1},
			{Name: "/fc1/dense/biases", Shape: []int{units}, Layer: "fc1", Values: make([]float32, units)},
			{Name: "/fc2/dense/weights", Shape: []int{units, classes}, Layer: "fc2", Values: w2},
			{Name: "/fc2/dense/biases", Shape: []int{classes}, Layer: "fc2", Values: b2},
		},
	}

	set := &dataset.Set{Name: "template", Height: h, Width: w, Channels: 1, Classes: classes,
		Images: make([]float32, n*in), Labels: make([]int32, n)}
	for i := 0; i < n; i++ {
		c := i % classes
		set.Labels[i] = int32(c)
		for j := 0; j < in; j++ {
			set.Images[i*in+j] = float32(min(max(prototypes[c][j]+0.1*rng.NormFloat64(), 0), 1))
		}
	}
	return net, set
}

// smallTask is the test task: 8 × 8 images, 4 classes, a 3 × 4 grid, 200 images.
func smallTask() (*linearNet, *dataset.Set) {
	return templateTask(8, 8, 4, grid.Grid{Rows: 3, Cols: 4}, 200, 1)
}

func TestTemplateTaskIsLearned(t *testing.T) {
	net, set := smallTask()
	acc, err := accuracyOn(net, set.Images, set)
	if err != nil {
		t.Fatal(err)
	}
	if acc < 0.95 {
		t.Fatalf("the fake network classifies %.3f of its task, want at least 0.95", acc)
	}
}

func TestPerturbationAlphaZeroIsClean(t *testing.T) {
	net, set := smallTask()
	cfg := DefaultPerturbationConfig(true)
	cfg.Images = 0
	cfg.Alphas = []float64{0, 0.5, 3}
	res, err := WeightPerturbation(net, set, cfg)
	if err != nil {
		t.Fatal(err)
	}

	clean, _ := accuracyOn(net, set.Images, set)
	if res.CleanAccuracy != clean || res.Images != 200 || res.Draws != 3 {
		t.Fatalf("clean accuracy %g on %d images with %d draws, want %g on 200 with 3", res.CleanAccuracy, res.Images, res.Draws, clean)
	}
	if len(res.Curves) != 2 || res.Curves[0].Target != TargetTopographic || res.Curves[1].Target != TargetAll {
		t.Fatalf("curves %+v, want the topographic and all targets", res.Curves)
	}

	for _, curve := range res.Curves {
		zero := curve.Points[0]
		for d, acc := range zero.Draws {
			if acc != clean {
				t.Errorf("%s: α = 0 draw %d has accuracy %g, want the clean %g", curve.Target, d, acc, clean)
			}
		}
		if float64(zero.Accuracy.Mean) != clean || float64(zero.Accuracy.SD) != 0 {
			t.Errorf("%s: α = 0 summary %+v, want mean %g and SD 0", curve.Target, zero.Accuracy, clean)
		}
		// Noise of three times each tensor's SD must cost accuracy on this task.
		if strong := curve.Points[2].Accuracy.Mean; float64(strong) >= clean {
			t.Errorf("%s: α = 3 keeps accuracy %g, clean %g", curve.Target, strong, clean)
		}
	}

	if !slices.Equal(res.Curves[0].Tensors, []string{"/fc1/dense/weights"}) {
		t.Errorf("topographic target perturbs %v, want only /fc1/dense/weights", res.Curves[0].Tensors)
	}
	if !slices.Equal(res.Curves[1].Tensors, []string{"/fc1/dense/weights", "/fc2/dense/weights"}) {
		t.Errorf("all target perturbs %v, want both weight matrices", res.Curves[1].Tensors)
	}
}

func TestPerturbationMatchesDirectComputation(t *testing.T) {
	net, set := smallTask()
	cfg := PerturbationConfig{Seed: 9, Alphas: []float64{0.3, 1}, Draws: 2, Targets: []string{TargetAll}, IncludeBiases: true}
	res, err := WeightPerturbation(net, set, cfg)
	if err != nil {
		t.Fatal(err)
	}
	params := net.Parameters()
	for a, alpha := range cfg.Alphas {
		for d := 0; d < cfg.Draws; d++ {
			// The documented noise: stream (Seed, target index 0 · 2³² + d), tensor by tensor.
			rng := rand.New(rand.NewPCG(9, uint64(d)))
			var perturbed []network.Parameter
			for _, p := range params {
				q := p.Clone()
				values := make([]float64, len(p.Values))
				for j, v := range p.Values {
					values[j] = float64(v)
				}
				sd := math.Sqrt(stat.PopVariance(values, nil))
				for j := range q.Values {
					q.Values[j] = float32(values[j] + alpha*sd*rng.NormFloat64())
				}
				perturbed = append(perturbed, q)
			}
			changed, _ := net.WithParameters(perturbed)
			want, _ := accuracyOn(changed, set.Images, set)
			if got := res.Curves[0].Points[a].Draws[d]; got != want {
				t.Errorf("α = %g draw %d: accuracy %g, want %g", alpha, d, got, want)
			}
		}
	}
}

func TestPerturbWeightsNoiseScale(t *testing.T) {
	// A tensor of 40,000 values with SD 2: the relative change (w' − w)/(α·SD) is N(0, 1).
	rng := rand.New(rand.NewPCG(3, 3))
	values := make([]float32, 40000)
	for i := range values {
		values[i] = float32(5 + 2*rng.NormFloat64())
	}
	params := []network.Parameter{
		{Name: "/a/weights", Shape: []int{200, 200}, Values: values},
		{Name: "/b/weights", Shape: []int{2, 2}, Values: []float32{1, 2, 3, 4}},
	}

	noise := drawNoise(params, []int{0}, rand.New(rand.NewPCG(4, 4)))
	out := PerturbWeights(params, []int{0}, noise, 0.5)
	if len(out) != 1 || out[0].Name != "/a/weights" {
		t.Fatalf("perturbed %v, want only /a/weights", out)
	}

	data := make([]float64, len(values))
	for i, v := range values {
		data[i] = float64(v)
	}
	_, sd := stat.PopMeanStdDev(data, nil)
	z := make([]float64, len(values))
	for i := range z {
		z[i] = float64(out[0].Values[i]-values[i]) / (0.5 * sd)
	}
	mean, zsd := stat.MeanStdDev(z, nil)
	if math.Abs(mean) > 0.02 || math.Abs(zsd-1) > 0.02 {
		t.Errorf("relative noise has mean %g and SD %g, want 0 and 1", mean, zsd)
	}

	if params[0].Values[0] != values[0] || &out[0].Values[0] == &params[0].Values[0] {
		t.Error("PerturbWeights changed or aliased its input")
	}
}

func TestPerturbationRejectsBadConfig(t *testing.T) {
	net, set := smallTask()
	bad := []PerturbationConfig{
		{Alphas: []float64{0.1}, Draws: 0, Targets: []string{TargetAll}},
		{Alphas: []float64{-0.1}, Draws: 2, Targets: []string{TargetAll}},
		{Alphas: []float64{0.1}, Draws: 2, Targets: []string{"conv"}},
	}
	for _, cfg := range bad {
		if _, err := WeightPerturbation(net, set, cfg); err == nil {
			t.Errorf("%+v: no error", cfg)
		}
	}
	wrong := *set
	wrong.Height, wrong.Width = 4, 16
	if _, err := WeightPerturbation(net, &wrong, DefaultPerturbationConfig(true)); err == nil {
		t.Error("a set of 4 × 16 images for an 8 × 8 network: no error")
	}
}

func TestAblationOfAllUnitsIsChance(t *testing.T) {
	net, set := smallTask()
	cfg := AblationConfig{Seed: 2, Fractions: []float64{0, 1}, Draws: 3}
	res, err := UnitAblation(net, set, cfg)
	if err != nil {
		t.Fatal(err)
	}
	clean, _ := accuracyOn(net, set.Images, set)
	none, all := res.Points[0], res.Points[1]
	if none.Units != 0 || all.Units != 12 {
		t.Fatalf("ablated %d and %d units, want 0 and 12", none.Units, all.Units)
	}
	for d := 0; d < 3; d++ {
		if none.RandomDraws[d] != clean || none.DiskDraws[d] != clean {
			t.Errorf("no unit ablated, draw %d: %g and %g, want the clean %g", d, none.RandomDraws[d], none.DiskDraws[d], clean)
		}
		// Every logit is then fc2's bias, which picks the last class: a quarter of the
		// balanced labels.
		if all.RandomDraws[d] != 0.25 || all.DiskDraws[d] != 0.25 {
			t.Errorf("every unit ablated, draw %d: %g and %g, want chance 0.25", d, all.RandomDraws[d], all.DiskDraws[d])
		}
	}
	if res.ChanceAccuracy != 0.25 || res.Units != 12 {
		t.Errorf("chance %g for %d units, want 0.25 for 12", res.ChanceAccuracy, res.Units)
	}
}

func TestAblateUnitsSilencesUnits(t *testing.T) {
	net, set := smallTask()
	params := net.Parameters()
	params[1].Values[5] = 0.7 // a non-zero bias, which ablation must clear
	params[1].Values[2] = 0.4
	weights, biases, err := topographicTensors(params, net.Info())
	if err != nil || weights != 0 || biases != 1 {
		t.Fatalf("topographic tensors %d and %d (%v), want 0 and 1", weights, biases, err)
	}
	base, _ := net.WithParameters(params)
	ablated, err := base.WithParameters(AblateUnits(params, weights, biases, []int{5, 7}))
	if err != nil {
		t.Fatal(err)
	}
	before, _ := base.Forward(set.Images, set.Len())
	after, _ := ablated.Forward(set.Images, set.Len())
	for i := 0; i < set.Len(); i++ {
		for u := 0; u < 12; u++ {
			got, was := after.Pre[i*12+u], before.Pre[i*12+u]
			if u == 5 || u == 7 {
				if got != 0 {
					t.Fatalf("image %d: ablated unit %d has pre-activation %g", i, u, got)
				}
			} else if got != was {
				t.Fatalf("image %d: unit %d changed from %g to %g", i, u, was, got)
			}
		}
	}
}

func TestDiskUnitsAreNearest(t *testing.T) {
	g := grid.Grid{Rows: 11, Cols: 11}
	rng := rand.New(rand.NewPCG(5, 5))
	for _, centre := range []int{60, 0, 5, 120} {
		for _, k := range []int{1, 5, 12, 30, 60, 121} {
			disk := DiskUnits(g, centre, k, rng)
			if len(disk) != k {
				t.Fatalf("centre %d, %d units: got %d", centre, k, len(disk))
			}
			if disk[0] != centre {
				t.Errorf("centre %d, %d units: first unit %d, want the centre", centre, k, disk[0])
			}
			inside := map[int]bool{}
			far := 0.0
			for _, u := range disk {
				inside[u] = true
				far = math.Max(far, g.Distance(centre, u))
			}
			if len(inside) != k {
				t.Errorf("centre %d, %d units: repeated units in %v", centre, k, disk)
			}
			for u := 0; u < g.Size(); u++ {
				if !inside[u] && g.Distance(centre, u) < far {
					t.Errorf("centre %d, %d units: unit %d at %g left out, but the disk reaches %g", centre, k, u, g.Distance(centre, u), far)
				}
			}
		}
	}
	// Nine units around the middle of the grid are its 3 × 3 queen neighbourhood.
	disk := DiskUnits(g, 60, 9, rng)
	slices.Sort(disk)
	if want := []int{48, 49, 50, 59, 60, 61, 70, 71, 72}; !slices.Equal(disk, want) {
		t.Errorf("9-unit disk at the middle: %v, want %v", disk, want)
	}
}

func TestAblationDraws(t *testing.T) {
	net, set := smallTask()
	cfg := AblationConfig{Seed: 8, Fractions: []float64{0.25, 0.5}, Draws: 4, Images: 100}
	res, err := UnitAblation(net, set, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if res.Images != 100 {
		t.Errorf("analysed %d images, want 100", res.Images)
	}
	again, _ := UnitAblation(net, set, cfg)
	for i, p := range res.Points {
		if want := []int{3, 6}[i]; p.Units != want {
			t.Errorf("fraction %g: %d units, want %d", p.Fraction, p.Units, want)
		}
		if len(p.RandomDraws) != 4 || len(p.DiskDraws) != 4 || len(p.DiskCentres) != 4 {
			t.Fatalf("fraction %g: %d, %d draws and %d centres, want 4", p.Fraction, len(p.RandomDraws), len(p.DiskDraws), len(p.DiskCentres))
		}
		if !slices.Equal(p.RandomDraws, again.Points[i].RandomDraws) || !slices.Equal(p.DiskDraws, again.Points[i].DiskDraws) {
			t.Errorf("fraction %g: the same seed gave different draws", p.Fraction)
		}
		if want := Summarize(p.DiskDraws); p.Disk != want {
			t.Errorf("fraction %g: disk summary %+v, want %+v", p.Fraction, p.Disk, want)
		}
		for d, acc := range p.RandomDraws {
			if acc > res.CleanAccuracy {
				t.Errorf("fraction %g draw %d: ablation raised accuracy to %g from %g", p.Fraction, d, acc, res.CleanAccuracy)
			}
		}
	}
}

func TestAblationRejectsBadConfig(t *testing.T) {
	net, set := smallTask()
	for _, cfg := range []AblationConfig{
		{Fractions: []float64{0.5}, Draws: 0},
		{Fractions: []float64{1.5}, Draws: 2},
		{Fractions: []float64{math.NaN()}, Draws: 2},
	} {
		if _, err := UnitAblation(net, set, cfg); err == nil {
			t.Errorf("%+v: no error", cfg)
		}
	}
	broken := &linearNet{info: net.info, params: net.Parameters()[2:]}
	if _, err := UnitAblation(broken, set, DefaultAblationConfig(true)); err == nil {
		t.Error("a network without fc1 tensors: no error")
	}
}

// mnistTask is a fake network of the reference MNIST network's input, grid and classes, with
// n test images.
func mnistTask(n int) (*linearNet, *dataset.Set) {
	return templateTask(28, 28, 10, grid.Grid{Rows: 11, Cols: 11}, n, 1)
}

func BenchmarkWeightPerturbationQuick(b *testing.B) {
	net, set := mnistTask(QuickImages)
	cfg := DefaultPerturbationConfig(true)
	for b.Loop() {
		if _, err := WeightPerturbation(net, set, cfg); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkUnitAblationQuick(b *testing.B) {
	net, set := mnistTask(QuickImages)
	cfg := DefaultAblationConfig(true)
	for b.Loop() {
		if _, err := UnitAblation(net, set, cfg); err != nil {
			b.Fatal(err)
		}
	}
}
