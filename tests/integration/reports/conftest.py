"""The world of the report tests: one participation world per backend and module
(``tests.support.participation``), shared by the module's tests (they only add calls)."""
from __future__ import annotations

import pytest

from tests.support.database import BACKENDS, dispose_app, module_app
from tests.support.participation import build
from tests.support.scheduling import NOW


@pytest.fixture(scope="module", params=BACKENDS)
def report_world(request, sqlite_template, tmp_path_factory):
    """(app, world): the app on its own database, its clock at ``NOW``."""
    app = module_app(request, tmp_path_factory, "reports")
    world = build(app, NOW)
    yield app, world
    dispose_app(app)
