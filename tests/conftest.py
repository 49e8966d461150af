"""Fixtures: an app on a fresh database per test, on SQLite and (when configured)
PostgreSQL; clients; small factories; a login helper that goes through the real form."""
from __future__ import annotations

import os
import re
import shutil
import types
import uuid

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy import inspect as sa_inspect

from coordinator import create_app
from coordinator.extensions import db

PG_URL = os.environ.get("TEST_DATABASE_URL")
BACKENDS = ["sqlite"] + (["postgresql"] if PG_URL else [])
TEST_PASSWORD = "correct horse battery"
FAST_ARGON2 = {"ARGON2_TIME_COST": 1, "ARGON2_MEMORY_COST": 8, "ARGON2_PARALLELISM": 1}


def pytest_report_header(config):
    return f"database backends: {', '.join(BACKENDS)}"


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory):
    """Build the schema once; each test copies the file (much faster than DDL)."""
    path = tmp_path_factory.mktemp("template") / "template.sqlite"
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}",
                      "SECRET_KEY": "test", "INSTANCE_PATH": str(path.parent), **FAST_ARGON2})
    with app.app_context():
        db.create_all()
        db.engine.dispose()
    return path


@pytest.fixture(scope="session")
def pg_schema_ready(tmp_path_factory):
    """Create the schema once on PostgreSQL; tests truncate between runs."""
    if not PG_URL:
        return None
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": PG_URL, "SECRET_KEY": "test",
                      "INSTANCE_PATH": str(tmp_path_factory.mktemp("pg")), **FAST_ARGON2})
    with app.app_context():
        db.drop_all()
        db.create_all()
        db.engine.dispose()
    return PG_URL


def _truncate_pg(url):
    engine = create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1)
                           if url.startswith("postgresql://") else url)
    tables = ", ".join(f'"{t.name}"' for t in db.metadata.sorted_tables)
    with engine.begin() as conn:
        conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    engine.dispose()


@pytest.fixture(params=BACKENDS)
def backend(request):
    return request.param


@pytest.fixture
def database_url(backend, tmp_path, request):
    if backend == "sqlite":
        path = tmp_path / "test.sqlite"
        shutil.copy(request.getfixturevalue("sqlite_template"), path)
        return f"sqlite:///{path}"
    url = request.getfixturevalue("pg_schema_ready")
    _truncate_pg(url)
    return url


@pytest.fixture
def app(database_url, tmp_path):
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": database_url,
                      "SECRET_KEY": "test-secret", "INSTANCE_PATH": str(tmp_path / "instance"),
                      **FAST_ARGON2})
    # No app context stays pushed: each request gets its own, as in production
    # (a shared one would share ``g`` and the db session between requests).
    yield app
    with app.app_context():
        db.engine.dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()




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


@pytest.fixture
def make(app):
    return Factory(app)


def csrf_token(client, path="/login") -> str:
    """Fetch a page and return the CSRF token of its forms (the session's token)."""
    html = client.get(path).get_data(as_text=True)
    match = re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', html)
    assert match, f"no CSRF token on {path}"
    return match.group(1)


def login(client, identifier, password=TEST_PASSWORD):
    """Log in through the real login form; returns the response."""
    token = csrf_token(client, "/login")
    return client.post("/login", data={"identifier": identifier, "password": password,
                                       "csrf_token": token})


def post(client, path, data=None, token_from=None, **kw):
    """POST a form with a valid CSRF token taken from ``token_from`` (default: ``path``)."""
    data = dict(data or {})
    data["csrf_token"] = csrf_token(client, token_from or path)
    return client.post(path, data=data, **kw)


@pytest.fixture
def org(make):
    """Two communities with a coordinator each, a leader, an admin and two volunteers."""
    c1, c2 = make.community(name="一连社区", code="C01"), make.community(name="二连社区",
                                                                       code="C02")
    v1 = make.person(c1, full_name="王秀英", address="一连 3 栋 2 单元", email="w@example.org")
    v2 = make.person(c2, full_name="李建国", address="二连 5 栋")
    coord1_person = make.person(c1, full_name="张书记")
    return {
        "c1": c1, "c2": c2, "v1": v1, "v2": v2,
        "admin": make.account("admin", "admin1"),
        "leader": make.account("leader", "leader1"),
        "coord1": make.account("coordinator", "coord1", person=coord1_person, communities=[c1]),
        "coord2": make.account("coordinator", "coord2", communities=[c2]),
        "vol1": make.account("volunteer", person=v1),
        "vol2": make.account("volunteer", person=v2),
    }


@pytest.fixture(params=["sqlite", "postgresql"])
def migrated(request, tmp_path):
    """An app on a fresh database built by ``flask db upgrade``; yields (app, cli)."""
    if request.param == "sqlite":
        url, drop = f"sqlite:///{tmp_path / 'migrated.sqlite'}", None
    else:
        if not PG_URL:
            pytest.skip("TEST_DATABASE_URL not set")
        name = f"coordinator_tot_{uuid.uuid4().hex[:8]}"
        admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        url = PG_URL.rsplit("/", 1)[0] + "/" + name

        def drop():
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
            admin.dispose()
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "x",
                      "INSTANCE_PATH": str(tmp_path), **FAST_ARGON2})
    cli = app.test_cli_runner()

    def run(*args):
        result = cli.invoke(args=["db", *args])
        assert result.exit_code == 0, result.output

    run("upgrade")
    try:
        with app.app_context():
            yield app, run
            db.session.remove()
            db.engine.dispose()
    finally:
        if drop:
            drop()
