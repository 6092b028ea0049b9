#!/usr/bin/env bash
# One Compresso sweep cell per Slurm array task. The sweep folder must be on a filesystem every node
# sees (NFS, Lustre, GPFS); Compresso needs no scheduler, queue or server of its own: each task claims
# its cell with a lock folder created atomically in SWEEP_DIR/locks and writes its results atomically.
#
#   compresso sweep MODEL --data DATA --preset article --out "$SWEEP_DIR" --plan   # prints N cells
#   SWEEP_DIR=/shared/sweep sbatch --array=0-$((N-1)) deploy/slurm/sweep-array.sh
#   compresso sweep --report --out "$SWEEP_DIR"                                    # any time
#
# A task that dies (node lost, out of memory) leaves its attempt's lock behind; requeue it (or rerun
# the array index) and the new task takes the cell over once the old heartbeat is stale, continuing
# from the steps that finished. A task whose cell is done exits 0 at once.
#SBATCH --job-name=compresso-sweep
#SBATCH --cpus-per-task=4
#SBATCH --mem=8G
#SBATCH --time=24:00:00
#SBATCH --requeue
#SBATCH --output=compresso-sweep-%A_%a.log
set -euo pipefail

: "${SWEEP_DIR:?set SWEEP_DIR to the sweep folder on the shared filesystem}"
: "${SLURM_ARRAY_TASK_ID:?submit this script as an array job: sbatch --array=0-N}"
COMPRESSO="${COMPRESSO:-compresso}"

export TF_CPP_MIN_LOG_LEVEL="${TF_CPP_MIN_LOG_LEVEL:-1}"
exec "$COMPRESSO" sweep --cell "$SLURM_ARRAY_TASK_ID" --out "$SWEEP_DIR"
