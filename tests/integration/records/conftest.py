"""The records world, built once per module and backend (the tests only read it, or
write rows they clean up themselves)."""
from __future__ import annotations

import pytest

from tests.support.database import BACKENDS, dispose_app, module_app
from tests.support.records import records_world


@pytest.fixture(scope="module", params=BACKENDS)
def world_app(request, tmp_path_factory):
    """(app, world) on a database of its own for the module."""
    app = module_app(request, tmp_path_factory, "records", ORGANISATION_NAME="MK测试志愿服务队")
    world = records_world(app)
    yield app, world
    dispose_app(app)
