#!/usr/bin/env bash
# Usage: scripts/cluster.sh                 (`make cluster`: for a person, until Ctrl-C)
#        scripts/cluster.sh --test COMMAND…  (runs COMMAND against the cluster, then stops it)
# Qinxue scaled out (DESIGN.md §5): a throw-away PostgreSQL (scripts/with-postgres.sh), two
# release server instances on it with demo data, HAProxy in front of them (round-robin, no
# stickiness, so every request may land on either instance) and the payment simulator beside,
# which reaches the servers through the balancer too. Everything stops however it ends.
# HAProxy names the instance that answered in the response header X-Qinxue-Instance (s1, s2).
# --test adds the test clock (QINXUE_TEST_CLOCK=1), puts everything on free ports and gives
# COMMAND CLUSTER_URL (the balancer), CLUSTER_INSTANCES (the two instances' URLs, space
# separated, s1 first), PAYSIM_URL and CLUSTER_LOGS (the folder of the programs' logs).
# Needs the release build (make server-release), dist/ (make web) and haproxy
# (scripts/install-tools.sh cluster).
set -euo pipefail
cd "$(dirname "$0")/.."

if [[ -z "${QINXUE_TEST_DATABASE_URL:-}" ]]; then
  exec scripts/with-postgres.sh "$0" "$@"
fi

test_mode=""
if [[ "${1:-}" == --test ]]; then
  shift
  test_mode=1
  (($#)) || { echo "cluster: --test needs a command" >&2; exit 2; }
fi
release="${CARGO_TARGET_DIR:-target}/release"
for bin in "$release/qinxue-server" "$release/qinxue-paysim"; do
  [[ -x "$bin" ]] || { echo "cluster: $bin missing (make server-release)" >&2; exit 1; }
done
command -v haproxy >/dev/null || { echo "cluster: haproxy missing (scripts/install-tools.sh cluster)" >&2; exit 1; }

free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
if [[ -n "$test_mode" ]]; then
  lb_port="$(free_port)"
  sim_addr="127.0.0.1:$(free_port)"
else
  lb_port="${CLUSTER_PORT:-8080}"
  sim_addr=127.0.0.1:8090 # the server's default QINXUE_PAY_URL, as in `make run`
fi
ports=("$(free_port)" "$(free_port)")
lb_url="http://127.0.0.1:$lb_port"

logs="$(mktemp -d "${TMPDIR:-/tmp}/qinxue-cluster.XXXXXX")"
pids=()
cleanup() {
  local status=$?
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  if [[ -n "$test_mode" && "$status" == 0 ]]; then rm -rf "$logs"; else echo "cluster: stopped (logs in $logs)"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# One database that both instances share.
db_url="${QINXUE_TEST_DATABASE_URL%/postgres}/qinxue"
psql -q "$QINXUE_TEST_DATABASE_URL" -c 'CREATE DATABASE qinxue'

PAYSIM_ADDR="$sim_addr" PAYSIM_SECRET=paysim-dev-secret "$release/qinxue-paysim" \
  >"$logs/paysim.log" 2>&1 &
pids+=($!)

# Each instance has a data folder of its own (a server locks its folder), but both sign
# certificates with the same province key and keep uploads in one media folder, as shared
# storage would be in a deployment; else a certificate or cover made on one would not exist on
# the other.
key="$(python3 -c 'import secrets; print(secrets.token_hex(32))')"
mkdir -p "$logs/media"
instances=()
for i in 0 1; do
  addr="127.0.0.1:${ports[$i]}"
  mkdir -p "$logs/data$((i + 1))"
  (umask 077 && echo "$key" >"$logs/data$((i + 1))/certificate-signing.key")
  env QINXUE_DATABASE_URL="$db_url" QINXUE_ADDR="$addr" QINXUE_DEMO=1 QINXUE_STATIC_DIR=dist \
    QINXUE_PUBLIC_URL="$lb_url" QINXUE_PAY_URL="http://$sim_addr" QINXUE_PAY_SECRET=paysim-dev-secret \
    QINXUE_DATA="$logs/data$((i + 1))" QINXUE_MEDIA_DIR="$logs/media" ${test_mode:+QINXUE_TEST_CLOCK=1} \
    "$release/qinxue-server" >"$logs/s$((i + 1)).log" 2>&1 &
  pids+=($!)
  instances+=("http://$addr")
done

# Round-robin per request; no cookie or source stickiness. Health checks take a stopped
# instance out of the rotation. One thread: with HAProxy's default of one per core, two
# consecutive requests sometimes went to the same instance (2 runs of the test in 4), which
# the test of strict alternation caught; one thread is plenty for this.
cat >"$logs/haproxy.cfg" <<EOF
global
  log stdout format raw local0 notice
  nbthread 1
defaults
  mode http
  log global
  timeout connect 5s
  timeout client 60s
  timeout server 60s
frontend qinxue
  bind 127.0.0.1:$lb_port
  default_backend instances
backend instances
  balance roundrobin
  option httpchk GET /api/health
  http-response set-header X-Qinxue-Instance %s
  server s1 127.0.0.1:${ports[0]} check inter 1s
  server s2 127.0.0.1:${ports[1]} check inter 1s
EOF

wait_for() { # URL: waits up to 60 s for 200
  for _ in $(seq 600); do
    curl -fsS -o /dev/null "$1" 2>/dev/null && return 0
    sleep 0.1
  done
  echo "cluster: $1 did not answer in 60 s; logs:" >&2
  tail -n 20 "$logs"/*.log >&2
  return 1
}
for url in "${instances[@]}" "http://$sim_addr"; do
  [[ "$url" == "http://$sim_addr" ]] && url+=/health || url+=/api/health
  wait_for "$url"
done
haproxy -f "$logs/haproxy.cfg" -db >"$logs/haproxy.log" 2>&1 &
pids+=($!)
wait_for "$lb_url/api/health"
# Both instances in the rotation before anyone relies on alternation.
for _ in $(seq 50); do
  seen="$(for _ in 1 2 3 4; do curl -sS -o /dev/null -D - "$lb_url/api/health" | tr -d '\r' | awk -F': ' 'tolower($1) == "x-qinxue-instance" { print $2 }'; done | sort -u | wc -l)"
  [[ "$seen" == 2 ]] && break
  sleep 0.2
done

if [[ -n "$test_mode" ]]; then
  CLUSTER_URL="$lb_url" CLUSTER_INSTANCES="${instances[*]}" PAYSIM_URL="http://$sim_addr" \
    CLUSTER_LOGS="$logs" "$@"
  exit
fi

cat <<EOF

Qinxue cluster: $lb_url  (HAProxy, round-robin over ${instances[*]})
PostgreSQL: one database for both; payment simulator: http://$sim_addr; logs: $logs
Demo logins, password Demo@2017: 王建国 (350502198001011235), unit-demo, quanzhou-admin,
proctor-demo, province-admin. The answering instance is in the X-Qinxue-Instance header.
Ctrl-C stops everything.
EOF
wait -n "${pids[@]}" || true
echo "cluster: a program stopped; logs:" >&2
tail -n 20 "$logs"/*.log >&2
exit 1
