"""A team lead takes the roll of a 10-person patrol on a 390 px phone (issue 14): all
present with one tap, then one late with the time and one absent, at standard and 特大
text; nothing scrolls sideways, every control is at least 44 px high, axe-core finds
nothing serious. A volunteer types the check-in code and sees "已签到"."""
from __future__ import annotations

import pytest

from coordinator.database import begin_write
from coordinator.extensions import db
from coordinator.models import Account, Occurrence
from coordinator.services.attendance import checkin, settings_from
from coordinator.services.shifts import signups
from tests.support.attendance import CREATED, roll_world
from tests.support.browser import axe_violations, phone_page, sideways_overflow
from tests.support.scheduling import ZONE

pytestmark = pytest.mark.browser
# A radio button's tap target is its whole label (label.choice, checked here).
SMALL = """() => [...document.querySelectorAll(
    'main button, main label.choice, main summary,'
    + 'main input:not([type=hidden]):not([type=radio])')]
  .filter(e => e.offsetParent !== null)
  .map(e => [e.outerHTML.slice(0, 60), e.getBoundingClientRect().height])
  .filter(([, h]) => h < 44)"""


@pytest.fixture(scope="module")
def world(live_server):
    """The attendance world on the live server; yesterday's patrol gets ten people too,
    so that each text size marks a roll of its own."""
    app = live_server.app
    w = roll_world(app)
    with app.app_context():
        coordinator = db.session.get(Account, w["coordinator"])
        for pid in w["on_roll"][3:]:
            begin_write(db.session)
            signups.sign_up(db.session, coordinator, w["role"]["yesterday"], CREATED,
                            person_id=pid, zone=ZONE, override=True)
            db.session.commit()
    return w


@pytest.mark.parametrize("size,day", [("standard", "today"), ("xlarge", "yesterday")])
def test_a_lead_marks_a_ten_person_patrol_on_a_phone(browser, live_server, world, axe_script,
                                                    artifacts, size, day):
    page = phone_page(browser, live_server, world["logins"]["lead"], text_size=size)
    occurrence = world["occ"][day]
    try:
        page.goto(f"/attendance/{occurrence}")
        assert "未记录 10" in page.locator("#tally").inner_text()
        assert sideways_overflow(page) == []
        with page.expect_navigation():
            page.get_by_role("button", name="全部按时到").click()
        assert "已记为全部按时到：10人" in page.locator("main").inner_text()
        late, absent = world["people"][1], world["people"][2]
        page.locator(f"#line-{late} label.choice", has_text="迟到").click()
        page.fill(f"#arrival-{late}", "11:45")
        page.locator(f"#line-{absent} label.choice", has_text="缺席").click()
        assert page.locator(f"#line-{absent} .time-arrival").is_hidden()  # the script hid it
        page.screenshot(path=str(artifacts / f"roll-390-{size}-marking.png"), full_page=True)
        assert page.evaluate(SMALL) == []
        assert sideways_overflow(page) == []
        with page.expect_navigation():
            page.get_by_role("button", name="保存考勤").click()
        main = page.locator("main").inner_text()
        assert "已保存：2处更改" in main
        tally = page.locator("#tally").inner_text()
        assert "迟到 1" in tally and "缺席 1" in tally and "出席 8" in tally
        assert sideways_overflow(page) == []
        page.screenshot(path=str(artifacts / f"roll-390-{size}.png"), full_page=False)
        if size == "standard":
            page.locator("#checkin-code summary").click()
            page.screenshot(path=str(artifacts / "roll-390-code.png"), full_page=False)
            assert axe_violations(page, axe_script) == ""
    finally:
        page.context.close()


def test_a_volunteer_types_the_code_and_is_checked_in(browser, live_server, world, axe_script,
                                                      artifacts):
    app = live_server.app
    with app.app_context():
        begin_write(db.session)
        code = checkin.code_for(db.session, db.session.get(Occurrence, world["occ"]["today"]),
                                settings_from(app.config)).code
        db.session.commit()
    page = phone_page(browser, live_server, world["logins"]["volunteer"])
    try:
        page.goto("/checkin")
        page.fill("#code", code)
        assert axe_violations(page, axe_script) == ""
        with page.expect_navigation():
            page.locator("main form button[type=submit]").click()
        result = page.locator(".checkin-result").inner_text()
        assert "已签到" in result
        assert sideways_overflow(page) == []
        page.screenshot(path=str(artifacts / "roll-390-checkin.png"), full_page=False)
        assert axe_violations(page, axe_script) == ""
    finally:
        page.context.close()
