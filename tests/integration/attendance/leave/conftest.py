"""The world of leave, corrections, the sign-in sheet and last week's outcome
(``tests.support.leave_pages``): a patrol and a rehearsal with their people."""
from __future__ import annotations

import pytest

from tests.support.leave_pages import leave_world


@pytest.fixture
def world(app):
    return leave_world(app)
