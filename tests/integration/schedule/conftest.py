"""The world of the schedule tests: the scheduling world with every account able to log
in with the test password."""
from __future__ import annotations

import pytest

from coordinator.extensions import db
from coordinator.models import Account
from coordinator.services.people.accounts import hash_password
from tests.support.database import TEST_PASSWORD
from tests.support.scheduling import build_world


@pytest.fixture
def world(app):
    with app.app_context():
        world = build_world()
        for account_id in (world["coordinator"], world["admin"], *world["accounts"]):
            db.session.get(Account, account_id).password_hash = hash_password(TEST_PASSWORD)
        db.session.commit()
    return world
