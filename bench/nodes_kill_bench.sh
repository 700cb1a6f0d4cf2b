#!/usr/bin/env bash
# The multi-node path at scale, every step its own process as a user would run it:
#   1. NODES `styx node` processes (--sim-profile fast --rate-scale RATE), each with its own
#      state dir, all serving sim/us-east-1 (same name, distinct providers);
#   2. `styx up --nodes nodes.yaml --count N --policy least-loaded`; KILL_AFTER seconds in,
#      the last node is killed with SIGKILL and restarted DOWN_FOR seconds later on its port
#      and state dir;
#   3. the clouds are counted (every node's saved simulated cloud) against the store;
#   4. `styx down --all` in a later process; every node is SIGTERMed and its saved cloud
#      counted again: nothing may be left alive.
#
#   bash bench/nodes_kill_bench.sh                       # N=100000 NODES=4 RATE=100
#   N=10000 KILL_AFTER=3 bash bench/nodes_kill_bench.sh  # a quicker look
#   KILL_AFTER=none bash bench/nodes_kill_bench.sh       # no node killed: the baseline
#   FREEZE_DOWN=5 bash bench/nodes_kill_bench.sh         # also freeze node 1 for 4 s, 5 s into
#                                                        # the down (SIGSTOP, SIGCONT)
#
# The bound: each node's client buckets let RunInstances create `burst` instances at once and
# then `refill` per second (EC2: 1000 and 2/s, times RATE), so N instances over NODES nodes
# need at least (N - NODES * burst) / (NODES * refill) seconds, with every node up all along.
# The killed node's unfinished placements fail over to the others, and the running request
# places nothing new on it once it is back, so the script also prints the bound for the nodes
# that stayed: what they had to create, at their rate.
set -euo pipefail

STYX=${STYX:-$(dirname "$0")/../build/styx}
N=${N:-100000}
NODES=${NODES:-4}
RATE=${RATE:-100}
KILL_AFTER=${KILL_AFTER:-30}
DOWN_FOR=${DOWN_FOR:-5}
WORK=$(mktemp -d /tmp/styx-nodes-bench.XXXXXX)
ENGINE=$WORK/engine
pids=()

cleanup() {
  for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null || true; done
  rm -rf "$WORK"
}
trap cleanup EXIT

# start_node K PORT: node K on PORT (0: any), its state dir $WORK/node-K; sets pids[K], ports[K]
declare -a ports
start_node() {
  local k=$1 port=$2 out=$WORK/node-$1.out
  : > "$out"
  "$STYX" --state-dir "$WORK/node-$k" node --listen "127.0.0.1:$port" --insecure \
    --region us-east-1 --sim-profile fast --rate-scale "$RATE" > "$out" 2> "$WORK/node-$k.err" &
  pids[$k]=$!
  for _ in $(seq 1 300); do
    if grep -q "listening on" "$out"; then
      ports[$k]=$(sed -n 's/.*listening on .*:\([0-9]*\)$/\1/p' "$out")
      return
    fi
    sleep 0.1
  done
  echo "node $k did not start" >&2
  exit 1
}

# live K: instances not terminated in node K's saved simulated cloud
live() {
  python3 - "$WORK/node-$1/sim-cloud.json" <<'EOF'
import json, sys
try:
    d = json.load(open(sys.argv[1]))
except FileNotFoundError:
    print(0); sys.exit()
print(sum(1 for i in d["instances"] if i["state"] != "terminated"))
EOF
}

for k in $(seq 1 "$NODES"); do start_node "$k" 0; done
{
  printf 'nodes: ['
  for k in $(seq 1 "$NODES"); do printf '%s127.0.0.1:%s' "$([ "$k" -gt 1 ] && echo ', ')" "${ports[$k]}"; done
  printf ']\ninsecure: true\n'
} > "$WORK/nodes.yaml"

echo "nodes: ${ports[*]}; up --count $N (rate-scale $RATE), node $NODES killed after ${KILL_AFTER} s"
start=$(date +%s.%N)
"$STYX" --state-dir "$ENGINE" up --nodes "$WORK/nodes.yaml" --count "$N" --policy least-loaded \
  --json > "$WORK/up.json" 2> "$WORK/up.err" &
up_pid=$!
killed=$NODES
if [ "$KILL_AFTER" != none ]; then
  sleep "$KILL_AFTER"
  echo "kill -9 node $killed at $(python3 -c "print(round($(date +%s.%N) - $start, 1))") s: $(live "$killed") live on it"
  kill -9 "${pids[$killed]}"
  wait "${pids[$killed]}" 2>/dev/null || true
  sleep "$DOWN_FOR"
  start_node "$killed" "${ports[$killed]}"
  echo "node $killed back at $(python3 -c "print(round($(date +%s.%N) - $start, 1))") s"
fi
up_rc=0
wait "$up_pid" || up_rc=$?
end=$(date +%s.%N)
python3 - "$WORK/up.json" "$up_rc" "$start" "$end" <<'EOF'
import json, sys
r = json.load(open(sys.argv[1]))
print(f"up: exit {sys.argv[2]}, {r['running']}/{r['count']} running, "
      f"{r['seconds']:.1f} s until all ran (wall {float(sys.argv[4]) - float(sys.argv[3]):.1f} s)")
EOF
sleep 3 # the restarted node's surplus (replaced while it was away) ends
total=0
for k in $(seq 1 "$NODES"); do n=$(live "$k"); total=$((total + n)); echo "node $k: $n live"; done
on_killed=$(live "$killed")
records=$(python3 - "$ENGINE/styx.db" <<'EOF'
import sqlite3, sys
rows = sqlite3.connect(sys.argv[1]).execute("SELECT state, COUNT(*) FROM instances GROUP BY state")
print(", ".join(f"{n} {state}" for state, n in rows))
EOF
)
echo "clouds: $total live; store: $records; $(grep -c 'connection lost' "$WORK/up.err" || true) node connection(s) lost during up"
down_start=$(date +%s.%N)
down_rc=0
"$STYX" --state-dir "$ENGINE" down --all > "$WORK/down.out" 2> "$WORK/down.err" &
down_pid=$!
if [ -n "${FREEZE_DOWN:-}" ]; then # node 1 frozen past the heartbeat timeout, mid-down
  sleep "$FREEZE_DOWN"
  kill -STOP "${pids[1]}"
  sleep 4
  kill -CONT "${pids[1]}"
  echo "node 1 frozen for 4 s, ${FREEZE_DOWN} s into the down"
fi
wait "$down_pid" || down_rc=$?
echo "down (a later process): exit $down_rc, $(cat "$WORK/down.out"), $(python3 -c "print(round($(date +%s.%N) - $down_start, 1))") s, $(grep -c 'connection lost' "$WORK/down.err" || true) node connection(s) lost meanwhile"
for k in $(seq 1 "$NODES"); do kill -TERM "${pids[$k]}"; done
for k in $(seq 1 "$NODES"); do wait "${pids[$k]}" 2>/dev/null || true; done
left=0
for k in $(seq 1 "$NODES"); do left=$((left + $(live "$k"))); done
echo "after down and SIGTERM: $left live on the nodes' saved clouds"
python3 -c "
n, nodes, rate, total, killed = $N, $NODES, $RATE, $total, $on_killed
was_killed = '$KILL_AFTER' != 'none'
print(f'bound, every node up all along: ({n} - {nodes} x 1000) / ({nodes} x {2 * rate})'
      f' = {(n - nodes * 1000) / (nodes * 2 * rate):.1f} s')
# The killed node's unfinished placements failed over to the others, and the running request
# places nothing new on it when it is back: the others had to create all the rest.
rest = total - killed
if was_killed: print(f'bound for the nodes that stayed: ({rest} - {nodes - 1} x 1000) / ({nodes - 1} x {2 * rate})'
      f' = {(rest - (nodes - 1) * 1000) / ((nodes - 1) * 2 * rate):.1f} s')"
[ "$up_rc" -eq 0 ] && [ "$down_rc" -eq 0 ] && [ "$left" -eq 0 ]
