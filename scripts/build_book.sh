#!/usr/bin/env bash
# Build the book into _build/html, executing every notebook at the given profile.
# Usage: scripts/build_book.sh VENV_BIN PROFILE
set -euo pipefail
bin=$1 profile=$2
# Cached notebook outputs belong to one profile: clear them when the profile changes.
marker=_build/.profile
if [[ -f $marker && "$(cat "$marker")" != "$profile" ]]; then
    rm -rf _build/.jupyter_cache _build/jupyter_execute
fi
mkdir -p _build && echo "$profile" > "$marker"
if [[ $profile == ci ]]; then
    export LSTM_UTILS_OFFLINE=1   # the ci profile runs on embedded data only; never wait on the network
fi
export LSTM_BOOK_PROFILE=$profile
start=$SECONDS
"$bin/jupyter-book" build . -W -n --keep-going
echo "book built at profile '$profile' in $((SECONDS - start)) s: _build/html/index.html"
