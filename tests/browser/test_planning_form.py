"""Issue 13.4 and 13.12 on a 390 px phone without JavaScript: the coordinator picks the
kind of work first, the form opens filled in for it, the study day of a branch of 68 in
a room of 50 is saved with 45 expected, a patrol is saved from its prefilled roles; the
form fits the phone (no sideways scroll, the first fieldset inside its card) at the
standard size and at 特大, and axe-core finds nothing serious."""
from __future__ import annotations

import re

import pytest

from coordinator.extensions import db
from coordinator.models import Occurrence, Person, Series, Team, TeamMember, Venue
from tests.support.browser import axe_violations, phone_page, sideways_overflow

pytestmark = pytest.mark.browser

SIZES = ("standard", "xlarge")


@pytest.fixture(scope="module")
def planning(live_server):
    """The community's branch (68 members), its room of 50 and a patrol team of 5."""
    app, community = live_server.app, live_server.community
    with app.app_context():
        branch = Team(name="第一支部", kind="branch", community_id=community.id)
        patrol = Team(name="东风巡逻队", kind="patrol", community_id=community.id)
        room = Venue(name="支部活动室", kind="room", capacity=50, community_id=community.id)
        db.session.add_all([branch, patrol, room])
        db.session.flush()
        people = [Person(full_name=f"党员{i}", community_id=community.id) for i in range(68)]
        db.session.add_all(people)
        db.session.flush()
        db.session.add_all(TeamMember(team_id=branch.id, person_id=p.id) for p in people)
        db.session.add_all(TeamMember(team_id=patrol.id, person_id=p.id) for p in people[:5])
        db.session.commit()
        return {"branch": branch.id, "patrol": patrol.id, "room": room.id}


def _fits(page) -> dict:
    """The form's height and how far the first fieldset sticks out of its card."""
    return page.evaluate("""() => {
      const card = document.querySelector('main form.card').getBoundingClientRect();
      const first = document.querySelector('main form.card fieldset').getBoundingClientRect();
      return {height: Math.round(card.height), out: Math.round(first.right - card.right),
              page: document.documentElement.scrollHeight};
    }""")


def _series(app, title):
    with app.app_context():
        series = db.session.scalar(db.select(Series).where(Series.title == title))
        occurrences = db.session.scalars(db.select(Occurrence).where(
            Occurrence.series_id == series.id)).all()
        roles = sorted((r.name, r.needed, r.is_lead) for r in series.roles)
        return series, occurrences, roles


@pytest.mark.parametrize("size", SIZES)
def test_plan_a_study_day_and_a_patrol_on_a_phone_without_javascript(
        browser, live_server, planning, artifacts, size):
    page = phone_page(browser, live_server, live_server.logins["coordinator"], text_size=size,
                      javascript=False)
    page.goto("/series")
    with page.expect_navigation():
        page.locator("main a[href='/series/new']").click()
    kinds = page.locator("main a.kind-choice")
    assert kinds.count() >= 5 and "学习日" in kinds.all_inner_texts()[4]
    assert sideways_overflow(page) == []
    page.screenshot(path=str(artifacts / f"planning-kinds-{size}.png"), full_page=True)

    with page.expect_navigation():
        kinds.filter(has_text="学习日").click()
    assert page.url.endswith("/series/new?kind=study")
    assert page.locator("#month_day").input_value() == "25"
    assert page.locator("#duration_minutes").input_value() == "120"
    assert page.locator("#team_id option:checked").inner_text() == "第一支部"
    assert page.locator("#start_date").input_value().endswith("-25")
    assert page.locator("main details.options").get_attribute("open") is None  # rest folded
    assert "全队68人" in page.locator("#expected_attendance-hint").inner_text()
    fits = _fits(page)
    print(f"\nstudy-day form at {size}: {fits['height']} px tall (page {fits['page']})")
    assert fits["out"] <= 0, f"the first fieldset sticks out of its card by {fits['out']} px"
    assert sideways_overflow(page) == []
    page.screenshot(path=str(artifacts / f"planning-study-{size}.png"), full_page=True)

    title = f"学习日{size}"
    page.fill("#title", title)
    page.select_option("#venue_id", str(planning["room"]))
    page.fill("#start_time", "09:00" if size == "standard" else "14:00")
    page.fill("#expected_attendance", "45")
    with page.expect_navigation():
        page.locator("main form.card button[type=submit]").click()
    assert re.search(r"/series/\d+$", page.url), page.locator("main").inner_text()
    assert page.locator(".flash-info").is_visible()
    series, occurrences, _roles = _series(live_server.app, title)
    assert series.expected_attendance == 45 and series.venue_id == planning["room"]
    assert series.duration_minutes == 120 and series.rrule == "FREQ=MONTHLY;BYMONTHDAY=25"
    assert occurrences and all(o.start_at.astimezone(_zone()).day == 25 for o in occurrences)

    page.goto("/series/new?kind=patrol")
    assert page.locator("#roles-0-name").input_value() == "组长"
    assert page.locator("#roles-1-name").input_value() == "队员"
    assert page.locator("#roles-1-required_team_id option:checked").inner_text() == "东风巡逻队"
    fits = _fits(page)
    print(f"patrol form at {size}: {fits['height']} px tall (page {fits['page']})")
    assert fits["out"] <= 0 and sideways_overflow(page) == []
    page.screenshot(path=str(artifacts / f"planning-patrol-{size}.png"), full_page=True)
    title = f"晚间巡逻{size}"
    page.fill("#title", title)
    with page.expect_navigation():
        page.locator("main form.card button[type=submit]").click()
    assert re.search(r"/series/\d+$", page.url), page.locator("main").inner_text()
    series, occurrences, roles = _series(live_server.app, title)
    assert series.duration_minutes == 90 and series.rrule == "FREQ=DAILY"
    assert roles == [
        ("组长", 1, True), ("队员", 3, False)]
    page.context.close()


def _zone():
    from zoneinfo import ZoneInfo
    return ZoneInfo("Asia/Shanghai")


def test_the_refused_form_fits_and_axe_finds_nothing_serious(browser, live_server, planning,
                                                             artifacts, axe_script):
    """The over-capacity offer and the clash list, as the coordinator sees them, at 特大."""
    page = phone_page(browser, live_server, live_server.logins["coordinator"],
                      text_size="xlarge")
    for path in ("/series/new", "/series/new?kind=patrol", "/series/new?kind=care",
                 "/series/new?kind=talk"):
        page.goto(path)
        assert sideways_overflow(page) == [], path
        assert axe_violations(page, axe_script) == "", path
    page.goto("/series/new?kind=study")
    page.fill("#title", "学习日冲突")
    page.select_option("#venue_id", str(planning["room"]))
    page.fill("#start_time", "09:30")  # overlaps the standard run's study days (09:00–11:00)
    with page.expect_navigation():
        page.locator("main form.card button[type=submit]").click()
    assert page.locator("#capacity_override").is_visible()  # 68 members, room of 50
    page.check("#capacity_override")
    with page.expect_navigation():
        page.locator("main form.card button[type=submit]").click()
    clashes = page.locator("main fieldset.clashes .clash")
    if clashes.count():  # the standard-size run booked the room at 09:00 on the 25ths
        assert page.locator("main fieldset.clashes input[value=skip]").count() == clashes.count()
    assert sideways_overflow(page) == []
    assert axe_violations(page, axe_script) == ""
    page.screenshot(path=str(artifacts / "planning-refused-xlarge.png"), full_page=True)
    page.context.close()
