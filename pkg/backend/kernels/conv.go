package kernels

import (
	"fmt"
	"math"
	"slices"
	"unsafe"
)

// ConvConfig describes a convolution in the terms of XLA's ConvGeneralDilated
// (https://openxla.org/xla/operation_semantics#conv_convolution), with one channel group and
// one batch group. It gives the axis roles of the three row-major arrays. Per spatial axis it
// gives the stride, the padding (negative values crop) and the input and kernel dilations.
type ConvConfig struct {
	InputDims                   []int
	InputBatch, InputChannels   int
	InputSpatial                []int
	KernelDims                  []int
	KernelInput, KernelOutput   int
	KernelSpatial               []int
	OutputDims                  []int
	OutputBatch, OutputChannels int
	OutputSpatial               []int

	Strides, PadLo, PadHi, InputDilations, KernelDilations []int
}

// check panics unless the configuration is consistent.
func (cfg *ConvConfig) check() {
	n := len(cfg.InputSpatial)
	for _, l := range [][]int{cfg.KernelSpatial, cfg.OutputSpatial, cfg.Strides, cfg.PadLo, cfg.PadHi, cfg.InputDilations, cfg.KernelDilations} {
		if len(l) != n {
			panic(fmt.Sprintf("kernels: convolution with %d spatial axes has a per-axis list of length %d: %+v", n, len(l), *cfg))
		}
	}
	if len(cfg.InputDims) != n+2 || len(cfg.KernelDims) != n+2 || len(cfg.OutputDims) != n+2 {
		panic(fmt.Sprintf("kernels: convolution ranks %d, %d, %d for %d spatial axes",
			len(cfg.InputDims), len(cfg.KernelDims), len(cfg.OutputDims), n))
	}
	if cfg.InputDims[cfg.InputChannels] != cfg.KernelDims[cfg.KernelInput] ||
		cfg.KernelDims[cfg.KernelOutput] != cfg.OutputDims[cfg.OutputChannels] ||
		cfg.InputDims[cfg.InputBatch] != cfg.OutputDims[cfg.OutputBatch] {
		panic(fmt.Sprintf("kernels: convolution channels or batch do not match: %+v", *cfg))
	}
	for i := range n {
		if cfg.Strides[i] < 1 || cfg.InputDilations[i] < 1 || cfg.KernelDilations[i] < 1 {
			panic(fmt.Sprintf("kernels: convolution spatial axis %d has stride %d and dilations %d, %d",
				i, cfg.Strides[i], cfg.InputDilations[i], cfg.KernelDilations[i]))
		}
		padded := (cfg.InputDims[cfg.InputSpatial[i]]-1)*cfg.InputDilations[i] + 1 + cfg.PadLo[i] + cfg.PadHi[i]
		window := (cfg.KernelDims[cfg.KernelSpatial[i]]-1)*cfg.KernelDilations[i] + 1
		want := 0
		if padded >= window {
			want = (padded-window)/cfg.Strides[i] + 1
		}
		if cfg.OutputDims[cfg.OutputSpatial[i]] != want {
			panic(fmt.Sprintf("kernels: convolution spatial axis %d: output size %d, want %d", i, cfg.OutputDims[cfg.OutputSpatial[i]], want))
		}
	}
}

// ConvPlan is a convolution prepared for repeated runs: the layout decisions and index tables
// are computed once.
type ConvPlan struct {
	cfg ConvConfig

	// Padding and dilation of the input's spatial axes.
	needPad              bool
	paddedDims, lo, intr []int

	m, k, n int

	// The patches: read in place from the padded input (implicit), or gathered as A or Aᵀ.
	implicit    bool
	rowTable    []int        // implicit: offset of each row of A in the padded input
	kGroups     [][]kSegment // implicit: the sums as runs of the padded input
	patches     *GatherPlan
	transposedA bool

	// The transposed product: Cᵀ (N×M) = Bᵀ·Aᵀ, where each block of tileCols rows of A is a
	// contiguous run of the padded input, so Aᵀ serves as B of the product in place, with one
	// row offset per sum.
	transposedProduct bool
	mOffsets          []int   // offset of each row of A (column of Aᵀ) in the padded input
	kOffsets          []int32 // offset of each sum (row of Aᵀ) in the padded input
	transposeOut      *GatherPlan

	// The kernel as B: in place, or gathered.
	kernel *GatherPlan

	// The output: written in place by the product, or gathered from it.
	output *GatherPlan
}

// minImplicitRun is the shortest average run of the patches' rows, in elements, for which
// the matrix product reads the patches in place instead of gathering them. Each run costs the
// microkernel one extra load and store of its tile of C.
const minImplicitRun = 32

// Conv computes the convolution cfg of input by kernel into output; see ConvPlan.Run.
func Conv(workers int, output, input, kernel []float32, cfg ConvConfig) {
	NewConvPlan(cfg).Run(workers, output, input, kernel)
}

// NewConvPlan prepares the convolution cfg. It panics if cfg is inconsistent.
func NewConvPlan(cfg ConvConfig) *ConvPlan {
	cfg.check()
	p := &ConvPlan{cfg: cfg}
	numSpatial := len(cfg.InputSpatial)

	// 1. Padding and dilation of the input's spatial axes, unless there is nothing to do.
	p.paddedDims = slices.Clone(cfg.InputDims)
	rank := len(p.paddedDims)
	p.lo, p.intr = make([]int, rank), make([]int, rank)
	hi := make([]int, rank)
	for i, axis := range cfg.InputSpatial {
		p.lo[axis], hi[axis], p.intr[axis] = cfg.PadLo[i], cfg.PadHi[i], cfg.InputDilations[i]-1
		if p.lo[axis] != 0 || hi[axis] != 0 || p.intr[axis] != 0 {
			p.needPad = true
		}
	}
	if p.needPad {
		p.paddedDims = PadOutputDims(cfg.InputDims, p.lo, hi, p.intr)
	}
	inStrides := strides(p.paddedDims)

	// 2. Rows of the product (M): the output's batch and spatial axes in output memory order.
	// Sums (K): the kernel's input-channel and spatial axes in kernel memory order.
	spatialOfOutput := make(map[int]int, numSpatial)
	for i, axis := range cfg.OutputSpatial {
		spatialOfOutput[axis] = i
	}
	var mDims, mInStrides, mOutAxes []int
	for axis, d := range cfg.OutputDims {
		switch {
		case axis == cfg.OutputChannels:
			continue
		case axis == cfg.OutputBatch:
			mInStrides = append(mInStrides, inStrides[cfg.InputBatch])
		default:
			i := spatialOfOutput[axis]
			mInStrides = append(mInStrides, cfg.Strides[i]*inStrides[cfg.InputSpatial[i]])
		}
		mDims = append(mDims, d)
		mOutAxes = append(mOutAxes, axis)
	}
	spatialOfKernel := make(map[int]int, numSpatial)
	for i, axis := range cfg.KernelSpatial {
		spatialOfKernel[axis] = i
	}
	kernelStrides := strides(cfg.KernelDims)
	var kDims, kInStrides, kKernelStrides []int
	for axis, d := range cfg.KernelDims {
		switch {
		case axis == cfg.KernelOutput:
			continue
		case axis == cfg.KernelInput:
			kInStrides = append(kInStrides, inStrides[cfg.InputChannels])
		default:
			i := spatialOfKernel[axis]
			kInStrides = append(kInStrides, cfg.KernelDilations[i]*inStrides[cfg.InputSpatial[i]])
		}
		kDims = append(kDims, d)
		kKernelStrides = append(kKernelStrides, kernelStrides[axis])
	}
	p.m, p.k, p.n = size(mDims), size(kDims), cfg.KernelDims[cfg.KernelOutput]

	// 3. The patches: A (M×K) read in place when its rows are long runs of the padded input,
	// else gathered as A or as Aᵀ (K×M), whichever copies longer runs.
	asA := Strided2D{RowDims: mDims, RowStrides: mInStrides, ColDims: kDims, ColStrides: kInStrides}
	asAT := Strided2D{RowDims: kDims, RowStrides: kInStrides, ColDims: mDims, ColStrides: mInStrides}
	runA, runAT := asA.RunLength(), asAT.RunLength()
	switch {
	case runA >= minImplicitRun && runA >= runAT:
		p.implicit = true
		p.rowTable = offsets(mDims, mInStrides)
		var group []kSegment
		total := 0
		for _, r := range runs(offsets(kDims, kInStrides)) {
			for start := 0; start < r.length; start += kBlock {
				length := min(kBlock, r.length-start)
				if total+length > kBlock && len(group) > 0 {
					p.kGroups = append(p.kGroups, group)
					group, total = nil, 0
				}
				group = append(group, kSegment{offset: r.offset + start, kStart: r.dstOffset + start, length: length})
				total += length
			}
		}
		if len(group) > 0 {
			p.kGroups = append(p.kGroups, group)
		}
	case runAT > runA && cfg.OutputChannels == len(cfg.OutputDims)-1 && p.planTransposedProduct(asAT):
	case runAT > runA:
		p.patches, p.transposedA = NewGatherPlan(asAT), true
	default:
		p.patches = NewGatherPlan(asA)
	}

	// 4. The kernel as B (K×N): in place when the output-channel axis is last, else gathered.
	if !(cfg.KernelOutput == len(cfg.KernelDims)-1 && isRowMajorPrefix(kKernelStrides, kDims, p.n)) {
		p.kernel = NewGatherPlan(Strided2D{
			RowDims: kDims, RowStrides: kKernelStrides,
			ColDims: []int{p.n}, ColStrides: []int{kernelStrides[cfg.KernelOutput]},
		})
	}

	// 5. The output: the product in place when the output-channel axis is last, else
	// gathered from the product C[m, n] into the output's layout.
	if cfg.OutputChannels != len(cfg.OutputDims)-1 {
		productStrides := make([]int, len(cfg.OutputDims))
		productStrides[cfg.OutputChannels] = 1
		stride := p.n
		for j := len(mOutAxes) - 1; j >= 0; j-- {
			productStrides[mOutAxes[j]] = stride
			stride *= mDims[j]
		}
		last := len(cfg.OutputDims) - 1
		p.output = NewGatherPlan(Strided2D{
			RowDims: cfg.OutputDims[:last], RowStrides: productStrides[:last],
			ColDims: cfg.OutputDims[last:], ColStrides: productStrides[last:],
		})
	}
	return p
}

// planTransposedProduct sets up the transposed product when every block of tileCols rows of A
// is contiguous in the padded input, and reports whether it did.
func (p *ConvPlan) planTransposedProduct(asAT Strided2D) bool {
	if p.m%tileCols != 0 || p.k == 0 {
		return false
	}
	mOffsets := offsets(asAT.ColDims, asAT.ColStrides)
	for j := 0; j < p.m; j += tileCols {
		for t := range tileCols {
			if mOffsets[j+t] != mOffsets[j]+t {
				return false
			}
		}
	}
	kOffsets := offsets(asAT.RowDims, asAT.RowStrides)
	kOffsets32 := make([]int32, len(kOffsets), len(kOffsets)+1)
	for i, off := range kOffsets {
		if off > math.MaxInt32 {
			return false
		}
		kOffsets32[i] = int32(off)
	}
	kOffsets32 = append(kOffsets32, kOffsets32[len(kOffsets32)-1]) // read past the last sum; see microOffsetsFunc
	p.transposedProduct, p.mOffsets, p.kOffsets = true, mOffsets, kOffsets32
	// The product is Cᵀ (N×M); the output wants C (M×N).
	p.transposeOut = NewGatherPlan(Strided2D{RowDims: []int{p.m}, RowStrides: []int{1}, ColDims: []int{p.n}, ColStrides: []int{p.m}})
	return true
}

// Run computes the planned convolution of input by kernel into output:
//
//	out[b, o…, co] = Σ_{ci, k…} x̃[b, o·s + k·dk, ci] · w[k…, ci, co]
//
// where x̃ is the input with dilation dx (dx−1 zeros between elements) and padding applied
// on its spatial axes, s the strides and dk the kernel dilations. It is a matrix product of
// the input's patches (im2col) by the kernel. The rows of the product follow the output's
// memory order and the sums follow the kernel's. So, for the layouts GoMLX's gradients
// produce, the kernel and the output need no copies. Patches made of long contiguous runs are
// read in place. It panics if a slice has the wrong length.
func (p *ConvPlan) Run(workers int, output, input, kernel []float32) {
	cfg := &p.cfg
	if len(input) != size(cfg.InputDims) || len(kernel) != size(cfg.KernelDims) || len(output) != size(cfg.OutputDims) {
		panic(fmt.Sprintf("kernels: Conv lengths %d, %d, %d do not match dims %v, %v, %v",
			len(input), len(kernel), len(output), cfg.InputDims, cfg.KernelDims, cfg.OutputDims))
	}
	if len(output) == 0 {
		return
	}

	padded := input
	if p.needPad {
		scratch := getScratch(size(p.paddedDims))
		defer putScratch(scratch)
		padded = *scratch
		padFloat32(workers, padded, input, cfg.InputDims, p.paddedDims, p.lo, p.intr)
	}

	b := RowMajor(kernel, p.k, p.n)
	if p.kernel != nil {
		packed := getScratch(p.k * p.n)
		defer putScratch(packed)
		p.kernel.Run(workers, *packed, kernel)
		b = RowMajor(*packed, p.k, p.n)
	}

	product := output
	if p.output != nil {
		scratch := getScratch(p.m * p.n)
		defer putScratch(scratch)
		product = *scratch
	}

	if p.transposedProduct {
		panels := make([]panel, p.m/tileCols)
		for j := range panels {
			panels[j] = panel{data: padded[p.mOffsets[j*tileCols]:], cols: tileCols, rowOffsets: p.kOffsets}
		}
		transposed := getScratch(p.n * p.m)
		defer putScratch(transposed)
		bt := b.T()
		src := aSource{data: bt.Data, rowStride: bt.RowStride, colStride: bt.ColStride, groups: kBlocks(p.k, bt.ColStride)}
		runGemm(workers, *transposed, p.m, p.n, p.m, p.k, &src, panels, false)
		p.transposeOut.Run(workers, product, *transposed)
	} else if p.implicit {
		panels, packed := makePanels(b)
		src := aSource{data: padded, rowTable: p.rowTable, colStride: 1, groups: p.kGroups}
		runGemm(workers, product, p.n, p.m, p.n, p.k, &src, panels, false)
		if packed != nil {
			packPool.Put(packed)
		}
	} else {
		patches := getScratch(p.m * p.k)
		defer putScratch(patches)
		p.patches.Run(workers, *patches, padded)
		a := RowMajor(*patches, p.m, p.k)
		if p.transposedA {
			a = RowMajor(*patches, p.k, p.m).T()
		}
		MatMul(workers, product, p.n, a, b, false)
	}

	if p.output != nil {
		p.output.Run(workers, output, product)
	}
}

// isRowMajorPrefix reports whether axes with the given dims and strides are laid out row-major
// in front of a last axis of size n with stride 1.
func isRowMajorPrefix(axisStrides, dims []int, n int) bool {
	want := n
	for a := len(dims) - 1; a >= 0; a-- {
		if dims[a] > 1 && axisStrides[a] != want {
			return false
		}
		want *= dims[a]
	}
	return true
}

// padFloat32 pads src (dims) into dst (paddedDims) with zeros, lo elements before and
// interior elements between the elements of each axis (negative lo crops).
func padFloat32(workers int, dst, src []float32, dims, paddedDims, lo, interior []int) {
	hi := make([]int, len(dims))
	for a := range dims {
		hi[a] = paddedDims[a] - lo[a] - dims[a] - max(dims[a]-1, 0)*interior[a]
	}
	// Split along the leading axis when it is not padded: its slices are independent.
	if len(dims) > 1 && lo[0] == 0 && hi[0] == 0 && interior[0] == 0 && dims[0] > 1 {
		inner, paddedInner := size(dims[1:]), size(paddedDims[1:])
		parallelFor(workers, dims[0], 1, func(start, end int) {
			for i := start; i < end; i++ {
				Pad(float32Bytes(dst[i*paddedInner:(i+1)*paddedInner]), float32Bytes(src[i*inner:(i+1)*inner]), 4,
					dims[1:], zeroFloat32[:], lo[1:], hi[1:], interior[1:])
			}
		})
		return
	}
	Pad(float32Bytes(dst), float32Bytes(src), 4, dims, zeroFloat32[:], lo, hi, interior)
}

var zeroFloat32 [4]byte

// float32Bytes returns the memory of s as bytes.
func float32Bytes(s []float32) []byte {
	if len(s) == 0 {
		return nil
	}
	return unsafe.Slice((*byte)(unsafe.Pointer(&s[0])), 4*len(s))
}
