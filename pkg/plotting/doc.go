// Package plotting draws the toolkit's figures with gonum/plot: topographic maps of a layer's
// units on their grid, orientation and expert-unit maps, small multiples, curves with SEM
// bands, density histograms, grouped bars, input-degradation grids, matrices and example
// images.
//
// Inputs are plain Go slices and a grid.Grid, so the package does not depend on how the
// numbers were computed. Every figure has a title, labelled axes, and a legend, colour bar or
// key, in sans-serif fonts sized for print (TitleSize, LabelSize, TickLabelSize, LegendSize).
// Colours are colour-blind safe: Moreland's blue–red diverging map centred on 0 (Diverging),
// viridis (Sequential), and the Okabe–Ito and Tol palettes (Categorical). Curves also differ
// in markers, and expert maps print each unit's class index. Grid maps have square cells with
// row 0 at the top, as unit k sits at row k / Cols, column k % Cols.
//
// Single-panel figures are *plot.Plot values, and figures with several panels or a side key
// are *MapFigure, *Gallery and *PanelGrid. All are a Figure, which PNG, SVG, PDF, Save and
// Raster render:
//
//	fig, err := plotting.TopoMap(activations, grid.Grid{Rows: 11, Cols: 11}, "fc1, image 0")
//	if err != nil {
//		return err
//	}
//	fig.KeyLabel = "pre-ReLU activation"
//	err = plotting.Save(fig, "fc1.svg", 5*vg.Inch, 4*vg.Inch)
//
// In a GoNB notebook, show a figure with
//
//	png, err := plotting.PNG(fig, 5*vg.Inch, 4*vg.Inch)
//	gonbui.DisplayPng(png)
//
// Constructors return an error for invalid input (a length that does not match the grid, an
// empty series list, an infinite value) that names the value and the fix. NaN marks a
// missing value: maps cross its cell out and curves leave a gap.
package plotting
