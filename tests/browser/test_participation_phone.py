"""The participation report on a 390 px phone (issue 14), at standard and 特大 text, with
scripts off (plain forms): a coordinator opens the report, goes to the drifted-away list,
records a call; nothing scrolls sideways, axe-core finds nothing serious."""
from __future__ import annotations

from datetime import time, timedelta

import pytest

from coordinator.database import begin_write
from coordinator.extensions import db
from coordinator.models import Account, Occurrence, Person, Series
from coordinator.services.attendance import AttendanceSettings
from coordinator.services.attendance.roll import write_entry
from tests.support.browser import axe_violations, phone_page, sideways_overflow
from tests.support.scheduling import NOW, ZONE

pytestmark = pytest.mark.browser
DRIFTED, DRIFTED_PHONE = "刘桂兰", "13900139301"


@pytest.fixture(scope="module")
def world(live_server):
    """Three months of patrols in the coordinator's community: 王秀英 came, 刘桂兰 last
    came 15 weeks ago."""
    app = live_server.app
    with app.app_context():
        begin_write(db.session)
        s = db.session
        cid = live_server.community.id
        drifted = Person(full_name=DRIFTED, phone=DRIFTED_PHONE, community_id=cid,
                         created_at=NOW - timedelta(days=300))
        s.add(drifted)
        series = Series(kind="patrol", title="西区夜间巡逻", community_id=cid, timezone=ZONE,
                        start_date=(NOW - timedelta(days=120)).date(), start_time=time(19),
                        duration_minutes=120)
        s.add(series)
        s.flush()
        actor = s.get(Account, live_server.accounts["coordinator"].id)
        for weeks in range(1, 17):
            start = NOW - timedelta(weeks=weeks)
            occ = Occurrence(series_id=series.id, recurrence_id=start, start_at=start,
                             end_at=start + timedelta(hours=2))
            s.add(occ)
            s.flush()
            marks = [(live_server.volunteer.id, "present" if weeks % 3 else "absent")]
            if weeks >= 15:
                marks.append((drifted.id, "present"))
            for person_id, status in marks:
                write_entry(s, occ, series, person_id, status=status, actual_start=None,
                            actual_end=None, source="roll", actor=actor, now=NOW,
                            settings=AttendanceSettings())
        s.commit()
        return cid


def test_coordinator_records_a_call_on_a_phone(browser, live_server, world, axe_script,
                                               artifacts):
    for size in ("standard", "xlarge"):
        page = phone_page(browser, live_server, live_server.logins["coordinator"],
                          text_size=size, javascript=False)
        try:
            page.goto("/reports/participation")
            with page.expect_navigation():
                page.get_by_role("link", name="东风社区").click()
            page.get_by_role("heading", name="参与情况 · 东风社区").wait_for()
            assert sideways_overflow(page) == [], size
            page.screenshot(path=str(artifacts / f"participation-390-{size}.png"),
                            full_page=True)
            report = axe_violations(page, axe_script)
            assert report == "", f"at {size}:\n{report}"
            page.get_by_role("link", name="长期未参加 (1)").click()
            item = page.locator(".drift-item", has_text=DRIFTED)
            assert DRIFTED_PHONE in item.inner_text()
            item.get_by_label("备注（可不填）").fill(f"接通了，{size}")
            with page.expect_navigation():
                item.get_by_role("button", name="已电话联系").click()
            item = page.locator(".drift-item", has_text=DRIFTED)
            assert f"接通了,{size}" in item.inner_text()  # NFKC: the comma is a plain one
            assert "已记录：已电话联系。" in page.content()
            assert sideways_overflow(page) == [], size
            item.scroll_into_view_if_needed()
            page.screenshot(path=str(artifacts / f"participation-390-{size}-drift.png"))
        finally:
            page.context.close()
