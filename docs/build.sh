#!/usr/bin/env bash
# Build the documentation site as CI does: warnings are errors.
#   pip install -e ".[docs]" && docs/build.sh [OUTPUT_DIR]
# The site lands in docs/_build/html (or OUTPUT_DIR); open its index.html.
set -euo pipefail
cd "$(dirname "$0")/.."
export QT_QPA_PLATFORM="${QT_QPA_PLATFORM:-offscreen}"
exec python -m sphinx -W --keep-going -b html docs "${1:-docs/_build/html}"
