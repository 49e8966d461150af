"""The weekly plan's rows and links: a care visit's team and room stay private under every
grouping and filter, a collapsed week puts the rows with the most open places first,
coordinators get an assign link on short entries, and the week links point where they say."""
from __future__ import annotations

from datetime import datetime, time, timedelta, timezone

import pytest

from coordinator.extensions import db
from coordinator.models import Occurrence
from tests.support.plan import entries, login_as, plan_world, set_locale, text_of


@pytest.fixture
def world(app):
    w = plan_world(app)
    with app.app_context():
        care = db.session.get(Occurrence, w["care_occ"][0])
        care.venue_id = w["room"]  # the visit meets in the room: that is private too
        w["care_day"] = (care.start_at + timedelta(hours=8)).date()
        db.session.commit()
    return w


def plan(client, query: str, status: int = 200) -> str:
    response = client.get(f"/plan{query}")
    assert response.status_code == status, response.get_data(as_text=True)[:1000]
    return response.get_data(as_text=True)


def groups(html: str) -> dict[str, str]:
    """Row heading text -> the row's HTML."""
    out = {}
    for part in html.split('class="plan-group"')[1:]:
        head, _sep, body = part.partition("</h3>")
        out[text_of(head.split(">", 1)[1]).split(" ")[0]] = body
    return out


def ids_in(row_html: str) -> set[int]:
    return set(entries(row_html))


@pytest.mark.parametrize("by", ["venue", "team"])
def test_care_visit_is_not_filed_under_its_room_or_team_for_a_leader(app, client, world, by):
    set_locale(app, world["leader"], "en")
    login_as(client, "leader")
    care = world["care_occ"][0]
    rows = groups(plan(client, f"?date={world['care_day']}&by={by}"))
    named = "活动室一" if by == "venue" else "探望组"
    assert care not in ids_in(rows.get(named, ""))
    assert care in ids_in(rows["No"])  # still counted, under "No venue" / "No team"
    # A coordinator of the community sees where it is.
    coordinator = app.test_client()
    login_as(coordinator, "coord")
    assert care in ids_in(groups(plan(coordinator, f"?date={world['care_day']}&by={by}"))[named])


def test_filtering_by_room_or_team_does_not_reveal_a_care_visit(app, client, world):
    login_as(client, "leader")
    day = world["care_day"]
    care = world["care_occ"][0]
    by_room = entries(plan(client, f"?date={day}&venue={world['room']}&kind=care"))
    by_team = entries(plan(client, f"?date={day}&team={world['care_team']}"))
    assert care not in by_room and care not in by_team
    # The room's other bookings still show: the filter itself works.
    assert world["occ"][0] in entries(plan(client, f"?date={world['first_day']}"
                                               f"&venue={world['room']}"))
    coordinator = app.test_client()
    login_as(coordinator, "coord")
    assert care in entries(plan(coordinator, f"?date={day}&venue={world['room']}&kind=care"))
    assert care in entries(plan(coordinator, f"?date={day}&team={world['care_team']}"))


def test_collapsed_week_lists_the_most_open_places_first(app, client, world):
    """Community 1 has the patrol (many open places); community 2 only the talk. Sorted by
    code the first would come first anyway, so give the second the bigger gap."""
    from coordinator.models import OccurrenceRole, Series
    with app.app_context():
        talk_roles = db.session.scalars(
            db.select(OccurrenceRole).join(Occurrence).where(
                Occurrence.series_id == world["talk"])).all()
        for role in talk_roles:
            role.needed = role.maximum = 60
        db.session.commit()
        assert db.session.get(Series, world["talk"]).community_id == world["other"]
    set_locale(app, world["leader"], "en")
    app.config.update(PLAN_DETAIL_LIMIT=1, PLAN_GROUPS_PER_PAGE=1)
    login_as(client, "leader")
    html = plan(client, f"?date={world['first_day']}")
    first = list(groups(html))[0]
    assert first == "二连社区"
    assert "most open places first" in html and "Rows 1–1 of 2." in html


def test_coordinator_gets_an_assign_link_on_short_entries_and_leader_does_not(app, client,
                                                                                world):
    set_locale(app, world["leader"], "en")
    login_as(client, "leader")
    day = world["first_day"]
    assert "Assign people" not in plan(client, f"?date={day}")
    coordinator = app.test_client()
    login_as(coordinator, "coord")
    set_locale(app, world["coordinator"], "en")
    html = plan(coordinator, f"?date={day}&community={world['community']}")
    first = world["occ"][0]
    article = html.split(f'data-occurrence-id="{first}"')[1].split("</article>")[0]
    link = f'/occurrences/{first}#role-{world["roles"][0]}'
    assert "Assign people" in article and link in article
    # The link leads to the page with the suggestion list for that slot.
    page = coordinator.get(link.split("#")[0]).get_data(as_text=True)
    assert f'id="role-{world["roles"][0]}"' in page


def test_week_links_go_to_the_previous_next_and_current_week(app, client, world):
    login_as(client, "leader")
    day = world["first_day"] + timedelta(weeks=3)
    monday = day - timedelta(days=day.weekday())
    html = plan(client, f"?date={day}&kind=patrol")
    prev = html.split('rel="prev" href="')[1].split('"')[0].replace("&amp;", "&")
    nxt = html.split('rel="next" href="')[1].split('"')[0].replace("&amp;", "&")
    assert f"date={monday - timedelta(weeks=1)}" in prev and "kind=patrol" in prev
    assert f"date={monday + timedelta(weeks=1)}" in nxt and "kind=patrol" in nxt
    assert 'href="/plan?kind=patrol"' in html  # "This week": the same filter, no date


@pytest.mark.parametrize("by", ["community", "team", "venue"])
def test_the_wide_page_reads_the_same_figures_as_the_narrow_one(app, world, by):
    """A leader's wide week reads this week's figures and the grid in one pass, on
    threads; they must equal the summary and grid read one after the other."""
    from sqlalchemy.orm import Session

    from coordinator.services import plan as wp
    flt = wp.PlanFilter(world["first_day"] - timedelta(days=world["first_day"].weekday()), by)
    viewer = wp.PlanViewer(visible=None, managed=frozenset())
    with app.app_context():
        engine = db.engine
        wide, wide_grid = wp.plan_page(lambda: Session(engine), viewer, flt, "Asia/Shanghai")
        alone = wp.summary(db.session, viewer, flt, "Asia/Shanghai")
        alone_grid = wp.grid(db.session, viewer, flt, "Asia/Shanghai")
    assert wide.this.occurrences > 0 and wide.this.needed > 0
    assert (wide.this, wide.last, wide.top_last) == (alone.this, alone.last, alone.top_last)
    assert [(r.key, r.total) for r in wide_grid.rows] == \
        [(r.key, r.total) for r in alone_grid.rows]


def test_people_taking_part_are_counted_once_however_often_they_take_part(app, world):
    """Two shifts and a yes-answer in one week are one person, on both ways the page reads
    the week (one after the other, and on threads) and on both backends."""
    from sqlalchemy import select
    from sqlalchemy.orm import Session

    from coordinator.models import Assignment, OccurrenceRole, Response
    from coordinator.services import plan as wp
    from tests.support.feeds import sign

    def week_of(occ_id):
        day = (db.session.get(Occurrence, occ_id).start_at + timedelta(hours=8)).date()
        return day - timedelta(days=day.weekday())

    with app.app_context():
        # Two consecutive patrol dates in one local week (after the cancelled third date).
        i = next(i for i in (3, 4, 5) if week_of(world["occ"][i]) == week_of(world["occ"][i + 1]))
        monday = week_of(world["occ"][i])
        for person in (0, 1):
            for role in (world["roles"][i], world["roles"][i + 1]):
                sign(world["accounts"][person], role)
        db.session.add_all([
            Response(occurrence_id=world["occ"][i], person_id=world["people"][2],
                     is_attending=True),
            Response(occurrence_id=world["occ"][i + 1], person_id=world["people"][0],
                     is_attending=True),
            Response(occurrence_id=world["occ"][i + 1], person_id=world["people"][3],
                     is_attending=False)])
        db.session.commit()
        lo = datetime.combine(monday, time(0), timezone.utc) - timedelta(hours=8)
        in_week = (Occurrence.start_at >= lo, Occurrence.start_at < lo + timedelta(days=7),
                   Occurrence.status == "scheduled")
        taking_part = list(db.session.scalars(
            select(Assignment.person_id).join(OccurrenceRole).join(Occurrence)
            .where(Assignment.status == "confirmed", *in_week)))
        # The answers are to patrols, which take sign-ups: a stray yes to an event that is
        # no team event makes nobody a participant (``shifts.turnout``; the team events'
        # head-counts are tested in test_plan_turnout.py).
        assert len(set(taking_part)) < len(taking_part)  # people here more than once
        flt = wp.PlanFilter(monday)
        viewer = wp.PlanViewer(visible=None, managed=frozenset())
        alone = wp.summary(db.session, viewer, flt, "Asia/Shanghai")
        engine = db.engine
        wide, _grid = wp.plan_page(lambda: Session(engine), viewer, flt, "Asia/Shanghai")
    assert alone.this.volunteers == wide.this.volunteers == len(set(taking_part))
