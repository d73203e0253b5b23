#!/usr/bin/env bash
# GPU smoke run of the LAD demo (tools/gpu_smoke.py does the work):
#   bash tools/gpu_smoke.sh [--gpus N] [--teacher-iters 300] [--images 50] ...
#   bash tools/gpu_smoke.sh --dry-run     # on CPU: tiny, gloo, no AMP
# Python: $PYTHON, else the checkout's .venv, else python3 on PATH.
# Every argument is passed on as one word.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PY="${PYTHON:-}"
if [ -z "$PY" ]; then
  if [ -x "$ROOT/.venv/bin/python" ]; then PY="$ROOT/.venv/bin/python"
  else PY="$(command -v python3)"; fi
fi
cd "$ROOT"
DRY=0
for a in "$@"; do [ "$a" = "--dry-run" ] && DRY=1; done
if [ "$DRY" = 0 ] && ! "$PY" -c 'import torch, sys; sys.exit(0 if torch.cuda.is_available() else 1)'; then
  echo "gpu_smoke.sh: no CUDA device visible to $PY; on CPU run: bash tools/gpu_smoke.sh --dry-run" >&2
  exit 2
fi
exec "$PY" "$ROOT/tools/gpu_smoke.py" "$@"
