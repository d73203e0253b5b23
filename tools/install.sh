#!/usr/bin/env bash
# Install mmseg-unify and the stack it runs on, on a fresh machine.
#
#   bash tools/install.sh [--with-mask2former]
#
# What it installs, in this order (each step is skipped when already done):
#   1. a virtual environment in .venv (VENV=/path to choose another one,
#      VENV=none to install into the Python that runs this script),
#   2. PyTorch: an installed torch is kept; otherwise torch==2.13.0 (CPU),
#   3. setuptools>=77.0.3,<80: mmengine and mim need pkg_resources (removed
#      in 82), torch needs >=77.0.3, and below 80 `pip install -e .` makes
#      an egg-link, whose location lets `mim train mmseg_unify` find the
#      package (setuptools 80+ editable installs hide it from mim),
#   4. mmengine 0.10.7,
#   5. mmcv 2.1.0 *with compiled ops*. PyPI has only its source, so it is
#      built against the installed torch (~15 min on 2 cores the first time;
#      pip caches the wheel, later installs take seconds). To skip the build,
#      install a prebuilt wheel first (e.g. `mim install mmcv==2.1.0` on a GPU
#      machine): an importable mmcv 2.1.0 with mmcv.ops is kept,
#   6. mmsegmentation 1.2.2, openmim (without openxlab, which would downgrade
#      setuptools/requests/rich), and this package in editable mode with its
#      test extras,
#   7. only with --with-mask2former: mmdet 3.3.0 (requirements/
#      mask2former.txt), which MMSeg's Mask2Former head needs; it accepts
#      mmcv 2.1.0 (mmcv<2.2.0), which stays. An importable mmdet 3.3.0 is
#      kept. Without the flag nothing of mmdet is installed or removed.
set -euo pipefail

WITH_MASK2FORMER=0
for arg in "$@"; do
    case "$arg" in
        --with-mask2former) WITH_MASK2FORMER=1 ;;
        -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'
                   exit 0 ;;
        *) echo "[mmseg-unify install] unknown option: $arg" \
               "(known: --with-mask2former, --help)" >&2
           exit 2 ;;
    esac
done

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="${VENV:-$ROOT/.venv}"
TORCH_VERSION="${TORCH_VERSION:-2.13.0}"
MMCV_VERSION="2.1.0"

say() { printf '\n[mmseg-unify install] %s\n' "$*"; }

if [ "$VENV" = "none" ]; then
    PY="$(command -v python3 || command -v python)"
else
    if [ ! -x "$VENV/bin/python" ]; then
        say "creating virtual environment $VENV"
        python3 -m venv "$VENV"
    fi
    PY="$VENV/bin/python"
fi
PIP=("$PY" -m pip install --disable-pip-version-check)
say "using $("$PY" --version) at $PY"

if "$PY" -c "import torch" 2>/dev/null; then
    say "keeping installed torch $("$PY" -c 'import torch; print(torch.__version__)')"
else
    say "installing torch==$TORCH_VERSION"
    "${PIP[@]}" "torch==$TORCH_VERSION"
fi

SETUPTOOLS='setuptools>=77.0.3,<80'
say "installing $SETUPTOOLS, wheel, numpy, mmengine==0.10.7"
"${PIP[@]}" "$SETUPTOOLS" wheel numpy "mmengine==0.10.7"

mmcv_ok() {
    "$PY" - "$MMCV_VERSION" <<'EOF' 2>/dev/null
import sys
import mmcv
import mmcv.ops  # noqa: F401  (compiled ops must be there)
sys.exit(0 if mmcv.__version__ == sys.argv[1] else 1)
EOF
}

if mmcv_ok; then
    say "keeping installed mmcv $MMCV_VERSION (with ops)"
else
    log="$(mktemp -t mmcv-build-XXXX.log)"
    say "installing mmcv==$MMCV_VERSION with compiled ops (MMCV_WITH_OPS=1)."
    say "If pip has no cached wheel, this builds mmcv from source against torch:"
    say "about 15 minutes on 2 cores, once. Full log: $log"
    MMCV_WITH_OPS=1 MAX_JOBS="${MAX_JOBS:-$(nproc)}" \
        "${PIP[@]}" --no-build-isolation -v "mmcv==$MMCV_VERSION" >"$log" 2>&1 &
    pid=$!
    start=$(date +%s)
    while kill -0 "$pid" 2>/dev/null; do
        sleep 30
        n=$(grep -c 'mmcv/ops/csrc' "$log" || true)
        printf '[mmseg-unify install]   mmcv: %4ss elapsed, %s compile lines so far\n' \
            "$(( $(date +%s) - start ))" "$n"
    done
    if ! wait "$pid"; then
        tail -n 40 "$log"
        say "mmcv build failed (log above: $log)"
        exit 1
    fi
    mmcv_ok || { say "mmcv installed but mmcv.ops does not import"; exit 1; }
    say "mmcv $MMCV_VERSION installed in $(( $(date +%s) - start ))s"
fi

say "installing mmsegmentation==1.2.2"
"${PIP[@]}" "mmsegmentation==1.2.2" ftfy regex

say "installing openmim without openxlab"
"${PIP[@]}" --no-deps "openmim==0.3.9"
"${PIP[@]}" click colorama model-index pandas rich tabulate requests

EXTRAS=tests
if [ "$WITH_MASK2FORMER" = 1 ]; then
    EXTRAS=tests,mask2former
    MMDET="$(grep -v '^#' "$ROOT/requirements/mask2former.txt" | grep mmdet)"
    if "$PY" - "${MMDET#*==}" <<'EOF' 2>/dev/null
import sys
import mmdet
sys.exit(0 if mmdet.__version__ == sys.argv[1] else 1)
EOF
    then
        say "keeping installed $MMDET (Mask2Former)"
    else
        say "installing $MMDET for Mask2Former (keeping mmcv $MMCV_VERSION)"
        "${PIP[@]}" "$MMDET" "mmcv==$MMCV_VERSION"
    fi
    if ! mmcv_ok; then
        say "mmcv $MMCV_VERSION with ops no longer imports after mmdet"
        exit 1
    fi
fi

say "installing mmseg_unify (editable) with extras [$EXTRAS]"
"${PIP[@]}" --no-build-isolation -e "$ROOT[$EXTRAS]" "$SETUPTOOLS"

"$PY" - "$WITH_MASK2FORMER" <<'EOF'
import sys
import mmcv, mmengine, mmseg, torch
import mmcv.ops  # noqa: F401
import setuptools
import mmseg_unify
extra = ''
if sys.argv[1] == '1':
    import mmdet
    from mmengine.model import BaseModule
    from mmseg.models.decode_heads import mask2former_head
    # without mmdet, MMSeg's head silently derives from BaseModule
    assert mask2former_head.MMDET_Mask2FormerHead is not BaseModule
    extra = f', mmdet {mmdet.__version__} (Mask2Former)'
print('[mmseg-unify install] ready: '
      f'torch {torch.__version__}, mmcv {mmcv.__version__} (ops), '
      f'mmengine {mmengine.__version__}, mmseg {mmseg.__version__}, '
      f'setuptools {setuptools.__version__}, '
      f'mmseg_unify {mmseg_unify.__version__}{extra}')
EOF
