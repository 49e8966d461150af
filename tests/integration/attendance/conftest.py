"""The attendance pages' world (see tests/support/leave_pages.py). The roll page is
another part's endpoint; until it is registered, a stand-in answers its URL so that
pages linking to it can be built."""
from __future__ import annotations

import pytest

from tests.support.leave_pages import leave_world


@pytest.fixture
def app(app):
    if "attendance.roll" not in app.view_functions:
        app.add_url_rule("/attendance/<int:occurrence_id>", endpoint="attendance.roll",
                         view_func=lambda occurrence_id: "roll")
    return app


@pytest.fixture
def world(app):
    return leave_world(app)
