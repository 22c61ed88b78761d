#!/usr/bin/env bash
# Testing on a Slurm cluster (same environment variables as slurm_train.sh).
#   tools/slurm_test.sh PARTITION JOB_NAME CONFIG CHECKPOINT [tools/test.py options]
set -euo pipefail
PARTITION=$1
JOB_NAME=$2
CONFIG=$3
CHECKPOINT=$4
shift 4
LFDN_TOOL=test.py exec "$(dirname "${BASH_SOURCE[0]}")/slurm_train.sh" "$PARTITION" "$JOB_NAME" "$CONFIG" "$CHECKPOINT" "$@"
