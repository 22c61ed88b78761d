#!/usr/bin/env bash
# Build the lfdn-mm environment from nothing into ./.venv, or check that it is complete.
#
#   bash tools/setup_env.sh            # create or update .venv (idempotent)
#   PYTHON=python3.12 bash tools/setup_env.sh
#   FORCE_CUDA=1 bash tools/setup_env.sh   # on a machine with nvcc: build mmcv's CUDA ops too
#
# Every pin comes from requirements.txt. A second run with nothing changed only
# verifies the imports and finishes in seconds.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
VENV=${LFDN_VENV:-$ROOT/.venv}
PYTHON=${PYTHON:-python3}
REQS=$ROOT/requirements.txt
STAMP=$VENV/.lfdn-setup-complete
STEPS=7
START=$SECONDS

# The package index is the only source: a machine-wide pip configuration that points
# at a folder of CPU-only torch wheels would split torch from its torchvision.
export PIP_CONFIG_FILE=/dev/null PIP_DISABLE_PIP_VERSION_CHECK=1
unset PIP_FIND_LINKS PIP_EXTRA_INDEX_URL PIP_CONSTRAINT
[[ -f /etc/ssl/certs/ca-certificates.crt ]] && export PIP_CERT=${PIP_CERT:-/etc/ssl/certs/ca-certificates.crt}

step() { printf '\n[%s/%s] %s  (%ss elapsed)\n' "$1" "$STEPS" "$2" "$((SECONDS - START))"; }
die() { printf '\nsetup_env: %s\n' "$*" >&2; exit 1; }
trap 'die "step failed (line $LINENO): see the output above. Fix it and run the same command again; finished steps are reused."' ERR

section() {  # print the requirement lines of one "# [name]" section of requirements.txt
    awk -v want="[$1]" '/^# \[/ {cur=$2; next} cur==want && NF && $1 !~ /^#/' "$REQS"
}

fingerprint() {  # FORCE_CUDA is part of it: asking for CUDA ops later redoes the mmcv step
    { cat "$REQS" "$ROOT/setup.py" "$ROOT/tools/setup_env.sh"; echo "FORCE_CUDA=${FORCE_CUDA:-0}"; } |
        sha256sum | cut -d' ' -f1
}

mmcv_ops_ready() {  # mmcv with compiled ops, and with CUDA ops when FORCE_CUDA=1
    "$VENV/bin/python" - <<'EOF' 2>/dev/null
import os, sys
from mmcv.ops import get_compiling_cuda_version
sys.exit(os.environ.get('FORCE_CUDA') == '1' and get_compiling_cuda_version() == 'not available')
EOF
}

check_imports() {
    "$VENV/bin/python" - <<'EOF'
import lfdn_mm  # first: it hides the known import-time warnings of mmagic's dependencies
import torch, torchvision, mmcv, mmcv.ops, mmengine
import mmagic.models, mmagic.datasets, mmagic.evaluation
from mmagic.registry import MODELS
assert 'LFDN' in MODELS.module_dict, 'LFDN is not registered in mmagic MODELS'
print(f'torch {torch.__version__}, torchvision {torchvision.__version__}, mmcv {mmcv.__version__}, '
      f'mmengine {mmengine.__version__}, mmagic {mmagic.__version__}, lfdn_mm {lfdn_mm.__version__}')
EOF
}

if [[ -f $STAMP && $(cat "$STAMP") == "$(fingerprint)" ]]; then
    echo "setup_env: $VENV is complete; checking imports"
    check_imports && { echo "setup_env: ready in $((SECONDS - START))s"; exit 0; }
    echo "setup_env: imports failed; reinstalling"
    rm -f "$STAMP"
fi

step 1 "checking the Python interpreter ($PYTHON)"
command -v "$PYTHON" >/dev/null || die "'$PYTHON' not found; set PYTHON=/path/to/python3.10-3.12"
"$PYTHON" -c 'import sys; sys.exit(not ((3, 10) <= sys.version_info[:2] <= (3, 12)))' ||
    die "Python $("$PYTHON" -c 'import platform; print(platform.python_version())') is not supported: mmcv 2.1 builds on 3.10-3.12. Set PYTHON=python3.11 (or 3.10/3.12)."

step 2 "creating the virtualenv $VENV"
[[ -x $VENV/bin/python ]] || "$PYTHON" -m venv "$VENV"
PIP=("$VENV/bin/python" -m pip install --progress-bar off -c "$REQS")
"${PIP[@]}" -q --upgrade pip $(section build)

step 3 "installing torch and torchvision (a few GB on the first run, then pip's cache)"
"${PIP[@]}" -q torch torchvision

step 4 "installing mmcv 2.1.0 with its compiled ops"
if mmcv_ops_ready; then
    echo "mmcv with ops already installed"
else
    if [[ ${FORCE_CUDA:-0} == 1 ]] && "$VENV/bin/python" -c 'import mmcv' 2>/dev/null; then
        echo "FORCE_CUDA=1: the installed mmcv has no CUDA ops; rebuilding it"
        "$VENV/bin/python" -m pip uninstall -y -q mmcv
    fi
    echo "The first build compiles mmcv's C++ ops: about 16 minutes on 2 cores."
    echo "pip keeps the built wheel in its cache, so later set-ups take seconds."
    cache=()
    [[ ${FORCE_CUDA:-0} == 1 ]] && cache=(--no-cache-dir)  # never reuse a CPU-only wheel
    MMCV_WITH_OPS=1 MAX_JOBS=${MAX_JOBS:-$(nproc)} \
        "${PIP[@]}" --no-build-isolation "${cache[@]}" mmcv
fi

step 5 "installing mmagic without its conflicting declared requirements"
"${PIP[@]}" -q --no-deps mmagic

step 6 "installing lfdn_mm (editable) with its runtime, test, video and web-demo requirements"
"${PIP[@]}" -q --no-build-isolation -e "$ROOT[tests,video,demo]"

step 7 "checking that everything imports"
check_imports
fingerprint >"$STAMP"
echo "setup_env: ready in $((SECONDS - START))s. Use $VENV/bin/python, or: source $VENV/bin/activate"
