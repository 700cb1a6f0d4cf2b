#!/usr/bin/env bash
# A real Prometheus scrapes Styx: `styx node --metrics` (a node's providers) and `styx serve`
# (a long-running engine), both on loopback, every second. A fan-out of 100 instances goes
# through the node (`styx up --nodes`) and one of 60 through serve; the counters are then read
# back through Prometheus' HTTP query API (/api/v1/query), and promtool checks both endpoints'
# text. Skips (exit 77) only when Debian's prometheus is not installed.
#
#   tests/metrics/prometheus_test.sh STYX_BINARY
set -euo pipefail

styx=${1:?usage: prometheus_test.sh STYX_BINARY}
prometheus=$(command -v prometheus || true)
promtool=$(command -v promtool || true)
if [[ -z $prometheus || -z $promtool ]]; then
  echo "SKIP: Debian's prometheus (prometheus, promtool) is not installed (scripts/setup.sh installs it)"
  exit 77
fi

tmp=$(mktemp -d)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do
    kill "$pid" 2>/dev/null || true
  done
  for pid in "${pids[@]}"; do
    wait "$pid" 2>/dev/null || true
  done
  rm -rf "$tmp"
}
trap cleanup EXIT

fail() {
  echo "FAIL: $*" >&2
  for f in "$tmp"/*.log; do
    echo "--- $f" >&2
    tail -n 20 "$f" >&2 || true
  done
  exit 1
}

# Waits (up to 30 s) for a line matching $2 in file $1 and prints it.
wait_line() {
  for _ in $(seq 300); do
    if line=$(grep -m1 -E "$2" "$1" 2>/dev/null); then
      echo "$line"
      return 0
    fi
    sleep 0.1
  done
  fail "no '$2' in $1"
}

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

# A node on loopback (fast simulated cloud) with its providers' metrics.
"$styx" --state-dir "$tmp/node" node --listen 127.0.0.1:0 --insecure --sim-profile fast \
  --region us-east-1 --metrics 127.0.0.1:0 >"$tmp/node.out" 2>"$tmp/node.log" &
pids+=($!)
node_at=$(wait_line "$tmp/node.out" '^listening on ' | sed 's/^listening on //')
node_metrics=$(wait_line "$tmp/node.out" '^metrics on ' | sed -E 's#^metrics on http://([^/]+)/metrics#\1#')

# A long-running engine that provisions 60 instances on the simulated cloud at start.
STYX_SIM_PROFILE=fast "$styx" --state-dir "$tmp/serve" serve --metrics 127.0.0.1:0 --count 60 \
  >"$tmp/serve.out" 2>"$tmp/serve.log" &
pids+=($!)
serve_metrics=$(wait_line "$tmp/serve.out" '^metrics on ' | sed -E 's#^metrics on http://([^/]+)/metrics#\1#')

prom_port=$(free_port)
cat >"$tmp/prometheus.yml" <<YAML
global:
  scrape_interval: 1s
  scrape_timeout: 1s
scrape_configs:
  - job_name: styx_node
    static_configs: [{targets: ['$node_metrics']}]
  - job_name: styx_serve
    static_configs: [{targets: ['$serve_metrics']}]
YAML
"$promtool" check config "$tmp/prometheus.yml" >/dev/null || fail "promtool rejects the scrape config"
"$prometheus" --config.file="$tmp/prometheus.yml" --storage.tsdb.path="$tmp/tsdb" \
  --web.listen-address="127.0.0.1:$prom_port" --log.level=warn >"$tmp/prometheus.log" 2>&1 &
pids+=($!)
for _ in $(seq 300); do
  curl -sf "http://127.0.0.1:$prom_port/-/ready" >/dev/null 2>&1 && break
  sleep 0.1
done
curl -sf "http://127.0.0.1:$prom_port/-/ready" >/dev/null || fail "prometheus is not ready"

# The fan-out through the node.
printf 'nodes: ["%s"]\ninsecure: true\n' "$node_at" >"$tmp/nodes.yaml"
"$styx" --state-dir "$tmp/up" up --nodes "$tmp/nodes.yaml" --count 100 --cpus 2 \
  >"$tmp/up.out" 2>"$tmp/up.log" || fail "styx up through the node failed"
wait_line "$tmp/serve.out" '^request .*: 60/60 running' >/dev/null

# One query's single value (or "none").
query() {
  curl -sf "http://127.0.0.1:$prom_port/api/v1/query" --data-urlencode "query=$1" |
    python3 -c 'import json,sys
r = json.load(sys.stdin)["data"]["result"]
print(r[0]["value"][1] if r else "none")'
}

# Waits (up to 30 s) until query $1 answers $2.
expect() {
  local got=none
  for _ in $(seq 60); do
    got=$(query "$1" || echo none)
    [[ $got == "$2" ]] && { echo "ok: $1 = $got"; return 0; }
    sleep 0.5
  done
  fail "$1 = $got, expected $2"
}

expect 'up{job="styx_node"}' 1
expect 'up{job="styx_serve"}' 1
expect 'sum(styx_instances_created_total{job="styx_node"})' 100
expect 'sum(styx_instances_created_total{job="styx_serve"})' 60
expect 'styx_instances{job="styx_serve",state="running"}' 60
expect 'styx_requests_total{job="styx_serve",outcome="ok"}' 1
expect 'styx_time_to_running_seconds_count{job="styx_serve"}' 60
expect 'sum(styx_api_calls_total{job="styx_node",op="create",outcome="ok"}) > bool 0' 1
expect 'sum(styx_batch_size_sum{job="styx_node"}) >= bool 100' 1
expect 'min(styx_retry_budget{job="styx_serve"}) > bool 0' 1

for at in "$node_metrics" "$serve_metrics"; do
  curl -sf "http://$at/metrics" >"$tmp/scrape.txt" || fail "GET http://$at/metrics"
  "$promtool" check metrics <"$tmp/scrape.txt" || fail "promtool check metrics rejects http://$at/metrics"
  echo "ok: promtool check metrics accepts http://$at/metrics ($(wc -l <"$tmp/scrape.txt") lines)"
done
echo "PASS"
