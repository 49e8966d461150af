"""Fixtures: an app on a fresh database per test, on SQLite and (when configured)
PostgreSQL, its clock pinned at ``NOW``; clients; small factories. The helpers they use
live in ``tests/support`` (tests import them from there, never from a conftest)."""
from __future__ import annotations

import shutil
import uuid

import pytest
from sqlalchemy import create_engine, text

from coordinator import create_app
from coordinator.extensions import db
from tests.support.database import BACKENDS, FAST_ARGON2, PG_URL, Factory, truncate_pg
from tests.support.scheduling import NOW


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
    truncate_pg(url)
    return url


@pytest.fixture
def now():
    """The instant the ``app`` fixture's clock shows; override this fixture in a module or
    a folder's conftest to move it (or set ``app.config["NOW"]`` inside a test)."""
    return NOW


@pytest.fixture
def app(database_url, tmp_path, now):
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": database_url,
                      "SECRET_KEY": "test-secret", "INSTANCE_PATH": str(tmp_path / "instance"),
                      "NOW": now, **FAST_ARGON2})
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


@pytest.fixture
def make(app):
    return Factory(app)


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
