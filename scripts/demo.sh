#!/usr/bin/env bash
# The main job on the simulated cloud: install, build, provision 1000 instances, show them.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/build.sh
export STYX_STATE_DIR=${STYX_STATE_DIR:-$HOME/.styx}
./build/styx up --name demo --count 1000 --cpus 2 --memory 4 --tag app=demo
./build/styx status | tail -n 3
echo "(styx status --json lists them all; ./build/styx down --all terminates them)"
