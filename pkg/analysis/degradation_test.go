package analysis

import (
	"encoding/json"
	"slices"
	"testing"

	"github.com/topocnn/topocnn/pkg/degrade"
)

func TestInputDegradationMatchesDirectComputation(t *testing.T) {
	net, set := smallTask()
	cfg := DefaultDegradationConfig(false)
	cfg.Seed = 4
	res, err := InputDegradation(net, set, cfg)
	if err != nil {
		t.Fatal(err)
	}
	clean, _ := accuracyOn(net, set.Images, set)
	if res.CleanAccuracy != clean || res.Images != 200 {
		t.Fatalf("clean accuracy %g on %d images, want %g on 200", res.CleanAccuracy, res.Images, clean)
	}
	if len(res.Curves) != 6 {
		t.Fatalf("%d curves, want one per kind", len(res.Curves))
	}
	for i, curve := range res.Curves {
		if curve.Kind != degrade.Kinds()[i] || !slices.Equal(curve.Levels, curve.Kind.DefaultLevels()) {
			t.Errorf("curve %d: %s at %v, want %s at its default levels", i, curve.Kind, curve.Levels, degrade.Kinds()[i])
		}
		for l, level := range curve.Levels {
			images, err := degrade.Degradation{Kind: curve.Kind, Level: level}.Apply(set.Images, 8, 8, 1, 4)
			if err != nil {
				t.Fatal(err)
			}
			want, _ := accuracyOn(net, images, set)
			if curve.Accuracy[l] != want {
				t.Errorf("%s at %g: accuracy %g, want %g", curve.Kind, level, curve.Accuracy[l], want)
			}
			if got := curve.ChangePP[l]; got != 100*(want-clean) {
				t.Errorf("%s at %g: change %g pp, want %g", curve.Kind, level, got, 100*(want-clean))
			}
		}
	}

	// Half of each image under a black patch must cost this task accuracy.
	occlusion := res.Curves[5]
	if last := occlusion.ChangePP[len(occlusion.ChangePP)-1]; last >= 0 {
		t.Errorf("occluding half of each image changed accuracy by %g pp, want a loss", last)
	}
}

func TestInputDegradationLevelZeroIsClean(t *testing.T) {
	net, set := smallTask()
	cfg := DegradationConfig{Seed: 1, Series: []DegradationSeries{
		{Kind: degrade.White, Levels: []float64{0}},
		{Kind: degrade.SaltPepper, Levels: []float64{0}},
		{Kind: degrade.Occlusion, Levels: []float64{0}},
	}}
	res, err := InputDegradation(net, set, cfg)
	if err != nil {
		t.Fatal(err)
	}
	for _, curve := range res.Curves {
		if curve.Accuracy[0] != res.CleanAccuracy || curve.ChangePP[0] != 0 {
			t.Errorf("%s at 0: accuracy %g (change %g pp), want the clean %g", curve.Kind, curve.Accuracy[0], curve.ChangePP[0], res.CleanAccuracy)
		}
	}
}

func TestInputDegradationSeededSubset(t *testing.T) {
	net, set := smallTask()
	cfg := DefaultDegradationConfig(true)
	cfg.Images = 60
	cfg.Seed = 3
	a, err := InputDegradation(net, set, cfg)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := InputDegradation(net, set, cfg)
	if a.Images != 60 {
		t.Errorf("analysed %d images, want 60", a.Images)
	}
	ja, _ := json.Marshal(a)
	jb, _ := json.Marshal(b)
	if string(ja) != string(jb) {
		t.Error("the same seed gave different results")
	}
	var back DegradationResult
	if err := json.Unmarshal(ja, &back); err != nil || back.Curves[2].Kind != degrade.SaltPepper {
		t.Errorf("JSON round trip: %v, kind %v", err, back.Curves[2].Kind)
	}
}

func TestInputDegradationRejectsBadInput(t *testing.T) {
	net, set := smallTask()
	cfg := DegradationConfig{Series: []DegradationSeries{{Kind: degrade.SaltPepper, Levels: []float64{1.2}}}}
	if _, err := InputDegradation(net, set, cfg); err == nil {
		t.Error("salt-and-pepper level 1.2: no error")
	}
	wrong := *set
	wrong.Classes = 10
	if _, err := InputDegradation(net, &wrong, DefaultDegradationConfig(true)); err == nil {
		t.Error("a 10-class set for a 4-class network: no error")
	}
	if _, err := InputDegradation(net, nil, DefaultDegradationConfig(true)); err == nil {
		t.Error("no test set: no error")
	}
}

func BenchmarkInputDegradationQuick(b *testing.B) {
	net, set := mnistTask(QuickImages)
	cfg := DefaultDegradationConfig(true)
	for b.Loop() {
		if _, err := InputDegradation(net, set, cfg); err != nil {
			b.Fatal(err)
		}
	}
}
