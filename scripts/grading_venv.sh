#!/usr/bin/env bash
# The grading environment: nbgrader and otter-grader in a venv of their own (otter-grader 7 needs
# wrapt<2 where the book pins wrapt 2). A .pth file adds the book's venv behind its own packages,
# so the notebooks that nbgrader and otter execute import torch and lstm_utils from the book's venv.
# Usage: scripts/grading_venv.sh BOOK_VENV_BIN GRADING_VENV
set -euo pipefail
book_bin=$1 venv=$2
test -x "$venv/bin/python" || "$book_bin/python" -m venv "$venv"
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check \
    -c requirements/grading-constraints.txt nbgrader otter-grader 2> >(grep -v '^WARNING: Location' >&2)
book_site=$("$book_bin/python" -c "import sysconfig; print(sysconfig.get_paths()['purelib'])")
own_site=$("$venv/bin/python" -c "import sysconfig; print(sysconfig.get_paths()['purelib'])")
echo "import site; site.addsitedir('$book_site')" > "$own_site/zz_lstm_book.pth"
"$venv/bin/python" -c "import nbgrader, otter, torch, lstm_utils"
