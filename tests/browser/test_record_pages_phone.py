"""The coordinator's other record pages on a 390 px phone (issue 14), at standard and 特大
text, with scripts off: the roll of honour, a closed roll and its correction form, the
correction queue, the certificates issued and the export form. Nothing scrolls sideways;
axe-core finds nothing serious."""
from __future__ import annotations

from datetime import time, timedelta

import pytest

from coordinator.database import begin_write
from coordinator.extensions import db
from coordinator.models import Account, Occurrence, Series
from coordinator.services.attendance import AttendanceSettings
from coordinator.services.attendance.roll import write_entry
from tests.support.browser import axe_violations, phone_page, sideways_overflow
from tests.support.scheduling import NOW, ZONE

pytestmark = pytest.mark.browser
TITLE = "东区午后巡逻"


@pytest.fixture(scope="module")
def closed_roll(live_server):
    """A patrol ten days ago whose roll was taken (the volunteer present)."""
    app = live_server.app
    with app.app_context():
        begin_write(db.session)
        s = db.session
        start = NOW - timedelta(days=10)
        series = Series(kind="patrol", title=TITLE, community_id=live_server.community.id,
                        timezone=ZONE, start_date=start.date(), start_time=time(14),
                        duration_minutes=90)
        s.add(series)
        s.flush()
        occ = Occurrence(series_id=series.id, recurrence_id=start, start_at=start,
                         end_at=start + timedelta(minutes=90))
        s.add(occ)
        s.flush()
        write_entry(s, occ, series, live_server.volunteer.id, status="present",
                    actual_start=None, actual_end=None, source="roll",
                    actor=s.get(Account, live_server.accounts["coordinator"].id), now=NOW,
                    settings=AttendanceSettings())
        s.commit()
        return occ.id


def test_record_pages_fit_a_phone(browser, live_server, closed_roll, axe_script, artifacts):
    pages = {"honour": "/reports/honour", "roll": f"/attendance/{closed_roll}",
             "correct": f"/attendance/{closed_roll}/correct",
             "queue": "/attendance/corrections", "certificates": "/certificates",
             "export": "/records/export"}
    for size in ("standard", "xlarge"):
        page = phone_page(browser, live_server, live_server.logins["coordinator"],
                          text_size=size, javascript=False)
        try:
            for name, path in pages.items():
                response = page.goto(path)
                assert response.status == 200, (name, size)
                assert sideways_overflow(page) == [], (name, size)
                if size == "xlarge" or name in ("honour", "correct"):
                    page.screenshot(path=str(artifacts / f"records-390-{name}-{size}.png"),
                                    full_page=True)
                if size == "standard":
                    report = axe_violations(page, axe_script)
                    assert report == "", f"{name}:\n{report}"
            page.goto(f"/attendance/{closed_roll}/correct")
            assert TITLE in page.content()
        finally:
            page.context.close()
