"""The world of the attendance tests (``tests.support.attendance``): a daily patrol whose
rolls are closed, open (yesterday, today under way) and not yet open (tomorrow)."""
from __future__ import annotations

import shutil

import pytest

from coordinator import create_app
from coordinator.extensions import db
from tests.support.attendance import roll_world
from tests.support.database import BACKENDS, FAST_ARGON2, truncate_pg
from tests.support.scheduling import NOW


@pytest.fixture
def world(app):
    return roll_world(app)


@pytest.fixture(scope="module", params=BACKENDS)
def shared(request, tmp_path_factory):
    """One app and world for a whole module of tests that only read (or are refused):
    the world is built once per backend instead of once per test."""
    base = tmp_path_factory.mktemp("attendance")
    if request.param == "sqlite":
        path = base / "attendance.sqlite"
        shutil.copy(request.getfixturevalue("sqlite_template"), path)
        url = f"sqlite:///{path}"
    else:
        url = request.getfixturevalue("pg_schema_ready")
        truncate_pg(url)
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": url,
                      "SECRET_KEY": "test-secret", "INSTANCE_PATH": str(base / "instance"),
                      "NOW": NOW, **FAST_ARGON2})
    world = roll_world(app)
    yield app, world
    with app.app_context():
        db.engine.dispose()
