#!/usr/bin/env bash
# Builds the fuzz targets (fuzz/) with clang-14: libFuzzer, AddressSanitizer and
# UndefinedBehaviorSanitizer, into ./build-san (or $STYX_SAN_BUILD_DIR), the build that
# scripts/sanitize.sh runs the test suite in. Then, for each
# target: every saved crash input (fuzz/crashes/<name>/) must pass, and the target fuzzes for
# FUZZ_SECONDS (default 30) from a copy of its seed corpus (fuzz/corpus/<name>/); or, with
# FUZZ_RUNS=N, for N executions from libFuzzer's seed FUZZ_SEED (default 1): the same inputs on
# every machine, as CI runs it. A new crash
# input is written to build-san/crashes/<name>/ and fails the run. Prints each target's
# executions. Usage: scripts/fuzz.sh [target ...]   (default: all)
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
dir=${STYX_SAN_BUILD_DIR:-build-san}
seconds=${FUZZ_SECONDS:-30}
targets=("$@")
if ((${#targets[@]} == 0)); then
  for f in fuzz/*_fuzz.cpp; do
    n=$(basename "$f" _fuzz.cpp)
    targets+=("$n")
  done
fi
source scripts/san_config.sh
configure_san "$dir"
cmake --build "$dir" -j "$(nproc 2>/dev/null || echo 2)" --target "${targets[@]/#/fuzz_}"

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1}
failed=0
for n in "${targets[@]}"; do
  bin="$dir/fuzz/fuzz_$n"
  work="$dir/corpus/$n"
  out="$dir/crashes/$n"
  mkdir -p "$work" "$out"
  # Regressions first: every input that once crashed the target.
  if ! "$bin" -runs=0 fuzz/crashes/"$n" >"$dir/$n.replay.log" 2>&1; then
    echo "fuzz $n: a saved crash input fails again (see $dir/$n.replay.log)"
    failed=1
    continue
  fi
  if [[ -n ${FUZZ_RUNS:-} ]]; then
    bound=(-runs="$FUZZ_RUNS" -seed="${FUZZ_SEED:-1}")
    what="$FUZZ_RUNS runs"
  else
    bound=(-max_total_time="$seconds")
    what="${seconds}s"
  fi
  if "$bin" "${bound[@]}" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
       -artifact_prefix="$out/" "$work" fuzz/corpus/"$n" >"$dir/$n.log" 2>&1; then
    result=ok
  else
    result="CRASH (inputs in $out/, log $dir/$n.log)"
    failed=1
  fi
  execs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$dir/$n.log" | grep -o '[0-9]*$' || echo 0)
  printf 'fuzz %-16s %10s executions (%s): %s\n' "$n" "$execs" "$what" "$result"
done
exit $failed
