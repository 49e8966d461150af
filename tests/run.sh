#!/usr/bin/env bash
# Run the suite on SQLite always, and on PostgreSQL too when a server answers.
set -uo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
PG_DEFAULT="postgresql+psycopg://postgres@127.0.0.1:5432/test"
if [ -z "${TEST_DATABASE_URL:-}" ]; then
  if $BIN/python - "$PG_DEFAULT" <<'PY' 2>/dev/null; then
import sys, psycopg
psycopg.connect(sys.argv[1].replace("+psycopg", ""), connect_timeout=3).close()
PY
    export TEST_DATABASE_URL="$PG_DEFAULT"
  fi
fi
if [ -n "${TEST_DATABASE_URL:-}" ]; then
  echo "backends: sqlite, postgresql (${TEST_DATABASE_URL%%@*}@…)"
else
  echo "backends: sqlite only (no PostgreSQL answered on 127.0.0.1:5432)"
fi
$BIN/python -m pytest "$@"
status=$?
if [ "$status" -eq 5 ]; then
  echo "no tests were collected: failing" >&2
  exit 1
fi
exit $status
