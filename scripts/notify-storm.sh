#!/usr/bin/env bash
# Usage: scripts/notify-storm.sh [--postgres] [ORDERS]
# 1,000 (or ORDERS) trainees register and pay at once through the payment simulator while it
# duplicates (up to 3 copies), reorders, delays and drops its notifications; then checks that
# every order ended paid exactly once: one applied notification per order, one activated
# enrolment per trainee, no refund flags. Runs on SQLite, or with --postgres on a throw-away
# PostgreSQL cluster (scripts/with-postgres.sh). Prints what was sent and how long it took.
set -euo pipefail
cd "$(dirname "$0")/.."

wrap=()
if [[ "${1:-}" == "--postgres" ]]; then
  wrap=(scripts/with-postgres.sh)
  shift
fi
export STORM_ORDERS="${1:-1000}"

"${wrap[@]}" cargo test -p qinxue-server --test api -- --ignored --exact storm::notify_storm --nocapture
