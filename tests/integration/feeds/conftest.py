"""The world of the feed tests (each app has its own feed caches, so every test starts
with empty ones): the patrol world (the scheduling world plus a daily patrol in the
room) and an app in a zone with daylight-saving time."""
from __future__ import annotations

import pytest

from coordinator import create_app
from coordinator.extensions import db
from tests.support.database import FAST_ARGON2
from tests.support.feeds import patrol_world


@pytest.fixture
def world(app):
    return patrol_world(app)


@pytest.fixture
def berlin(database_url, tmp_path, now):
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": database_url,
                      "SECRET_KEY": "test-secret", "INSTANCE_PATH": str(tmp_path / "berlin"),
                      "TIMEZONE": "Europe/Berlin", "BABEL_DEFAULT_TIMEZONE": "Europe/Berlin",
                      "FEED_FUTURE_DAYS": 400, "NOW": now, **FAST_ARGON2})
    yield app
    with app.app_context():
        db.engine.dispose()
