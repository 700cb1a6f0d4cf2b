#!/usr/bin/env bash
# Installs the dependencies and builds Styx into ./build (or $STYX_BUILD_DIR). Extra arguments
# go to CMake, e.g. -DSTYX_ASAN=ON.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
build_dir=${STYX_BUILD_DIR:-build}
cmake -S . -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=${STYX_BUILD_TYPE:-RelWithDebInfo} "$@" >/dev/null
jobs=$(nproc 2>/dev/null || echo 2)
cmake --build "$build_dir" -j "$jobs"
