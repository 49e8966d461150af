"""Engine set-up for SQLite and PostgreSQL, and the write-transaction helper.

SQLite: WAL, synchronous=NORMAL, foreign keys and a busy timeout on every
connection; we take over BEGIN so that write transactions can start with
``BEGIN IMMEDIATE`` (a deferred BEGIN that later writes fails at once with
"database is locked" under concurrent writers, whatever the busy timeout).
"""
from __future__ import annotations

import sqlite3

from sqlalchemy import event
from sqlalchemy.engine import Engine

SQLITE_BUSY_TIMEOUT_MS = 15000


@event.listens_for(Engine, "connect")
def _sqlite_on_connect(dbapi_conn, _record):
    if not isinstance(dbapi_conn, sqlite3.Connection):
        return
    dbapi_conn.isolation_level = None  # we emit BEGIN ourselves (see below)
    cur = dbapi_conn.cursor()
    for pragma in ("journal_mode=WAL", f"busy_timeout={SQLITE_BUSY_TIMEOUT_MS}",
                   "synchronous=NORMAL", "foreign_keys=ON"):
        cur.execute(f"PRAGMA {pragma}")
    cur.close()


@event.listens_for(Engine, "begin")
def _sqlite_on_begin(conn):
    if conn.dialect.name != "sqlite":
        return
    if conn.get_execution_options().get("sqlite_immediate"):
        conn.exec_driver_sql("BEGIN IMMEDIATE")
    else:
        conn.exec_driver_sql("BEGIN")


def begin_write(session) -> None:
    """Start a write transaction on ``session``: BEGIN IMMEDIATE on SQLite.

    Ends any read transaction the session holds first (Flask-Login's user loader
    opens one), because the flag only counts when the transaction begins.
    """
    real = session.registry() if hasattr(session, "registry") else session  # scoped_session
    if real.in_transaction():
        real.commit()
    real.connection(execution_options={"sqlite_immediate": True})


def normalise_url(url: str) -> str:
    """Make ``postgres://`` and ``postgresql://`` URLs use psycopg 3."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url
