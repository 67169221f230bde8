#!/usr/bin/env bash
# Print the path of a Python >= 3.12 interpreter, or explain what to install and fail.
# Order: $PY if set, python3.13 / python3.12 / python3 on PATH, then pyenv's versions.
set -u
ok() { "$1" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else 1)' >/dev/null 2>&1; }

candidates=()
[[ -n "${PY:-}" ]] && candidates+=("$PY")
pyenv_root="${PYENV_ROOT:-$(pyenv root 2>/dev/null || echo "$HOME/.pyenv")}"
# real binaries under pyenv first: its shims on PATH may point at an inactive version
for dir in "$pyenv_root"/versions/3.13* "$pyenv_root"/versions/3.12*; do
  [[ -x "$dir/bin/python3" ]] && candidates+=("$dir/bin/python3")
done
for name in python3.13 python3.12 python3; do
  command -v "$name" >/dev/null 2>&1 && candidates+=("$(command -v "$name")")
done

for cand in "${candidates[@]}"; do
  if ok "$cand"; then
    echo "$cand"
    exit 0
  fi
done
{
  echo "crmsim needs Python 3.12 or newer (Mesa 3.5 requires it), and none was found."
  echo "Install one, e.g. 'pyenv install 3.12' or your system's python3.12 package,"
  echo "or use conda: 'conda env create -f environment.yml'."
  echo "You can also point the set-up at an interpreter: make PY=/path/to/python3.12 test"
} >&2
exit 1
