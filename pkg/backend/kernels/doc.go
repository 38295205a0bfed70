// Package kernels holds the numerical kernels of topocnn's CPU backend: a blocked,
// multi-threaded float32 matrix product, convolution by im2col and matrix product, windowed
// reductions (pooling) and their gradient, padding, reversal, batch normalisation and
// element-wise work.
//
// The kernels work on flat row-major slices and plain dimension lists; they know nothing of
// GoMLX. Built with GOEXPERIMENT=simd on amd64, the inner loops use the simd/archsimd package
// (AVX-512 or AVX2, chosen at run time); other builds use portable Go code that computes the
// same results. Implementation reports which is in use.
//
// Programmer errors (mismatched lengths or dimensions) panic with the prefix "kernels:".
package kernels
