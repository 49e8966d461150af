"""The world of the attendance tests (``tests.support.attendance``): a daily patrol whose
rolls are closed, open (yesterday, today under way) and not yet open (tomorrow)."""
from __future__ import annotations

import pytest

from tests.support.attendance import roll_world


@pytest.fixture
def world(app):
    return roll_world(app)
