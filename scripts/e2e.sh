#!/usr/bin/env bash
# End-to-end tests: starts the real server (debug build, fresh SQLite data folder, demo data,
# test clock) on a free loopback port, serving the front end already built in dist/ (`make web`),
# and runs tests/e2e/*.test.mjs in headless Debian Chromium with node's test runner.
# Exits with the tests' status; the server and its data folder go away however the run ends.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT="$PWD"

[[ -f dist/index.html ]] || { echo "e2e: dist/index.html missing: run 'make web' first" >&2; exit 1; }
[[ -d node_modules/playwright-core ]] || { echo "e2e: playwright-core missing: run 'make tools' first" >&2; exit 1; }

cargo build -p qinxue-server
SERVER="${CARGO_TARGET_DIR:-target}/debug/qinxue-server"

data="$(mktemp -d "${TMPDIR:-/tmp}/qinxue-e2e.XXXXXX")"
server_pid=""
cleanup() {
  if [[ -n "$server_pid" ]]; then kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi
  rm -rf "$data"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

port="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
base="http://127.0.0.1:$port"

# SQLite in the temp folder whatever the caller's environment says.
env -u QINXUE_DATABASE_URL QINXUE_ADDR="127.0.0.1:$port" QINXUE_DATA="$data" QINXUE_DEMO=1 \
  QINXUE_TEST_CLOCK=1 QINXUE_STATIC_DIR="$ROOT/dist" "$SERVER" >"$data/server.log" 2>&1 &
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
echo "e2e: server at $base (log: shown on failure)"

status=0
QINXUE_BASE_URL="$base" node --test tests/e2e/ || status=$?
if ((status != 0)); then
  echo "e2e: server log (last 50 lines):" >&2; tail -n 50 "$data/server.log" >&2
  echo "e2e: screenshots of failed tests are in tests/e2e/artifacts/" >&2
fi
exit "$status"
