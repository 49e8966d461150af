"""The world of the report tests: one participation world per backend and module
(``tests.support.participation``), shared by the module's tests (they only add calls)."""
from __future__ import annotations

import shutil

import pytest

from coordinator import create_app
from coordinator.extensions import db
from tests.support.database import BACKENDS, FAST_ARGON2, truncate_pg
from tests.support.participation import build
from tests.support.scheduling import NOW


@pytest.fixture(scope="module", params=BACKENDS)
def report_world(request, sqlite_template, tmp_path_factory):
    """(app, world): the app on its own database, its clock at ``NOW``."""
    base = tmp_path_factory.mktemp("reports")
    if request.param == "sqlite":
        path = base / "reports.sqlite"
        shutil.copy(sqlite_template, path)
        url = f"sqlite:///{path}"
    else:
        url = request.getfixturevalue("pg_schema_ready")
        truncate_pg(url)
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": url,
                      "SECRET_KEY": "test-secret", "INSTANCE_PATH": str(base / "instance"),
                      "NOW": NOW, **FAST_ARGON2})
    world = build(app, NOW)
    yield app, world
    with app.app_context():
        db.engine.dispose()
