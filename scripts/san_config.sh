# Sourced by scripts/sanitize.sh and scripts/fuzz.sh: how the sanitizer builds are configured
# and run. build-san: clang-14 with ASan, UBSan and libFuzzer's coverage (the whole suite and
# the fuzz targets); build-tsan: gcc with ThreadSanitizer (the tests where threads meet),
# linked against a CAF built with ThreadSanitizer as well (build-tsan/caf).

configure_san() { # dir
  CC=clang-14 CXX=clang++-14 cmake -S . -B "$1" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DSTYX_FUZZ=ON -DSTYX_ASAN=ON -DSTYX_UBSAN=ON -DSTYX_TESTS=ON -DSTYX_BENCH=OFF >/dev/null
}

configure_tsan() { # dir: against CAF built under TSan too (scripts/caf_tsan.sh says why)
  bash scripts/caf_tsan.sh "$1/caf"
  # -g1 (line tables, all a report's stacks need), as for CAF (scripts/caf_tsan.sh).
  cmake -S . -B "$1" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DSTYX_TSAN=ON \
    -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O2 -g1 -DNDEBUG" \
    -DCMAKE_PREFIX_PATH="$(realpath "$1/caf/prefix")" -DSTYX_TESTS=ON -DSTYX_BENCH=OFF >/dev/null
}

here=$(pwd)
export ASAN_OPTIONS="detect_leaks=1:abort_on_error=1:strict_string_checks=1:detect_stack_use_after_return=0"
export LSAN_OPTIONS="suppressions=$here/tests/sanitizers/lsan.supp:print_suppressions=0"
export UBSAN_OPTIONS="suppressions=$here/tests/sanitizers/ubsan.supp:print_stacktrace=1:halt_on_error=1"
export TSAN_OPTIONS="suppressions=$here/tests/sanitizers/tsan.supp:halt_on_error=1:second_deadlock_stack=1"
