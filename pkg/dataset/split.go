package dataset

import (
	"fmt"
	"math"
	"math/rand/v2"
)

// Stream words of the PCG generators, so that Split and Permutation draw independent
// sequences from the same seed. splitStream is "split" in ASCII; epochStream is "epoch" in
// ASCII shifted left by 24 bits, with the epoch number added.
const (
	splitStream = 0x73706c6974
	epochStream = 0x65706f6368 << 24
)

// Split divides s into a training set and a validation set of round(valFraction · Len())
// images: it draws a permutation of [0, Len()) with math/rand/v2's Rand.Perm on a PCG source
// seeded with (seed, "split"), gives the first images of the permutation to val and the rest to
// train, both in permutation order. Both are copies. With valFraction 0.2, MNIST's 60000
// training images give 48000 and 12000.
//
// The split depends only on Len(), valFraction and seed, so the same seed gives the same split
// on every machine. Split panics if valFraction is outside [0, 1).
//
// NOTE: the Go project tests that Rand.Perm's output for a given source stays the same between
// releases but does not promise it; TestSplitGolden pins the permutation this package relies on.
func Split(s *Set, valFraction float64, seed uint64) (train, val *Set) {
	if !(valFraction >= 0 && valFraction < 1) {
		panic(fmt.Sprintf("dataset: validation fraction %v outside [0, 1)", valFraction))
	}
	nVal := int(math.Round(valFraction * float64(s.Len())))
	order := rand.New(rand.NewPCG(seed, splitStream)).Perm(s.Len())
	return s.Subset(order[nVal:]), s.Subset(order[:nVal])
}

// Permutation returns a permutation of [0, n) for one training epoch, drawn with math/rand/v2's
// Rand.Perm on a PCG source seeded with (seed, "epoch" + epoch). Each (seed, epoch) pair gives
// its own order, the same on every machine, and differs from the order Split uses. It panics if
// n is negative.
func Permutation(n int, seed uint64, epoch int) []int {
	if n < 0 {
		panic(fmt.Sprintf("dataset: permutation of negative length %d", n))
	}
	return rand.New(rand.NewPCG(seed, epochStream+uint64(epoch))).Perm(n)
}
