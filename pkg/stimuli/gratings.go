package stimuli

import (
	"fmt"
	"math"
)

// Grating is the parameter set of one sinusoidal grating.
type Grating struct {
	// Orientation is the angle of the stripes in degrees, in [0, 180), counter-clockwise from
	// the horizontal image axis: 0 gives horizontal stripes, 90 vertical stripes.
	Orientation float64 `json:"orientation_deg"`
	// Cycles is the spatial frequency in cycles per image side (the shorter side of a
	// non-square image).
	Cycles float64 `json:"cycles"`
	// Phase is the phase in radians at the image centre.
	Phase float64 `json:"phase"`
	// Contrast is the Michelson contrast (max − min)/(max + min) about the mean grey 0.5, in
	// [0, 1].
	Contrast float64 `json:"contrast"`
}

// GratingConfig lists the gratings of a probe set: every combination of orientation, spatial
// frequency and phase.
type GratingConfig struct {
	// Orientations is the number of orientations k·180°/Orientations, k = 0 … Orientations−1.
	Orientations int `json:"orientations"`
	// Cycles are the spatial frequencies in cycles per image side.
	Cycles []float64 `json:"cycles"`
	// Phases is the number of phases k·360°/Phases, k = 0 … Phases−1.
	Phases int `json:"phases"`
	// Contrast is the Michelson contrast of every grating, in [0, 1].
	Contrast float64 `json:"contrast"`
}

// DefaultGratingConfig returns the probe set of the orientation analysis: 8 orientations in
// [0°, 180°), 2, 3, 4 and 6 cycles per image, 4 phases, full contrast (128 gratings).
func DefaultGratingConfig() GratingConfig {
	return GratingConfig{Orientations: 8, Cycles: []float64{2, 3, 4, 6}, Phases: 4, Contrast: 1}
}

// Check returns an error naming the first invalid field.
func (c GratingConfig) Check() error {
	switch {
	case c.Orientations < 1:
		return fmt.Errorf("stimuli: invalid grating orientation count %d: use at least 1 (8 by default)", c.Orientations)
	case c.Phases < 1:
		return fmt.Errorf("stimuli: invalid grating phase count %d: use at least 1 (4 by default)", c.Phases)
	case len(c.Cycles) == 0:
		return fmt.Errorf("stimuli: no grating spatial frequencies: list at least one in cycles per image (2, 3, 4, 6 by default)")
	case c.Contrast < 0 || c.Contrast > 1 || math.IsNaN(c.Contrast):
		return fmt.Errorf("stimuli: invalid grating contrast %g: use a Michelson contrast in [0, 1]", c.Contrast)
	}
	for _, f := range c.Cycles {
		if !(f > 0) || math.IsInf(f, 0) {
			return fmt.Errorf("stimuli: invalid grating spatial frequency %g: use a positive number of cycles per image", f)
		}
	}
	return nil
}

// OrientationsDeg returns the orientations in degrees, k·180/Orientations.
func (c GratingConfig) OrientationsDeg() []float64 {
	out := make([]float64, c.Orientations)
	for k := range out {
		out[k] = 180 * float64(k) / float64(c.Orientations)
	}
	return out
}

// PhasesRad returns the phases in radians, k·2π/Phases.
func (c GratingConfig) PhasesRad() []float64 {
	out := make([]float64, c.Phases)
	for k := range out {
		out[k] = 2 * math.Pi * float64(k) / float64(c.Phases)
	}
	return out
}

// Len returns the number of gratings in the set, Orientations × len(Cycles) × Phases.
func (c GratingConfig) Len() int { return c.Orientations * len(c.Cycles) * c.Phases }

// Index returns the position in the set of the grating with orientation index o, frequency
// index f and phase index p. The phase varies fastest, then the frequency, then the
// orientation.
func (c GratingConfig) Index(o, f, p int) int { return (o*len(c.Cycles)+f)*c.Phases + p }

// GratingSet is a set of gratings with the parameters of each image.
type GratingSet struct {
	Stack
	// Config is the configuration that generated the set.
	Config GratingConfig
	// Params[i] describes image i.
	Params []Grating
}

// Gratings renders every grating of cfg at h × w pixels and c channels, in the order of
// cfg.Index. It returns an error for an invalid size or configuration.
func Gratings(h, w, c int, cfg GratingConfig) (*GratingSet, error) {
	if err := checkSize(h, w, c); err != nil {
		return nil, err
	}
	if err := cfg.Check(); err != nil {
		return nil, err
	}

	set := &GratingSet{Stack: newStack(cfg.Len(), h, w, c), Config: cfg, Params: make([]Grating, cfg.Len())}
	plane := make([]float64, h*w)
	orientations, phases := cfg.OrientationsDeg(), cfg.PhasesRad()
	for o, theta := range orientations {
		for f, cycles := range cfg.Cycles {
			for p, phase := range phases {
				i := cfg.Index(o, f, p)
				g := Grating{Orientation: theta, Cycles: cycles, Phase: phase, Contrast: cfg.Contrast}
				RenderGrating(plane, h, w, g)
				set.setGrey(i, plane)
				set.Params[i] = g
			}
		}
	}
	return set, nil
}

// RenderGrating writes the grey grating g into plane (h × w, row-major). Pixel (i, j) has
// centre coordinates x = j + 0.5 − w/2 (rightwards) and y = h/2 − (i + 0.5) (upwards) relative
// to the image centre, and the value
//
//	L = 0.5 + 0.5·C·cos(2π·f·s/S + φ),  s = −x·sin θ + y·cos θ,
//
// where θ is g.Orientation, f is g.Cycles, φ is g.Phase, C is g.Contrast and S = min(h, w) is
// the image side in pixels. The stripes run along the direction (cos θ, sin θ), and s is the
// distance from the centre across the stripes. Values lie in [0.5 − C/2, 0.5 + C/2]. It panics
// if len(plane) != h·w.
func RenderGrating(plane []float64, h, w int, g Grating) {
	if len(plane) != h*w {
		panic(fmt.Sprintf("stimuli: RenderGrating got %d values for %d × %d pixels", len(plane), h, w))
	}
	theta := g.Orientation * math.Pi / 180
	sin, cos := math.Sincos(theta)
	k := 2 * math.Pi * g.Cycles / float64(min(h, w))
	for i := 0; i < h; i++ {
		y := float64(h)/2 - (float64(i) + 0.5)
		for j := 0; j < w; j++ {
			x := float64(j) + 0.5 - float64(w)/2
			s := -x*sin + y*cos
			plane[i*w+j] = 0.5 + 0.5*g.Contrast*math.Cos(k*s+g.Phase)
		}
	}
}
