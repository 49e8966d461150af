"""Issue #13 items 5 and 10 on a 390 px phone, scripts off (these are forms).

A volunteer logs in typing the phone number in full-width digits (what a Chinese IME in
full-width mode gives); the login page's demo box shows the demo volunteer's phone. On
"My shifts" a confirmed shift past the withdrawal cut-off shows the coordinator's name and
a tel: link instead of the withdraw button; one still before it keeps the button. At
standard and 特大 sizes: no sideways scroll, axe-core clean; screenshots at all three."""
from __future__ import annotations

from datetime import timedelta

import pytest

from coordinator.database import begin_write
from coordinator.extensions import db
from coordinator.models import Account, AppSetting
from coordinator.services.schedule.series import RoleInput, SeriesInput, create_series
from coordinator.services.shifts.signups import sign_up
from tests.support.browser import (
    TEXT_SIZES,
    ZONE,
    axe_violations,
    log_in,
    phone_page,
    set_text_size,
    sideways_overflow,
)
from tests.support.scheduling import NOW

pytestmark = pytest.mark.browser

FULL = str.maketrans("0123456789", "０１２３４５６７８９")
LATE, EARLY = "就要开始的巡逻", "后天的报告会"


@pytest.fixture(scope="module")
def late_world(live_server):
    """The volunteer on a patrol starting in three hours (past its 12-hour cut-off) and on
    a talk the day after tomorrow; demo data marked loaded, so the login page shows its
    demo box with the volunteer's phone."""
    app = live_server.app
    soon = (NOW + timedelta(hours=3)).astimezone(ZONE).replace(second=0, microsecond=0)
    later = (NOW + timedelta(days=2)).astimezone(ZONE).replace(hour=9, minute=0, second=0,
                                                              microsecond=0)
    with app.app_context():
        coordinator = db.session.get(Account, live_server.accounts["coordinator"].id)
        volunteer = db.session.get(Account, live_server.accounts["volunteer"].id)
        begin_write(db.session)
        volunteer.username = "volunteer"  # the demo volunteer, as seed-demo names it
        db.session.merge(AppSetting(key="demo_loaded", value="1"))
        for title, kind, at in ((LATE, "patrol", soon), (EARLY, "talk", later)):
            series = create_series(db.session, coordinator, SeriesInput(
                kind=kind, title=title, community_id=live_server.community.id,
                start_date=at.date(), start_time=at.time(), duration_minutes=60, rrule=None,
                until=None, withdraw_cutoff_hours=12, roles=(RoleInput("队员", 2, 3, None),)),
                NOW, zone="Asia/Shanghai", horizon_end=NOW + timedelta(weeks=2))
            db.session.flush()
            sign_up(db.session, volunteer, series.occurrences[0].roles[0].id, NOW,
                    zone="Asia/Shanghai")
        db.session.commit()
    return {"coordinator_phone": "13900139002"}


def _card(page, title):
    return page.locator("ul.slots li.slot", has=page.locator(".title", has_text=title))


@pytest.mark.parametrize("size", ["standard", "xlarge"])
def test_full_width_login_and_the_coordinators_phone_past_the_cutoff(
        browser, live_server, late_world, axe_script, artifacts, size):
    page = phone_page(browser, live_server, None, text_size=size, javascript=False)
    try:
        demo = page.locator("section.demo")
        assert live_server.volunteer.phone in demo.inner_text()
        assert sideways_overflow(page) == []
        assert axe_violations(page, axe_script) == ""
        page.screenshot(path=str(artifacts / f"newcomer-login-390-{size}.png"), full_page=True)

        typed = live_server.volunteer.phone.translate(FULL)  # １３９００１３９００１
        log_in(page, typed, live_server.password)
        page.goto("/shifts/mine")
        late = _card(page, LATE)
        phone = late_world["coordinator_phone"]
        link = late.locator("a[href^='tel:']")
        assert link.count() == 1 and link.get_attribute("href") == f"tel:{phone}"
        assert phone in link.inner_text() and link.is_visible()
        assert "张书记" in late.inner_text()
        assert late.get_by_role("button", name="取消报名").count() == 0
        early = _card(page, EARLY)
        assert early.get_by_role("button", name="取消报名").is_visible()
        assert early.locator("a[href^='tel:']").count() == 0
        assert sideways_overflow(page) == []
        assert axe_violations(page, axe_script) == ""
        page.screenshot(path=str(artifacts / f"newcomer-shifts-mine-390-{size}.png"),
                        full_page=True)
    finally:
        page.context.close()


def test_screenshots_at_the_large_size(browser, live_server, late_world, artifacts):
    """大 too, for a person to look at (the assertions run at standard and 特大)."""
    assert "large" in TEXT_SIZES
    page = phone_page(browser, live_server, live_server.logins["volunteer"],
                      text_size="large", javascript=False)
    try:
        page.goto("/shifts/mine")
        assert sideways_overflow(page) == []
        page.screenshot(path=str(artifacts / "newcomer-shifts-mine-390-large.png"),
                        full_page=True)
        page.context.clear_cookies()
        page.goto("/login")
        set_text_size(page, "large")
        assert sideways_overflow(page) == []
        page.screenshot(path=str(artifacts / "newcomer-login-390-large.png"), full_page=True)
    finally:
        page.context.close()
