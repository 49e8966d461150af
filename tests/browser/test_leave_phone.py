"""Leave (请假) on a 390 px phone with scripts off: a volunteer opens My shifts, taps
"请假" beside a shift, picks a reason from the large radio buttons and sends; the shift
leaves the coming list and shows under "已请假". At standard and 特大 text, no sideways
scroll, axe-core finds nothing serious on My shifts and on the form."""
from __future__ import annotations

from datetime import time, timedelta

import pytest

from coordinator.database import begin_write
from coordinator.extensions import db
from coordinator.models import Account, Occurrence, OccurrenceRole
from coordinator.services.schedule.series import RoleInput, SeriesInput, create_series
from coordinator.services.shifts import signups
from tests.support.browser import axe_violations, phone_page, shanghai_today, sideways_overflow
from tests.support.scheduling import NOW

pytestmark = pytest.mark.browser
TITLES = {"standard": "东区晚间巡逻（请假测试）", "xlarge": "西区晚间巡逻（请假测试）"}


@pytest.fixture(scope="module")
def shifts(live_server):
    """One patrol per text size, two and three days ahead, with 王秀英 on it."""
    app = live_server.app
    out = {}
    with app.app_context():
        actor = db.session.get(Account, live_server.accounts["coordinator"].id)
        for days, (size, title) in enumerate(TITLES.items(), start=2):
            begin_write(db.session)
            series = create_series(db.session, actor, SeriesInput(
                kind="patrol", title=title, community_id=live_server.community.id,
                start_date=shanghai_today() + timedelta(days=days), start_time=time(19, 0),
                duration_minutes=120, rrule=None, until=None,
                roles=(RoleInput("巡逻队员", 2, 2, None),)), NOW, zone="Asia/Shanghai",
                horizon_end=NOW + timedelta(weeks=4))
            db.session.commit()
            role = db.session.scalar(db.select(OccurrenceRole.id).join(Occurrence).where(
                Occurrence.series_id == series.id))
            begin_write(db.session)
            signups.sign_up(db.session, actor, role, NOW, person_id=live_server.volunteer.id,
                            zone="Asia/Shanghai")
            db.session.commit()
            out[size] = db.session.get(OccurrenceRole, role).occurrence_id
    return out


@pytest.mark.parametrize("size", ["standard", "xlarge"])
def test_volunteer_asks_leave_on_a_phone(browser, live_server, shifts, axe_script,
                                         artifacts, size):
    page = phone_page(browser, live_server, live_server.logins["volunteer"],
                      text_size=size, javascript=False)
    try:
        page.goto("/shifts/mine")
        coming = page.locator("section[aria-labelledby=coming-h]")
        assert TITLES[size] in coming.inner_text()
        assert sideways_overflow(page) == []
        assert axe_violations(page, axe_script) == ""
        page.screenshot(path=str(artifacts / f"leave-390-mine-{size}.png"), full_page=True)
        link = page.locator(f"a[href='/attendance/{shifts[size]}/leave']")
        with page.expect_navigation():
            link.click()
        assert page.locator("label.big-choice").count() == 4
        assert sideways_overflow(page) == []
        assert axe_violations(page, axe_script) == ""
        # Sending without a reason says so on the form.
        with page.expect_navigation():
            page.locator("form.leave-form button[type=submit]").click()
        assert "请选择不能来的原因" in page.locator("main").inner_text()
        page.locator("label.big-choice", has_text="生病").click()
        page.screenshot(path=str(artifacts / f"leave-390-form-{size}.png"), full_page=True)
        with page.expect_navigation():
            page.locator("form.leave-form button[type=submit]").click()
        assert page.url.split("#")[0].endswith("/shifts/mine")
        assert TITLES[size] not in page.locator(
            "section[aria-labelledby=coming-h]").inner_text()
        leaves = page.locator("section[aria-labelledby=leaves-h]").inner_text()
        assert TITLES[size] in leaves and "生病" in leaves
        assert sideways_overflow(page) == []
        page.screenshot(path=str(artifacts / f"leave-390-done-{size}.png"), full_page=True)
    finally:
        page.context.close()
