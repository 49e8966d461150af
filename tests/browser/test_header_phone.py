"""Issue #13 item 2 and the sideways half of item 9, on a 390x844 phone: the site header
stays small for every role (a folded menu that works without script, the role's
shortcuts beside it) and no page of any role's menu scrolls sideways, at every text size.

The demo township is loaded (nine communities, ~600 members, patrols, care visits, team
events with people on them), plus audit entries with long values and a failed message, so
the wide pages are wide for real."""
from __future__ import annotations

import shutil
import threading
import time
import types
from datetime import timedelta

import pytest
from werkzeug.serving import make_server

from coordinator import create_app
from coordinator.extensions import db
from tests.browser.conftest import QuietHandler
from tests.support.browser import (
    TEXT_SIZES,
    axe_violations,
    header_height,
    open_menu,
    phone_page,
    set_text_size,
    sideways_overflow,
)
from tests.support.database import FAST_ARGON2, TEST_PASSWORD
from tests.support.scheduling import NOW

LIMITS = {"standard": 120, "large": 150, "xlarge": 180}  # px of 844, closed menu
ROLES = ("anonymous", "volunteer", "coordinator", "leader", "admin")
LONG = ("东风社区第三网格夜间巡逻队（含老年活动中心、菜市场、幼儿园门口及沿河步道）"
        "临时调整为每周二、周四、周六19:00–21:00，请各位队员相互转告")


def _seed(app):
    """The demo township, then what only a running township has: audit and failures."""
    from coordinator.demo import loader
    from coordinator.models import Account, AuditEntry, Delivery
    from coordinator.services.people.accounts import hash_password

    with app.app_context():
        loader.seed_demo(db.session, now=NOW, password_hash=hash_password(TEST_PASSWORD),
                         horizon_weeks=3, timezone_name="Asia/Shanghai")
        admin = db.session.scalar(db.select(Account).where(Account.username == "admin"))
        volunteer = db.session.scalar(db.select(Account).where(Account.username == "volunteer"))
        for n in range(6):
            db.session.add(AuditEntry(
                at=NOW - timedelta(minutes=n), actor_id=admin.id, action="series.update",
                entity="series", entity_id=1,
                details={"title": {"old": LONG, "new": LONG + "。" * n},
                         "note": "https://example.org/" + "very-long-path-segment" * 6}))
        db.session.add(Delivery(
            account_id=volunteer.id, person_id=volunteer.person_id, kind="reminder",
            dedup_key="header-test-failed", channel="sms", status="failed", attempts=5,
            last_error="SMS gateway: 4085 " + "message rejected by the operator " * 4,
            payload={"title": LONG}, created_at=NOW - timedelta(hours=2)))
        db.session.commit()
        return {"volunteer": db.session.get(Account, volunteer.id).person.phone,
                "coordinator": "coordinator", "leader": "leader", "admin": "admin"}


@pytest.fixture(scope="module")
def live_server(sqlite_template, tmp_path_factory):
    """This module's own server: the demo township on a fresh SQLite file."""
    base = tmp_path_factory.mktemp("header")
    path = base / "header.sqlite"
    shutil.copy(sqlite_template, path)
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}",
                      "SECRET_KEY": "header-test-secret", "INSTANCE_PATH": str(base / "i"),
                      "NOW": NOW, **FAST_ARGON2})
    logins = _seed(app)
    server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=QuietHandler)
    thread = threading.Thread(target=server.serve_forever, name="header-server", daemon=True)
    thread.start()
    try:
        yield types.SimpleNamespace(url=f"http://127.0.0.1:{server.server_port}", app=app,
                                    logins=logins, password=TEST_PASSWORD)
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()
        with app.app_context():
            db.engine.dispose()


def _menu_links(page) -> list[str]:
    """Every page the header offers: the menu's links, read from the menu itself."""
    return page.eval_on_selector_all(
        "header.site a[href]", "els => [...new Set(els.map(a => a.getAttribute('href')))]")


def _measure(page, size, href, problems, heights):
    height = header_height(page)
    heights[size] = max(heights.get(size, 0), height)
    if height > LIMITS[size]:
        problems.append(f"{size} {href}: header {height:.0f} px > {LIMITS[size]}")
    wide = sideways_overflow(page)
    if wide:
        problems.append(f"{size} {href}: scrolls sideways: {wide}")


@pytest.mark.parametrize("role", ROLES)
def test_header_is_small_and_no_menu_page_scrolls_sideways(browser, live_server, artifacts,
                                                           axe_script, role):
    """Every page of the role's menu, at each text size (and axe-core on the home page
    with the menu closed and open). One goto per page: the text
    size is only the class of <html> (what the size buttons make the server write), so
    the page is measured at each size by setting that class; the home page is also
    opened at each size for real, through the buttons, and photographed."""
    login = None if role == "anonymous" else live_server.logins[role]
    problems, heights = [], {}
    started = time.perf_counter()
    page = phone_page(browser, live_server, login)
    try:
        for size in TEXT_SIZES:  # for real: the size buttons, the server's page, a photo
            set_text_size(page, size)
            _measure(page, size, page.url, problems, heights)
            page.screenshot(path=str(artifacts / f"header-{role}-{size}.png"))
        set_text_size(page, "standard")  # the account keeps it: leave it as found
        report = axe_violations(page, axe_script)
        assert not report, f"axe-core on the home page, menu closed, {role}:\n{report}"
        if role != "anonymous":
            open_menu(page)
            page.screenshot(path=str(artifacts / f"header-{role}-menu-open.png"))
            report = axe_violations(page, axe_script)
            assert not report, f"axe-core on the home page, menu open, {role}:\n{report}"
        links = [] if role == "anonymous" else _menu_links(page)
        assert role == "anonymous" or len(links) >= 6, links  # the menu really is there
        for href in links:
            response = page.goto(href)
            assert response.status == 200, f"{role} {href}: HTTP {response.status}"
            for size in TEXT_SIZES:
                page.evaluate("size => document.documentElement.className = 'text-' + size",
                              size)
                _measure(page, size, href, problems, heights)
        views = len(links) * len(TEXT_SIZES)
    finally:
        page.context.close()
    print(f"{role}: {views} menu page views in {time.perf_counter() - started:.1f}s; "
          "tallest header " + ", ".join(f"{s}={h:.0f}" for s, h in heights.items()))
    assert not problems, "\n".join(problems)


def test_menu_opens_and_navigates_without_javascript(browser, live_server, artifacts):
    for size in ("standard", "xlarge"):
        page = phone_page(browser, live_server, live_server.logins["coordinator"],
                          text_size=size, javascript=False)
        try:
            menu = page.locator("header.site details.menu")
            calendar = menu.locator("nav a[href='/calendar']")
            assert not calendar.is_visible()  # folded
            shortcuts = page.locator("header.site .quick a")
            assert [a.get_attribute("href") for a in shortcuts.all()] == ["/plan/gaps", "/plan"]
            assert all(a.is_visible() for a in shortcuts.all())
            menu.locator("summary").click()
            assert calendar.is_visible()
            # everything the header held is in the open menu: switches, name, log-out
            for control in ("button[name=text_size][value=xlarge]",
                            "button[name=locale][value=en]", "form[action='/logout'] button"):
                assert menu.locator(control).is_visible(), control
            assert "协调员" in menu.locator(".who").inner_text()
            page.screenshot(path=str(artifacts / f"header-menu-open-{size}.png"))
            with page.expect_navigation():
                calendar.click()
            assert page.url.endswith("/calendar")
            assert not page.locator("header.site details.menu nav a").first.is_visible()
        finally:
            page.context.close()


def test_desktop_shows_the_whole_menu(browser, live_server, artifacts):
    from tests.support.browser import log_in, new_page

    page = new_page(browser, live_server, width=1280, height=800)
    try:
        log_in(page, "coordinator", live_server.password)
        nav = page.locator("header.site nav a")
        assert nav.count() >= 10 and all(a.is_visible() for a in nav.all())
        assert page.locator("header.site form[action='/logout'] button").is_visible()
        assert page.locator("header.site button[name=text_size][value=large]").is_visible()
        assert not page.locator("header.site summary").is_visible()
        assert not page.locator("header.site .quick").is_visible()
        page.screenshot(path=str(artifacts / "header-coordinator-1280.png"))
    finally:
        page.context.close()
