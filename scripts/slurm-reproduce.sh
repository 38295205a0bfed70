#!/bin/bash
# Runs one shard of a topocnn sweep per Slurm array task. Submit it from the repository root:
#
#   CGO_ENABLED=0 go build -o bin/topocnn ./cmd/topocnn
#   mkdir -p logs
#   sbatch --array=1-26 scripts/slurm-reproduce.sh
#
# The array's size is the number of shards: task I of N runs the jobs j of the sweep with
# j mod N = I − 1. Every task writes into the same sweep directory OUT, which must be on a
# filesystem that all nodes share. When the array has finished, write the report:
#
#   sbatch --dependency=afterany:ARRAY_JOB_ID --wrap "bin/topocnn report --out OUT"
#
# A task that is stopped (time limit, preemption) keeps the last completed epoch of the model it
# was training. Resubmitting the array resumes that model and skips finished ones. Settings come from the environment:
#   DATASET   mnist (default), fashion-mnist or cifar10
#   PROTOCOL  paper (default), quick or smoke
#   OUT       sweep directory (default results/DATASET-PROTOCOL)
#   TOPOCNN   the topocnn binary (default bin/topocnn)
#   EXTRA     further reproduce flags, for example "--data-dir /data/cifar10"
#
#SBATCH --job-name=topocnn-reproduce
#SBATCH --cpus-per-task=4
#SBATCH --mem=8G
#SBATCH --time=24:00:00
#SBATCH --output=logs/%x-%A_%a.out
#SBATCH --requeue

set -euo pipefail

: "${SLURM_ARRAY_TASK_ID:?submit this script as a job array: sbatch --array=1-N scripts/slurm-reproduce.sh}"

DATASET=${DATASET:-mnist}
PROTOCOL=${PROTOCOL:-paper}
OUT=${OUT:-results/${DATASET}-${PROTOCOL}}
TOPOCNN=${TOPOCNN:-bin/topocnn}

# Shards count from 1; the array may start at any index (--array=0-25 works too).
SHARD=$((SLURM_ARRAY_TASK_ID - SLURM_ARRAY_TASK_MIN + 1))
SHARDS=$((SLURM_ARRAY_TASK_MAX - SLURM_ARRAY_TASK_MIN + 1))

# Training and analysis use one thread per CPU that Go may use.
export GOMAXPROCS=${SLURM_CPUS_PER_TASK:-1}

# EXTRA is split into words on purpose, so it can hold several flags.
# shellcheck disable=SC2086
exec "$TOPOCNN" reproduce --dataset "$DATASET" --protocol "$PROTOCOL" --out "$OUT" \
    --shard "${SHARD}/${SHARDS}" ${EXTRA:-}
