"""The world of the weekly-plan tests: the plan world (a daily patrol with a cancelled
date, a talk in the second community, a care visit), see ``tests.support.plan``."""
from __future__ import annotations

import pytest

from tests.support.plan import plan_world


@pytest.fixture
def world(app):
    return plan_world(app)
