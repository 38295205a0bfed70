package report

import (
	"context"
	"fmt"
	"log/slog"
	"math"

	"gonum.org/v1/gonum/mat"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/topocnn/topocnn/pkg/analysis"
	"github.com/topocnn/topocnn/pkg/dataset"
	"github.com/topocnn/topocnn/pkg/degrade"
	"github.com/topocnn/topocnn/pkg/grid"
	"github.com/topocnn/topocnn/pkg/network"
	"github.com/topocnn/topocnn/pkg/plotting"
	"github.com/topocnn/topocnn/pkg/stimuli"
	"github.com/topocnn/topocnn/pkg/sweep"
)

// Sizes of the figures that need forward passes.
const (
	// ExampleImages is the number of test images whose fc1 maps the report shows per condition.
	ExampleImages = 4
	// RSAImages is the number of test images (the first ones of the test set) over which the
	// representational dissimilarity matrices are computed.
	RSAImages = 500
	// maxRunHeatmap is the largest number of models drawn in the model-by-model RSA heatmap.
	maxRunHeatmap = 40
)

// tiles draws several figures side by side, cols per row, each on an equal share of the
// canvas.
type tiles struct {
	figures []plotting.Figure
	cols    int
}

func (t *tiles) Draw(c draw.Canvas) {
	cols := max(1, min(t.cols, len(t.figures)))
	rows := (len(t.figures) + cols - 1) / cols
	w := (c.Max.X - c.Min.X) / vg.Length(cols)
	h := (c.Max.Y - c.Min.Y) / vg.Length(rows)
	for i, f := range t.figures {
		r, col := i/cols, i%cols
		sub := c
		sub.Rectangle = vg.Rectangle{
			Min: vg.Point{X: c.Min.X + vg.Length(col)*w, Y: c.Max.Y - vg.Length(r+1)*h},
			Max: vg.Point{X: c.Min.X + vg.Length(col+1)*w, Y: c.Max.Y - vg.Length(r)*h},
		}
		f.Draw(sub)
	}
}

// tileSize returns the canvas size for n tiles of tileW × tileH in rows of cols.
func tileSize(n, cols int, tileW, tileH vg.Length) (vg.Length, vg.Length, int) {
	cols = max(1, min(cols, n))
	rows := (n + cols - 1) / cols
	return tileW * vg.Length(cols), tileH * vg.Length(rows), cols
}

// firstPerCondition returns, for each condition with a finished model, the model of the
// lowest seed.
func firstPerCondition(res *Results, records []Record) []Record {
	var out []Record
	for _, c := range res.Conditions {
		for _, r := range records {
			if r.Job.Name() == c.Runs[0] {
				out = append(out, r)
				break
			}
		}
	}
	return out
}

// mapFigures draws the orientation and expert-unit maps of one model per condition.
func mapFigures(res *Results, records []Record, s *figureSet) {
	g, err := grid.Parse(res.Setting.Grid)
	if err != nil {
		return
	}
	examples := firstPerCondition(res, records)

	var orient []plotting.Figure
	var orientErr error
	for _, r := range examples {
		angles, osi := r.Maps[MapOrientation], r.Maps[MapOSI]
		if angles == nil {
			continue
		}
		f, err := plotting.OrientationMap(angles, osi, g, fmt.Sprintf("%s (seed %d)", r.Job.Condition().Label(), r.Job.Seed))
		if err != nil {
			orientErr = err
			break
		}
		orient = append(orient, f)
	}
	if len(orient) > 0 || orientErr != nil {
		w, h, cols := tileSize(len(orient), 3, 4*vg.Inch, 3.6*vg.Inch)
		s.add("orientation-maps", "Orientation maps",
			"Preferred orientation of each fc1 unit for sinusoidal gratings (hue) and its orientation selectivity index (saturation and line length), one model per condition. Grey units do not respond to any grating.",
			w, h, &tiles{orient, cols}, orientErr)
	}

	var experts []plotting.Figure
	var expertErr error
	for _, r := range examples {
		classes := r.Maps[MapExpertClass]
		if classes == nil {
			continue
		}
		ints := make([]int, len(classes))
		for i, c := range classes {
			ints[i] = int(c)
		}
		f, err := plotting.ExpertMap(ints, g, res.Setting.ClassNames)
		if err != nil {
			expertErr = err
			break
		}
		f.Plot.Title.Text = fmt.Sprintf("%s (seed %d): %s", r.Job.Condition().Label(), r.Job.Seed, f.Plot.Title.Text)
		experts = append(experts, f)
	}
	if len(experts) > 0 || expertErr != nil {
		w, h, cols := tileSize(len(experts), 3, 5.5*vg.Inch, 3.8*vg.Inch)
		s.add("expert-maps", "Expert units",
			"Units whose d′ for their most-driving class is at least 1, coloured by that class, one model per condition.",
			w, h, &tiles{experts, cols}, expertErr)
	}
}

// imageFigures draws example degraded test images and the probe stimuli.
func imageFigures(test *dataset.Set, s *figureSet) {
	h, w, c := test.Height, test.Width, test.Channels
	img := test.Image(0)

	var images [][]float32
	var titles []string
	kinds := []degrade.Kind{degrade.White, degrade.Pink, degrade.SaltPepper, degrade.Blur, degrade.Contrast, degrade.Occlusion}
	for _, k := range kinds {
		images = append(images, img)
		titles = append(titles, k.String()+": clean")
		for _, level := range k.DefaultLevels() {
			out, err := degrade.Degradation{Kind: k, Level: level}.Apply(img, h, w, c, 1)
			if err != nil {
				s.add("degraded-images", "", "", 0, 0, nil, err)
				return
			}
			images = append(images, out)
			titles = append(titles, fmt.Sprintf("%s %g", k, level))
		}
	}
	cols := 1 + len(kinds[0].DefaultLevels())
	if len(images) == len(kinds)*cols {
		f, err := plotting.ImageGrid(images, h, w, c, titles, cols)
		s.add("degraded-images", "Degraded test images",
			"The first test image under each degradation (rows) at each level of the analysis (columns), as the network sees it before normalisation.",
			vg.Length(cols)*1.3*vg.Inch, vg.Length(len(kinds))*1.45*vg.Inch, f, err)
	}

	images, titles = nil, nil
	gratings, err := stimuli.Gratings(h, w, c, stimuli.GratingConfig{Orientations: 4, Cycles: []float64{3}, Phases: 1, Contrast: 1})
	if err != nil {
		s.add("stimuli", "", "", 0, 0, nil, err)
		return
	}
	for i := range gratings.Len() {
		images = append(images, gratings.Image(i))
		titles = append(titles, fmt.Sprintf("grating %g°", gratings.Params[i].Orientation))
	}
	for _, kind := range []stimuli.TextureKind{stimuli.RandomDots, stimuli.NoiseTexture} {
		cfg := stimuli.DefaultTextureConfig(kind)
		cfg.Pairs = 1
		pairs, err := stimuli.MirrorPairs(h, w, c, cfg, 1)
		if err != nil {
			s.add("stimuli", "", "", 0, 0, nil, err)
			return
		}
		images = append(images, pairs.Symmetric.Image(0), pairs.Original.Image(0))
		titles = append(titles, kind.String()+": mirrored", kind.String()+": original")
	}
	blobs, err := stimuli.Blobs(h, w, c, stimuli.DefaultBlobConfig())
	if err != nil {
		s.add("stimuli", "", "", 0, 0, nil, err)
		return
	}
	for _, i := range []int{0, len(blobs.Rows)/2*len(blobs.Cols) + len(blobs.Cols)/2, blobs.Len() - 1} {
		images = append(images, blobs.Image(i))
		titles = append(titles, fmt.Sprintf("blob at (%g, %g)", blobs.Centres[i].Row, blobs.Centres[i].Col))
	}
	f, err := plotting.ImageGrid(images, h, w, c, titles, 4)
	s.add("stimuli", "Probe stimuli",
		"Examples of the probes of the stimulus analyses: sinusoidal gratings (orientation tuning), mirror-symmetric textures with the originals they were made from (symmetry sensitivity) and Gaussian blobs (receptive fields and eccentricity).",
		4*1.5*vg.Inch, vg.Length((len(images)+3)/4)*1.6*vg.Inch, f, err)
}

// networkFigures opens the models to draw example fc1 maps and to compare the models'
// representations (RSA). It fills res.RSA.
func networkFigures(ctx context.Context, res *Results, records []Record, test *dataset.Set, dir string,
	open func(string) (network.Network, error), s *figureSet, log *slog.Logger) error {
	g, err := grid.Parse(res.Setting.Grid)
	if err != nil {
		s.notes = append(s.notes, fmt.Sprintf("Example maps and representational similarity are left out: %v.", err))
		return nil
	}
	rsaSet := test.Head(RSAImages)
	examples := test.Head(ExampleImages)
	firsts := map[string]bool{}
	for _, r := range firstPerCondition(res, records) {
		firsts[r.Job.Name()] = true
	}

	var maps [][]float64
	var titles []string
	var actRDMs, weightRDMs []mat.Symmetric
	var runs, conds []string
	for _, r := range records {
		if err := ctx.Err(); err != nil {
			return err
		}
		net, err := open(sweep.RunDir(dir, r.Job))
		if err != nil {
			s.notes = append(s.notes, fmt.Sprintf("Model %s could not be opened and is left out of the example maps and RSA: %v.", r.Job.Name(), err))
			continue
		}
		out, err := net.Forward(rsaSet.Images, rsaSet.Len())
		if err != nil {
			s.notes = append(s.notes, fmt.Sprintf("Model %s failed on the test images and is left out of the example maps and RSA: %v.", r.Job.Name(), err))
			continue
		}
		pre := analysis.Matrix(out.Pre, out.N, out.Units)
		weights, _, err := analysis.TopographicWeights(net.Parameters(), net.Info())
		if err != nil {
			s.notes = append(s.notes, fmt.Sprintf("Model %s has no readable fc1 weights and is left out of the RSA: %v.", r.Job.Name(), err))
			continue
		}
		actRDMs = append(actRDMs, analysis.RDM(pre))
		weightRDMs = append(weightRDMs, analysis.RDM(weights))
		runs = append(runs, r.Job.Name())
		conds = append(conds, r.Job.Condition().Label())

		if firsts[r.Job.Name()] {
			for i := range examples.Len() {
				maps = append(maps, mat.Row(nil, i, pre))
				titles = append(titles, fmt.Sprintf("%s, image %d (%s)", r.Job.Condition().Label(), i+1, test.ClassNames[test.Labels[i]]))
			}
		}
	}
	log.Info("report: forward passes done", "models", len(runs))

	if len(maps) > 0 {
		f, err := plotting.MapGallery(maps, g, titles, examples.Len())
		if err == nil {
			f.KeyLabel = "fc1 pre-ReLU activation"
		}
		rows := len(maps) / max(1, examples.Len())
		s.add("topographic-maps", "Example topographic maps",
			"fc1 pre-ReLU activations of one model per condition (rows, lowest seed) for the first test images (columns), laid on the grid. All panels share one colour scale.",
			vg.Length(examples.Len())*1.9*vg.Inch+vg.Inch, vg.Length(rows)*2*vg.Inch+0.5*vg.Inch, f, err)
	}

	if len(runs) >= 2 {
		res.RSA = &RSA{
			Images:      rsaSet.Len(),
			Activations: analysis.CompareRDMs(actRDMs, runs, conds),
			Weights:     analysis.CompareRDMs(weightRDMs, runs, conds),
		}
		rsaFigures(res, s)
	}
	return nil
}

// RSA is the representational similarity between models: Pearson R² between the upper
// triangles of their dissimilarity matrices.
type RSA struct {
	// Images is the number of test images (the first of the test set) behind the activation
	// RDMs.
	Images int `json:"images"`
	// Activations compares RDMs over test images of fc1 pre-ReLU activation patterns; Weights
	// compares RDMs over fc1 units of their incoming weight vectors.
	Activations *analysis.RSAResult `json:"activations"`
	Weights     *analysis.RSAResult `json:"weights"`
}

// rsaFigures draws the condition-by-condition mean R² and, for small sweeps, the
// model-by-model matrix.
func rsaFigures(res *Results, s *figureSet) {
	for _, part := range []struct {
		name, what string
		r          *analysis.RSAResult
	}{
		{"rsa-activations", "fc1 activation patterns over test images", res.RSA.Activations},
		{"rsa-weights", "fc1 units' incoming weight vectors", res.RSA.Weights},
	} {
		var labels []string
		for _, c := range res.Conditions {
			labels = append(labels, c.Label)
		}
		matrix := make([][]float64, len(labels))
		for i, a := range labels {
			matrix[i] = make([]float64, len(labels))
			for j, b := range labels {
				sum, ok := part.r.Within[a], i == j
				if !ok {
					key := a + "|" + b
					if b < a {
						key = b + "|" + a
					}
					sum, ok = part.r.Across[key]
				}
				matrix[i][j] = math.NaN()
				if ok {
					matrix[i][j] = float64(sum.Mean)
				}
			}
		}
		f, err := plotting.Heatmap(matrix, labels, labels, "Representational similarity (R²): "+part.what)
		if err == nil {
			f.ValueFormat = "%.2f"
		}
		n := vg.Length(len(labels))
		s.add(part.name, "Representational similarity: "+part.what,
			fmt.Sprintf("Mean Pearson R² between the representational dissimilarity matrices (1 − r) of two models, for pairs of distinct models within a condition (diagonal) and across conditions. Activation RDMs use the first %d test images.", res.RSA.Images),
			4*vg.Inch+n*0.7*vg.Inch, 3*vg.Inch+n*0.55*vg.Inch, f, err)

		if len(part.r.Runs) <= maxRunHeatmap {
			m := make([][]float64, len(part.r.Similarity))
			for i, row := range part.r.Similarity {
				for _, v := range row {
					m[i] = append(m[i], float64(v))
				}
			}
			f, err := plotting.Heatmap(m, part.r.Runs, part.r.Runs, "R² between models: "+part.what)
			k := vg.Length(len(part.r.Runs))
			s.add(part.name+"-models", "Representational similarity between models: "+part.what,
				"Pearson R² between the dissimilarity matrices of every pair of models.",
				4*vg.Inch+k*0.35*vg.Inch, 3*vg.Inch+k*0.3*vg.Inch, f, err)
		}
	}
}
