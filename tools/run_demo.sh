#!/usr/bin/env bash
# Install everything (tools/install.sh) and run the main job on the built-in
# demo data (generated on first use into data/demo): the LAD pipeline
# (tools/demo.py), then the label-space unification pipeline
# (tools/unify_demo.py), each printing its result table.
#   bash tools/run_demo.sh [args of both, e.g. --quick or --seeds 0 1 2]
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bash "$ROOT/tools/install.sh"
PY="${VENV:-$ROOT/.venv}/bin/python"
[ "${VENV:-}" = "none" ] && PY="$(command -v python3)"
cd "$ROOT"
"$PY" tools/demo.py "$@"
"$PY" tools/unify_demo.py "$@"
