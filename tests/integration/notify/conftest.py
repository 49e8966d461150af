"""The world of the message tests: a real SMTP sink, a real SMS gateway, a hand-moved
clock, an app wired to all three, and the scheduling world on it."""
from __future__ import annotations

import pytest

from coordinator import create_app
from coordinator.extensions import db
from coordinator.models import Account, Person
from tests.support.database import FAST_ARGON2
from tests.support.notify import Clock, make_app
from tests.support.scheduling import NOW, build_world


@pytest.fixture
def clock():
    return Clock(NOW)


@pytest.fixture
def napp(database_url, tmp_path, clock, sink, gateway):
    app = make_app(database_url, tmp_path, clock, sink, gateway)
    yield app
    with app.app_context():
        db.engine.dispose()


@pytest.fixture
def world(napp):
    """The scheduling world; member 0 reads English and has e-mail, the others only a
    phone (Chinese, the default)."""
    with napp.app_context():
        w = build_world()
        db.session.get(Person, w["people"][0]).email = "member0@example.org"
        db.session.get(Account, w["accounts"][0]).locale = "en"
        db.session.commit()
        db.session.remove()
    return w


@pytest.fixture
def happ(database_url, tmp_path, clock):
    """An app for the scheduler's jobs: the hand-moved clock, a 13-week horizon."""
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": database_url,
                      "SECRET_KEY": "test-secret", "INSTANCE_PATH": str(tmp_path / "inst"),
                      "NOW": clock, "HORIZON_WEEKS": 13, **FAST_ARGON2})
    yield app
    with app.app_context():
        db.engine.dispose()
