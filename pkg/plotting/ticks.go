package plotting

import (
	"math"
	"strconv"

	"gonum.org/v1/plot"
)

// NiceTicks is a plot.Ticker that labels four to eight major ticks, as close to six as it can,
// at steps of 1, 2, 2.5 or 5 × 10^k. Labels have the decimals the step needs ("2.5", not
// "2.50"), and unlabelled minor ticks lie between them. gonum's DefaultTicks often labels only
// two or three values.
type NiceTicks struct{}

// Ticks returns the ticks for the range [min, max], or none if max ≤ min or a bound is not
// finite.
func (NiceTicks) Ticks(min, max float64) []plot.Tick {
	if !(max > min) || math.IsInf(min, 0) || math.IsInf(max, 0) {
		return nil
	}
	s := chooseStep(min, max)
	exponent := math.Max(math.Abs(min), math.Abs(max)) >= 1e6 || s.decimals > 5

	var ticks []plot.Tick
	first := math.Ceil(min/s.step - 1e-9)
	last := math.Floor(max/s.step + 1e-9)
	for i := first; i <= last; i++ {
		v := i * s.step
		if i == 0 {
			v = 0 // avoid labels such as "-0" or "1e-17"
		}
		ticks = append(ticks, plot.Tick{Value: v, Label: formatTick(v, s.decimals, exponent)})
	}

	minor := s.step / float64(s.minors)
	for i := math.Ceil(min/minor - 1e-9); i <= math.Floor(max/minor+1e-9); i++ {
		if math.Mod(math.Abs(i), float64(s.minors)) != 0 {
			ticks = append(ticks, plot.Tick{Value: i * minor})
		}
	}
	return ticks
}

// tickStep is a major tick step with its number of minor intervals and the decimals needed to
// print its multiples.
type tickStep struct {
	step     float64
	minors   int
	decimals int
}

// chooseStep returns the step of 1, 2, 2.5 or 5 × 10^k that puts between four and eight major
// ticks in [lo, hi], nearest to six, preferring the larger step on a tie. If none does, it
// returns the step that gives the most ticks up to eight.
func chooseStep(lo, hi float64) tickStep {
	exp := int(math.Floor(math.Log10(hi - lo)))
	var best tickStep
	bestScore := math.Inf(1)
	for e := exp - 2; e <= exp+1; e++ {
		mag := math.Pow(10, float64(e))
		for _, m := range []struct {
			factor   float64
			minors   int
			decimals int
		}{{1, 5, 0}, {2, 4, 0}, {2.5, 5, 1}, {5, 5, 0}} {
			step := m.factor * mag
			count := math.Floor(hi/step+1e-9) - math.Ceil(lo/step-1e-9) + 1
			score := math.Abs(count - 6)
			if count < 4 || count > 8 {
				score = 100 + math.Abs(count-6) // only if no step gives 4 to 8 ticks
			}
			if score <= bestScore {
				best = tickStep{step: step, minors: m.minors, decimals: max(0, m.decimals-e)}
				bestScore = score
			}
		}
	}
	return best
}

// formatTick prints v with the given decimals, or with three significant digits in exponent
// form, which Ticks uses for ranges beyond 10⁶ or steps below 10⁻⁵.
func formatTick(v float64, decimals int, exponent bool) string {
	if exponent && v != 0 {
		return strconv.FormatFloat(v, 'g', 3, 64)
	}
	return strconv.FormatFloat(v, 'f', decimals, 64)
}
