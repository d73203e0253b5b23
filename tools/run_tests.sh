#!/usr/bin/env bash
# Install everything (tools/install.sh) and run the test suite.
#   bash tools/run_tests.sh [pytest args]
# Fails when pytest collects no test (its exit code 5 is not success here).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bash "$ROOT/tools/install.sh"
PY="${VENV:-$ROOT/.venv}/bin/python"
[ "${VENV:-}" = "none" ] && PY="$(command -v python3)"
cd "$ROOT"
set +e
"$PY" -m pytest tests "$@"
rc=$?
set -e
if [ "$rc" -eq 5 ]; then
    echo "[mmseg-unify] pytest collected no tests: failing." >&2
    exit 1
fi
exit "$rc"
