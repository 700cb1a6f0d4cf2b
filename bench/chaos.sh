#!/usr/bin/env bash
# The chaos run at full size: 10,000 instances (20 requests of 500) through the simulated
# cloud with STYX_SIM_PROFILE=chaos (tests/e2e/crash_test.cpp, "chaos sim"), then through moto
# behind tests/fixtures/chaos_proxy.py with held connections longer than the engine's 60 s
# request timeout (tests/aws/chaos_moto_test.cpp, "chaos moto"); each kills one `styx up` with
# SIGKILL, reconciles and resumes under chaos, and checks the invariants from the cloud's side.
# CI runs both at 4 requests (of 500 on the sim, 150 on moto).
# Usage: bench/chaos.sh [SEED] [sim|moto|both]. Prints the seed, the faults and the figures.
set -euo pipefail
cd "$(dirname "$0")/.."
build=${STYX_BUILD_DIR:-build}
seed=${1:-$RANDOM}
which=${2:-both}
cmake --build "$build" --target styx test_aws test_e2e >/dev/null
export STYX_CHAOS_SEED=$seed STYX_CHAOS_REQUESTS=${STYX_CHAOS_REQUESTS:-20} \
  STYX_CHAOS_COUNT=${STYX_CHAOS_COUNT:-500} STYX_CHAOS_HANG=${STYX_CHAOS_HANG:-65}
if [[ $which == sim || $which == both ]]; then
  /usr/bin/time -f "chaos sim: %e s wall, %M KiB peak RSS of the test process" \
    "$build/tests/test_e2e" "chaos sim*"
fi
if [[ $which == moto || $which == both ]]; then
  /usr/bin/time -f "chaos moto: %e s wall" "$build/tests/test_aws" "chaos moto*"
fi
