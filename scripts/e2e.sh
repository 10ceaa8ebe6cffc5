#!/usr/bin/env bash
# End-to-end tests: starts the real server (debug build, fresh SQLite data folder, demo data,
# test clock) and the payment platform's simulator (paysim/PROTOCOL.md) beside it, each on a free
# loopback port, the server serving the front end already built in dist/ (`make web`), and runs
# tests/e2e/*.test.mjs in headless Debian Chromium with node's test runner. Exits with the tests'
# status; both processes and the data folder go away however the run ends.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT="$PWD"

[[ -f dist/index.html ]] || { echo "e2e: dist/index.html missing: run 'make web' first" >&2; exit 1; }
[[ -d node_modules/playwright-core ]] || { echo "e2e: playwright-core missing: run 'make tools' first" >&2; exit 1; }

cargo build -p qinxue-server -p qinxue-paysim
SERVER="${CARGO_TARGET_DIR:-target}/debug/qinxue-server"
PAYSIM="${CARGO_TARGET_DIR:-target}/debug/qinxue-paysim"

data="$(mktemp -d "${TMPDIR:-/tmp}/qinxue-e2e.XXXXXX")"
server_pid=""
sim_pid=""
cleanup() {
  for pid in $server_pid $sim_pid; do kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; done
  rm -rf "$data"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
port="$(free_port)"
base="http://127.0.0.1:$port"
sim_port="$(free_port)"
sim="http://127.0.0.1:$sim_port"

# The simulator with its defaults (secret, retry schedule), which are the server's defaults too.
env -u PAYSIM_FAULTS -u PAYSIM_PUBLIC_URL PAYSIM_ADDR="127.0.0.1:$sim_port" \
  PAYSIM_SECRET=paysim-dev-secret "$PAYSIM" >"$data/paysim.log" 2>&1 &
sim_pid=$!

# SQLite in the temp folder whatever the caller's environment says.
env -u QINXUE_DATABASE_URL -u QINXUE_PUBLIC_URL -u QINXUE_PAY_SECRET QINXUE_ADDR="127.0.0.1:$port" \
  QINXUE_DATA="$data" QINXUE_DEMO=1 QINXUE_TEST_CLOCK=1 QINXUE_STATIC_DIR="$ROOT/dist" \
  QINXUE_PAY_URL="$sim" "$SERVER" >"$data/server.log" 2>&1 &
server_pid=$!

# Wait up to 60 s for health (first start migrates and seeds, hashing the demo passwords).
for _ in $(seq 1 300); do
  if curl -fsS --max-time 2 "$base/api/health" >/dev/null 2>&1; then break; fi
  if ! kill -0 "$server_pid" 2>/dev/null; then
    echo "e2e: the server exited before it was healthy:" >&2; cat "$data/server.log" >&2; exit 1
  fi
  sleep 0.2
done
curl -fsS --max-time 2 "$base/api/health" >/dev/null || { echo "e2e: no health from $base" >&2; cat "$data/server.log" >&2; exit 1; }
curl -fsS --max-time 2 "$sim/health" >/dev/null || { echo "e2e: no health from the simulator at $sim" >&2; cat "$data/paysim.log" >&2; exit 1; }
echo "e2e: server at $base, payment simulator at $sim (logs: shown on failure)"

status=0
# One file at a time whatever the core count: the files share the demo trainee and the test
# clock, and a study session opened by one file would end another's. Files named as arguments
# run alone (scripts/e2e.sh tests/e2e/pay.test.mjs).
# Every expectAccessible (axe-core) writes the address it checked to axe.jsonl; after a full run
# tests/e2e/axe-routes.check.mjs fails for any route of the apps that none of them checked.
export QINXUE_BASE_URL="$base" PAYSIM_BASE_URL="$sim" QINXUE_AXE_LOG="$data/axe.jsonl"
: >"$QINXUE_AXE_LOG"
node --test --test-concurrency=1 "${@:-tests/e2e/}" || status=$?
if (($# == 0)); then node --test tests/e2e/axe-routes.check.mjs || status=$?; fi
if ((status != 0)); then
  echo "e2e: server log (last 50 lines):" >&2; tail -n 50 "$data/server.log" >&2
  echo "e2e: simulator log (last 20 lines):" >&2; tail -n 20 "$data/paysim.log" >&2
  echo "e2e: screenshots of failed tests are in tests/e2e/artifacts/" >&2
fi
exit "$status"
