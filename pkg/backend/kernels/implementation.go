package kernels

// Implementation returns the name of the matrix kernels in use, e.g. "AVX-512" or "portable Go".
func Implementation() string { return implementation }
