"""Issue #13 item 8 on a 390 px phone: settings and labels that match what happens.

A channel with no address is shown unticked and cannot be ticked; each sign-up button is
described by a line saying what it does (fills a gap / adds an extra person / joins the
waitlist); a cancelled date says 已取消 without striking the word out; the menu and pages
use one word for a shift (班次) and for withdrawing (取消报名). At standard and 特大 sizes,
scripts off (these are forms), axe-core clean."""
from __future__ import annotations

from datetime import time, timedelta

import pytest

from coordinator.database import begin_write
from coordinator.extensions import db
from coordinator.models import Account
from coordinator.services.schedule.changes import cancel_occurrence
from coordinator.services.schedule.series import RoleInput, SeriesInput, create_series
from coordinator.services.shifts.signups import sign_up
from tests.support.browser import axe_violations, phone_page, shanghai_today, sideways_overflow
from tests.support.database import Factory
from tests.support.scheduling import NOW

pytestmark = pytest.mark.browser

TITLES = {"short": "缺人的报告会", "enough": "人够的报告会", "full": "已满的报告会"}


@pytest.fixture(scope="module")
def labels_world(live_server):
    """Three talks tomorrow (one short of people, one with enough, one full), filled by two
    other members; a fourth talk cancelled because of the wind."""
    app = live_server.app
    make = Factory(app)
    helpers = [make.person(live_server.community, full_name=name, phone=phone)
               for name, phone in (("李桂芳", "13900139201"), ("赵建华", "13900139202"))]
    accounts = [make.account("volunteer", person=p) for p in helpers]
    day = shanghai_today() + timedelta(days=1)
    with app.app_context():
        actor = db.session.get(Account, live_server.accounts["coordinator"].id)
        begin_write(db.session)
        made = {}
        for hour, (state, title) in zip((9, 11, 14, 16), [*TITLES.items(), ("gone", "大风停课")]):
            maximum = 2 if state == "full" else 3
            series = create_series(db.session, actor, SeriesInput(
                kind="talk", title=title, community_id=live_server.community.id,
                start_date=day, start_time=time(hour, 0), duration_minutes=60, rrule=None,
                until=None, roles=(RoleInput("讲解员", 2, maximum, None),)), NOW,
                zone="Asia/Shanghai", horizon_end=NOW + timedelta(weeks=2))
            db.session.flush()
            made[state] = series.occurrences[0]
        for state in ("enough", "full"):
            for account in accounts:
                sign_up(db.session, db.session.get(Account, account.id),
                        made[state].roles[0].id, NOW, zone="Asia/Shanghai")
        cancel_occurrence(db.session, actor, made["gone"].id, "大风", NOW)
        db.session.commit()
        return {"cancelled": made["gone"].id}


@pytest.mark.parametrize("size", ["standard", "xlarge"])
def test_labels_match_what_happens_on_a_phone(browser, live_server, labels_world, axe_script,
                                              artifacts, size):
    page = phone_page(browser, live_server, live_server.logins["volunteer"], text_size=size,
                      javascript=False)
    try:
        # 王秀英 has no e-mail address: the e-mail box is unticked and cannot be ticked.
        page.goto("/account/notifications")
        email = page.locator("input[name=email]")
        assert not email.is_checked() and email.is_disabled()
        hint = page.locator(f"#{email.get_attribute('aria-describedby')}")
        assert "不会发电子邮件" in hint.inner_text() and hint.is_visible()
        assert page.locator("input[name=sms]").is_enabled()
        assert sideways_overflow(page) == []
        assert axe_violations(page, axe_script) == ""
        page.screenshot(path=str(artifacts / f"labels-notifications-390-{size}.png"),
                        full_page=True)

        page.goto("/shifts/open")
        said = {}
        for state, title in TITLES.items():
            entry = page.locator("main li.slot").filter(has_text=title)
            assert entry.count() == 1, page.locator("main").inner_text()
            button = entry.locator("button[type=submit]")
            described = " ".join(page.locator(f"#{i}").inner_text()
                                 for i in button.get_attribute("aria-describedby").split())
            said[state] = (button.inner_text().strip(), described)
        assert said["short"][0] == "报名" and "还差2人" in said["short"][1]
        assert said["enough"][0] == "报名" and "人数已够，还可以多报1人" in said["enough"][1]
        assert said["full"][0] == "报名候补" and "排进候补名单" in said["full"][1]
        assert sideways_overflow(page) == []
        assert axe_violations(page, axe_script) == ""
        page.screenshot(path=str(artifacts / f"labels-open-shifts-390-{size}.png"),
                        full_page=True)
        text = page.locator("body").inner_text()
        assert "值班" not in text and "时间安排" not in text
    finally:
        page.context.close()

    page = phone_page(browser, live_server, live_server.logins["coordinator"], text_size=size,
                      javascript=False)
    try:
        page.goto(f"/occurrences/{labels_world['cancelled']}")
        banner = page.locator("main .flash-error")
        assert banner.inner_text().strip() == "已取消: 大风"
        struck = banner.evaluate("""el => [...el.querySelectorAll('*')].concat([el]).some(
            e => getComputedStyle(e).textDecorationLine.includes('line-through'))""")
        assert not struck, "the word 已取消 is struck through"
        assert sideways_overflow(page) == []
        page.screenshot(path=str(artifacts / f"labels-cancelled-390-{size}.png"),
                        full_page=True)
    finally:
        page.context.close()
