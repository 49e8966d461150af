"""Fresh databases for a benchmark run: SQLite in a temp dir, PostgreSQL as a new
database on the server (``CREATE DATABASE bench_<random>``), dropped afterwards."""
from __future__ import annotations

import os
import secrets
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy.engine import make_url

from coordinator import create_app
from coordinator.database import normalise_url

DEFAULT_PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
# The demo hashes one password for everybody; a cheap hash keeps set-up short.
# Links and UIDs in what the bench renders (the app takes them from configuration only).
PUBLIC_URL = os.environ.get("COORDINATOR_PUBLIC_URL") or "http://127.0.0.1"
FAST_ARGON2 = {"ARGON2_TIME_COST": 1, "ARGON2_MEMORY_COST": 8, "ARGON2_PARALLELISM": 1}


def _libpq(url: str) -> str:
    """Return ``url`` as a libpq URI that psycopg.connect accepts."""
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def postgres_server() -> str | None:
    """Return the PostgreSQL server URL to use, or None when nothing answers."""
    url = normalise_url(os.environ.get("BENCH_DATABASE_URL") or DEFAULT_PG_URL)
    try:
        import psycopg
        psycopg.connect(_libpq(url), connect_timeout=3).close()
    except Exception:  # noqa: BLE001 — any failure means "no server"
        return None
    return url


def redact(url: str) -> str:
    """Return ``url`` without its password, for printing."""
    return make_url(url).render_as_string(hide_password=True)


@contextmanager
def fresh_database(backend: str, server_url: str | None) -> Iterator[tuple[str, str]]:
    """Yield ``(database URL, scratch dir)`` for an empty database; remove it after."""
    scratch = tempfile.mkdtemp(prefix=f"bench-{backend}-")
    try:
        if backend == "sqlite":
            yield f"sqlite:///{os.path.join(scratch, 'bench.sqlite')}", scratch
        elif backend == "postgresql":
            if not server_url:
                raise RuntimeError("no PostgreSQL server answered")
            with _pg_database(server_url) as url:
                yield url, scratch
        else:
            raise ValueError(f"unknown backend {backend!r}")
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


@contextmanager
def _pg_database(server_url: str) -> Iterator[str]:
    import psycopg

    name = f"bench_{secrets.token_hex(5)}"
    with psycopg.connect(_libpq(server_url), autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield make_url(server_url).set(database=name).render_as_string(hide_password=False)
    finally:
        with psycopg.connect(_libpq(server_url), autocommit=True) as conn:
            # FORCE (PostgreSQL 13+) ends connections a crashed run may have left open.
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def make_app(url: str, scratch: str):
    """Build the real app on ``url`` (instance files in ``scratch``)."""
    return create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench",
                       "INSTANCE_PATH": os.path.join(scratch, "instance"),
                       "PUBLIC_URL": PUBLIC_URL, **FAST_ARGON2})


def upgrade(app) -> None:
    """Build the schema with the real migrations (``flask db upgrade``)."""
    import logging

    import flask_migrate

    with app.app_context():
        flask_migrate.upgrade()
    # migrations/env.py loads alembic.ini's logging config; keep our output quiet.
    logging.getLogger("alembic").setLevel(logging.WARNING)
