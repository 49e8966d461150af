"""One scheduler at a time: a file lock (``fcntl.flock``) for SQLite on one host, a
PostgreSQL session advisory lock held on a dedicated, unpooled connection otherwise.
A second scheduler waits (and says so) until the first one is gone."""
from __future__ import annotations

import fcntl
import logging
import os
import time
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool

log = logging.getLogger("coordinator.scheduler")
ADVISORY_KEY = 0x636F6F72_64696E61  # "coordina": the scheduler's advisory lock id


def lock_file_for(app) -> Path:
    """Return the lock file: SCHEDULER_LOCK_FILE, else next to the SQLite file."""
    if app.config.get("SCHEDULER_LOCK_FILE"):
        return Path(app.config["SCHEDULER_LOCK_FILE"])
    url = make_url(app.config["SQLALCHEMY_DATABASE_URI"])
    if url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:"):
        return Path(url.database + ".scheduler-lock")
    return Path(app.instance_path) / "scheduler.lock"


class SingleInstance:
    """Hold the scheduler's lock for the life of the process."""

    def __init__(self, app, poll_seconds: float | None = None):
        self.url = app.config["SQLALCHEMY_DATABASE_URI"]
        self.is_postgres = make_url(self.url).get_backend_name() == "postgresql"
        self.path = lock_file_for(app)
        self.poll = float(poll_seconds or app.config.get("SCHEDULER_LOCK_POLL_SECONDS") or 5)
        self._file = None
        self._engine = None
        self._conn = None

    def describe(self) -> str:
        return ("PostgreSQL advisory lock" if self.is_postgres
                else f"lock file {self.path}")

    def try_acquire(self) -> bool:
        """Take the lock if it is free; return whether we hold it."""
        if self.is_postgres:
            if self._conn is None:
                # NullPool: closing really closes, and the lock dies with the session.
                self._engine = create_engine(self.url, poolclass=NullPool,
                                             isolation_level="AUTOCOMMIT")
                self._conn = self._engine.connect()
            return bool(self._conn.scalar(text("SELECT pg_try_advisory_lock(:k)"),
                                          {"k": ADVISORY_KEY}))
        if self._file is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._file = open(self.path, "a+")  # noqa: SIM115 — held for the process life
        try:
            fcntl.flock(self._file.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        self._file.seek(0)
        self._file.truncate()
        self._file.write(f"{os.getpid()}\n")
        self._file.flush()
        return True

    def acquire(self, wait: bool = True, stop=None) -> bool:
        """Take the lock, waiting for it when ``wait``; return whether we hold it."""
        if self.try_acquire():
            log.info("scheduler lock taken (%s)", self.describe())
            return True
        if not wait:
            return False
        log.warning("another scheduler holds the %s; waiting for it to stop",
                    self.describe())
        while not (stop and stop.is_set()):
            time.sleep(self.poll)
            if self.try_acquire():
                log.info("scheduler lock taken after waiting (%s)", self.describe())
                return True
        return False

    def alive(self) -> bool:
        """Tell whether we still hold the lock (the PostgreSQL session may have died)."""
        if not self.is_postgres:
            return self._file is not None
        try:
            # A session lock lives as long as its session: the connection answering
            # means we still hold it.
            return self._conn.scalar(text("SELECT 1")) == 1
        except Exception:  # noqa: BLE001 — any failure means the lock is gone
            return False

    def release(self) -> None:
        if self._conn is not None:
            try:
                self._conn.close()
            finally:
                self._engine.dispose()
                self._conn = self._engine = None
        if self._file is not None:
            fcntl.flock(self._file.fileno(), fcntl.LOCK_UN)
            self._file.close()
            self._file = None
