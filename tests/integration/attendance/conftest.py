"""The world of the attendance tests (``tests.support.attendance``): a daily patrol whose
rolls are closed, open (yesterday, today under way) and not yet open (tomorrow)."""
from __future__ import annotations

import pytest

from tests.support.attendance import roll_world
from tests.support.database import BACKENDS, dispose_app, module_app


@pytest.fixture
def world(app):
    return roll_world(app)


@pytest.fixture(scope="module", params=BACKENDS)
def shared(request, tmp_path_factory):
    """One app and world for a whole module of tests that only read (or are refused):
    the world is built once per backend instead of once per test."""
    app = module_app(request, tmp_path_factory, "attendance")
    world = roll_world(app)
    yield app, world
    dispose_app(app)
