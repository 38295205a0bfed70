package plotting_test

import (
	"bytes"
	"fmt"
	"image/png"
	"math"

	"gonum.org/v1/plot/vg"

	"github.com/topocnn/topocnn/pkg/grid"
	"github.com/topocnn/topocnn/pkg/plotting"
)

// A topographic map of one image's fc1 pre-ReLU activations on the 11 × 11 grid, rendered to
// PNG bytes for a notebook (gonbui.DisplayPng) or a file.
func ExampleTopoMap() {
	g := grid.Grid{Rows: 11, Cols: 11}
	activations := make([]float64, g.Size())
	for k := range activations {
		row, col := g.Position(k)
		activations[k] = math.Sin(float64(row)/3) * math.Cos(float64(col)/4)
	}

	fig, err := plotting.TopoMap(activations, g, "fc1, test image 0")
	if err != nil {
		fmt.Println(err)
		return
	}
	fig.KeyLabel = "pre-ReLU activation"

	data, err := plotting.PNG(fig, 5*vg.Inch, 4*vg.Inch)
	if err != nil {
		fmt.Println(err)
		return
	}
	img, err := png.Decode(bytes.NewReader(data))
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("%d × %d pixels\n", img.Bounds().Dx(), img.Bounds().Dy())
	// Output: 750 × 600 pixels
}
