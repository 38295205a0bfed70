package report

// Keys of the per-model metrics that the report summarises and tests.
const (
	MetricAccuracy       = "test_accuracy"
	MetricMoransI        = "morans_i"
	MetricNeighbourR     = "neighbour_r"
	MetricLocalisation   = "localisation_distance"
	MetricBimodality     = "bimodality"
	MetricVariance       = "activation_variance"
	MetricEntropy        = "entropy"
	MetricDimensionality = "effective_dim_activations"
	MetricDimWeights     = "effective_dim_weights"
	MetricExperts        = "experts"
	MetricWeightAll      = "weight_robustness_all"
	MetricWeightFC1      = "weight_robustness_fc1"
	MetricNoise          = "noise_robustness"
	MetricOSI            = "mean_osi"
	MetricSymmetry       = "symmetry_fraction"
	MetricEccentricity   = "eccentricity_slope"
)

// LocalisationThreshold is the correlation threshold τ of MetricLocalisation.
const LocalisationThreshold = 0.5

// MetricInfo describes one per-model metric.
type MetricInfo struct {
	Key   string `json:"key"`
	Label string `json:"label"`
	// Unit is the unit of the value; empty for dimensionless numbers.
	Unit       string `json:"unit,omitempty"`
	Definition string `json:"definition"`
}

// Metrics lists the per-model metrics in the order of the report's tables.
var Metrics = []MetricInfo{
	{MetricAccuracy, "test accuracy", "fraction", "clean accuracy on the analysed test images"},
	{MetricMoransI, "Moran's I", "", "mean over test images of Moran's I of the fc1 pre-ReLU map, queen weights, open edges"},
	{MetricNeighbourR, "neighbour r", "", "mean Pearson r over test images between units one cell apart (grid distance < 1.5 cells, so rook and diagonal neighbours)"},
	{MetricLocalisation, "localisation distance", "cells", "mean grid distance of unit pairs with r ≥ 0.5 (random baseline 5.76 cells on 11×11)"},
	{MetricBimodality, "bimodality", "", "Sarle's bimodality coefficient of the inter-unit correlations (5/9 for a uniform distribution)"},
	{MetricVariance, "activation variance", "activation²", "per-unit variance of fc1 pre-ReLU activations over test images, mean over units"},
	{MetricEntropy, "activation entropy", "bits", "entropy of the post-ReLU activity distribution over units, mean over images (maximum log2 121 ≈ 6.92)"},
	{MetricDimensionality, "effective dimensionality (activations)", "", "participation ratio of the covariance eigenvalues of fc1 pre-ReLU activations"},
	{MetricDimWeights, "effective dimensionality (weights)", "", "participation ratio of the covariance eigenvalues of fc1's weight rows"},
	{MetricExperts, "expert units", "units", "units whose d′ for their most-driving class is at least 1"},
	{MetricWeightAll, "weight robustness (all layers)", "pp", "mean over α > 0 of the accuracy change under relative Gaussian noise on every weight tensor, in percentage points"},
	{MetricWeightFC1, "weight robustness (fc1)", "pp", "mean over α > 0 of the accuracy change under relative Gaussian noise on fc1, in percentage points"},
	{MetricNoise, "input-noise robustness", "pp", "mean accuracy change under white, pink and salt-and-pepper noise over all levels, in percentage points"},
	{MetricOSI, "mean OSI", "", "orientation selectivity index |Σ r(θ) e^{2iθ}| / Σ r(θ), mean over units"},
	{MetricSymmetry, "symmetry-selective fraction", "fraction", "fraction of units whose responses to mirror-symmetric and unmirrored textures differ significantly"},
	{MetricEccentricity, "eccentricity slope", "activation / pixel", "least-squares slope, weighted by probes per bin, of the mean baseline-subtracted fc1 response to a Gaussian blob against the blob's distance from the image centre"},
}

// metricInfo returns the description of key, or one naming only the key.
func metricInfo(key string) MetricInfo {
	for _, m := range Metrics {
		if m.Key == key {
			return m
		}
	}
	return MetricInfo{Key: key, Label: key}
}
