#!/usr/bin/env bash
# Print the path of a Python >= 3.12 interpreter, or explain what to install and fail.
# Order: $PY if set (and then only $PY), python3.13 / python3.12 / python3 on PATH
# (real binaries; pyenv shims are put off), pyenv's installed versions (newest first),
# and last the pyenv shims. Every candidate is run to check its version: a pyenv shim
# for a version that is not the active one exists on PATH but fails when run.
set -u

ok() { "$1" -c 'import sys; assert sys.version_info >= (3, 12)' >/dev/null 2>&1; }

if [[ -n "${PY:-}" ]]; then
  if ok "$PY"; then
    command -v "$PY"
    exit 0
  fi
  echo "PY=$PY is not a working Python >= 3.12." >&2
  exit 1
fi

pyenv_root="${PYENV_ROOT:-$(pyenv root 2>/dev/null || echo "$HOME/.pyenv")}"

candidates=()
shims=()
for name in python3.13 python3.12 python3; do
  path="$(command -v "$name" 2>/dev/null)" || continue
  case "$path" in
    "$pyenv_root"/shims/* | */.pyenv/shims/*) shims+=("$path") ;;
    *) candidates+=("$path") ;;
  esac
done
if [[ -d "$pyenv_root/versions" ]]; then
  while IFS= read -r dir; do
    [[ -x "$dir/bin/python3" ]] && candidates+=("$dir/bin/python3")
  done < <(find "$pyenv_root/versions" -mindepth 1 -maxdepth 1 -name '3.1[2-9]*' | sort -rV)
fi
candidates+=(${shims[@]+"${shims[@]}"})

for cand in ${candidates[@]+"${candidates[@]}"}; do
  if ok "$cand"; then
    echo "$cand"
    exit 0
  fi
done

{
  echo "error: crmsim needs Python 3.12 or 3.13 (Mesa 3.5 requires >= 3.12), and none was found."
  echo "Tried: python3.13, python3.12, python3 on PATH and ${pyenv_root}/versions/*/bin/python3."
  echo "Install one, then run make again:"
  echo "  pyenv install 3.12            (or your system's python3.12 package), or"
  echo "  conda env create -f environment.yml && conda activate crmsim"
  echo "Or point the set-up at an interpreter: make PY=/path/to/python3.12 test"
} >&2
exit 1
