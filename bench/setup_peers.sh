#!/usr/bin/env bash
# Install the benchmark peers. mygrad and HIPS autograd go into virtual
# environments of their own under bench/.venvs (HIPS autograd's import name,
# `autograd`, is glassgrad's too); PyTorch and micrograd go into the current
# environment. Run from anywhere:  bash bench/setup_peers.sh
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
python="${PYTHON:-python}"

"$python" -m pip install torch==2.13.0 micrograd
# venv name, then what to install into it (HIPS autograd's scipy.signal needs SciPy)
while read -r name packages; do
    "$python" -m venv "$here/.venvs/$name"
    "$here/.venvs/$name/bin/python" -m pip install $packages
done <<'LIST'
mygrad numpy mygrad
autograd numpy scipy autograd
LIST
