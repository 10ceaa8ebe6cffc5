#!/usr/bin/env bash
# `make lighthouse` (issue 14): Lighthouse (scripts/lighthouse/, pinned) in Debian's Chromium on
# its default mobile preset (a mid-range phone, simulated slow 4G and 4× CPU slowdown) against
# the release server with demo data and the front end already built in dist/ (`make web`), for
# the home page, 选课 (/courses) and 我的学习 (/study, signed in as the demo trainee). Prints the
# accessibility and performance score of each page and fails when one misses its target
# (accessibility 100, performance 95). The reports are kept in target/lighthouse/.
# QINXUE_DIST names another build of the front end than dist/ (one's own, on a shared machine).
set -euo pipefail
cd "$(dirname "$0")/.."

LIGHTHOUSE=scripts/lighthouse/node_modules/.bin/lighthouse
SERVER="${CARGO_TARGET_DIR:-target}/release/qinxue-server"
CHROMIUM="${QINXUE_CHROMIUM:-/usr/bin/chromium}"
DIST="$(realpath -m "${QINXUE_DIST:-dist}")"
[[ -f "$DIST/index.html" ]] || { echo "lighthouse: $DIST/index.html missing: run 'make web' first" >&2; exit 1; }
[[ -x "$LIGHTHOUSE" ]] || { echo "lighthouse: run 'scripts/install-tools.sh lighthouse' first" >&2; exit 1; }
[[ -x "$SERVER" ]] || { echo "lighthouse: $SERVER missing: cargo build --release -p qinxue-server" >&2; exit 1; }

reports=target/lighthouse
mkdir -p "$reports"
data="$(mktemp -d "${TMPDIR:-/tmp}/qinxue-lighthouse.XXXXXX")"
server_pid=""
cleanup() {
  [[ -n "$server_pid" ]] && { kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; }
  rm -rf "$data"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

port="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
base="http://127.0.0.1:$port"
env -u QINXUE_DATABASE_URL -u QINXUE_PUBLIC_URL QINXUE_ADDR="127.0.0.1:$port" QINXUE_DATA="$data" \
  QINXUE_DEMO=1 QINXUE_STATIC_DIR="$DIST" "$SERVER" >"$data/server.log" 2>&1 &
server_pid=$!
for _ in $(seq 1 300); do
  curl -fsS --max-time 2 "$base/api/health" >/dev/null 2>&1 && break
  kill -0 "$server_pid" 2>/dev/null || { echo "lighthouse: the server exited:" >&2; cat "$data/server.log" >&2; exit 1; }
  sleep 0.2
done

# 我的学习 needs a signed-in trainee: the demo trainee's session cookie goes with every request.
jar="$data/cookies"
curl -fsS -c "$jar" -H 'Content-Type: application/json' \
  -d '{"login":"350502198001011235","password":"Demo@2017"}' "$base/api/auth/login" >/dev/null
# curl writes an HttpOnly cookie (the session's) as a line starting with #HttpOnly_.
cookie="$(sed 's/^#HttpOnly_//' "$jar" | awk '!/^#/ && NF >= 7 { printf "%s%s=%s", sep, $6, $7; sep = "; " }')"
[[ -n "$cookie" ]] || { echo "lighthouse: the demo trainee's sign-in set no cookie" >&2; exit 1; }

flags="--headless=new --no-sandbox --disable-gpu --disable-quic --no-first-run --disable-background-networking --disable-component-update --disable-sync"
status=0
printf '%-10s %14s %12s\n' page accessibility performance
for page in home:/ courses:/courses study:/study; do
  name="${page%%:*}"
  path="${page#*:}"
  extra=()
  [[ "$name" == study ]] && extra=(--extra-headers "{\"Cookie\": \"$cookie\"}")
  CHROME_PATH="$CHROMIUM" "$LIGHTHOUSE" "$base$path" --quiet --chrome-flags="$flags" \
    --only-categories=accessibility,performance --output=json --output=html \
    --output-path="$reports/$name" "${extra[@]}" >"$data/$name.log" 2>&1 ||
    { echo "lighthouse: the run for $path failed:" >&2; cat "$data/$name.log" >&2; exit 1; }
  node - "$reports/$name.report.json" "$name" <<'EOF' || status=1
const [file, name] = process.argv.slice(2);
const report = JSON.parse(require('node:fs').readFileSync(file, 'utf8'));
const score = (c) => Math.round(100 * report.categories[c].score);
const [a11y, perf] = [score('accessibility'), score('performance')];
console.log(`${name.padEnd(10)} ${String(a11y).padStart(14)} ${String(perf).padStart(12)}`);
const failed = Object.values(report.audits).filter((a) => a.scoreDisplayMode === 'binary' && a.score === 0);
for (const a of failed) console.log(`  ${name}: ${a.id}: ${a.title}`);
if (a11y < 100 || perf < 95) process.exit(1);
EOF
done
echo "lighthouse: reports in $reports/ (open the .report.html files)"
((status == 0)) || echo "lighthouse: a page missed its target (accessibility 100, performance 95)" >&2
exit "$status"
