#!/usr/bin/env bash
# Training on a Slurm cluster, one task per GPU (or, on CPU-only nodes, per process).
#   tools/slurm_train.sh PARTITION JOB_NAME CONFIG [tools/train.py options]
# Environment: GPUS (total tasks, 8), GPUS_PER_NODE (8; 0 on CPU-only nodes: no --gres),
# TASKS_PER_NODE (default GPUS_PER_NODE; needed when GPUS_PER_NODE=0), CPUS_PER_TASK (5),
# SRUN_ARGS (extra srun flags).
set -euo pipefail
PARTITION=$1
JOB_NAME=$2
CONFIG=$3
shift 3
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
PYTHON=${PYTHON:-$([[ -x $ROOT/.venv/bin/python ]] && echo "$ROOT/.venv/bin/python" || echo python3)}
GPUS=${GPUS:-8}
GPUS_PER_NODE=${GPUS_PER_NODE:-8}
TASKS_PER_NODE=${TASKS_PER_NODE:-$GPUS_PER_NODE}
if (( TASKS_PER_NODE < 1 )); then
    echo "slurm_train.sh: on CPU-only nodes (GPUS_PER_NODE=0) set TASKS_PER_NODE" >&2
    exit 2
fi
GRES=()
(( GPUS_PER_NODE > 0 )) && GRES=(--gres=gpu:"$GPUS_PER_NODE")
read -r -a EXTRA <<<"${SRUN_ARGS:-}"
exec srun -p "$PARTITION" --job-name="$JOB_NAME" \
    "${GRES[@]}" --ntasks="$GPUS" --ntasks-per-node="$TASKS_PER_NODE" \
    --cpus-per-task="${CPUS_PER_TASK:-5}" --kill-on-bad-exit=1 "${EXTRA[@]}" \
    "$PYTHON" -u "$ROOT/tools/${LFDN_TOOL:-train.py}" "$CONFIG" --launcher slurm "$@"
