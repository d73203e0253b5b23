#!/usr/bin/env bash
# Install everything (tools/install.sh), then the main job on the built-in
# demo data (generated on first use into data/demo): the LAD pipeline
# (tools/demo.py) and the label-space unification pipeline
# (tools/unify_demo.py), side by side, one process each with one thread.
# Their progress lines ("[i/n] step | elapsed | ETA") are shown here, their
# whole output goes to work_dirs/run_demo/{lad,unify}.log, and both result
# tables are printed at the end.
#   bash tools/run_demo.sh              # short settings, ~15 min on 2 cores
#   bash tools/run_demo.sh --full       # the settings of docs/en/results.md
#   bash tools/run_demo.sh [--quick] [--seeds 0 1 2]   (passed to both)
set -euo pipefail
for arg in "$@"; do
    if [ "$arg" = "--work-dir" ] || [ "${arg%%=*}" = "--work-dir" ]; then
        echo "[run_demo] --work-dir: both pipelines would write into one folder;" \
            "each setting has its own work dirs (work_dirs/demo*, work_dirs/unify_demo*)." \
            "Run tools/demo.py or tools/unify_demo.py with --work-dir instead." >&2
        exit 2
    fi
done
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bash "$ROOT/tools/install.sh"
PY="${VENV:-$ROOT/.venv}/bin/python"
[ "${VENV:-}" = "none" ] && PY="$(command -v python3)"
cd "$ROOT"
export OMP_NUM_THREADS="${OMP_NUM_THREADS:-1}"
LOGS=work_dirs/run_demo
mkdir -p "$LOGS"
"$PY" tools/generate_demo_data.py  # once, before both pipelines need it

pipeline() {  # name tool [args]: progress lines here, everything to the log
    local name=$1 tool=$2
    shift 2
    "$PY" -u "tools/$tool.py" "$@" 2>&1 | tee "$LOGS/$name.log" \
        | grep --line-buffered '^==> \[[0-9]*/[0-9]*\] seed ' \
        | sed -u "s/^==>/[$name]/"
}

start=$(date +%s)
echo "[run_demo] LAD and unification pipelines side by side; logs in $LOGS/"
pipeline lad demo "$@" &
lad=$!
pipeline unify unify_demo "$@" &
unify=$!
failed=0
wait "$lad" || { failed=1; echo "[run_demo] tools/demo.py failed: see $LOGS/lad.log" >&2; }
wait "$unify" || { failed=1; echo "[run_demo] tools/unify_demo.py failed: see $LOGS/unify.log" >&2; }
seconds=$(($(date +%s) - start))
if [ "$failed" -ne 0 ]; then
    tail -n 20 "$LOGS/lad.log" "$LOGS/unify.log" >&2
    exit 1
fi
sed -n '/^Demo results/,$p' "$LOGS/lad.log"
echo
sed -n '/^Label-space unification on the demo data/,$p' "$LOGS/unify.log"
printf '\n[run_demo] main job: %d min %02d s (both pipelines)\n' \
    $((seconds / 60)) $((seconds % 60))
