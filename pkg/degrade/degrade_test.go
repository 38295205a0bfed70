package degrade

import (
	"encoding/json"
	"math"
	"math/cmplx"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/dsp/fourier"
	"gonum.org/v1/gonum/stat"
)

// constantImages returns n images of h × w × c values, all equal to v.
func constantImages(n, h, w, c int, v float32) []float32 {
	out := make([]float32, n*h*w*c)
	for i := range out {
		out[i] = v
	}
	return out
}

// randomImages returns n images with uniform values in [0, 1].
func randomImages(n, h, w, c int, seed uint64) []float32 {
	rng := rand.New(rand.NewPCG(seed, 0))
	out := make([]float32, n*h*w*c)
	for i := range out {
		out[i] = rng.Float32()
	}
	return out
}

func TestKindNames(t *testing.T) {
	want := []string{"white", "pink", "salt-pepper", "blur", "contrast", "occlusion"}
	for i, k := range Kinds() {
		if k.String() != want[i] {
			t.Errorf("kind %d is %q, want %q", i, k, want[i])
		}
		parsed, err := ParseKind(want[i])
		if err != nil || parsed != k {
			t.Errorf("ParseKind(%q) = %v, %v", want[i], parsed, err)
		}
	}
	if _, err := ParseKind("gaussian"); err == nil {
		t.Error("unknown kind: no error")
	}

	data, err := json.Marshal(Degradation{Kind: SaltPepper, Level: 0.1, Fill: FillMean})
	if err != nil {
		t.Fatal(err)
	}
	if string(data) != `{"kind":"salt-pepper","level":0.1,"fill":"mean"}` {
		t.Errorf("JSON %s", data)
	}
	var back Degradation
	if err := json.Unmarshal(data, &back); err != nil || back != (Degradation{Kind: SaltPepper, Level: 0.1, Fill: FillMean}) {
		t.Errorf("JSON round trip gave %+v, %v", back, err)
	}
}

func TestDefaultLevels(t *testing.T) {
	for _, k := range []Kind{White, Pink, SaltPepper} {
		levels := k.DefaultLevels()
		want := []float64{0.01, 0.05, 0.10, 0.15, 0.20}
		if len(levels) != len(want) {
			t.Fatalf("%s: levels %v, want %v", k, levels, want)
		}
		for i := range want {
			if levels[i] != want[i] {
				t.Errorf("%s: levels %v, want %v", k, levels, want)
			}
		}
	}
	for _, k := range Kinds() {
		for _, level := range k.DefaultLevels() {
			if err := k.CheckLevel(level); err != nil {
				t.Errorf("%s: default level %g rejected: %v", k, level, err)
			}
		}
	}
}

func TestCheckLevelRejects(t *testing.T) {
	cases := []Degradation{
		{Kind: White, Level: -0.1},
		{Kind: Pink, Level: math.NaN()},
		{Kind: Blur, Level: math.Inf(1)},
		{Kind: SaltPepper, Level: 1.5},
		{Kind: Contrast, Level: -0.2},
		{Kind: Occlusion, Level: 2},
		{Kind: Kind(17), Level: 0.1},
	}
	img := constantImages(1, 4, 4, 1, 0.5)
	for _, d := range cases {
		if _, err := d.Apply(img, 4, 4, 1, 1); err == nil {
			t.Errorf("%v: no error", d)
		}
	}
	if _, err := (Degradation{Kind: White, Level: 0.1}).Apply(img[:15], 4, 4, 1, 1); err == nil {
		t.Error("15 values for 4×4 images: no error")
	}
}

func TestWhiteNoiseSD(t *testing.T) {
	// On mid-grey, σ = 0.05 never reaches the clamp (10 SD away), so the added noise has SD σ.
	const sigma = 0.05
	images := constantImages(100, 28, 28, 1, 0.5)
	out, err := Degradation{Kind: White, Level: sigma}.Apply(images, 28, 28, 1, 42)
	if err != nil {
		t.Fatal(err)
	}
	values := make([]float64, len(out))
	for i, v := range out {
		values[i] = float64(v)
	}
	mean, sd := stat.MeanStdDev(values, nil)
	// 78,400 values: SE of the mean 1.8e-4, relative SE of the SD 0.25 %.
	if math.Abs(mean-0.5) > 1e-3 {
		t.Errorf("mean %g, want 0.5", mean)
	}
	if math.Abs(sd-sigma)/sigma > 0.01 {
		t.Errorf("SD %g, want %g within 1 %%", sd, sigma)
	}
}

func TestWhiteNoiseClamps(t *testing.T) {
	images := constantImages(10, 8, 8, 3, 0.95)
	out, err := Degradation{Kind: White, Level: 0.2}.Apply(images, 8, 8, 3, 1)
	if err != nil {
		t.Fatal(err)
	}
	ones := 0
	for _, v := range out {
		if v < 0 || v > 1 {
			t.Fatalf("value %g outside [0, 1]", v)
		}
		if v == 1 {
			ones++
		}
	}
	// P(0.95 + 0.2·ε ≥ 1) = P(ε ≥ 0.25) ≈ 0.40.
	if frac := float64(ones) / float64(len(out)); math.Abs(frac-0.401) > 0.05 {
		t.Errorf("fraction clamped to 1: %g, want about 0.40", frac)
	}
}

// radialPowerSlope returns the slope of log power against log radial frequency, fitted over
// every non-DC coefficient of the mean power spectrum of fields.
func radialPowerSlope(fields [][]float64, h, w int) float64 {
	rowFFT, colFFT := fourier.NewCmplxFFT(w), fourier.NewCmplxFFT(h)
	power := make([]float64, h*w)
	for _, field := range fields {
		data := make([]complex128, h*w)
		for i, v := range field {
			data[i] = complex(v, 0)
		}
		transform2D(data, h, w, rowFFT, colFFT, false)
		for i, v := range data {
			power[i] += real(v * cmplx.Conj(v))
		}
	}
	var logF, logP []float64
	for ky := 0; ky < h; ky++ {
		for kx := 0; kx < w; kx++ {
			f := math.Hypot(colFFT.Freq(ky), rowFFT.Freq(kx))
			if f == 0 {
				continue
			}
			logF = append(logF, math.Log(f))
			logP = append(logP, math.Log(power[ky*w+kx]/float64(len(fields))))
		}
	}
	_, slope := stat.LinearRegression(logF, logP, nil, false)
	return slope
}

func TestPinkNoiseSpectralSlope(t *testing.T) {
	// Tolerance: the mean power of 200 fields has a relative SD of about 7 % per coefficient,
	// which moves the fitted log–log slope by well under 0.05.
	const h, w = 32, 28
	rng := rand.New(rand.NewPCG(5, 0))
	fields := make([][]float64, 200)
	for i := range fields {
		fields[i] = PinkNoise(h, w, rng)
	}
	slope := radialPowerSlope(fields, h, w)
	if math.Abs(slope-(-2)) > 0.05 {
		t.Errorf("power spectrum slope %g, want −2 ± 0.05 (amplitude slope −1)", slope)
	}

	// White noise, the same check's control, has a flat spectrum.
	for i := range fields {
		for j := range fields[i] {
			fields[i][j] = rng.NormFloat64()
		}
	}
	if slope := radialPowerSlope(fields, h, w); math.Abs(slope) > 0.05 {
		t.Errorf("white-noise power spectrum slope %g, want 0 ± 0.05", slope)
	}
}

func TestPinkNoiseZScored(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 0))
	field := PinkNoise(28, 28, rng)
	mean, sd := stat.PopMeanStdDev(field, nil)
	if math.Abs(mean) > 1e-12 || math.Abs(sd-1) > 1e-12 {
		t.Errorf("mean %g and SD %g, want 0 and 1", mean, sd)
	}
	if f := PinkNoise(1, 1, rng); f[0] != 0 {
		t.Errorf("1 × 1 field %g, want 0", f[0])
	}
}

func TestPinkNoiseOnImages(t *testing.T) {
	// On mid-grey with σ = 0.05 nothing clamps (the z-scored field would need |q| ≥ 10), so the
	// change of every image and channel has population SD σ exactly.
	const sigma = 0.05
	images := constantImages(5, 28, 28, 3, 0.5)
	out, err := Degradation{Kind: Pink, Level: sigma}.Apply(images, 28, 28, 3, 8)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 5; i++ {
		for ch := 0; ch < 3; ch++ {
			values := make([]float64, 28*28)
			for p := range values {
				values[p] = float64(out[(i*784+p)*3+ch]) - 0.5
			}
			mean, sd := stat.PopMeanStdDev(values, nil)
			if math.Abs(mean) > 1e-6 || math.Abs(sd-sigma) > 1e-6 {
				t.Errorf("image %d channel %d: change has mean %g and SD %g, want 0 and %g", i, ch, mean, sd, sigma)
			}
		}
	}
	if out[0] == out[1] && out[1] == out[2] {
		t.Error("channels got the same pink field")
	}
}

func TestSaltAndPepperFraction(t *testing.T) {
	const h, w, c, n = 28, 28, 3, 2000
	for _, p := range NoiseLevels {
		images := constantImages(n, h, w, c, 0.5)
		out, err := Degradation{Kind: SaltPepper, Level: p}.Apply(images, h, w, c, 3)
		if err != nil {
			t.Fatal(err)
		}
		draws := int(float64(h*w) * p)
		changed, ones := 0, 0
		for i := 0; i < n; i++ {
			perImage := 0
			for q := 0; q < h*w; q++ {
				px := out[(i*h*w+q)*c : (i*h*w+q+1)*c]
				if px[0] == 0.5 {
					continue
				}
				if px[0] != 0 && px[0] != 1 {
					t.Fatalf("p = %g: changed pixel has value %g, want 0 or 1", p, px[0])
				}
				if px[1] != px[0] || px[2] != px[0] {
					t.Fatalf("p = %g: channels differ: %v", p, px)
				}
				perImage++
				if px[0] == 1 {
					ones++
				}
			}
			if perImage > draws {
				t.Fatalf("p = %g: image %d has %d changed pixels, more than the %d draws", p, i, perImage, draws)
			}
			changed += perImage
		}

		want := 1 - math.Pow(1-1/float64(h*w), float64(draws))
		got := float64(changed) / float64(n*h*w)
		// The fraction's SD over 2,000 images is below 0.1 % of the pixels for every level.
		if math.Abs(got-want) > 0.002 {
			t.Errorf("p = %g: %.4f of pixels changed, want %.4f", p, got, want)
		}
		if half := float64(ones) / float64(changed); math.Abs(half-0.5) > 0.02 {
			t.Errorf("p = %g: %.3f of changed pixels are 1, want 0.5", p, half)
		}
	}
}

func TestGaussianBlurImpulse(t *testing.T) {
	const n = 21
	const sigma = 1.5
	src := make([]float32, n*n)
	src[10*n+10] = 1
	dst := make([]float32, n*n)
	GaussianBlur(dst, src, n, n, 1, sigma)

	// The response of an interior impulse is the truncated, normalised 2-D Gaussian.
	kernel := gaussianKernel(sigma)
	radius := len(kernel) / 2
	var sum, variance float64
	for y := 0; y < n; y++ {
		for x := 0; x < n; x++ {
			dy, dx := y-10, x-10
			want := 0.0
			if abs(dy) <= radius && abs(dx) <= radius {
				want = math.Exp(-float64(dy*dy)/(2*sigma*sigma)) * math.Exp(-float64(dx*dx)/(2*sigma*sigma))
			}
			want /= normalisation(sigma) * normalisation(sigma)
			if math.Abs(float64(dst[y*n+x])-want) > 1e-6 {
				t.Fatalf("pixel (%d, %d): %g, want %g", y, x, dst[y*n+x], want)
			}
			sum += float64(dst[y*n+x])
			variance += float64(dst[y*n+x]) * float64(dy*dy)
		}
	}
	if math.Abs(sum-1) > 1e-5 {
		t.Errorf("impulse response sums to %g, want 1", sum)
	}
	// Truncation at 3σ and sampling change the row variance by under 2 %.
	if math.Abs(math.Sqrt(variance)-sigma)/sigma > 0.02 {
		t.Errorf("impulse response SD %g, want %g", math.Sqrt(variance), sigma)
	}
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}

// normalisation returns the sum of the 1-D Gaussian weights over the kernel radius.
func normalisation(sigma float64) float64 {
	radius := int(math.Ceil(3 * sigma))
	var sum float64
	for k := -radius; k <= radius; k++ {
		sum += math.Exp(-float64(k*k) / (2 * sigma * sigma))
	}
	return sum
}

func TestGaussianBlurKeepsConstant(t *testing.T) {
	src := constantImages(1, 9, 7, 2, 0.3)
	dst := make([]float32, len(src))
	GaussianBlur(dst, src, 9, 7, 2, 2.5)
	for i, v := range dst {
		if math.Abs(float64(v)-0.3) > 1e-6 {
			t.Fatalf("value %d is %g, want 0.3", i, v)
		}
	}
	src = randomImages(1, 9, 7, 2, 1)
	GaussianBlur(dst, src, 9, 7, 2, 0)
	for i := range dst {
		if dst[i] != src[i] {
			t.Fatalf("σ = 0 changed value %d", i)
		}
	}
}

func TestReduceContrast(t *testing.T) {
	img := []float32{0, 0.25, 0.5, 1}
	ReduceContrast(img, 0.6)
	want := []float32{0.3, 0.4, 0.5, 0.7}
	for i := range img {
		if math.Abs(float64(img[i]-want[i])) > 1e-7 {
			t.Errorf("value %d: %g, want %g", i, img[i], want[i])
		}
	}
	out, err := Degradation{Kind: Contrast, Level: 1}.Apply(randomImages(3, 5, 5, 1, 2), 5, 5, 1, 0)
	if err != nil {
		t.Fatal(err)
	}
	for i, v := range out {
		if v != 0.5 {
			t.Fatalf("c = 1: value %d is %g, want 0.5", i, v)
		}
	}
}

func TestOcclusionPatch(t *testing.T) {
	const h, w, c = 28, 28, 2
	for _, a := range []float64{0.05, 0.1, 0.2, 0.5} {
		side := OcclusionSide(h, w, a)
		want := int(math.Round(math.Sqrt(a * h * w)))
		if side != want {
			t.Errorf("a = %g: side %d, want %d", a, side, want)
		}
		for _, fill := range []Fill{FillZero, FillMean} {
			images := randomImages(50, h, w, c, 4)
			// Keep values away from 0 so the zero-filled patch is visible.
			for i := range images {
				images[i] = 0.2 + 0.6*images[i]
			}
			out, err := Degradation{Kind: Occlusion, Level: a, Fill: fill}.Apply(images, h, w, c, 6)
			if err != nil {
				t.Fatal(err)
			}
			for i := 0; i < 50; i++ {
				checkPatch(t, images[i*h*w*c:(i+1)*h*w*c], out[i*h*w*c:(i+1)*h*w*c], h, w, c, side, fill)
			}
		}
	}
	if OcclusionSide(10, 40, 0.9) != 10 {
		t.Errorf("side %d on 10 × 40 at a = 0.9, want the image height 10", OcclusionSide(10, 40, 0.9))
	}
}

// checkPatch checks that out differs from in exactly on a side × side square, filled with the
// value that fill selects.
func checkPatch(t *testing.T, in, out []float32, h, w, c, side int, fill Fill) {
	t.Helper()
	top, left, bottom, right := h, w, -1, -1
	changed := 0
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			if out[(y*w+x)*c] != in[(y*w+x)*c] {
				changed++
				top, left = min(top, y), min(left, x)
				bottom, right = max(bottom, y), max(right, x)
			}
		}
	}
	if changed != side*side || bottom-top+1 != side || right-left+1 != side {
		t.Fatalf("%d pixels changed in rows %d–%d, columns %d–%d; want a %d × %d square", changed, top, bottom, left, right, side, side)
	}
	for ch := 0; ch < c; ch++ {
		want := float32(0)
		if fill == FillMean {
			var sum float64
			for p := 0; p < h*w; p++ {
				sum += float64(in[p*c+ch])
			}
			want = float32(sum / float64(h*w))
		}
		if got := out[(top*w+left)*c+ch]; got != want {
			t.Fatalf("fill %s channel %d: %g, want %g", fill, ch, got, want)
		}
	}
}

func TestOcclusionPositionsCoverImage(t *testing.T) {
	// Every top-left position of a 3 × 3 patch on an 8 × 8 image (6 × 6 positions) is drawn.
	seen := map[int]bool{}
	rng := rand.New(rand.NewPCG(1, 2))
	for i := 0; i < 2000; i++ {
		img := constantImages(1, 8, 8, 1, 1)
		Occlude(img, 8, 8, 1, 9.0/64, FillZero, rng)
		for p, v := range img {
			if v == 0 {
				seen[p] = true
				break
			}
		}
	}
	if len(seen) != 36 {
		t.Errorf("%d distinct top-left positions, want 36", len(seen))
	}
}

func TestApplySeeded(t *testing.T) {
	images := randomImages(6, 12, 10, 3, 9)
	original := append([]float32(nil), images...)
	for _, k := range Kinds() {
		d := Degradation{Kind: k, Level: k.DefaultLevels()[2]}
		a, err := d.Apply(images, 12, 10, 3, 77)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := d.Apply(images, 12, 10, 3, 77)
		head, _ := d.Apply(images[:2*360], 12, 10, 3, 77)
		for i := range a {
			if a[i] != b[i] {
				t.Fatalf("%s: same seed, value %d differs", k, i)
			}
		}
		for i := range head {
			if head[i] != a[i] {
				t.Fatalf("%s: image %d depends on the batch around it", k, i/360)
			}
		}
		for i := range images {
			if images[i] != original[i] {
				t.Fatalf("%s: input changed", k)
			}
		}
		if k == Blur || k == Contrast {
			continue // deterministic kinds
		}
		c, _ := d.Apply(images, 12, 10, 3, 78)
		same := true
		for i := range a {
			if a[i] != c[i] {
				same = false
				break
			}
		}
		if same {
			t.Errorf("%s: seeds 77 and 78 give the same output", k)
		}
	}
}

func TestApplyLevelZeroIsIdentity(t *testing.T) {
	images := randomImages(4, 9, 9, 2, 3)
	for _, k := range Kinds() {
		out, err := Degradation{Kind: k, Level: 0}.Apply(images, 9, 9, 2, 1)
		if err != nil {
			t.Fatal(err)
		}
		for i := range out {
			if math.Abs(float64(out[i]-images[i])) > 1e-7 {
				t.Fatalf("%s at level 0 changed value %d from %g to %g", k, i, images[i], out[i])
			}
		}
	}
}

func benchmarkApply(b *testing.B, k Kind) {
	images := randomImages(100, 28, 28, 1, 1)
	d := Degradation{Kind: k, Level: k.DefaultLevels()[2]}
	for b.Loop() {
		if _, err := d.Apply(images, 28, 28, 1, 1); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkApplyWhite(b *testing.B)      { benchmarkApply(b, White) }
func BenchmarkApplyPink(b *testing.B)       { benchmarkApply(b, Pink) }
func BenchmarkApplySaltPepper(b *testing.B) { benchmarkApply(b, SaltPepper) }
func BenchmarkApplyBlur(b *testing.B)       { benchmarkApply(b, Blur) }
func BenchmarkApplyContrast(b *testing.B)   { benchmarkApply(b, Contrast) }
func BenchmarkApplyOcclusion(b *testing.B)  { benchmarkApply(b, Occlusion) }
