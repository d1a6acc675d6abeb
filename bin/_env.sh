# Sourced by bin/reelforge and bin/test: make sure .venv exists and holds this checkout's
# dependencies, reinstalling only when pyproject.toml changed since the last install.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
venv="$root/.venv"
stamp="$venv/.reelforge-installed"
python="${PYTHON:-python3}"
if [ ! -x "$venv/bin/python" ]; then
  "$python" -m venv "$venv" >&2
fi
if [ ! -f "$stamp" ] || [ "$root/pyproject.toml" -nt "$stamp" ]; then
  echo "reelforge: installing dependencies into .venv (first run only)..." >&2
  "$venv/bin/python" -m pip install --quiet --upgrade pip >&2
  # torch first, pinned: this version has a local CPU build here, while an unpinned
  # install would pull the newest CUDA build (GBs). REELFORGE_TORCH overrides it.
  "$venv/bin/python" -m pip install --quiet "${REELFORGE_TORCH:-torch==2.13.0}" >&2
  "$venv/bin/python" -m pip install --quiet -e "$root[dev,diffusers]" >&2
  touch "$stamp"
fi
