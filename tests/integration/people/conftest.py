"""The world of the people tests: the plan world, whose second community's coordinator
also sits on the township committee."""
from __future__ import annotations

import pytest

from tests.support.people import also_leader
from tests.support.plan import plan_world


@pytest.fixture
def world(app):
    w = plan_world(app)
    also_leader(app, w["coord2"])  # coordinates community 2, reads all
    return w
