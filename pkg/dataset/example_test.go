package dataset_test

import (
	"fmt"
	"log"

	"github.com/topocnn/topocnn/pkg/dataset"
)

func ExampleLoad() {
	full, err := dataset.Load(dataset.MNIST, dataset.Train, "")
	if err != nil {
		log.Fatal(err)
	}
	train, val := dataset.Split(full, 0.2, 1)
	norm, err := dataset.NormalizationFor(dataset.MNIST)
	if err != nil {
		log.Fatal(err)
	}
	inputs := norm.Apply(train.Images, train.Channels)

	fmt.Println(full.Len(), full.Height, full.Width, full.Channels, full.Labels[0])
	fmt.Println(train.Len(), val.Len(), len(inputs) == len(train.Images))
	// Output:
	// 60000 28 28 1 5
	// 48000 12000 true
}
