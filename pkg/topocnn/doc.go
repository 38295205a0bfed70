// Package topocnn builds, trains and loads the topographic CNNs of Truong & Hasson,
// "Improved robustness and functional localization in topographic CNNs through weight
// similarity" (arXiv 2508.00043, 2025), on GoMLX.
//
// Architecture describes the MNIST network (two convolutions, 27,901 parameters) and the
// CIFAR-10 network (four convolutions with batch normalisation, 421,693 parameters), whose
// dense layer fc1 lays its units on a grid. Train runs the protocol: Adam, batch 64, a seeded
// 80/20 train/validation split and seeded shuffling, an optional topographic loss from package
// topoloss, a checkpoint after every epoch and a run record, run.json, that Resume continues.
// Open loads a finished run as a network.Network for analysis.
//
// The default backend is GoMLX's pure-Go backend, chosen or overridden as NewBackend
// describes. The layers use only operations whose gradients that backend implements, and
// NewBackend registers the faster matrix-product gradient of package gradients.
package topocnn
