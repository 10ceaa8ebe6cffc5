#!/usr/bin/env bash
# Fuzzes the running release server from its own OpenAPI document with Schemathesis (issue 13):
# every operation, with generated valid and invalid input, once anonymous and once as each
# demo role, checking that no answer is a server error (>= 500), that every status, content
# type and body is the one the document declares. Prints the cases and failures per role and
# fails on any failure.
#
#   scripts/fuzz.sh            the long run (`make fuzz`): FUZZ_EXAMPLES cases per operation
#                              and phase (default 100)
#   scripts/fuzz.sh --short    the run of `make test`: a few hundred cases, under two minutes
#
# FUZZ_SEED (default 13) makes a run repeatable; FUZZ_ROLES (say "proctor anonymous") runs
# those roles alone. Needs the release binaries
# (`make server-release`; FUZZ_BIN=target/debug takes the debug ones) and Schemathesis
# (`scripts/install-tools.sh fuzz`, into target/venv).
set -euo pipefail
cd "$(dirname "$0")/.."

short=0
[[ "${1:-}" == --short ]] && short=1
seed="${FUZZ_SEED:-13}"
st=target/venv/bin/schemathesis
bin_dir="${FUZZ_BIN:-${CARGO_TARGET_DIR:-target}/release}"
for bin in "$bin_dir/qinxue-server" "$bin_dir/qinxue-paysim" "$st"; do
  [[ -x "$bin" ]] || { echo "fuzz: $bin is missing (make server-release; scripts/install-tools.sh fuzz)" >&2; exit 1; }
done

work="$(mktemp -d)"
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
pay_port="$(free_port)"
port="$(free_port)"
origin="http://127.0.0.1:$port"
secret="fuzz-$(date +%s)-$RANDOM"

PAYSIM_ADDR="127.0.0.1:$pay_port" PAYSIM_SECRET="$secret" "$bin_dir/qinxue-paysim" \
  >"$work/paysim.log" 2>&1 &
pids+=($!)
# The release server as `make run` starts it (demo data, no test clock: the test routes are
# not in the document), with the simulator as its payment platform.
QINXUE_ADDR="127.0.0.1:$port" QINXUE_DATA="$work/data" QINXUE_DEMO=1 \
  QINXUE_PAY_URL="http://127.0.0.1:$pay_port" QINXUE_PAY_SECRET="$secret" \
  RUST_LOG=warn "$bin_dir/qinxue-server" >"$work/server.log" 2>&1 &
pids+=($!)
for _ in $(seq 100); do
  curl -fs "$origin/api/health" >/dev/null && break
  sleep 0.1
done
curl -fs "$origin/api/health" >/dev/null || { echo "fuzz: the server did not start" >&2; cat "$work/server.log" >&2; exit 1; }

# Sign every role in before any fuzzing: the fuzzer's wrong passwords from this address would
# soon meet the per-address login limit. Spare sessions stand in after a fuzzed logout.
roles=(trainee:350502198001011235 unit_admin:unit-demo office_admin:quanzhou-admin
  proctor:proctor-demo province_admin:province-admin)
for entry in "${roles[@]}"; do
  role="${entry%%:*}" login="${entry#*:}"
  : >"$work/$role.cookies"
  for _ in 1 2 3 4 5 6; do
    cookie="$(curl -fs -o /dev/null -D - -H 'Content-Type: application/json' -H "Origin: $origin" \
      --data "{\"login\":\"$login\",\"password\":\"Demo@2017\"}" "$origin/api/auth/login" |
      sed -n 's/^[Ss]et-[Cc]ookie: qinxue_session=\([^;]*\).*/\1/p')"
    [[ -n "$cookie" ]] || { echo "fuzz: $login could not sign in" >&2; exit 1; }
    echo "$cookie" >>"$work/$role.cookies"
  done
done

# The proctor's live-events stream (SSE) never ends, so Schemathesis would wait for each answer
# until its timeout; its refusals and events are checked by tests/api/group_sessions.rs.
if ((short)); then
  # Examples and coverage (every declared status, boundary and wrong type once) are most of
  # what finds a lie in the document; a few generated cases per operation besides.
  args=(--phases examples,fuzzing --max-examples 2)
else
  args=(--max-examples "${FUZZ_EXAMPLES:-100}")
fi

total_cases=0 total_failures=0
report=()
for entry in "${roles[@]}" anonymous:; do
  role="${entry%%:*}"
  [[ -z "${FUZZ_ROLES:-}" || " $FUZZ_ROLES " == *" $role "* ]] || continue
  cookies=""
  [[ "$role" != anonymous ]] && cookies="$work/$role.cookies"
  out="$work/$role.txt"
  started=$SECONDS
  set +e
  SCHEMATHESIS_HOOKS=hooks PYTHONPATH=scripts/fuzz QINXUE_FUZZ_ORIGIN="$origin" \
    QINXUE_FUZZ_COOKIES="$cookies" "$st" run "$origin/api/openapi.json" \
    --checks not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance \
    --seed "$seed" --generation-deterministic --generation-with-security-parameters false \
    --workers 2 --request-timeout 30 --no-color "${args[@]}" \
    --exclude-path '/api/group-sessions/{id}/events' >"$out" 2>&1
  code=$?
  set -e
  cases="$(sed -n 's/^ *\([0-9][0-9]*\) generated.*/\1/p' "$out" | tail -1)"
  failures="$(sed -n 's/.* found \([0-9][0-9]*\) unique failures.*/\1/p' "$out" | tail -1)"
  cases="${cases:-0}" failures="${failures:-0}"
  if ((code != 0)) && ((failures == 0)); then
    # Schemathesis itself failed (not a failure of the API): count it, and show why.
    failures=1
  fi
  if ((failures)); then
    echo "=== $role: failures ==="
    # FAILURES are the API's; ERRORS are Schemathesis' own (a crash of its generator, say).
    sed -n '/ERRORS\|FAILURES/,/SUMMARY/p' "$out" | head -400
    tail -30 "$out"
  fi
  report+=("$(printf '%-15s %7d cases %4d failures %5d s' "$role" "$cases" "$failures" $((SECONDS - started)))")
  total_cases=$((total_cases + cases)) total_failures=$((total_failures + failures))
done

errors="$(grep -c 'request failed' "$work/server.log" || true)"
echo "fuzz (seed $seed$( ((short)) && echo ', short')): Schemathesis against $origin/api/openapi.json"
printf '  %s\n' "${report[@]}"
echo "  total:          $total_cases cases, $total_failures failures; server errors logged: $errors"
((total_failures == 0 && errors == 0))
