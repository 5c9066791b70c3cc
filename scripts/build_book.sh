#!/usr/bin/env bash
# Build the book into _build/html, executing every notebook at the given profile.
# Usage: scripts/build_book.sh VENV_BIN PROFILE
set -euo pipefail
bin=$1 profile=$2
# Cached notebook outputs belong to one profile and one version of lstm_utils (the cache only sees
# the notebooks' own code): clear them when either changes.
marker=_build/.cache-key
key="$profile $(cat $(find lstm_utils -name '*.py' | sort) | sha256sum | cut -c1-16)"
if [[ -f $marker && "$(cat "$marker")" != "$key" ]]; then
    echo "profile or lstm_utils changed since the last build: executing every notebook again"
    rm -rf _build/.jupyter_cache _build/jupyter_execute
fi
mkdir -p _build && echo "$key" > "$marker"
if [[ $profile == ci ]]; then
    # The published edition (published/, made by `make publish`): each chapter whose copy matches
    # the current code is rendered from it instead of being executed (CONTRIBUTING.md).
    "$bin/python" scripts/publish.py seed-cache _build/.jupyter_cache
fi
if [[ $profile == ci ]]; then
    export LSTM_UTILS_OFFLINE=1   # the ci profile runs on embedded data only; never wait on the network
fi
export LSTM_BOOK_PROFILE=$profile
# On a page, a progress bar is noise: lstm_utils.progress draws each bar once, finished; bars made
# with tqdm directly are drawn only when they start and end (and on explicit refreshes).
export LSTM_UTILS_PROGRESS=${LSTM_UTILS_PROGRESS:-final}
export TQDM_MININTERVAL=${TQDM_MININTERVAL:-3600}
start=$SECONDS
"$bin/jupyter-book" build . -W -n --keep-going
echo "book built at profile '$profile' in $((SECONDS - start)) s: _build/html/index.html"
