"""Times training steps of the reference MNIST network in PyTorch on the CPU.

The network and step match topocnn's Go benchmark. The network has 3x3 convolutions with 32
and 64 channels (padding 1), each followed by ReLU and 2x2 max-pooling, global average pooling,
fc1 with 121 units on an 11x11 grid, ReLU, dropout 0.5 and fc2 with 10 units. A step is one
Adam update (learning rate 1e-3) on a fixed batch of 64 random 28x28 images. The ws and as
modes add the mean Euclidean distance between the vectors of the 840 directed 8-neighbour
pairs of fc1's units: their incoming weights (ws) or their pre-ReLU activations over the
batch (as).

Usage: python3 torch_reference.py THREADS STEPS
Prints one line per mode: "mode=NAME median_ms=X" (the median over the steps after the first
ten, or over all steps when there are ten or fewer), after a line "torch=VERSION threads=N".

Usage: python3 torch_reference.py THREADS --serve
Prints "torch=VERSION threads=N", then reads requests "MODE STEPS" from standard input, one a
line, and answers each with "mode=NAME ms=T1,T2,..." (the time of each step). Each mode keeps
its model and optimiser between requests, so a caller can alternate with its own timings.
"""
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

GRID = 11


class ReferenceNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 32, 3, padding=1)
        self.conv2 = nn.Conv2d(32, 64, 3, padding=1)
        self.fc1 = nn.Linear(64, GRID * GRID)
        self.fc2 = nn.Linear(GRID * GRID, 10)
        self.dropout = nn.Dropout(0.5)

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.conv1(x)), 2)
        x = F.max_pool2d(F.relu(self.conv2(x)), 2)
        x = x.mean(dim=(2, 3))
        pre = self.fc1(x)
        return self.fc2(self.dropout(F.relu(pre))), pre


def neighbour_pairs():
    pairs = []
    for row in range(GRID):
        for col in range(GRID):
            for dr in (-1, 0, 1):
                for dc in (-1, 0, 1):
                    r, c = row + dr, col + dc
                    if (dr or dc) and 0 <= r < GRID and 0 <= c < GRID:
                        pairs.append((row * GRID + col, r * GRID + c))
    return torch.tensor(pairs)


def neighbour_distance(vectors, pairs):
    """Mean Euclidean distance between the rows of vectors over the pairs."""
    return (vectors[pairs[:, 0]] - vectors[pairs[:, 1]]).norm(dim=1).mean()


class Trainer:
    """One model and optimiser, trained on a fixed batch with the mode's loss."""

    def __init__(self, mode, pairs, images, labels):
        self.mode, self.pairs = mode, pairs
        self.images, self.labels = images, labels
        self.model = ReferenceNet()
        self.optimizer = torch.optim.Adam(self.model.parameters(), lr=1e-3)

    def step(self):
        """Runs one training step and returns its time in seconds."""
        start = time.perf_counter()
        logits, pre = self.model((self.images - 0.1307) / 0.3081)
        loss = F.cross_entropy(logits, self.labels)
        if self.mode == "ws":
            loss = loss + neighbour_distance(self.model.fc1.weight, self.pairs)
        elif self.mode == "as":
            loss = loss + neighbour_distance(pre.t(), self.pairs)
        self.optimizer.zero_grad()
        loss.backward()
        self.optimizer.step()
        return time.perf_counter() - start


MODES = ("control", "ws", "as")


def main():
    threads = int(sys.argv[1])
    torch.set_num_threads(threads)
    torch.manual_seed(0)
    pairs = neighbour_pairs()
    images = torch.rand(64, 1, 28, 28)
    labels = torch.randint(0, 10, (64,))
    trainers = {mode: Trainer(mode, pairs, images, labels) for mode in MODES}
    print(f"torch={torch.__version__} threads={threads}", flush=True)
    if sys.argv[2] == "--serve":
        for line in sys.stdin:
            mode, steps = line.split()
            times = [trainers[mode].step() for _ in range(int(steps))]
            print(f"mode={mode} ms=" + ",".join(f"{1000 * t:.3f}" for t in times), flush=True)
        return
    steps = int(sys.argv[2])
    for mode in MODES:
        times = [trainers[mode].step() for _ in range(steps)]
        times = sorted(times[10:] if steps > 10 else times)
        print(f"mode={mode} median_ms={1000 * times[len(times) // 2]:.3f}", flush=True)


if __name__ == "__main__":
    main()
