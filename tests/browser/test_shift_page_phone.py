"""The page of one shift on a 390 px phone, at standard and 特大 text, with scripts off:
the teammate and the coordinator are one tap away (tel: links), the address is text with
a map link, nothing scrolls sideways, and axe-core finds nothing serious."""
from __future__ import annotations

from datetime import time, timedelta

import pytest

from coordinator.database import begin_write
from coordinator.extensions import db
from coordinator.models import Assignment, Occurrence, OccurrenceRole, Person, Series, Venue
from tests.support.browser import axe_violations, phone_page, sideways_overflow
from tests.support.scheduling import NOW, ZONE

pytestmark = pytest.mark.browser
ADDRESS = "新疆生产建设兵团第八师一百四十三团东风社区文化活动中心二楼东侧"


@pytest.fixture(scope="module")
def shift(live_server):
    """A patrol tomorrow at a venue with a long address: the volunteer and a teammate."""
    app = live_server.app
    with app.app_context():
        begin_write(db.session)
        s = db.session
        venue = Venue(name="东风社区文化活动中心", kind="outside", address=ADDRESS,
                      community_id=live_server.community.id)
        mate = Person(full_name="李建国", phone="13900139088",
                      community_id=live_server.community.id)
        s.add_all([venue, mate])
        s.flush()
        start = NOW + timedelta(days=1)
        series = Series(kind="patrol", title="东区夜间巡逻", community_id=live_server.community.id,
                        timezone=ZONE, start_date=start.date(), start_time=time(19, 30),
                        duration_minutes=120, venue_id=venue.id, description="请带手电筒")
        s.add(series)
        s.flush()
        occ = Occurrence(series_id=series.id, recurrence_id=start, start_at=start,
                         end_at=start + timedelta(minutes=120), venue_id=venue.id)
        s.add(occ)
        s.flush()
        role = OccurrenceRole(occurrence_id=occ.id, name="巡逻队员", needed=2, maximum=2,
                              filled=2)
        s.add(role)
        s.flush()
        s.add_all([Assignment(occurrence_role_id=role.id, person_id=pid, status="confirmed")
                   for pid in (live_server.volunteer.id, mate.id)])
        s.commit()
        return occ.id


def test_the_shift_page_fits_a_phone(browser, live_server, shift, axe_script, artifacts):
    for size in ("standard", "xlarge"):
        page = phone_page(browser, live_server, live_server.logins["volunteer"],
                          text_size=size, javascript=False)
        try:
            response = page.goto(f"/shifts/{shift}")
            assert response.status == 200
            assert sideways_overflow(page) == [], size
            page.screenshot(path=str(artifacts / f"shift-page-390-{size}.png"), full_page=True)
            assert page.locator('a[href="tel:13900139088"]').is_visible()  # the teammate
            assert page.locator('a[href="tel:13900139002"]').is_visible()  # the coordinator
            assert page.locator('a[href^="https://uri.amap.com/search?keyword="]').is_visible()
            assert ADDRESS in page.content()
            if size == "standard":
                report = axe_violations(page, axe_script)
                assert report == "", report
        finally:
            page.context.close()
