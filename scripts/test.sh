#!/usr/bin/env bash
# Installs, builds and runs the whole test suite through ctest.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/build.sh
cd "${STYX_BUILD_DIR:-build}"
ctest --output-on-failure --timeout 900 -j "$(nproc 2>/dev/null || echo 2)"
