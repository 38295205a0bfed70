package sweep

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
)

// ParseRegs reads a comma-separated list of regularisers, for example "none,ws,as".
func ParseRegs(s string) ([]string, error) {
	var regs []string
	for _, f := range splitList(s) {
		if !slices.Contains(Regularisers, f) {
			return nil, fmt.Errorf("sweep: unknown regulariser %q in %q; accepted regularisers: %s", f, s, strings.Join(Regularisers, ", "))
		}
		regs = append(regs, f)
	}
	if len(regs) == 0 {
		return nil, fmt.Errorf("sweep: empty list of regularisers %q; give one or more of %s separated by commas", s, strings.Join(Regularisers, ", "))
	}
	return regs, nil
}

// ParseLambdas reads a comma-separated list of positive strengths, for example "0.1,0.3,1".
func ParseLambdas(s string) ([]float64, error) {
	var out []float64
	for _, f := range splitList(s) {
		l, err := strconv.ParseFloat(f, 64)
		if err != nil || !(l > 0) || math.IsInf(l, 0) {
			return nil, fmt.Errorf("sweep: invalid λ %q in %q; give positive numbers separated by commas, for example 0.1,0.3,1", f, s)
		}
		out = append(out, l)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("sweep: empty list of λ %q; give positive numbers separated by commas, for example 0.1,0.3,1", s)
	}
	return out, nil
}

// maxSeedsInRange bounds a range such as "1-10" so that a typing error cannot plan billions of
// jobs.
const maxSeedsInRange = 10000

// ParseSeeds reads a comma-separated list of seeds and inclusive ranges, for example "1-5" or
// "1,2,7-9".
func ParseSeeds(s string) ([]uint64, error) {
	var seeds []uint64
	for _, f := range splitList(s) {
		lo, hi, isRange := strings.Cut(f, "-")
		first, err1 := strconv.ParseUint(lo, 10, 64)
		last, err2 := first, error(nil)
		if isRange {
			last, err2 = strconv.ParseUint(hi, 10, 64)
		}
		where := fmt.Sprintf("%q in %q", f, s)
		if f == strings.TrimSpace(s) {
			where = fmt.Sprintf("%q", f)
		}
		switch {
		case err1 != nil || err2 != nil:
			return nil, fmt.Errorf("sweep: invalid seeds %s; give whole numbers and ranges FIRST-LAST separated by commas, for example 1-5 or 1,2,7-9", where)
		case last < first:
			return nil, fmt.Errorf("sweep: invalid seeds %s: the range ends before it starts; write it as %d-%d", where, last, first)
		case last-first >= maxSeedsInRange:
			return nil, fmt.Errorf("sweep: invalid seeds %s: the range has more than %d seeds; split the sweep into smaller ranges", where, maxSeedsInRange)
		}
		seeds = append(seeds, seedRange(first, last)...)
	}
	if len(seeds) == 0 {
		return nil, fmt.Errorf("sweep: empty list of seeds %q; give whole numbers and ranges, for example 1-5", s)
	}
	return seeds, nil
}

func splitList(s string) []string {
	var out []string
	for _, f := range strings.Split(s, ",") {
		if f = strings.TrimSpace(f); f != "" {
			out = append(out, f)
		}
	}
	return out
}
