package analysis

import (
	"fmt"
	"math"

	"gonum.org/v1/gonum/stat"

	"github.com/topocnn/topocnn/pkg/network"
	"github.com/topocnn/topocnn/pkg/stimuli"
)

// ReceptiveFieldConfig sets up the Gaussian-blob probe.
type ReceptiveFieldConfig struct {
	// Seed is recorded in the result. The probes are deterministic and do not use it.
	Seed  uint64             `json:"seed"`
	Blobs stimuli.BlobConfig `json:"blobs"`
	// BinWidth is the width in pixels of the eccentricity bins. With 0 it is the lattice step.
	BinWidth float64 `json:"bin_width_px"`
}

// DefaultReceptiveFieldConfig returns the default blobs (SD 1.5 pixels every 2 pixels: 196
// probes on 28 × 28, 256 on 32 × 32) with eccentricity bins of the lattice step, in both
// suites: the probe costs one forward pass over a few hundred images.
func DefaultReceptiveFieldConfig(quick bool) ReceptiveFieldConfig {
	return ReceptiveFieldConfig{Blobs: stimuli.DefaultBlobConfig()}
}

// EccentricityProfile is the mean response of the topographic layer against the probe's
// distance from the image centre.
type EccentricityProfile struct {
	BinWidth float64 `json:"bin_width_px"`
	// Distance is the centre of each bin [k·BinWidth, (k+1)·BinWidth) in pixels.
	Distance []float64 `json:"distance_px"`
	// MeanResponse is the mean over units and over the probes in the bin of the
	// baseline-subtracted pre-ReLU response, null for an empty bin.
	MeanResponse []Float `json:"mean_response"`
	// Probes is the number of probes in each bin.
	Probes []int `json:"probes"`
}

// Retinotopy is the correlation between the units' grid positions and their receptive-field
// centres.
type Retinotopy struct {
	// Units is the number of responsive units used.
	Units int `json:"units"`
	// RowVsY is Pearson's r between grid row and RF centre row, and ColVsX between grid column
	// and RF centre column. Each is null with fewer than 3 units or a constant variable.
	RowVsY Float `json:"row_vs_y"`
	ColVsX Float `json:"col_vs_x"`
}

// ReceptiveFieldResult holds the receptive fields of the topographic units, the eccentricity
// profile and retinotopy.
type ReceptiveFieldResult struct {
	Seed  uint64             `json:"seed"`
	Blobs stimuli.BlobConfig `json:"blobs"`
	// Probes is the number of blob positions.
	Probes int `json:"probes"`
	// ImageCentre is the image centre in pixel-index coordinates.
	ImageCentre stimuli.Point `json:"image_centre"`
	// CentreRow and CentreCol are each unit's RF centre in pixel-index coordinates (row 0 is
	// the centre of the top pixel row), null for units with no response above baseline.
	CentreRow []Float `json:"centre_row"`
	CentreCol []Float `json:"centre_col"`
	// Size is each unit's RF size in pixels, the weighted RMS distance of the probes from the
	// RF centre.
	Size []Float `json:"size_px"`
	// Eccentricity is the distance in pixels of each unit's RF centre from the image centre.
	Eccentricity []Float `json:"eccentricity_px"`
	// Responsive is the number of units with an RF centre.
	Responsive int                 `json:"responsive"`
	Profile    EccentricityProfile `json:"profile"`
	Retinotopy Retinotopy          `json:"retinotopy"`
}

// ReceptiveFields probes net with Gaussian blobs on a pixel lattice (stimuli.Blobs at the
// network's input size) and a blank image of the blob background, in one forward pass. With
// R_p(u) the pre-ReLU response of unit u to probe p at centre c_p and R_0(u) its response to
// the blank image, the weights w_p = max(R_p(u) − R_0(u), 0) define
//
//	RF centre  m = Σ w_p·c_p / Σ w_p,
//	RF size    s = √(Σ w_p·|c_p − m|² / Σ w_p),
//
// both in pixels and undefined when Σ w_p = 0. The eccentricity profile averages
// R_p(u) − R_0(u) over units and over the probes in each bin of distance |c_p − image centre|.
// Retinotopy correlates the grid row with the RF centre row and the grid column with the RF
// centre column over the responsive units (stat.Correlation). It returns an error for an
// invalid configuration or a failed forward pass.
func ReceptiveFields(net network.Network, cfg ReceptiveFieldConfig) (*ReceptiveFieldResult, error) {
	if !(cfg.BinWidth >= 0) || math.IsInf(cfg.BinWidth, 0) {
		return nil, fmt.Errorf("analysis: invalid eccentricity bin width %g: use a positive number of pixels, or 0 for the lattice step", cfg.BinWidth)
	}
	info := net.Info()
	units := info.Units()
	set, err := stimuli.Blobs(info.Height, info.Width, info.Channels, cfg.Blobs)
	if err != nil {
		return nil, err
	}
	probes := set.Len()
	images := append(set.Images[:len(set.Images):len(set.Images)], stimuli.Blank(info.Height, info.Width, info.Channels, cfg.Blobs.Background)...)
	pre, err := probeResponses(net, images, probes+1)
	if err != nil {
		return nil, fmt.Errorf("analysis: receptive-field probe: %w", err)
	}
	response := func(p, u int) float64 {
		return float64(pre[p*units+u]) - float64(pre[probes*units+u])
	}

	res := &ReceptiveFieldResult{
		Seed: cfg.Seed, Blobs: cfg.Blobs, Probes: probes,
		ImageCentre: stimuli.Centre(info.Height, info.Width),
		CentreRow:   make([]Float, units), CentreCol: make([]Float, units),
		Size: make([]Float, units), Eccentricity: make([]Float, units),
	}
	var gridRows, gridCols, rfRows, rfCols []float64
	weights := make([]float64, probes)
	for u := 0; u < units; u++ {
		for p := range weights {
			weights[p] = math.Max(response(p, u), 0)
		}
		centre, size := WeightedCentre(set.Centres, weights)
		res.CentreRow[u], res.CentreCol[u], res.Size[u] = Float(centre.Row), Float(centre.Col), Float(size)
		res.Eccentricity[u] = Float(math.Hypot(centre.Row-res.ImageCentre.Row, centre.Col-res.ImageCentre.Col))
		if math.IsNaN(size) {
			continue
		}
		res.Responsive++
		gridRows = append(gridRows, float64(u/info.GridCols))
		gridCols = append(gridCols, float64(u%info.GridCols))
		rfRows = append(rfRows, centre.Row)
		rfCols = append(rfCols, centre.Col)
	}

	binWidth := cfg.BinWidth
	if binWidth == 0 {
		binWidth = cfg.Blobs.Step
	}
	res.Profile = eccentricityProfile(set.Centres, res.ImageCentre, binWidth, units, response)
	res.Retinotopy = Retinotopy{Units: res.Responsive, RowVsY: pearson(gridRows, rfRows), ColVsX: pearson(gridCols, rfCols)}
	return res, nil
}

// WeightedCentre returns the weighted centroid m = Σ w_p·c_p / Σ w_p of the points and the
// weighted RMS distance √(Σ w_p·|c_p − m|² / Σ w_p) from it, in the points' unit. Both are NaN
// when the weights sum to 0. It panics if the lengths differ or a weight is negative.
func WeightedCentre(points []stimuli.Point, weights []float64) (centre stimuli.Point, spread float64) {
	if len(points) != len(weights) {
		panic(fmt.Sprintf("analysis: WeightedCentre got %d points and %d weights", len(points), len(weights)))
	}
	var sum, row, col float64
	for p, w := range weights {
		if w < 0 {
			panic(fmt.Sprintf("analysis: WeightedCentre got negative weight %g", w))
		}
		sum += w
		row += w * points[p].Row
		col += w * points[p].Col
	}
	if sum == 0 {
		return stimuli.Point{Row: math.NaN(), Col: math.NaN()}, math.NaN()
	}
	centre = stimuli.Point{Row: row / sum, Col: col / sum}
	var moment float64
	for p, w := range weights {
		dr, dc := points[p].Row-centre.Row, points[p].Col-centre.Col
		moment += w * (dr*dr + dc*dc)
	}
	return centre, math.Sqrt(moment / sum)
}

// eccentricityProfile averages response(p, u) over units and over the probes p in each
// distance bin.
func eccentricityProfile(centres []stimuli.Point, imageCentre stimuli.Point, binWidth float64, units int, response func(p, u int) float64) EccentricityProfile {
	bins := make([]int, len(centres))
	count := 0
	for p, c := range centres {
		bins[p] = int(math.Hypot(c.Row-imageCentre.Row, c.Col-imageCentre.Col) / binWidth)
		count = max(count, bins[p]+1)
	}
	profile := EccentricityProfile{
		BinWidth: binWidth, Distance: make([]float64, count),
		MeanResponse: make([]Float, count), Probes: make([]int, count),
	}
	sums := make([]float64, count)
	for p, b := range bins {
		profile.Probes[b]++
		for u := 0; u < units; u++ {
			sums[b] += response(p, u)
		}
	}
	for b := range sums {
		profile.Distance[b] = (float64(b) + 0.5) * binWidth
		profile.MeanResponse[b] = Float(math.NaN())
		if profile.Probes[b] > 0 {
			profile.MeanResponse[b] = Float(sums[b] / float64(profile.Probes[b]*units))
		}
	}
	return profile
}

// pearson returns stat.Correlation of x and y, or NaN with fewer than 3 values or a constant
// variable.
func pearson(x, y []float64) Float {
	if len(x) < 3 {
		return Float(math.NaN())
	}
	if _, sx := stat.MeanStdDev(x, nil); sx == 0 {
		return Float(math.NaN())
	}
	if _, sy := stat.MeanStdDev(y, nil); sy == 0 {
		return Float(math.NaN())
	}
	return Float(stat.Correlation(x, y, nil))
}
