#!/usr/bin/env bash
# Usage: scripts/with-postgres.sh COMMAND [ARGS...]
# Runs COMMAND against a throw-away PostgreSQL cluster (Debian's `postgresql` package): a new
# cluster in a temp folder, listening on a free 127.0.0.1 port, with superuser qinxue/qinxue.
# COMMAND gets QINXUE_TEST_DATABASE_URL (an admin URL: tests create a database per test from it),
# PostgreSQL's programs (pg_dump, pg_restore, ...) on PATH, and QINXUE_TEST_PG_STOP and
# QINXUE_TEST_PG_START: shell commands that stop the cluster at once (`pg_ctl stop -m immediate`,
# as a crash would) and start it again. With WITH_POSTGRES_DURABLE=1 the cluster keeps
# PostgreSQL's durable defaults (fsync on), for tests of what survives a crash.
# The cluster is stopped and its folder removed however COMMAND ends.
set -euo pipefail

PGBIN="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)"
[[ -x "$PGBIN/initdb" ]] || { echo "with-postgres: PostgreSQL not installed (run scripts/install-tools.sh)" >&2; exit 1; }

tmp="$(mktemp -d "${TMPDIR:-/tmp}/qinxue-pg.XXXXXX")"
# PostgreSQL refuses to run as root, so as root the cluster belongs to the `postgres` user.
as_pg() { (cd "$tmp" && "$@"); }
if [[ "$(id -u)" == 0 ]]; then
  chown postgres: "$tmp"
  as_pg() { (cd "$tmp" && runuser -u postgres -- "$@"); }
fi

cleanup() {
  status=$?
  # A failed run shows why the server went away (a full disk, a crash) before its log is gone.
  if [[ $status != 0 && -f "$tmp/postgres.log" ]]; then
    echo "with-postgres: the last lines of PostgreSQL's log:" >&2
    tail -n 20 "$tmp/postgres.log" >&2
  fi
  [[ -f "$tmp/data/postmaster.pid" ]] && as_pg "$PGBIN/pg_ctl" -D "$tmp/data" -m immediate -w stop >/dev/null 2>&1
  rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM # makes bash run the EXIT trap on Ctrl-C or kill too

# A free port: bind port 0 and read what the kernel chose.
port="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"

echo qinxue >"$tmp/pw" && chmod 644 "$tmp/pw"
run_as_pg=()
[[ "$(id -u)" == 0 ]] && run_as_pg=(runuser -u postgres --)
# Password (SCRAM) authentication over TCP, as a real deployment would use; trust on the socket.
as_pg "$PGBIN/initdb" -D "$tmp/data" -U qinxue --pwfile="$tmp/pw" --auth-host=scram-sha-256 \
  --auth-local=trust -E UTF8 --locale=C.UTF-8 --no-sync >"$tmp/initdb.log" 2>&1 ||
  { cat "$tmp/initdb.log" >&2; exit 1; }
# Durability off unless asked for: the data is thrown away anyway, and fsyncs dominate test time.
options="-c listen_addresses=127.0.0.1 -p $port -k $tmp -c max_connections=300"
[[ "${WITH_POSTGRES_DURABLE:-}" == 1 ]] ||
  options+=" -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
start_cmd="cd $tmp && ${run_as_pg[*]} $PGBIN/pg_ctl -D $tmp/data -l $tmp/postgres.log -w -t 60 start -o '$options' >/dev/null"
stop_cmd="cd $tmp && ${run_as_pg[*]} $PGBIN/pg_ctl -D $tmp/data -m immediate -w stop >/dev/null"
bash -c "$start_cmd" || { cat "$tmp/postgres.log" >&2; exit 1; }

export QINXUE_TEST_PG_START="$start_cmd" QINXUE_TEST_PG_STOP="$stop_cmd"
export PATH="$PGBIN:$PATH"
export QINXUE_TEST_DATABASE_URL="postgres://qinxue:qinxue@127.0.0.1:$port/postgres"
echo "with-postgres: PostgreSQL $("$PGBIN/postgres" --version | awk '{print $3}') on 127.0.0.1:$port"
"$@"
