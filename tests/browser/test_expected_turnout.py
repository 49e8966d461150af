"""Issue #13 item 7 on a phone: a rehearsal on the weekly plan says how many are expected
(members minus those on leave) and how many confirmed, not "0 人参加"; so do the
occurrence page and the members' list of team events. At 390 px, at every text size,
without JavaScript: no sideways scroll, no serious axe-core finding."""
from __future__ import annotations

from datetime import timedelta

import pytest

from coordinator.extensions import db
from coordinator.models import Account, Person
from coordinator.services.people.accounts import hash_password
from tests.support.browser import (
    TEXT_SIZES,
    axe_violations,
    phone_page,
    set_text_size,
    shanghai_today,
    sideways_overflow,
)
from tests.support.turnout import ZH_LINE, add_choir

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def choir(live_server):
    """The choir of ten and its rehearsal from tomorrow; member 5 (no answer) can log in."""
    first = shanghai_today() + timedelta(days=1)
    with live_server.app.app_context():
        c = add_choir(live_server.community.id, live_server.accounts["coordinator"].id, first,
                      phone_prefix="1375555")
        member = db.session.get(Account, c["accounts"][5])
        member.password_hash = hash_password(live_server.password)
        c["member_login"] = db.session.get(Person, member.person_id).phone
        db.session.commit()
    c["first"] = first
    return c


def _pages(live_server, choir):
    return {
        "plan": (live_server.logins["leader"], f"/plan?date={choir['first']}"),
        "occurrence": (live_server.logins["coordinator"], f"/occurrences/{choir['occ'][0]}"),
        "team-events": (choir["member_login"], "/shifts/open"),
    }


def _check(page, name, choir, text_size):
    line = page.locator(".turnout").first
    assert line.is_visible(), f"{name}: no head-count"
    assert " ".join(line.inner_text().split()) == ZH_LINE, name
    if name == "plan":
        entry = page.locator(f"article[data-occurrence-id='{choir['occ'][0]}']")
        assert ZH_LINE in " ".join(entry.inner_text().split())
        assert "人参加" not in page.locator("main").inner_text()
    box = line.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 390 + 1, (name, text_size, box)
    assert sideways_overflow(page) == [], f"{name} at {text_size}"


def test_rehearsal_shows_its_expected_head_count_on_a_phone(browser, live_server, axe_script,
                                                            artifacts, choir):
    """Every page at every text size; axe on the plan at standard and 特大, on the other
    two pages (one line added to each) at 特大."""
    pages = _pages(live_server, choir)
    opened = {name: phone_page(browser, live_server, login) for name, (login, _p) in
              pages.items()}
    try:
        for text_size in TEXT_SIZES:
            for name, page in opened.items():
                set_text_size(page, text_size)
                page.goto(pages[name][1])
                _check(page, name, choir, text_size)
                page.locator(".turnout").first.scroll_into_view_if_needed()
                page.screenshot(path=str(artifacts / f"expected-{name}-390-{text_size}.png"),
                                full_page=name == "plan")
                if text_size == "xlarge" or (text_size == "standard" and name == "plan"):
                    report = axe_violations(page, axe_script)
                    assert report == "", f"{name} at {text_size}:\n{report}"
    finally:
        for page in opened.values():
            page.context.close()


def test_plan_without_javascript_shows_the_head_count(browser, live_server, choir):
    """A phone with scripts off reads the same plan (its filters are plain GET forms)."""
    page = phone_page(browser, live_server, live_server.logins["leader"], text_size="xlarge",
                      javascript=False)
    try:
        page.goto(_pages(live_server, choir)["plan"][1])
        _check(page, "plan", choir, "xlarge")
    finally:
        page.context.close()
