#!/usr/bin/env bash
# Distributed testing with torchrun (same environment variables as dist_train.sh).
#   tools/dist_test.sh CONFIG CHECKPOINT NUM_PROCS_PER_NODE [tools/test.py options]
set -euo pipefail
CONFIG=$1
CHECKPOINT=$2
NPROC=$3
shift 3
LFDN_TOOL=test.py exec "$(dirname "${BASH_SOURCE[0]}")/dist_train.sh" "$CONFIG" "$NPROC" "$CHECKPOINT" "$@"
