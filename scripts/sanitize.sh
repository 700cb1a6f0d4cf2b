#!/usr/bin/env bash
# The test suite under sanitizers, each build in its own directory (ccache shared):
#   asan   the whole suite under AddressSanitizer + UndefinedBehaviorSanitizer, with
#          LeakSanitizer on (build-san, clang-14; the same build scripts/fuzz.sh fuzzes in)
#   tsan   the actor, HTTP engine, store and node tests under ThreadSanitizer (build-tsan)
# Usage: scripts/sanitize.sh [asan|tsan|all]   (default: all). Suppressions, each with its
# reason: tests/sanitizers/*.supp. STYX_ASAN_SUITES="common actors ..." narrows the asan run to
# those suites: their test_<suite> binaries are built and their test_<suite> labels run (CI:
# the unit suites, see .ci/run).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
source scripts/san_config.sh
what=${1:-all}
jobs=$(nproc 2>/dev/null || echo 2)

if [[ $what == asan || $what == all ]]; then
  dir=${STYX_SAN_BUILD_DIR:-build-san}
  configure_san "$dir"
  build=() labels=()
  if [[ -n ${STYX_ASAN_SUITES:-} ]]; then
    read -ra suites <<<"$STYX_ASAN_SUITES"
    build=(--target "${suites[@]/#/test_}")
    labels=(-L "^test_($(IFS='|'; echo "${suites[*]}"))\$")
  fi
  cmake --build "$dir" -j "$jobs" "${build[@]}"
  # STYX_ASAN_CTEST_JOBS: tests run at once (default: one per core). Most of the suite waits
  # on clouds' buckets and child processes, so one and a half per core still keeps the
  # instrumented CPU-bound ones fed (CI: .ci/run).
  (cd "$dir" && ctest --output-on-failure --timeout 1800 -j "${STYX_ASAN_CTEST_JOBS:-$jobs}" \
     "${labels[@]}")
fi

if [[ $what == tsan || $what == all ]]; then
  dir=${STYX_TSAN_BUILD_DIR:-build-tsan}
  configure_tsan "$dir"
  cmake --build "$dir" -j "$jobs" --target styx test_actors test_runtime test_nodes
  # Every process's reports go to files, the `styx` and `styx node` children's too (a test may
  # expect a child to fail, and would not see why): any report file fails the run.
  reports=$(realpath "$dir")/tsan-reports
  rm -rf "$reports" && mkdir -p "$reports"
  export TSAN_OPTIONS="$TSAN_OPTIONS:log_path=$reports/report"
  # Where threads meet: actors (CAF's scheduler), the HTTP engine (curl's thread), the store
  # (its writer thread) and nodes (CAF's middleman; test_nodes one at a time: two fan-outs of
  # 10,000 over instrumented nodes starve each other).
  status=0
  (cd "$dir" && ctest --output-on-failure --timeout 1800 -j "$jobs" -L '^test_(actors|runtime)$' \
     && ctest --output-on-failure --timeout 1800 -L '^test_nodes$') || status=$?
  if compgen -G "$reports/report*" >/dev/null; then
    cat "$reports"/report*
    echo "sanitize: ThreadSanitizer reported the races above ($reports)" >&2
    exit 1
  fi
  exit $status
fi
