#!/usr/bin/env bash
# The desktop bundle (Linux, one folder, CPU torch), built in a new virtual environment, then smoke-tested.
#
#     packaging/build_bundle.sh          -> dist/robustness-inspector/robustness-inspector
#
# 1. a new venv in build/bundle/venv (git-ignored; PYTHON picks the interpreter, default python3);
# 2. torch 2.13.0 first (the CPU build), then the project, not editable, from a clean copy of the
#    checkout, with its `bundle` extra (PyInstaller);
# 3. PyInstaller with packaging/robustness-inspector.spec;
# 4. the bundle, run from outside the checkout, must give the expected label for a shipped MNIST digit
#    (mnist-standard) and for coffee.png (the default model, EfficientNet-Lite0, and Lite1 and Lite2),
#    save an offscreen screenshot of the window's size, and install its desktop entry naming itself.
# Prints the build time and the bundle's size.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
NAME=robustness-inspector
BUILD=$ROOT/build/bundle
DIST=$ROOT/dist
BUNDLE=$DIST/$NAME
EXE=$BUNDLE/$NAME
PYTHON=${PYTHON:-python3}
export PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_INPUT=1
unset PYTHONPATH PYTHONHOME VIRTUAL_ENV

start=$SECONDS
rm -rf "$BUILD" "$BUNDLE"
mkdir -p "$BUILD/src"
# A copy, so that no stale build/lib of the checkout ends up in the installed package.
cp -r "$ROOT"/{pyproject.toml,setup.py,README.md,inspector,resources} "$BUILD/src/"
find "$BUILD/src" -name __pycache__ -prune -exec rm -rf {} +
"$PYTHON" -m venv "$BUILD/venv"
VPY=$BUILD/venv/bin/python
"$VPY" -m pip install -q torch==2.13.0
"$VPY" -m pip install -q "$BUILD/src[bundle]"
(cd "$BUILD" && "$BUILD/venv/bin/pyinstaller" --noconfirm --log-level WARN \
    --distpath "$DIST" --workpath "$BUILD/work" "$ROOT/packaging/$NAME.spec")
build_s=$((SECONDS - start))

echo "smoke test of $EXE"
AWAY=$(mktemp -d)
trap 'rm -rf "$AWAY"' EXIT
cd "$AWAY"
SAMPLES=$BUNDLE/_internal/inspector/resources/images

expect_label() {  # MODEL IMAGE LABEL: the bundle's top-1 for IMAGE is LABEL
    local args=(classify "$2" --json)
    [ "$1" = default ] || args+=(--model "$1")
    local result label
    result=$("$EXE" "${args[@]}")
    label=$("$VPY" -c 'import json, sys; print(json.load(sys.stdin)["label"]["name"])' <<<"$result")
    if [ "$label" != "$3" ]; then
        echo "FAIL: $1 on $(basename "$2"): $label, expected $3" >&2
        exit 1
    fi
    echo "  $1 on $(basename "$2"): $label"
}
expect_label mnist-standard "$SAMPLES/mnist-7.png" 7
expect_label default "$SAMPLES/coffee.png" espresso
expect_label efficientnet-lite1 "$SAMPLES/coffee.png" espresso
expect_label efficientnet-lite2 "$SAMPLES/coffee.png" espresso

QT_QPA_PLATFORM=offscreen "$EXE" gui --screenshot "$AWAY/shot.png"
"$VPY" - "$AWAY/shot.png" <<'PY'
import sys
from PIL import Image
from inspector.gui.main_window import DEFAULT_SIZE
with Image.open(sys.argv[1]) as shot:
    assert shot.size == DEFAULT_SIZE, f"the screenshot is {shot.size}, the window {DEFAULT_SIZE}"
print(f"  screenshot {shot.size[0]}x{shot.size[1]}")
PY

XDG_DATA_HOME=$AWAY/data "$EXE" install-desktop >/dev/null
grep -qxF "TryExec=$EXE" "$AWAY/data/applications/$NAME.desktop" \
    || { echo "FAIL: the desktop entry does not name $EXE" >&2; exit 1; }
echo "  desktop entry names $EXE"

echo "bundle: $(du -sh "$BUNDLE" | cut -f1) in $BUNDLE"
echo "build time: ${build_s} s (new venv, installs, PyInstaller); smoke test $((SECONDS - start - build_s)) s"
