#!/usr/bin/env bash
# Execute every chapter at the ci profile in the Colab-like environment (scripts/colab_venv.sh):
# nbval from VENV_BIN drives a kernel that runs COLAB_VENV's Python, offline, from an empty data
# folder, as a fresh Colab runtime would start (apart from the network).
# Usage: scripts/test_colab_notebooks.sh VENV_BIN COLAB_VENV [NOTEBOOK...]
set -euo pipefail
bin=$1 colab=$2
shift 2
notebooks=("${@:-notebooks}")
data=$(mktemp -d)
trap 'rm -rf "$data"' EXIT
start=$SECONDS
# PYTHONPATH unset: the kernel must import lstm_utils from the wheel, not from this checkout.
env -u PYTHONPATH JUPYTER_PATH="$colab/share/jupyter" LSTM_UTILS_DATA="$data" LSTM_UTILS_OFFLINE=1 \
    LSTM_BOOK_PROFILE=ci OMP_NUM_THREADS=1 \
    "$bin/python" -m pytest -p no:cacheprovider -n 2 --dist loadfile --nbval-lax \
    --nbval-kernel-name lstm-colab --nbval-sanitize-with tests/nbval_sanitize.cfg "${notebooks[@]}"
echo "notebooks in the Colab-like env ($("$colab/bin/python" -c 'import torch; print("torch", torch.__version__)')): $((SECONDS - start)) s"
