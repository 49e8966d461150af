"""Real-browser fixtures: Debian's chromium driven by Playwright (never a downloaded
browser), the real app served over HTTP on 127.0.0.1 on a fresh SQLite file, seeded
accounts, and logged-in browser pages per role."""
from __future__ import annotations

import shutil
import threading
import types

import pytest
from werkzeug.serving import WSGIRequestHandler, make_server

from coordinator import create_app
from coordinator.extensions import db
from tests.support.browser import ARTIFACTS, AXE, CHROMIUM_ARGS, log_in, new_page, require_chromium
from tests.support.database import FAST_ARGON2, TEST_PASSWORD, Factory
from tests.support.scheduling import NOW


@pytest.fixture(scope="module")
def browser():
    """One headless chromium per module."""
    executable = require_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=executable, headless=True,
                                     args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture(scope="module")
def axe_script():
    if not AXE.exists():
        pytest.fail(f"{AXE} is missing: run `make test` (or `npm ci --prefix tests/browser`) "
                    "to install the pinned axe-core.", pytrace=False)
    return str(AXE)


@pytest.fixture(scope="module")
def artifacts():
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS


class QuietHandler(WSGIRequestHandler):
    """No line per request (errors are still logged)."""

    def log_request(self, *args, **kwargs):
        pass


@pytest.fixture(scope="module")
def live_server(sqlite_template, tmp_path_factory):
    """The real app on a fresh SQLite file, served by werkzeug in a background thread.

    TESTING makes the session cookie non-Secure (see ``_finish_config``), so it comes
    back over plain http://127.0.0.1. CSRF protection stays on: the browser posts the
    real forms with their tokens.
    """
    base = tmp_path_factory.mktemp("browser")
    path = base / "browser.sqlite"
    shutil.copy(sqlite_template, path)
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}",
                      "SECRET_KEY": "browser-test-secret",
                      "INSTANCE_PATH": str(base / "instance"), "NOW": NOW, **FAST_ARGON2})
    assert app.config["WTF_CSRF_ENABLED"] is not False
    assert app.config["SESSION_COOKIE_SECURE"] is False, "cookies would not come back over http"

    make = Factory(app)
    community = make.community(name="东风社区", code="DF1")
    volunteer = make.person(community, full_name="王秀英", phone="13900139001")
    coordinator = make.person(community, full_name="张书记", phone="13900139002")
    accounts = {
        "coordinator": make.account("coordinator", "coord-df", person=coordinator,
                                    communities=[community]),
        "leader": make.account("leader", "leader-df"),
        "volunteer": make.account("volunteer", person=volunteer),
    }
    logins = {"coordinator": "coord-df", "leader": "leader-df",
              "volunteer": volunteer.phone}  # volunteers log in with their phone number

    server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=QuietHandler)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    try:
        yield types.SimpleNamespace(
            url=f"http://127.0.0.1:{server.server_port}", app=app, community=community,
            volunteer=volunteer, accounts=accounts, logins=logins, password=TEST_PASSWORD)
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()
        with app.app_context():
            db.engine.dispose()


@pytest.fixture(scope="module")
def pages(browser, live_server):
    """One logged-in page per role (and one anonymous), created on first use."""
    opened = {}

    def get(role):
        if role not in opened:
            page = new_page(browser, live_server)
            if role != "anonymous":
                log_in(page, live_server.logins[role], live_server.password)
            opened[role] = page
        return opened[role]

    yield get
    for page in opened.values():
        page.context.close()
