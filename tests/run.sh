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
# Two processes on CI's two cores (pytest-xdist), a whole module per worker so that module
# fixtures (a browser, a live server, a shared world) are built once; each worker has its
# own PostgreSQL database (tests/support/database.py). TEST_WORKERS=0 runs in one process.
WORKERS="${TEST_WORKERS:-auto}"
if [ "$WORKERS" = "0" ]; then
  $BIN/python -m pytest "$@"
else
  $BIN/python -m pytest -n "$WORKERS" --dist loadfile "$@"
fi
status=$?
if [ "$status" -eq 5 ]; then
  echo "no tests were collected: failing" >&2
  exit 1
fi
exit $status
