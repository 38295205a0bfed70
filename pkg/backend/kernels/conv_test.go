package kernels

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"testing"
)

// referenceConv computes the convolution cfg directly, in float64, from its definition.
func referenceConv(input, kernel []float32, cfg ConvConfig) []float64 {
	out := make([]float64, size(cfg.OutputDims))
	inStrides, kStrides, outStrides := strides(cfg.InputDims), strides(cfg.KernelDims), strides(cfg.OutputDims)
	n := len(cfg.InputSpatial)
	kSpatialDims := make([]int, n)
	for i, axis := range cfg.KernelSpatial {
		kSpatialDims[i] = cfg.KernelDims[axis]
	}
	outIdx := make([]int, len(cfg.OutputDims))
	for o := range out {
		rem := o
		for a := len(outIdx) - 1; a >= 0; a-- {
			outIdx[a] = rem % cfg.OutputDims[a]
			rem /= cfg.OutputDims[a]
		}
		b, co := outIdx[cfg.OutputBatch], outIdx[cfg.OutputChannels]
		var sum float64
		for kk := range size(kSpatialDims) {
			kIdx := make([]int, n)
			r := kk
			for i := n - 1; i >= 0; i-- {
				kIdx[i] = r % kSpatialDims[i]
				r /= kSpatialDims[i]
			}
			inOffset := b * inStrides[cfg.InputBatch]
			kOffset := co * kStrides[cfg.KernelOutput]
			valid := true
			for i := range n {
				pos := outIdx[cfg.OutputSpatial[i]]*cfg.Strides[i] + kIdx[i]*cfg.KernelDilations[i] - cfg.PadLo[i]
				if pos < 0 || pos%cfg.InputDilations[i] != 0 {
					valid = false
					break
				}
				x := pos / cfg.InputDilations[i]
				if x >= cfg.InputDims[cfg.InputSpatial[i]] {
					valid = false
					break
				}
				inOffset += x * inStrides[cfg.InputSpatial[i]]
				kOffset += kIdx[i] * kStrides[cfg.KernelSpatial[i]]
			}
			if !valid {
				continue
			}
			for ci := range cfg.InputDims[cfg.InputChannels] {
				sum += float64(input[inOffset+ci*inStrides[cfg.InputChannels]]) * float64(kernel[kOffset+ci*kStrides[cfg.KernelInput]])
			}
		}
		out[outStrides[0]*0+o] = sum
	}
	return out
}

// convCase is a convolution given by axis roles and sizes; config derives its OutputDims.
type convCase struct {
	name                           string
	inAxes, kAxes, outAxes         []int // [batch, channels, spatial...], [in, out, spatial...], [batch, channels, spatial...]
	batch, inChannels, outChannels int
	spatial, kernelSpatial         []int
	strides, lo, hi, inDil, kDil   []int
}

func (c convCase) config() ConvConfig {
	n := len(c.spatial)
	cfg := ConvConfig{
		InputDims: make([]int, n+2), KernelDims: make([]int, n+2), OutputDims: make([]int, n+2),
		InputBatch: c.inAxes[0], InputChannels: c.inAxes[1], InputSpatial: c.inAxes[2:],
		KernelInput: c.kAxes[0], KernelOutput: c.kAxes[1], KernelSpatial: c.kAxes[2:],
		OutputBatch: c.outAxes[0], OutputChannels: c.outAxes[1], OutputSpatial: c.outAxes[2:],
		Strides: c.strides, PadLo: c.lo, PadHi: c.hi, InputDilations: c.inDil, KernelDilations: c.kDil,
	}
	cfg.InputDims[cfg.InputBatch], cfg.InputDims[cfg.InputChannels] = c.batch, c.inChannels
	cfg.KernelDims[cfg.KernelInput], cfg.KernelDims[cfg.KernelOutput] = c.inChannels, c.outChannels
	cfg.OutputDims[cfg.OutputBatch], cfg.OutputDims[cfg.OutputChannels] = c.batch, c.outChannels
	for i := range n {
		cfg.InputDims[cfg.InputSpatial[i]] = c.spatial[i]
		cfg.KernelDims[cfg.KernelSpatial[i]] = c.kernelSpatial[i]
		padded := (c.spatial[i]-1)*c.inDil[i] + 1 + c.lo[i] + c.hi[i]
		window := (c.kernelSpatial[i]-1)*c.kDil[i] + 1
		cfg.OutputDims[cfg.OutputSpatial[i]] = max(0, (padded-window)/c.strides[i]+1)
	}
	return cfg
}

var convCases = []convCase{
	{"nhwc_same", []int{0, 3, 1, 2}, []int{2, 3, 0, 1}, []int{0, 3, 1, 2}, 3, 5, 7, []int{9, 8}, []int{3, 3}, []int{1, 1}, []int{1, 1}, []int{1, 1}, []int{1, 1}, []int{1, 1}},
	{"nhwc_one_channel", []int{0, 3, 1, 2}, []int{2, 3, 0, 1}, []int{0, 3, 1, 2}, 4, 1, 33, []int{10, 11}, []int{3, 3}, []int{1, 1}, []int{1, 1}, []int{1, 1}, []int{1, 1}, []int{1, 1}},
	{"nhwc_stride_pad", []int{0, 3, 1, 2}, []int{2, 3, 0, 1}, []int{0, 3, 1, 2}, 2, 6, 5, []int{11, 9}, []int{3, 2}, []int{2, 3}, []int{2, 0}, []int{1, 2}, []int{1, 1}, []int{1, 1}},
	{"nhwc_kernel_dilation", []int{0, 3, 1, 2}, []int{2, 3, 0, 1}, []int{0, 3, 1, 2}, 2, 3, 4, []int{12, 10}, []int{3, 3}, []int{1, 1}, []int{2, 1}, []int{2, 1}, []int{1, 1}, []int{2, 3}},
	{"input_dilation_negative_pad", []int{0, 3, 1, 2}, []int{2, 3, 0, 1}, []int{0, 3, 1, 2}, 2, 4, 3, []int{7, 6}, []int{3, 3}, []int{1, 1}, []int{2, -1}, []int{1, 2}, []int{2, 3}, []int{1, 1}},
	{"nchw", []int{0, 1, 2, 3}, []int{1, 0, 2, 3}, []int{0, 1, 2, 3}, 2, 5, 6, []int{8, 7}, []int{3, 3}, []int{1, 1}, []int{1, 1}, []int{1, 1}, []int{1, 1}, []int{1, 1}},
	// The forms GoMLX v0.26.0 emits for the gradients of an NHWC convolution with a 3×3 HWIO
	// kernel: input gradient (reversed kernel with its channel axes swapped) and kernel
	// gradient (batch and channels of the input swapped, the output gradient as kernel).
	{"input_gradient_form", []int{0, 3, 1, 2}, []int{3, 2, 0, 1}, []int{0, 3, 1, 2}, 3, 8, 5, []int{6, 7}, []int{3, 3}, []int{1, 1}, []int{1, 1}, []int{1, 1}, []int{1, 1}, []int{1, 1}},
	{"kernel_gradient_form", []int{3, 0, 1, 2}, []int{0, 3, 1, 2}, []int{2, 3, 0, 1}, 5, 4, 6, []int{7, 6}, []int{7, 6}, []int{1, 1}, []int{1, 1}, []int{1, 1}, []int{1, 1}, []int{1, 1}},
	{"nhwc_implicit", []int{0, 3, 1, 2}, []int{2, 3, 0, 1}, []int{0, 3, 1, 2}, 3, 16, 40, []int{9, 7}, []int{3, 3}, []int{1, 1}, []int{1, 1}, []int{1, 1}, []int{1, 1}, []int{1, 1}},
	{"implicit_stride_dilation", []int{0, 3, 1, 2}, []int{2, 3, 0, 1}, []int{0, 3, 1, 2}, 2, 40, 33, []int{11, 10}, []int{3, 2}, []int{2, 1}, []int{1, 0}, []int{2, 1}, []int{1, 2}, []int{1, 1}},
	{"implicit_input_gradient_form", []int{0, 3, 1, 2}, []int{3, 2, 0, 1}, []int{0, 3, 1, 2}, 2, 64, 20, []int{6, 5}, []int{3, 3}, []int{1, 1}, []int{1, 1}, []int{1, 1}, []int{1, 1}, []int{1, 1}},
	{"transposed_product_kernel_gradient_form", []int{3, 0, 1, 2}, []int{0, 3, 1, 2}, []int{2, 3, 0, 1}, 32, 4, 6, []int{7, 6}, []int{7, 6}, []int{1, 1}, []int{1, 1}, []int{1, 1}, []int{1, 1}, []int{1, 1}},
	{"conv1d", []int{0, 2, 1}, []int{1, 2, 0}, []int{0, 2, 1}, 3, 4, 5, []int{13}, []int{4}, []int{2}, []int{1}, []int{2}, []int{1}, []int{1}},
	{"conv3d", []int{0, 4, 1, 2, 3}, []int{3, 4, 0, 1, 2}, []int{0, 4, 1, 2, 3}, 2, 3, 4, []int{5, 4, 6}, []int{2, 3, 2}, []int{1, 2, 1}, []int{0, 1, 1}, []int{1, 1, 0}, []int{1, 1, 1}, []int{1, 1, 2}},
	{"output_channels_first", []int{0, 3, 1, 2}, []int{2, 3, 0, 1}, []int{1, 0, 2, 3}, 3, 4, 5, []int{6, 5}, []int{3, 3}, []int{1, 1}, []int{1, 1}, []int{1, 1}, []int{1, 1}, []int{1, 1}},
}

func TestConvPlanReadsLongRunsInPlace(t *testing.T) {
	for _, c := range convCases {
		p := NewConvPlan(c.config())
		wantImplicit := strings.HasPrefix(c.name, "implicit") || c.name == "nhwc_implicit"
		if p.implicit != wantImplicit {
			t.Errorf("%s: implicit = %v, want %v", c.name, p.implicit, wantImplicit)
		}
		wantTransposed := strings.HasPrefix(c.name, "transposed_product")
		if p.transposedProduct != wantTransposed {
			t.Errorf("%s: transposed product = %v, want %v", c.name, p.transposedProduct, wantTransposed)
		}
	}
}

func TestConvMatchesDirectFloat64(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for _, c := range convCases {
		for _, workers := range []int{1, 2} {
			t.Run(fmt.Sprintf("%s/workers=%d", c.name, workers), func(t *testing.T) {
				cfg := c.config()
				input := randomSlice(rng, size(cfg.InputDims))
				kernel := randomSlice(rng, size(cfg.KernelDims))
				output := randomSlice(rng, size(cfg.OutputDims))
				Conv(workers, output, input, kernel, cfg)
				want := referenceConv(input, kernel, cfg)
				sums := float64(cfg.InputDims[cfg.InputChannels] * size(cfg.KernelDims) / max(1, cfg.KernelDims[cfg.KernelOutput]))
				for i, w := range want {
					if math.Abs(float64(output[i])-w) > 1e-6*math.Sqrt(sums)+1e-6 {
						t.Fatalf("output[%d] = %g, want %g (dims %v)", i, output[i], w, cfg.OutputDims)
					}
				}
			})
		}
	}
}
