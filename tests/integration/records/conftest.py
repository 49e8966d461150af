"""The records world, built once per module and backend (the tests only read it, or
write rows they clean up themselves)."""
from __future__ import annotations

import shutil

import pytest

from coordinator import create_app
from coordinator.extensions import db
from tests.support.database import BACKENDS, FAST_ARGON2, truncate_pg
from tests.support.records import records_world
from tests.support.scheduling import NOW


@pytest.fixture(scope="module", params=BACKENDS)
def world_app(request, tmp_path_factory):
    """(app, world) on a database of its own for the module."""
    tmp = tmp_path_factory.mktemp("records")
    if request.param == "sqlite":
        path = tmp / "records.sqlite"
        shutil.copy(request.getfixturevalue("sqlite_template"), path)
        url = f"sqlite:///{path}"
    else:
        url = request.getfixturevalue("pg_schema_ready")
        truncate_pg(url)
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": url,
                      "SECRET_KEY": "test-secret", "INSTANCE_PATH": str(tmp / "instance"),
                      "NOW": NOW, "ORGANISATION_NAME": "MK测试志愿服务队", **FAST_ARGON2})
    world = records_world(app)
    yield app, world
    with app.app_context():
        db.engine.dispose()
