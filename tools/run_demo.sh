#!/usr/bin/env bash
# Install everything (tools/install.sh) and run the main job on the built-in
# demo data (generated on first use into data/demo), printing a result table.
#   bash tools/run_demo.sh [tools/demo.py args, e.g. --quick]
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bash "$ROOT/tools/install.sh"
PY="${VENV:-$ROOT/.venv}/bin/python"
[ "${VENV:-}" = "none" ] && PY="$(command -v python3)"
cd "$ROOT"
"$PY" tools/demo.py "$@"
