package analysis

import (
	"fmt"
	"math"
)

// Accuracy returns the fraction of rows of logits (n × classes, row-major) whose largest logit
// is at the index given by labels, in [0, 1]. A tie goes to the lowest class index. It returns
// NaN for n = 0 and panics if classes ≤ 0 or len(logits) != len(labels) · classes.
func Accuracy(logits []float32, labels []int32, classes int) float64 {
	if classes <= 0 {
		panic(fmt.Sprintf("analysis: Accuracy got %d classes; need at least one", classes))
	}
	if len(logits) != len(labels)*classes {
		panic(fmt.Sprintf("analysis: Accuracy got %d logits for %d labels × %d classes", len(logits), len(labels), classes))
	}
	if len(labels) == 0 {
		return math.NaN()
	}

	correct := 0
	for i, label := range labels {
		if argmax(logits[i*classes:(i+1)*classes]) == int(label) {
			correct++
		}
	}
	return float64(correct) / float64(len(labels))
}

// argmax returns the index of the largest value, the first one on a tie.
func argmax(v []float32) int {
	best := 0
	for i, x := range v {
		if x > v[best] {
			best = i
		}
	}
	return best
}
