package kernels

import (
	"fmt"
	"math"
)

// FeatureLayout describes an array as [outer, features, inner] around its feature axis:
// element (o, c, i) is at (o·features + c)·inner + i.
type FeatureLayout struct {
	Outer, Features, Inner int
}

// NewFeatureLayout returns the layout of an array with the given dimensions around axis.
// It panics if axis is out of range.
func NewFeatureLayout(dims []int, axis int) FeatureLayout {
	if axis < 0 || axis >= len(dims) {
		panic(fmt.Sprintf("kernels: feature axis %d out of range for rank %d", axis, len(dims)))
	}
	return FeatureLayout{Outer: size(dims[:axis]), Features: dims[axis], Inner: size(dims[axis+1:])}
}

func (l FeatureLayout) check(name string, lengths ...int) {
	for _, n := range lengths {
		if n != l.Outer*l.Features*l.Inner {
			panic(fmt.Sprintf("kernels: %s length %d does not match layout %+v", name, n, l))
		}
	}
}

// featureSums returns, per feature c, Σ f(x) over the elements of feature c, in float64.
func featureSums[T Float](x []T, l FeatureLayout, f func(c int, v T) float64) []float64 {
	sums := make([]float64, l.Features)
	for o := range l.Outer {
		for c := range l.Features {
			base := (o*l.Features + c) * l.Inner
			var s float64
			for _, v := range x[base : base+l.Inner] {
				s += f(c, v)
			}
			sums[c] += s
		}
	}
	return sums
}

// BatchNormTraining normalises x per feature with the batch statistics:
// mean_c = Σ x / N, variance_c = Σ (x − mean_c)² / N (biased), with N = Outer·Inner, and
// y = (x − mean_c) / √(variance_c + ε) · scale_c + offset_c. It writes y, mean and variance.
// Ioffe & Szegedy (2015), https://arxiv.org/abs/1502.03167; XLA's BatchNormTraining.
// It panics if a length does not match the layout.
func BatchNormTraining[T Float](y, mean, variance, x, scale, offset []T, epsilon float64, l FeatureLayout) {
	l.check("BatchNormTraining", len(x), len(y))
	if len(mean) != l.Features || len(variance) != l.Features || len(scale) != l.Features || len(offset) != l.Features {
		panic(fmt.Sprintf("kernels: BatchNormTraining per-feature lengths %d, %d, %d, %d, want %d",
			len(mean), len(variance), len(scale), len(offset), l.Features))
	}
	n := float64(l.Outer * l.Inner)
	sums := featureSums(x, l, func(_ int, v T) float64 { return float64(v) })
	means := make([]float64, l.Features)
	for c := range means {
		means[c] = sums[c] / n
	}
	squares := featureSums(x, l, func(c int, v T) float64 { d := float64(v) - means[c]; return d * d })
	for c := range means {
		mean[c] = T(means[c])
		variance[c] = T(squares[c] / n)
	}
	BatchNormInference(y, x, scale, offset, mean, variance, epsilon, l)
}

// BatchNormInference normalises x per feature with given statistics:
// y = (x − mean_c) / √(variance_c + ε) · scale_c + offset_c (XLA's BatchNormInference).
// It panics if a length does not match the layout.
func BatchNormInference[T Float](y, x, scale, offset, mean, variance []T, epsilon float64, l FeatureLayout) {
	l.check("BatchNormInference", len(x), len(y))
	if len(mean) != l.Features || len(variance) != l.Features || len(scale) != l.Features || len(offset) != l.Features {
		panic(fmt.Sprintf("kernels: BatchNormInference per-feature lengths %d, %d, %d, %d, want %d",
			len(mean), len(variance), len(scale), len(offset), l.Features))
	}
	for o := range l.Outer {
		for c := range l.Features {
			factor := float64(scale[c]) / math.Sqrt(float64(variance[c])+epsilon)
			shift := float64(offset[c]) - float64(mean[c])*factor
			f, s := T(factor), T(shift)
			base := (o*l.Features + c) * l.Inner
			for i, v := range x[base : base+l.Inner] {
				y[base+i] = v*f + s
			}
		}
	}
}

// BatchNormGradient computes the gradients of BatchNormTraining's y with respect to x, scale
// and offset, given dy = ∂L/∂y and the batch mean and variance. With σ = √(variance_c + ε),
// x̂ = (x − mean_c)/σ and N = Outer·Inner:
// dOffset_c = Σ dy, dScale_c = Σ dy·x̂, dx = scale_c/σ · (dy − dOffset_c/N − x̂·dScale_c/N).
// This is XLA's BatchNormGrad. It panics if a length does not match the layout.
func BatchNormGradient[T Float](dx, dScale, dOffset, x, scale, mean, variance, dy []T, epsilon float64, l FeatureLayout) {
	l.check("BatchNormGradient", len(x), len(dx), len(dy))
	if len(mean) != l.Features || len(variance) != l.Features || len(scale) != l.Features ||
		len(dScale) != l.Features || len(dOffset) != l.Features {
		panic(fmt.Sprintf("kernels: BatchNormGradient per-feature lengths do not match %d features", l.Features))
	}
	n := float64(l.Outer * l.Inner)
	sigma := make([]float64, l.Features)
	for c := range sigma {
		sigma[c] = math.Sqrt(float64(variance[c]) + epsilon)
	}
	sumDy := make([]float64, l.Features)
	sumDyXhat := make([]float64, l.Features)
	for o := range l.Outer {
		for c := range l.Features {
			base := (o*l.Features + c) * l.Inner
			m, s := float64(mean[c]), sigma[c]
			var a, b float64
			for i, g := range dy[base : base+l.Inner] {
				a += float64(g)
				b += float64(g) * (float64(x[base+i]) - m) / s
			}
			sumDy[c] += a
			sumDyXhat[c] += b
		}
	}
	for c := range sigma {
		dOffset[c] = T(sumDy[c])
		dScale[c] = T(sumDyXhat[c])
	}
	for o := range l.Outer {
		for c := range l.Features {
			base := (o*l.Features + c) * l.Inner
			m, s := float64(mean[c]), sigma[c]
			k := float64(scale[c]) / s
			meanDy, meanDyXhat := sumDy[c]/n, sumDyXhat[c]/n
			for i, g := range dy[base : base+l.Inner] {
				xhat := (float64(x[base+i]) - m) / s
				dx[base+i] = T(k * (float64(g) - meanDy - xhat*meanDyXhat))
			}
		}
	}
}
