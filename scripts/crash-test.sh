#!/usr/bin/env bash
# Usage: scripts/crash-test.sh [sqlite|postgres] [qinxue-crash options...]
# The crash test of issue 13: the release server under mixed load (heartbeats of many learners,
# trainees paying through the payment simulator, an office admin filing activities) is killed
# with SIGKILL at random moments 20 times and restarted each time; afterwards the database must
# be sound, every order the simulator paid paid exactly once with its enrolment active, no
# heartbeat credited twice, and no session short of more than one heartbeat period per kill.
# Runs on SQLite, then on PostgreSQL (a throw-away durable cluster, scripts/with-postgres.sh),
# where one of the kills also stops PostgreSQL with `pg_ctl stop -m immediate`. The checks and
# counts are printed by target/release/qinxue-crash (bench/src/crash/).
set -euo pipefail
cd "$(dirname "$0")/.."

which=(sqlite postgres)
if [[ "${1:-}" == sqlite || "${1:-}" == postgres ]]; then
  which=("$1")
  shift
fi

# PostgreSQL (and the rest of what the tests need) on a fresh machine.
if [[ " ${which[*]} " == *" postgres "* ]] && ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
  scripts/install-tools.sh test
fi
cargo build --release -p qinxue-server -p qinxue-paysim -p qinxue-bench
target="${CARGO_TARGET_DIR:-target}"
crash="$target/release/qinxue-crash"

status=0
for db in "${which[@]}"; do
  echo "== crash test on $db"
  if [[ "$db" == sqlite ]]; then
    "$crash" "$@" || status=1
  else
    # An empty database of its own on the durable cluster; the stop and start commands come
    # from with-postgres.sh, which owns the cluster.
    WITH_POSTGRES_DURABLE=1 scripts/with-postgres.sh bash -c '
      psql "$QINXUE_TEST_DATABASE_URL" -qc "CREATE DATABASE qinxue_crash" &&
      exec "$0" --database-url "${QINXUE_TEST_DATABASE_URL%/*}/qinxue_crash" \
        --pg-stop "$QINXUE_TEST_PG_STOP" --pg-start "$QINXUE_TEST_PG_START" "$@"' "$crash" "$@" ||
      status=1
  fi
done
exit "$status"
