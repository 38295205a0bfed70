package analysis

import (
	"math"
	"testing"
)

func TestAccuracyHandCounted(t *testing.T) {
	logits := []float32{
		0.1, 0.9, 0.0, // argmax 1
		2.0, 1.0, 0.5, // argmax 0
		0.3, 0.3, 0.1, // tie between 0 and 1: lowest index 0
		-1, -2, -0.5, // argmax 2
	}
	labels := []int32{1, 2, 0, 2}
	if got := Accuracy(logits, labels, 3); got != 0.75 {
		t.Errorf("accuracy = %v, want 0.75", got)
	}
}

func TestAccuracyEmptyIsNaN(t *testing.T) {
	if got := Accuracy(nil, nil, 10); !math.IsNaN(got) {
		t.Errorf("accuracy of no images = %v, want NaN", got)
	}
}

func TestAccuracyMismatchPanics(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error("5 logits for 2 labels × 3 classes did not panic")
		}
	}()
	Accuracy(make([]float32, 5), []int32{0, 1}, 3)
}
