package stimuli

import (
	"math"
	"math/cmplx"
	"testing"

	"gonum.org/v1/gonum/dsp/fourier"
	"gonum.org/v1/gonum/stat"
)

func TestGratingsDefaultSet(t *testing.T) {
	cfg := DefaultGratingConfig()
	set, err := Gratings(28, 28, 1, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if set.Len() != 128 {
		t.Fatalf("got %d gratings, want 8 × 4 × 4 = 128", set.Len())
	}
	if len(set.Params) != 128 {
		t.Fatalf("got %d parameter sets, want 128", len(set.Params))
	}
	wantOrientations := []float64{0, 22.5, 45, 67.5, 90, 112.5, 135, 157.5}
	for o, theta := range wantOrientations {
		for f, cycles := range cfg.Cycles {
			for p := 0; p < cfg.Phases; p++ {
				g := set.Params[cfg.Index(o, f, p)]
				if g.Orientation != theta || g.Cycles != cycles || math.Abs(g.Phase-float64(p)*math.Pi/2) > 1e-12 {
					t.Errorf("image %d has %+v, want orientation %g, %g cycles, phase %g", cfg.Index(o, f, p), g, theta, cycles, float64(p)*math.Pi/2)
				}
			}
		}
	}
	for i, v := range set.Images {
		if v < 0 || v > 1 {
			t.Fatalf("value %d is %g, outside [0, 1]", i, v)
		}
	}
}

func TestGratingStripeDirection(t *testing.T) {
	const n = 20
	plane := make([]float64, n*n)

	// 0°: horizontal stripes, so every row is constant.
	RenderGrating(plane, n, n, Grating{Orientation: 0, Cycles: 3, Contrast: 1})
	for i := 0; i < n; i++ {
		for j := 1; j < n; j++ {
			if math.Abs(plane[i*n+j]-plane[i*n]) > 1e-12 {
				t.Fatalf("0° grating: row %d varies (%g at column %d, %g at column 0)", i, plane[i*n+j], j, plane[i*n])
			}
		}
	}

	// 90°: vertical stripes, so every column is constant.
	RenderGrating(plane, n, n, Grating{Orientation: 90, Cycles: 3, Contrast: 1})
	for j := 0; j < n; j++ {
		for i := 1; i < n; i++ {
			if math.Abs(plane[i*n+j]-plane[j]) > 1e-12 {
				t.Fatalf("90° grating: column %d varies", j)
			}
		}
	}

	// 45°: stripes rise to the right, so the value is constant from (i, j) to (i − 1, j + 1).
	RenderGrating(plane, n, n, Grating{Orientation: 45, Cycles: 3, Contrast: 1})
	for i := 1; i < n; i++ {
		for j := 0; j+1 < n; j++ {
			if math.Abs(plane[(i-1)*n+j+1]-plane[i*n+j]) > 1e-12 {
				t.Fatalf("45° grating: (%d, %d) = %g but (%d, %d) = %g", i, j, plane[i*n+j], i-1, j+1, plane[(i-1)*n+j+1])
			}
		}
	}
	// and it varies across the stripes.
	if math.Abs(plane[0]-plane[n+1]) < 1e-3 && math.Abs(plane[0]-plane[2*n+2]) < 1e-3 {
		t.Errorf("45° grating does not vary along the diagonal")
	}
}

func TestGratingSpatialFrequency(t *testing.T) {
	const n = 32
	plane := make([]float64, n*n)
	fft := fourier.NewFFT(n)
	for _, cycles := range []float64{2, 3, 4, 6} {
		RenderGrating(plane, n, n, Grating{Orientation: 0, Cycles: cycles, Phase: 0.3, Contrast: 1})
		column := make([]float64, n)
		for i := range column {
			column[i] = plane[i*n]
		}
		coeff := fft.Coefficients(nil, column)
		peak := 1
		for k := 1; k < len(coeff); k++ {
			if cmplx.Abs(coeff[k]) > cmplx.Abs(coeff[peak]) {
				peak = k
			}
		}
		if float64(peak) != cycles {
			t.Errorf("%g cycles per image: spectrum peaks at %d cycles", cycles, peak)
		}
	}
}

func TestGratingContrastAndPhase(t *testing.T) {
	const n = 24
	a := make([]float64, n*n)
	b := make([]float64, n*n)
	RenderGrating(a, n, n, Grating{Orientation: 30, Cycles: 4, Phase: 0.7, Contrast: 0.6})
	RenderGrating(b, n, n, Grating{Orientation: 30, Cycles: 4, Phase: 0.7 + math.Pi, Contrast: 0.6})
	for i := range a {
		if math.Abs(a[i]+b[i]-1) > 1e-12 {
			t.Fatalf("pixel %d: gratings in opposite phase sum to %g, want 1", i, a[i]+b[i])
		}
		if a[i] < 0.2-1e-12 || a[i] > 0.8+1e-12 {
			t.Fatalf("pixel %d: %g outside [0.5 − 0.3, 0.5 + 0.3] for contrast 0.6", i, a[i])
		}
	}
	if mean := stat.Mean(a, nil); math.Abs(mean-0.5) > 0.01 {
		t.Errorf("mean %g, want about 0.5", mean)
	}

	// The centre of an odd-sized image is a pixel centre, where s = 0, so its value is
	// 0.5 + 0.5·C·cos φ.
	odd := make([]float64, 25*25)
	RenderGrating(odd, 25, 25, Grating{Orientation: 70, Cycles: 3, Phase: 1.1, Contrast: 0.8})
	want := 0.5 + 0.4*math.Cos(1.1)
	if got := odd[12*25+12]; math.Abs(got-want) > 1e-12 {
		t.Errorf("centre pixel %g, want %g", got, want)
	}
}

func TestGratingsReplicateChannels(t *testing.T) {
	cfg := GratingConfig{Orientations: 2, Cycles: []float64{2}, Phases: 2, Contrast: 1}
	set, err := Gratings(8, 10, 3, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if set.Len() != 4 || set.ImageSize() != 8*10*3 {
		t.Fatalf("got %d images of %d values, want 4 of 240", set.Len(), set.ImageSize())
	}
	plane := make([]float64, 80)
	RenderGrating(plane, 8, 10, set.Params[3])
	img := set.Image(3)
	for p, v := range plane {
		for ch := 0; ch < 3; ch++ {
			if img[p*3+ch] != float32(v) {
				t.Fatalf("pixel %d channel %d: %g, want %g", p, ch, img[p*3+ch], v)
			}
		}
	}
}

func TestGratingsRejectInvalidInput(t *testing.T) {
	good := DefaultGratingConfig()
	cases := map[string]GratingConfig{
		"no orientations":  {Orientations: 0, Cycles: good.Cycles, Phases: 4, Contrast: 1},
		"no phases":        {Orientations: 8, Cycles: good.Cycles, Phases: 0, Contrast: 1},
		"no frequencies":   {Orientations: 8, Phases: 4, Contrast: 1},
		"zero frequency":   {Orientations: 8, Cycles: []float64{0}, Phases: 4, Contrast: 1},
		"contrast above 1": {Orientations: 8, Cycles: good.Cycles, Phases: 4, Contrast: 1.5},
	}
	for name, cfg := range cases {
		if _, err := Gratings(28, 28, 1, cfg); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
	if _, err := Gratings(0, 28, 1, good); err == nil {
		t.Errorf("zero height: no error")
	}
}

// asymmetry returns the mean absolute difference between an image and its mirror image.
func asymmetry(img []float32, h, w, c int) float64 {
	var sum float64
	for i := 0; i < h; i++ {
		for j := 0; j < w; j++ {
			for ch := 0; ch < c; ch++ {
				sum += math.Abs(float64(img[(i*w+j)*c+ch] - img[(i*w+w-1-j)*c+ch]))
			}
		}
	}
	return sum / float64(len(img))
}

func TestMirrorPairsSymmetry(t *testing.T) {
	for _, kind := range []TextureKind{RandomDots, NoiseTexture} {
		for _, w := range []int{28, 27} {
			cfg := DefaultTextureConfig(kind)
			cfg.Pairs = 20
			pairs, err := MirrorPairs(28, w, 2, cfg, 7)
			if err != nil {
				t.Fatal(err)
			}
			if pairs.Symmetric.Len() != 20 || pairs.Original.Len() != 20 {
				t.Fatalf("%s: got %d and %d images, want 20 pairs", kind, pairs.Symmetric.Len(), pairs.Original.Len())
			}
			for k := 0; k < 20; k++ {
				sym, orig := pairs.Symmetric.Image(k), pairs.Original.Image(k)
				if a := asymmetry(sym, 28, w, 2); a != 0 {
					t.Fatalf("%s width %d pair %d: symmetric image has asymmetry %g", kind, w, k, a)
				}
				if a := asymmetry(orig, 28, w, 2); a < 0.01 {
					t.Errorf("%s width %d pair %d: original has asymmetry %g, want clearly above 0", kind, w, k, a)
				}
				// The left half, and for odd widths the middle column, are the original's pixels.
				for i := 0; i < 28; i++ {
					for j := 0; j < (w+1)/2; j++ {
						for ch := 0; ch < 2; ch++ {
							if sym[(i*w+j)*2+ch] != orig[(i*w+j)*2+ch] {
								t.Fatalf("%s pair %d: pixel (%d, %d) differs from the original", kind, k, i, j)
							}
						}
					}
				}
			}
		}
	}
}

func TestMirrorPairsPixelStatistics(t *testing.T) {
	cfg := DefaultTextureConfig(RandomDots)
	cfg.Pairs = 200
	pairs, err := MirrorPairs(28, 28, 1, cfg, 3)
	if err != nil {
		t.Fatal(err)
	}
	symMean := meanOf(pairs.Symmetric.Images)
	origMean := meanOf(pairs.Original.Images)
	// 200 × 784 Bernoulli(0.2) pixels: SE ≈ 0.0014 for the originals, twice that for the
	// symmetric images (each value appears twice).
	if math.Abs(origMean-0.2) > 0.006 || math.Abs(symMean-0.2) > 0.012 {
		t.Errorf("dot density %g (original) and %g (symmetric), want 0.2", origMean, symMean)
	}

	cfg = DefaultTextureConfig(NoiseTexture)
	cfg.Pairs = 200
	pairs, err = MirrorPairs(28, 28, 1, cfg, 3)
	if err != nil {
		t.Fatal(err)
	}
	for name, stack := range map[string]Stack{"original": pairs.Original, "symmetric": pairs.Symmetric} {
		values := make([]float64, len(stack.Images))
		for i, v := range stack.Images {
			values[i] = float64(v)
		}
		mean, sd := stat.PopMeanStdDev(values, nil)
		if math.Abs(mean-0.5) > 0.01 {
			t.Errorf("%s noise textures: mean %g, want 0.5", name, mean)
		}
		// Clamping at 0.5 ± 2.5 SD trims the SD by well under 1 %.
		if math.Abs(sd-0.2) > 0.01 {
			t.Errorf("%s noise textures: SD %g, want about 0.2", name, sd)
		}
	}
}

func meanOf(x []float32) float64 {
	var sum float64
	for _, v := range x {
		sum += float64(v)
	}
	return sum / float64(len(x))
}

func TestMirrorPairsSeeded(t *testing.T) {
	cfg := DefaultTextureConfig(NoiseTexture)
	cfg.Pairs = 5
	a, _ := MirrorPairs(16, 16, 1, cfg, 11)
	b, _ := MirrorPairs(16, 16, 1, cfg, 11)
	c, _ := MirrorPairs(16, 16, 1, cfg, 12)
	cfg.Pairs = 3
	d, _ := MirrorPairs(16, 16, 1, cfg, 11)
	for i := range a.Original.Images {
		if a.Original.Images[i] != b.Original.Images[i] || a.Symmetric.Images[i] != b.Symmetric.Images[i] {
			t.Fatalf("same seed: value %d differs", i)
		}
	}
	same := 0
	for i := range a.Original.Images {
		if a.Original.Images[i] == c.Original.Images[i] {
			same++
		}
	}
	if same > len(a.Original.Images)/10 {
		t.Errorf("different seeds: %d of %d values equal", same, len(a.Original.Images))
	}
	for i := range d.Original.Images {
		if d.Original.Images[i] != a.Original.Images[i] {
			t.Fatalf("texture %d depends on the number of pairs", i/256)
		}
	}
}

func TestMirrorPairsRejectInvalidInput(t *testing.T) {
	bad := []TextureConfig{
		{Kind: RandomDots, Pairs: 0, DotDensity: 0.2},
		{Kind: RandomDots, Pairs: 5, DotDensity: 0},
		{Kind: RandomDots, Pairs: 5, DotDensity: 1},
		{Kind: NoiseTexture, Pairs: 5, NoiseSmoothing: -1, NoiseContrast: 0.2},
		{Kind: NoiseTexture, Pairs: 5, NoiseSmoothing: 1, NoiseContrast: 0},
		{Kind: TextureKind(9), Pairs: 5},
	}
	for _, cfg := range bad {
		if _, err := MirrorPairs(8, 8, 1, cfg, 1); err == nil {
			t.Errorf("%+v: no error", cfg)
		}
	}
}

func TestTextureKindText(t *testing.T) {
	for _, kind := range []TextureKind{RandomDots, NoiseTexture} {
		text, err := kind.MarshalText()
		if err != nil {
			t.Fatal(err)
		}
		var back TextureKind
		if err := back.UnmarshalText(text); err != nil || back != kind {
			t.Errorf("%s: round trip gave %v, %v", kind, back, err)
		}
	}
	if _, err := ParseTextureKind("stripes"); err == nil {
		t.Error("unknown kind: no error")
	}
}

func TestLattice(t *testing.T) {
	cases := []struct {
		n    int
		step float64
		want []float64
	}{
		{28, 2, []float64{0.5, 2.5, 4.5, 6.5, 8.5, 10.5, 12.5, 14.5, 16.5, 18.5, 20.5, 22.5, 24.5, 26.5}},
		{5, 2, []float64{0, 2, 4}},
		{7, 3, []float64{0, 3, 6}},
		{8, 3, []float64{0.5, 3.5, 6.5}},
		{1, 2, []float64{0}},
		{4, 10, []float64{1.5}},
	}
	for _, c := range cases {
		got := Lattice(c.n, c.step)
		if len(got) != len(c.want) {
			t.Errorf("Lattice(%d, %g) = %v, want %v", c.n, c.step, got, c.want)
			continue
		}
		for i := range got {
			if math.Abs(got[i]-c.want[i]) > 1e-12 {
				t.Errorf("Lattice(%d, %g) = %v, want %v", c.n, c.step, got, c.want)
				break
			}
		}
	}
}

func TestBlobsCentres(t *testing.T) {
	set, err := Blobs(28, 28, 1, DefaultBlobConfig())
	if err != nil {
		t.Fatal(err)
	}
	if set.Len() != 196 || len(set.Centres) != 196 {
		t.Fatalf("got %d probes with %d centres, want 14 × 14 = 196", set.Len(), len(set.Centres))
	}
	centre := Centre(28, 28)
	var meanRow, meanCol float64
	for _, p := range set.Centres {
		meanRow += p.Row / 196
		meanCol += p.Col / 196
	}
	if math.Abs(meanRow-centre.Row) > 1e-9 || math.Abs(meanCol-centre.Col) > 1e-9 {
		t.Errorf("lattice mean (%g, %g), want the image centre (%g, %g)", meanRow, meanCol, centre.Row, centre.Col)
	}

	// The intensity-weighted centroid of an interior blob is its centre. A corner blob loses
	// part of its mass beyond the border, so its centroid moves towards the interior.
	for _, i := range []int{0, 50, 105} {
		row, col := centroid(set.Image(i), 28)
		want := set.Centres[i]
		if i == 0 {
			if row <= want.Row || col <= want.Col {
				t.Errorf("corner probe: centroid (%g, %g) not inside its centre (%g, %g)", row, col, want.Row, want.Col)
			}
			continue
		}
		if math.Abs(row-want.Row) > 1e-4 || math.Abs(col-want.Col) > 1e-4 {
			t.Errorf("probe %d: centroid (%g, %g), want (%g, %g)", i, row, col, want.Row, want.Col)
		}
	}
}

// centroid returns the value-weighted mean row and column of a single-channel image.
func centroid(img []float32, w int) (row, col float64) {
	var sum float64
	for p, v := range img {
		sum += float64(v)
		row += float64(v) * float64(p/w)
		col += float64(v) * float64(p%w)
	}
	return row / sum, col / sum
}

func TestBlobProfile(t *testing.T) {
	cfg := BlobConfig{Sigma: 2, Step: 4, Amplitude: 0.6, Background: 0.3}
	plane := make([]float64, 15*15)
	RenderBlob(plane, 15, 15, Point{Row: 7, Col: 5}, cfg)
	if got := plane[7*15+5]; math.Abs(got-0.9) > 1e-12 {
		t.Errorf("peak %g, want background + amplitude = 0.9", got)
	}
	want := 0.3 + 0.6*math.Exp(-(9.0+4.0)/8)
	if got := plane[10*15+7]; math.Abs(got-want) > 1e-12 {
		t.Errorf("value at offset (3, 2): %g, want %g", got, want)
	}
	clipped := BlobConfig{Sigma: 2, Step: 4, Amplitude: 1, Background: 0.5}
	RenderBlob(plane, 15, 15, Point{Row: 7, Col: 7}, clipped)
	if plane[7*15+7] != 1 {
		t.Errorf("peak above 1 was not clamped: %g", plane[7*15+7])
	}
}

func TestBlobsRejectInvalidInput(t *testing.T) {
	bad := []BlobConfig{
		{Sigma: 0, Step: 2, Amplitude: 1},
		{Sigma: 1, Step: 0, Amplitude: 1},
		{Sigma: 1, Step: 2, Amplitude: 1, Background: 2},
		{Sigma: 1, Step: 2, Amplitude: math.NaN()},
	}
	for _, cfg := range bad {
		if _, err := Blobs(10, 10, 1, cfg); err == nil {
			t.Errorf("%+v: no error", cfg)
		}
	}
}

func BenchmarkGratings(b *testing.B) {
	cfg := DefaultGratingConfig()
	for b.Loop() {
		if _, err := Gratings(28, 28, 1, cfg); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkMirrorPairsNoise(b *testing.B) {
	cfg := DefaultTextureConfig(NoiseTexture)
	for b.Loop() {
		if _, err := MirrorPairs(28, 28, 1, cfg, 1); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkMirrorPairsDots(b *testing.B) {
	cfg := DefaultTextureConfig(RandomDots)
	for b.Loop() {
		if _, err := MirrorPairs(28, 28, 1, cfg, 1); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkBlobs(b *testing.B) {
	cfg := DefaultBlobConfig()
	for b.Loop() {
		if _, err := Blobs(28, 28, 1, cfg); err != nil {
			b.Fatal(err)
		}
	}
}
