#!/usr/bin/env bash
# The chaos run at full size: 10,000 instances (20 requests of 500) through moto behind
# tests/fixtures/chaos_proxy.py, with held connections longer than the engine's 30 s request
# timeout, one `styx up` killed with SIGKILL, then reconcile and resume under chaos; the
# invariants are checked from EC2's side (tests/aws/chaos_moto_test.cpp, which CI runs at
# 4 x 150). Usage: bench/chaos.sh [SEED]. Prints the seed, the faults injected and the figures.
set -euo pipefail
cd "$(dirname "$0")/.."
build=${STYX_BUILD_DIR:-build}
cmake --build "$build" --target styx test_aws >/dev/null
STYX_CHAOS_SEED=${1:-$RANDOM} STYX_CHAOS_REQUESTS=${STYX_CHAOS_REQUESTS:-20} \
  STYX_CHAOS_COUNT=${STYX_CHAOS_COUNT:-500} STYX_CHAOS_HANG=${STYX_CHAOS_HANG:-35} \
  "$build/tests/test_aws" "chaos moto*"
