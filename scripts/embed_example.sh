#!/usr/bin/env bash
# Builds and runs examples/embed/ against the *installed* package, not the build tree:
# installs BUILD_DIR into a fresh prefix, configures the example with only that prefix on
# CMAKE_PREFIX_PATH, checks that nothing it compiles includes the source tree, builds and runs
# it. ctest -L package runs it on the current build dir.
#
#   scripts/embed_example.sh [BUILD_DIR]   (default ./build; the work dir is
#                                           BUILD_DIR/embed-package, or $STYX_EMBED_DIR)
# The work dir's path stays the same from run to run so that ccache hits.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=$(cd "${1:-$root/build}" && pwd)
work=${STYX_EMBED_DIR:-$build/embed-package}
rm -rf "$work"
mkdir -p "$work"
trap 'echo "embed_example: failed; logs in $work" >&2; tail -n 30 "$work"/*.log >&2' ERR

cmake --install "$build" --prefix "$work/prefix" >"$work/install.log"
test -f "$work/prefix/lib/cmake/styx/styxConfig.cmake"
test -f "$work/prefix/include/styx/runtime/engine.hpp"
if [[ -e "$work/prefix/include/styx/runtime/engine_impl.hpp" ]]; then
  echo "embed_example: an internal header was installed" >&2
  exit 1
fi

args=(-S "$root/examples/embed" -B "$work/build" -DCMAKE_BUILD_TYPE=RelWithDebInfo
      -DCMAKE_PREFIX_PATH="$work/prefix" -DCMAKE_EXPORT_COMPILE_COMMANDS=ON
      -DCMAKE_FIND_USE_PACKAGE_REGISTRY=OFF)
# A package built under sanitizers (scripts/sanitize.sh) links only into a program built by the
# same compiler with the same sanitizers: its archives call their runtimes.
cache() { sed -n "s/^$1:[A-Z]*=//p" "$build/CMakeCache.txt"; }
sanitizers=()
[[ $(cache STYX_ASAN) == ON ]] && sanitizers+=(address)
[[ $(cache STYX_UBSAN) == ON ]] && sanitizers+=(undefined)
[[ $(cache STYX_TSAN) == ON ]] && sanitizers+=(thread)
if ((${#sanitizers[@]})); then
  flag="-fsanitize=$(IFS=,; echo "${sanitizers[*]}")"
  args+=(-DCMAKE_CXX_COMPILER="$(cache CMAKE_CXX_COMPILER)" -DCMAKE_CXX_FLAGS="$flag"
         -DCMAKE_EXE_LINKER_FLAGS="$flag")
fi
command -v ninja >/dev/null && args+=(-G Ninja)
command -v ccache >/dev/null && args+=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
cmake "${args[@]}" >"$work/configure.log"
if grep -qE -- "(-I|-isystem )$root([ \"]|$)" "$work/build/compile_commands.json"; then
  echo "embed_example: the example includes the source tree, not the installed headers" >&2
  exit 1
fi
cmake --build "$work/build" >"$work/build.log"
"$work/build/embed_example" >"$work/run.log"
grep -c '^event ' "$work/run.log" | sed 's/^/embed_example: events printed: /'
tail -n 1 "$work/run.log"
