//go:build !goexperiment.simd || !amd64

package kernels

const implementation = "portable Go"

var (
	micro        microFunc        = microGeneric
	microOffsets microOffsetsFunc = microOffsetsGeneric
)

var (
	addVectors = addVectorsGeneric
	subVectors = subVectorsGeneric
	mulVectors = mulVectorsGeneric
	maxVectors = maxVectorsGeneric
	signVector = signVectorGeneric

	selectMaxWindow = selectMaxWindowGeneric
	maxWindow       = maxWindowGeneric
)
