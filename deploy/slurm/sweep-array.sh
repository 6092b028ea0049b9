#!/usr/bin/env bash
# One Compresso sweep cell per Slurm array task. The sweep folder must be on a filesystem every node
# sees (NFS, Lustre, GPFS); Compresso needs no scheduler, queue or server of its own: each task claims
# its cell with a lock folder created atomically in SWEEP_DIR/locks and writes its results atomically.
#
#   export SWEEP_DIR=/shared/sweep
#   compresso sweep MODEL --data DATA --preset article --out "$SWEEP_DIR" --plan   # prints N cells
#   sbatch --array=0-$((N-1)) --cpus-per-task=4 --mem=8G --output="$SWEEP_DIR/slurm-%A_%a.log" deploy/slurm/sweep-array.sh
#   compresso sweep --report --out "$SWEEP_DIR"                                    # any time
#
# Resources: the #SBATCH lines below are defaults; sbatch's own options (--cpus-per-task, --mem,
# --time, --partition, ...) and its input variables (SBATCH_MEM_PER_NODE, SBATCH_TIMELIMIT, ...)
# override them, so a 2-core node runs `--cpus-per-task=1 --mem=2G`. Environment (sbatch passes the
# submitter's on): SWEEP_DIR, COMPRESSO (the launcher, default `compresso` on PATH),
# COMPRESSO_SWEEP_LEASE_SECONDS (the lease, default 120), COMPRESSO_JAVA_OPTS.
#
# A task that dies (node lost, out of memory) leaves its attempt's lock behind; requeue it (or rerun
# the array index) and the new task takes the cell over once the old heartbeat is stale (at once when
# the old process is known gone on the same host), continuing from the steps that finished. A task
# whose cell is done exits 0 at once. A requeued task appends to its log. deploy/slurm/try-local.sh runs
# all of this on a one-node cluster.
#SBATCH --job-name=compresso-sweep
#SBATCH --cpus-per-task=4
#SBATCH --mem=8G
#SBATCH --time=24:00:00
#SBATCH --requeue
#SBATCH --open-mode=append
#SBATCH --output=compresso-sweep-%A_%a.log
set -euo pipefail

: "${SWEEP_DIR:?set SWEEP_DIR to the sweep folder on the shared filesystem}"
: "${SLURM_ARRAY_TASK_ID:?submit this script as an array job: sbatch --array=0-N}"
COMPRESSO="${COMPRESSO:-compresso}"

export TF_CPP_MIN_LOG_LEVEL="${TF_CPP_MIN_LOG_LEVEL:-1}"
exec "$COMPRESSO" sweep --cell "$SLURM_ARRAY_TASK_ID" --out "$SWEEP_DIR"
