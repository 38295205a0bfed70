package topocnn

import (
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/topocnn/topocnn/pkg/dataset"
	"github.com/topocnn/topocnn/pkg/grid"
	"github.com/topocnn/topocnn/pkg/topoloss"
)

// Regularisers of the topographic layer.
const (
	RegNone     = "none"      // control: no topographic loss
	RegWS       = "ws"        // weight similarity of fc1's incoming weights
	RegAS       = "as"        // local activation similarity of fc1's pre-ReLU activations
	RegASGlobal = "as-global" // global activation similarity of fc1's pre-ReLU activations
)

// RegNames lists the accepted values of Config.Reg.
var RegNames = []string{RegNone, RegWS, RegAS, RegASGlobal}

// Config is everything that determines a training run. Two runs with equal Configs on the same
// backend produce the same run.json metrics, wall times aside.
type Config struct {
	// Dataset is "mnist", "fashion-mnist" or "cifar10".
	Dataset string `json:"dataset"`
	// DataDir overrides where the dataset's files are found (see dataset.Load). Empty uses the
	// default location. It does not change the results.
	DataDir string `json:"data_dir,omitempty"`

	// Reg selects the topographic loss: "none", "ws", "as" or "as-global".
	Reg string `json:"reg"`
	// Lambda is λ in L = L_task + λ·L_topo, or the starting λ when Rho > 0. It is unused when Reg
	// is "none".
	Lambda float64 `json:"lambda"`
	// Rho, when positive, matches λ to the gradient norms every step (topoloss.Weighting).
	Rho float64 `json:"rho"`
	// Metric is the distance of WS and local AS: "euclidean", "cosine" or "correlation". Global
	// AS always uses cosine similarity.
	Metric string `json:"metric"`
	// Neighbourhood ("queen" or "rook") and Edges ("open" or "toroidal") define the neighbour
	// pairs of WS and local AS.
	Neighbourhood string `json:"neighbourhood"`
	Edges         string `json:"edges"`
	// GridRows × GridCols is the grid of the topographic layer and sets its width.
	GridRows int `json:"grid_rows"`
	GridCols int `json:"grid_cols"`
	// Dropout is the dropout probability after fc1's ReLU.
	Dropout float64 `json:"dropout"`

	// Epochs, BatchSize and LearningRate (Adam) set the optimisation.
	Epochs       int     `json:"epochs"`
	BatchSize    int     `json:"batch_size"`
	LearningRate float64 `json:"learning_rate"`
	// Seed seeds the initialisation, dropout, the train/validation split and the shuffling.
	Seed uint64 `json:"seed"`
	// TrainLimit, when positive, trains on the first TrainLimit examples of the training split
	// only (for quick runs). Validation still uses the whole validation split.
	TrainLimit int `json:"train_limit"`
	// ValFraction is the fraction of the official training set held out for validation.
	ValFraction float64 `json:"val_fraction"`
}

// DefaultConfig returns the protocol's settings for a dataset: no topographic loss (set Reg to
// train WS or AS, λ = 1), Euclidean distance, queen neighbourhood, open edges, an 11 × 11 grid,
// dropout 0.5, Adam at 1e-3 with batch 64, seed 0, an 80/20 split, and 10 epochs for MNIST
// and Fashion-MNIST or 30 for CIFAR-10.
func DefaultConfig(datasetName string) Config {
	epochs := 10
	if datasetName == dataset.CIFAR10 {
		epochs = 30
	}
	return Config{
		Dataset:       datasetName,
		Reg:           RegNone,
		Lambda:        1,
		Metric:        topoloss.Euclidean.String(),
		Neighbourhood: grid.Queen.String(),
		Edges:         grid.Open.String(),
		GridRows:      11,
		GridCols:      11,
		Dropout:       0.5,
		Epochs:        epochs,
		BatchSize:     64,
		LearningRate:  1e-3,
		ValFraction:   0.2,
	}
}

// FieldError reports an invalid Config field: its name, the value and what is accepted.
type FieldError struct {
	// Field is the Go name of the Config field, for example "Reg".
	Field    string
	Value    any
	Accepted string
}

func (e *FieldError) Error() string {
	return fmt.Sprintf("topocnn: invalid Config.%s %v: %s", e.Field, e.Value, e.Accepted)
}

// Validate returns a *FieldError for the first invalid field, naming the field, its value and
// the accepted values.
func (c Config) Validate() error {
	oneOf := func(field, value string, accepted []string) error {
		for _, a := range accepted {
			if strings.EqualFold(value, a) {
				return nil
			}
		}
		return &FieldError{field, fmt.Sprintf("%q", value), "use one of " + strings.Join(accepted, ", ")}
	}
	finite := func(x float64) bool { return !math.IsNaN(x) && !math.IsInf(x, 0) }

	if err := oneOf("Dataset", c.Dataset, dataset.Names()); err != nil {
		return err
	}
	if err := oneOf("Reg", c.Reg, RegNames); err != nil {
		return err
	}
	if !finite(c.Lambda) || c.Lambda < 0 {
		return &FieldError{"Lambda", c.Lambda, "use a finite value ≥ 0"}
	}
	if !finite(c.Rho) || c.Rho < 0 {
		return &FieldError{"Rho", c.Rho, "use a finite value ≥ 0 (0 keeps λ fixed)"}
	}
	if c.Rho > 0 && c.Lambda > topoloss.LambdaMax {
		return &FieldError{"Lambda", c.Lambda, fmt.Sprintf("with Rho > 0 the starting λ must be ≤ %g", float64(topoloss.LambdaMax))}
	}
	if err := oneOf("Metric", c.Metric, topoloss.MetricNames); err != nil {
		return err
	}
	if err := oneOf("Neighbourhood", c.Neighbourhood, []string{"queen", "rook"}); err != nil {
		return err
	}
	if err := oneOf("Edges", c.Edges, []string{"open", "toroidal"}); err != nil {
		return err
	}
	if c.GridRows < 1 || c.GridCols < 1 {
		return &FieldError{"GridRows", fmt.Sprintf("%dx%d", c.GridRows, c.GridCols), "use positive rows and columns, for example 11x11"}
	}
	if !finite(c.Dropout) || c.Dropout < 0 || c.Dropout >= 1 {
		return &FieldError{"Dropout", c.Dropout, "use a probability in [0, 1)"}
	}
	if c.Epochs < 1 {
		return &FieldError{"Epochs", c.Epochs, "use at least 1"}
	}
	if c.BatchSize < 1 {
		return &FieldError{"BatchSize", c.BatchSize, "use at least 1"}
	}
	if !finite(c.LearningRate) || c.LearningRate <= 0 {
		return &FieldError{"LearningRate", c.LearningRate, "use a finite value > 0"}
	}
	if c.TrainLimit < 0 {
		return &FieldError{"TrainLimit", c.TrainLimit, "use 0 (no limit) or a positive number of examples"}
	}
	if !finite(c.ValFraction) || c.ValFraction <= 0 || c.ValFraction >= 1 {
		return &FieldError{"ValFraction", c.ValFraction, "use a fraction in (0, 1)"}
	}
	return nil
}

// differences lists the fields, other than DataDir, in which c and other differ.
func (c Config) differences(other Config) []string {
	var diffs []string
	add := func(name string, a, b any) {
		if a != b {
			diffs = append(diffs, fmt.Sprintf("%s %v ≠ %v", name, a, b))
		}
	}
	add("Dataset", c.Dataset, other.Dataset)
	add("Reg", c.Reg, other.Reg)
	add("Lambda", c.Lambda, other.Lambda)
	add("Rho", c.Rho, other.Rho)
	add("Metric", c.Metric, other.Metric)
	add("Neighbourhood", c.Neighbourhood, other.Neighbourhood)
	add("Edges", c.Edges, other.Edges)
	add("GridRows", c.GridRows, other.GridRows)
	add("GridCols", c.GridCols, other.GridCols)
	add("Dropout", c.Dropout, other.Dropout)
	add("Epochs", c.Epochs, other.Epochs)
	add("BatchSize", c.BatchSize, other.BatchSize)
	add("LearningRate", c.LearningRate, other.LearningRate)
	add("Seed", c.Seed, other.Seed)
	add("TrainLimit", c.TrainLimit, other.TrainLimit)
	add("ValFraction", c.ValFraction, other.ValFraction)
	return diffs
}

// normalized returns c with the names of Reg, Metric, Neighbourhood and Edges in lower case.
func (c Config) normalized() Config {
	c.Reg = strings.ToLower(c.Reg)
	c.Metric = strings.ToLower(c.Metric)
	c.Neighbourhood = strings.ToLower(c.Neighbourhood)
	c.Edges = strings.ToLower(c.Edges)
	return c
}

// topographic returns the loss geometry and weighting of c, which must be valid.
func (c Config) topographic() (topoloss.Local, topoloss.Weighting) {
	metric, _ := topoloss.ParseMetric(c.Metric)
	neighbourhood, _ := grid.ParseNeighbourhood(c.Neighbourhood)
	edges, _ := grid.ParseEdges(c.Edges)
	local := topoloss.Local{
		Grid:          grid.Grid{Rows: c.GridRows, Cols: c.GridCols},
		Neighbourhood: neighbourhood,
		Edges:         edges,
		Metric:        metric,
	}
	return local, topoloss.Weighting{Lambda: c.Lambda, Rho: c.Rho}
}

// hasTopographicLoss reports whether c trains with a topographic loss.
func (c Config) hasTopographicLoss() bool {
	return slices.Contains([]string{RegWS, RegAS, RegASGlobal}, c.Reg)
}
