#!/usr/bin/env bash
# Installs the Debian 12 packages Styx builds and tests with. Idempotent; run as root (or with sudo).
set -euo pipefail

packages=(
  build-essential cmake ninja-build ccache pkg-config
  libcaf-dev
  libcurl4-openssl-dev libssl-dev
  libsimdjson-dev libspdlog-dev libfmt-dev
  nlohmann-json3-dev  # writes JSON (common/json.hpp); simdjson reads it
  catch2
  libyaml-cpp-dev libcli11-dev libpugixml-dev libsqlite3-dev
  openssl
  libbenchmark-dev
  libjemalloc-dev  # the allocator of styx and the benchmarks (CMake STYX_MALLOC)
  clang-14 libfuzzer-14-dev  # scripts/fuzz.sh: the fuzz targets (fuzz/)
  python3-libcloud  # the GCP tests' second client of the fake Compute API (/usr/bin/python3)
  python3-kubernetes  # the Kubernetes tests' second client of the fake API server
  python3-azure python3-msal  # the Azure tests' client of the fake Resource Manager (the SDK)
  prometheus  # tests/metrics/: a real Prometheus scrapes styx node and styx serve (and promtool)
)
# kubectl checks the fake Kubernetes API too: Debian's when the machine has none.
command -v kubectl >/dev/null 2>&1 || packages+=(kubernetes-client)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

if ((${#missing[@]})); then
  sudo_cmd=()
  [ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
  echo "setup: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  "${sudo_cmd[@]}" apt-get update -qq
  "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
echo "setup: dependencies present"
