"""Assigning on a 390 px phone (issue #13, items 1 and 6): after each assignment the
person is back at the card they acted on, and the card's live region says what happened;
an override asks first and names the rule; the coordinator's home starts with the next
gaps and their buttons. With and without JavaScript, at standard and 特大 text."""
from __future__ import annotations

from datetime import time, timedelta

import pytest

from coordinator.database import begin_write
from coordinator.extensions import db
from coordinator.models import Account, Person
from coordinator.services.schedule.series import RoleInput, SeriesInput, create_series
from coordinator.services.shifts import signups
from tests.support.browser import (
    PHONE,
    TEXT_SIZES,
    axe_violations,
    header_height,
    phone_page,
    set_text_size,
    shanghai_today,
    sideways_overflow,
)
from tests.support.database import Factory
from tests.support.scheduling import NOW

pytestmark = pytest.mark.browser
BUTTON = "仍然安排（超过每周2次）"
# The header the phone should have (issue #13 item 2, another change): the fold is
# measured below it, so this test holds before and after the header gets short.
HEADER_BUDGET = {"standard": 120, "large": 150, "xlarge": 180}


@pytest.fixture(scope="module")
def phones(browser, live_server):
    """The coordinator's phone, logged in once with scripts on and once with them off
    (the text size is the account's: each test sets its own)."""
    opened = {}

    def get(javascript: bool, size: str):
        if javascript not in opened:
            opened[javascript] = phone_page(browser, live_server,
                                            live_server.logins["coordinator"],
                                            javascript=javascript)
        page = opened[javascript]
        page.goto("/")
        set_text_size(page, size)
        return page

    yield get
    for page in opened.values():
        page.context.close()


@pytest.fixture(scope="module")
def world(live_server):
    """A daily patrol for a week from tomorrow (Friday), two roles a night; 王秀英 allows
    herself two shifts a week and has Friday's and Saturday's already."""
    app = live_server.app
    make = Factory(app)
    for name, phone in (("李桂芳", "13900139101"), ("赵建华", "13900139102"),
                        ("刘明", "13900139103")):
        make.person(live_server.community, full_name=name, phone=phone)
    first = shanghai_today() + timedelta(days=1)
    with app.app_context():
        actor = db.session.get(Account, live_server.accounts["coordinator"].id)
        begin_write(db.session)
        series = create_series(db.session, actor, SeriesInput(
            kind="patrol", title="西区夜间巡逻", community_id=live_server.community.id,
            start_date=first, start_time=time(19, 0), duration_minutes=120,
            rrule="FREQ=DAILY", until=first + timedelta(days=6),
            roles=(RoleInput("组长", 1, 1, None), RoleInput("巡逻队员", 3, 3, None))), NOW,
            zone="Asia/Shanghai", horizon_end=NOW + timedelta(weeks=4))
        db.session.commit()
        nights = [(o.id, [r.id for r in sorted(o.roles, key=lambda r: r.id)])
                  for o in sorted(series.occurrences, key=lambda o: o.start_at)]
        volunteer = db.session.get(Person, live_server.volunteer.id)
        volunteer.max_shifts_per_week = 2
        db.session.commit()
        for _occurrence, (_lead, member) in nights[:2]:
            begin_write(db.session)
            signups.sign_up(db.session, actor, member, NOW, person_id=volunteer.id,
                            zone="Asia/Shanghai")
            db.session.commit()
    return nights


def in_view(page, selector: str) -> dict:
    """The element's box on the screen after load."""
    return page.evaluate("""(s) => { const r = document.querySelector(s)
        .getBoundingClientRect(); return {top: r.top, bottom: r.bottom}; }""", selector)


def assert_in_view(page, selector: str):
    box = in_view(page, selector)
    assert -1 <= box["top"] < PHONE["height"], (selector, box)


def axe_on(page, browser, live_server, axe_script, javascript=False) -> str:
    """axe-core on the page as it stands; a page without JavaScript is checked as a copy
    of its exact HTML, served under its own URL to a phone page with scripts on."""
    if javascript:
        return axe_violations(page, axe_script)
    html, url = page.content(), page.url.split("#")[0]
    context = browser.new_context(base_url=live_server.url, bypass_csp=True, viewport=PHONE,
                                  device_scale_factor=2, is_mobile=True, locale="zh-CN")
    copy = context.new_page()
    copy.route(url, lambda route: route.fulfill(body=html, content_type="text/html"))
    copy.goto(url)
    found = axe_violations(copy, axe_script)
    context.close()
    return found


def shoot(page, artifacts, name: str, size: str):
    """The screen as the person sees it now (a result is shown once: each size is its own
    run of the flow)."""
    page.screenshot(path=str(artifacts / f"assign-{name}-{size}.png"), full_page=False)


@pytest.mark.parametrize("size,javascript,night", [
    ("standard", False, 3), ("xlarge", False, 4), ("standard", True, 5)])
def test_assigning_on_the_occurrence_page_comes_back_to_the_card(
        browser, live_server, world, phones, axe_script, artifacts, size, javascript, night):
    occurrence, (_lead, member) = world[night]
    page = phones(javascript, size)
    page.goto(f"/occurrences/{occurrence}")
    card = f"#role-{member}"
    with page.expect_navigation():
        page.locator(f"{card} ul.suggested form button[type=submit]").first.click()
    page.wait_for_load_state()
    assert page.url.endswith(f"#role-{member}")
    assert_in_view(page, card)
    assert_in_view(page, f"{card}-status")
    assert "已安排" in page.locator(f"{card}-status").inner_text()
    assert page.locator(f"{card}-status").get_attribute("role") == "status"
    assert sideways_overflow(page) == []
    if javascript:  # the same page; with scripts on, focus is on the card's result
        page.wait_for_function(f"document.activeElement.id === 'role-{member}-status'")
        assert axe_violations(page, axe_script) == ""
    else:
        shoot(page, artifacts, "occurrence-assigned", size)


@pytest.mark.parametrize("size", TEXT_SIZES)
def test_an_override_asks_first_and_names_the_rule(browser, live_server, world, phones,
                                                   axe_script, artifacts, size):
    occurrence, (_lead, member) = world[2]  # Sunday, the same week as her two shifts
    page = phones(False, size)
    page.goto(f"/occurrences/{occurrence}")
    card = f"#role-{member}"
    row = page.locator(f"{card} ul.suggested li", has_text="王秀英")
    assert "安排后王秀英本周将排3次，超过本人设定的每周2次。" in row.inner_text()
    with page.expect_navigation():
        row.locator("button").click()
    assert_in_view(page, card)
    status = page.locator(f"{card}-status").inner_text()
    assert "请先确认" in status and "超过本人设定的每周2次" in status
    confirm = page.locator(f"{card} button.confirm-yes")
    assert confirm.inner_text().strip() == BUTTON
    assert_in_view(page, f"{card} button.confirm-yes")
    shoot(page, artifacts, "override-confirm", size)
    if size != "xlarge":
        if size == "standard":
            assert axe_on(page, browser, live_server, axe_script) == ""
        page.locator(f"{card} a", has_text="不安排").click()  # the way back, nothing written
        page.wait_for_load_state()
        assert page.url.endswith(f"#role-{member}") and "王秀英 — " not in page.locator(
            card).inner_text()
        return
    with page.expect_navigation():
        confirm.click()
    assert_in_view(page, f"{card}-status")
    said = page.locator(f"{card}-status").inner_text()
    assert "已安排王秀英（经您确认：超过每周2次）" in said, said
    shoot(page, artifacts, "override-done", size)


@pytest.mark.parametrize("size,javascript,night", [("standard", True, 6), ("xlarge", False, 5)])
def test_gap_list_assign_stays_at_the_card_and_says_so_there(
        browser, live_server, world, phones, axe_script, artifacts, size, javascript, night):
    page = phones(javascript, size)
    page.goto("/plan/gaps")
    _occurrence, (lead, member) = world[night]
    card = f"#gap-{lead if javascript else member}"
    if javascript:
        page.evaluate("window.__stillHere = true")
        page.locator(f"{card} form.js-inplace button").first.click()
        page.wait_for_function(
            f"document.querySelector('{card}-status').innerText.includes('已安排')")
        assert page.evaluate("window.__stillHere") is True  # no page load
        assert "此空缺已补齐" in page.locator(card).inner_text()  # its one place is filled
        assert axe_violations(page, axe_script) == ""
    else:
        with page.expect_navigation():
            page.locator(f"{card} form.js-inplace button").first.click()
        assert page.url.endswith(f"/plan/gaps#gap-{member}")
        assert "已安排" in page.locator(f"{card}-status").inner_text()
    assert_in_view(page, card)
    assert_in_view(page, f"{card}-status")
    shoot(page, artifacts, "gaps-assigned", size)


@pytest.mark.parametrize("size", ["standard", "xlarge"])
def test_coordinator_home_starts_with_a_gap_and_its_assign_button(browser, live_server, world,
                                                                  phones, axe_script,
                                                                  artifacts, size):
    page = phones(False, size)
    page.goto("/")
    shoot(page, artifacts, "home", size)
    button = page.locator("main .home-gaps li.gap-item").first.locator("form button").first
    assert button.inner_text().startswith("安排")
    box = button.bounding_box()
    below_header = box["y"] + box["height"] - header_height(page)
    assert below_header <= PHONE["height"] - HEADER_BUDGET[size], box  # above the fold
    assert sideways_overflow(page) == []
    if size == "standard":
        assert axe_on(page, browser, live_server, axe_script) == ""


def test_screens_at_large_text(browser, live_server, world, phones, artifacts):
    """The same flows at 大 (large), for the screenshots at every size."""
    page = phones(False, "large")
    occurrence, (_lead, member) = world[1]
    page.goto(f"/occurrences/{occurrence}")
    with page.expect_navigation():
        page.locator(f"#role-{member} ul.suggested form button").first.click()
    assert_in_view(page, f"#role-{member}-status")
    shoot(page, artifacts, "occurrence-assigned", "large")
    page.goto("/plan/gaps")
    _occurrence, (_lead, member) = world[4]
    with page.expect_navigation():
        page.locator(f"#gap-{member} form.js-inplace button").first.click()
    assert_in_view(page, f"#gap-{member}-status")
    shoot(page, artifacts, "gaps-assigned", "large")
    page.goto("/")
    shoot(page, artifacts, "home", "large")
