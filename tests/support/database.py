"""The test databases and rows: backends, fast password hashing, PostgreSQL truncation,
and a factory of committed rows returned as snapshots."""
from __future__ import annotations

import os
import types

from sqlalchemy import create_engine, text
from sqlalchemy import inspect as sa_inspect

from coordinator.extensions import db


def _own_database(url: str | None) -> str | None:
    """Under pytest-xdist each worker gets a database of its own (``test_gw0``, …), made
    when missing: workers never truncate each other's tables."""
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if not url or not worker:
        return url
    import psycopg
    base, name = url.rsplit("/", 1)
    own = f"{name}_{worker}"
    plain = url.replace("+psycopg", "", 1)
    with psycopg.connect(plain, autocommit=True, connect_timeout=5) as conn:
        if conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (own,)).fetchone() is None:
            conn.execute(f'CREATE DATABASE "{own}"')
    return f"{base}/{own}"


PG_URL = _own_database(os.environ.get("TEST_DATABASE_URL"))
BACKENDS = ["sqlite"] + (["postgresql"] if PG_URL else [])
TEST_PASSWORD = "correct horse battery"
FAST_ARGON2 = {"ARGON2_TIME_COST": 1, "ARGON2_MEMORY_COST": 8, "ARGON2_PARALLELISM": 1}


def truncate_pg(url):
    """Empty every table of the PostgreSQL database at ``url`` and restart its ids."""
    engine = create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1)
                           if url.startswith("postgresql://") else url)
    tables = ", ".join(f'"{t.name}"' for t in db.metadata.sorted_tables)
    with engine.begin() as conn:
        conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    engine.dispose()


class Snapshot(types.SimpleNamespace):
    """The column values of a committed row, usable after its session is gone."""


def snapshot(row) -> Snapshot:
    values = {c.key: getattr(row, c.key) for c in sa_inspect(row).mapper.column_attrs}
    if hasattr(row, "display_name"):
        values["display_name"] = row.display_name
    return Snapshot(**values)


class Factory:
    """Makes rows with sensible defaults, committed, for integration tests; returns
    snapshots so tests never touch a session that a request might share."""

    def __init__(self, app):
        self.app = app
        self.n = 0

    def _next(self):
        self.n += 1
        return self.n

    def community(self, **kw):
        from coordinator.models import Community
        n = self._next()
        row = Community(name=kw.pop("name", f"社区{n}"), code=kw.pop("code", f"T{n:02d}"), **kw)
        return self._add(row)

    def person(self, community, **kw):
        from coordinator.models import Person
        n = self._next()
        kw.setdefault("full_name", f"成员{n}")
        kw.setdefault("phone", f"1380000{n:04d}")
        return self._add(Person(community_id=community.id, **kw))

    def account(self, role, username=None, person=None, communities=(), password=TEST_PASSWORD,
                **kw):
        from coordinator.models import Account, CoordinatorScope
        from coordinator.services.people.accounts import hash_password
        with self.app.app_context():
            row = Account(role=role, username=username,
                          person_id=person.id if person else None,
                          password_hash=hash_password(password), **kw)
            db.session.add(row)
            db.session.flush()
            for c in communities:
                db.session.add(CoordinatorScope(account_id=row.id, community_id=c.id))
            db.session.commit()
            return snapshot(row)

    def _add(self, row):
        with self.app.app_context():
            db.session.add(row)
            db.session.commit()
            return snapshot(row)


def module_app(request, tmp_path_factory, name: str, **config):
    """An app on a database of its own for a module-scoped fixture (``request.param`` is
    the backend): a copy of the SQLite template, or the worker's truncated PostgreSQL
    database. The caller disposes of its engine (``dispose_app``)."""
    import shutil

    from coordinator import create_app
    from tests.support.scheduling import NOW
    base = tmp_path_factory.mktemp(name)
    if request.param == "sqlite":
        path = base / f"{name}.sqlite"
        shutil.copy(request.getfixturevalue("sqlite_template"), path)
        url = f"sqlite:///{path}"
    else:
        url = request.getfixturevalue("pg_schema_ready")
        truncate_pg(url)
    return create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": url,
                       "SECRET_KEY": "test-secret", "INSTANCE_PATH": str(base / "instance"),
                       "NOW": NOW, **FAST_ARGON2, **config})


def dispose_app(app) -> None:
    """Close the connections of an app made by ``module_app``."""
    with app.app_context():
        db.engine.dispose()
