"""The world of the shift tests: the scheduling world (a community with a patrol team,
people with accounts, a coordinator, a room), built inside an app context that stays
pushed for the test (service-level tests call services directly)."""
from __future__ import annotations

import pytest

from tests.support.scheduling import build_world


@pytest.fixture
def world(app):
    with app.app_context():
        yield build_world()
