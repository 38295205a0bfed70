package dataset

import (
	"math"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"gonum.org/v1/gonum/stat"
)

func TestNormalizationApply(t *testing.T) {
	norm := Normalization{Mean: []float32{0.5, 0.25, 0}, Std: []float32{0.5, 0.25, 2}}
	// Two pixels, channel-last.
	images := []float32{1, 0.75, 1, 0, 0.25, -4}
	want := []float32{1, 2, 0.5, -1, 0, -2}
	got := norm.Apply(images, 3)
	for i := range want {
		if math.Abs(float64(got[i]-want[i])) > 1e-6 {
			t.Errorf("value %d = %v, want %v", i, got[i], want[i])
		}
	}
	if !slices.Equal(images, []float32{1, 0.75, 1, 0, 0.25, -4}) {
		t.Error("Apply changed its input")
	}
}

func TestNormalizationConstants(t *testing.T) {
	cases := []struct {
		name      string
		mean, std []float32
	}{
		{MNIST, []float32{0.1307}, []float32{0.3081}},
		{FashionMNIST, []float32{0.2860}, []float32{0.3530}},
		{CIFAR10, []float32{0.4914, 0.4822, 0.4465}, []float32{0.2470, 0.2435, 0.2616}},
	}
	for _, c := range cases {
		norm, err := NormalizationFor(c.name)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(norm.Mean, c.mean) || !slices.Equal(norm.Std, c.std) {
			t.Errorf("%s: mean %v, std %v, want %v, %v", c.name, norm.Mean, norm.Std, c.mean, c.std)
		}
		spec, _ := SpecFor(c.name)
		if len(norm.Mean) != spec.Channels {
			t.Errorf("%s: %d constants for %d channels", c.name, len(norm.Mean), spec.Channels)
		}
		norm.Mean[0] = 99
		if again, _ := NormalizationFor(c.name); again.Mean[0] == 99 {
			t.Errorf("%s: NormalizationFor returns a shared slice", c.name)
		}
	}
}

// TestNormalizationMatchesTrainingPixels checks the single-channel constants against the mean
// and population standard deviation of the training-set pixels, from a histogram of the 256
// pixel values with gonum's weighted statistics.
func TestNormalizationMatchesTrainingPixels(t *testing.T) {
	for _, name := range []string{MNIST, FashionMNIST} {
		t.Run(name, func(t *testing.T) {
			if name == FashionMNIST {
				if _, err := os.Stat(filepath.Join(FashionMNISTDir, "train-images-idx3-ubyte.gz")); err != nil {
					t.Skipf("Fashion-MNIST is not installed (%v); install it with apt-get install dataset-fashion-mnist", err)
				}
			}
			set, err := Load(name, Train, "")
			if err != nil {
				t.Fatal(err)
			}
			values := make([]float64, 256)
			counts := make([]float64, 256)
			for b := range values {
				values[b] = float64(b) / 255
			}
			for _, x := range set.Images {
				counts[int(math.Round(float64(x)*255))]++
			}
			mean, std := stat.PopMeanStdDev(values, counts)

			norm, _ := NormalizationFor(name)
			// The constants are rounded to four decimal places.
			if math.Abs(mean-float64(norm.Mean[0])) > 5e-5 {
				t.Errorf("training pixel mean = %.5f, constant %v", mean, norm.Mean[0])
			}
			if math.Abs(std-float64(norm.Std[0])) > 5e-5 {
				t.Errorf("training pixel std = %.5f, constant %v", std, norm.Std[0])
			}
		})
	}
}

func TestNormalizationApplyPanics(t *testing.T) {
	norm := Normalization{Mean: []float32{0.5}, Std: []float32{0.5}}
	for name, f := range map[string]func(){
		"wrong channel count": func() { norm.Apply(make([]float32, 6), 3) },
		"missing std":         func() { Normalization{Mean: []float32{0}}.Apply(make([]float32, 2), 1) },
		"partial pixel":       func() { Normalization{Mean: []float32{0, 0}, Std: []float32{1, 1}}.Apply(make([]float32, 3), 2) },
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("%s: Apply did not panic", name)
				}
			}()
			f()
		}()
	}
}
