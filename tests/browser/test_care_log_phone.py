"""A care visit on a 390 px phone with scripts off, at standard and 特大 text: the
visitor opens the visit's page, sees whom they visit, the family's and the teammate's
tel: links, taps "写探望记录", picks how the person is and what they need, ticks "需要协调员
跟进" and saves, back on the visit's page with a notice, well under a minute; the
coordinator's home page lists the need. No sideways scroll; axe-core finds nothing
serious on the visit's page and on the form. Screenshots go to /tmp/care-log-shots."""
from __future__ import annotations

import tempfile
import time as clock
from datetime import time, timedelta
from pathlib import Path

import pytest

from coordinator.database import begin_write
from coordinator.extensions import db
from coordinator.models import (
    Assignment,
    CareRecipient,
    CareVisitDetail,
    Occurrence,
    OccurrenceRole,
    Person,
    Series,
)
from tests.support.browser import axe_violations, phone_page, sideways_overflow
from tests.support.scheduling import NOW, ZONE

pytestmark = pytest.mark.browser
SHOTS = Path(tempfile.gettempdir()) / "care-log-shots"  # pictures are never committed
PEOPLE = {"standard": "MK赵桂兰", "xlarge": "MK钱淑芬"}
FAMILY = {"standard": "13700137001", "xlarge": "13700137002"}
MATE = "13900139077"


@pytest.fixture(scope="module")
def visits(live_server):
    """Two care visits that began half an hour ago (one per text size), 王秀英 and a
    teammate confirmed on each, linked to a person in hospital."""
    app = live_server.app
    out = {}
    with app.app_context():
        begin_write(db.session)
        s = db.session
        community = live_server.community.id
        mate = Person(full_name="李建国", phone=MATE, community_id=community)
        s.add(mate)
        s.flush()
        for n, size in enumerate(PEOPLE):
            start = NOW - timedelta(minutes=30 + n)
            series = Series(kind="care", title="探望住院老党员", community_id=community,
                            timezone=ZONE, start_date=start.date(), start_time=time(11, 30),
                            duration_minutes=60)
            s.add(series)
            s.flush()
            occ = Occurrence(series_id=series.id, recurrence_id=start, start_at=start,
                             end_at=start + timedelta(minutes=60))
            s.add(occ)
            s.flush()
            role = OccurrenceRole(occurrence_id=occ.id, name="探望员", needed=2, maximum=2,
                                  filled=2)
            s.add(role)
            s.flush()
            s.add_all([Assignment(occurrence_role_id=role.id, person_id=pid,
                                  status="confirmed")
                       for pid in (live_server.volunteer.id, mate.id)])
            person = CareRecipient(
                community_id=community, full_name=PEOPLE[size], place="hospital",
                institution="第八师医院（石河子市北三路）", ward="心内科三病区",
                bed="12 床", family_name="赵小红", family_relation="女儿",
                family_phone=FAMILY[size], reason="hospital")
            s.add(person)
            s.flush()
            s.add(CareVisitDetail(occurrence_id=occ.id, recipient_id=person.id))
            out[size] = occ.id
        s.commit()
    return out


@pytest.mark.parametrize("size", ["standard", "xlarge"])
def test_the_visitor_writes_the_log_on_a_phone(browser, live_server, visits, axe_script,
                                               size):
    SHOTS.mkdir(parents=True, exist_ok=True)
    occ = visits[size]
    page = phone_page(browser, live_server, live_server.logins["volunteer"], text_size=size,
                      javascript=False)
    try:
        began = clock.monotonic()
        assert page.goto(f"/shifts/{occ}").status == 200
        assert PEOPLE[size] in page.content() and "心内科三病区" in page.content()
        assert page.locator(f'a[href="tel:{MATE}"]').is_visible()  # the teammate
        assert page.locator(f'a[href="tel:{FAMILY[size]}"]').is_visible()  # the family
        assert sideways_overflow(page) == [], size
        page.screenshot(path=str(SHOTS / f"shift-{size}.png"), full_page=True)
        if size == "standard":
            report = axe_violations(page, axe_script)
            assert report == "", report
        page.get_by_role("link", name="写探望记录").click()
        page.wait_for_url(f"**/shifts/{occ}/care-log")
        assert sideways_overflow(page) == [], size
        if size == "standard":
            report = axe_violations(page, axe_script)
            assert report == "", report
        page.get_by_label("变差").check()
        page.get_by_label("医疗").check()
        page.get_by_label("陪伴聊天").check()
        page.get_by_label("简单说几句（可不填）").fill("血压偏高，想有人常来聊聊")
        page.get_by_label("需要协调员跟进").check()
        page.screenshot(path=str(SHOTS / f"log-form-{size}.png"), full_page=True)
        page.get_by_role("button", name="保存探望记录").click()
        page.wait_for_url(f"**/shifts/{occ}")
        assert clock.monotonic() - began < 60
        text = page.inner_text("main")
        assert "探望记录已保存" in text and "血压偏高" in page.content()
        assert page.get_by_role("link", name="修改探望记录").is_visible()
        page.screenshot(path=str(SHOTS / f"saved-{size}.png"), full_page=True)
    finally:
        page.context.close()
    home = phone_page(browser, live_server, live_server.logins["coordinator"], text_size=size,
                      javascript=False)
    try:
        assert home.goto("/").status == 200
        needs = home.locator("section.home-needs").inner_text()
        assert "需要跟进的探望" in needs and PEOPLE[size] in needs and "医疗" in needs
        assert sideways_overflow(home) == [], size
        home.screenshot(path=str(SHOTS / f"home-{size}.png"), full_page=True)
    finally:
        home.context.close()
