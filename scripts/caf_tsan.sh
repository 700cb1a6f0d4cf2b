#!/usr/bin/env bash
# Builds CAF 0.17.6 itself under ThreadSanitizer, for build-tsan (scripts/sanitize.sh tsan).
#
# Why: Debian's libcaf is built without -fsanitize=thread, so TSan cannot see the atomics its
# mailboxes, reference counts and scheduler queues synchronise with. Every message handed from
# one thread to another would then read as a race in Styx's code. With CAF instrumented too,
# TSan sees those happens-before edges and what it reports is real.
#
# The source is Debian's own upstream tarball of the version libcaf-dev packages (the same
# headers, checked by SHA-256), built with the same compiler and C++ standard as Styx, into
# <dir>/prefix; configure_tsan (scripts/san_config.sh) points CMake's find_package(CAF) there.
# Usage: scripts/caf_tsan.sh <dir>. Idempotent: a finished prefix is kept.
set -euo pipefail
dir=$(realpath -m "${1:?usage: caf_tsan.sh <dir>}")
version=0.17.6
tarball=actor-framework_${version}.orig.tar.gz
sha256=e2bf5bd243f08bb7d8adde197cfe3e6d71314ed3378fe0692f8932f4c3b3928c
url=${STYX_CAF_MIRROR:-http://deb.debian.org/debian}/pool/main/a/actor-framework/$tarball

if [[ -f $dir/prefix/.done ]]; then
  exit 0
fi
mkdir -p "$dir"
if ! echo "$sha256  $dir/$tarball" | sha256sum -c --status 2>/dev/null; then
  echo "caf_tsan: fetching $url"
  curl -fsSL --retry 3 -o "$dir/$tarball" "$url"
  echo "$sha256  $dir/$tarball" | sha256sum -c --status ||
    { echo "caf_tsan: $tarball does not have the expected SHA-256" >&2; exit 1; }
fi
rm -rf "$dir/src" && mkdir -p "$dir/src"
tar -xzf "$dir/$tarball" -C "$dir/src" --strip-components=1
# Debian's one change to the headers (gcc 12 wants <limits> there); then every header must be
# the one libcaf-dev installed, so that what Styx compiles against is what it tested with.
sed -i '22a #include <limits>' "$dir/src/libcaf_io/caf/io/network/receive_buffer.hpp"
for lib in libcaf_core libcaf_io libcaf_openssl; do
  (cd "$dir/src/$lib" && find caf -name '*.hpp') | while read -r h; do
    if [[ -f /usr/include/$h ]] && ! cmp -s "$dir/src/$lib/$h" "/usr/include/$h"; then
      echo "caf_tsan: $h differs from libcaf-dev's /usr/include/$h" >&2
      exit 1
    fi
  done
done

launcher=()
command -v ccache >/dev/null && launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
flags="-std=c++17 -fsanitize=thread -fno-omit-frame-pointer -w"
# -g1: line tables only, all a TSan report's stacks need (file:line per frame); full debug
# information only makes the build and its link slower.
cmake -S "$dir/src" -B "$dir/build" -G Ninja "${launcher[@]}" \
  -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O2 -g1 -DNDEBUG" \
  -DCMAKE_INSTALL_PREFIX="$dir/prefix" \
  -DCMAKE_CXX_FLAGS="$flags" -DCMAKE_SHARED_LINKER_FLAGS=-fsanitize=thread \
  -DCAF_NO_EXAMPLES=yes -DCAF_NO_UNIT_TESTS=yes -DCAF_NO_TOOLS=yes -DCAF_NO_PYTHON=yes \
  -DCAF_NO_OPENCL=yes -DCAF_NO_SUMMARY=yes -DCAF_LOG_LEVEL=QUIET >/dev/null
cmake --build "$dir/build" -j "$(nproc 2>/dev/null || echo 2)"
cmake --install "$dir/build" >/dev/null
touch "$dir/prefix/.done"
echo "caf_tsan: CAF $version under TSan in $dir/prefix"
