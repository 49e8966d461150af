"""The weekly plan page: who sees what, gaps and cancellations, the summary against last
week, filters kept in the URL, grouping, collapsing at size, and bad addresses."""
from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from coordinator.database import begin_write
from coordinator.extensions import db
from coordinator.models import Account, Assignment, Occurrence, OccurrenceRole, Series
from coordinator.services import plan as wp
from coordinator.services.schedule.series import RoleInput, SeriesInput, create_series
from tests.support.plan import entries, login_as, set_locale, text_of
from tests.support.scheduling import NOW


def week_of(day: date) -> str:
    return (day - timedelta(days=day.weekday())).isoformat()


def get_plan(client, query: str = "", status: int = 200) -> str:
    response = client.get(f"/plan{query}")
    assert response.status_code == status, response.get_data(as_text=True)[:2000]
    return response.get_data(as_text=True)


def test_leader_sees_every_community_with_fill_names_and_gaps(app, client, world):
    set_locale(app, world["leader"], "en")
    login_as(client, "leader")
    html = get_plan(client, f"?date={world['first_day']}")
    shown = entries(html)
    first = shown[world["occ"][0]]
    assert "晚间巡逻" in first and "Filled 2/3" in first and "1 missing" in first
    assert world["names"][0] in first and world["names"][1] in first
    assert "活动室一" in first  # the venue
    # The other community's talk is on the leader's plan too.
    with app.app_context():
        talk_occ = db.session.scalar(select(Occurrence.id).where(
            Occurrence.series_id == world["talk"]))
    if talk_occ in shown:  # same week as the patrol's first date
        assert "防诈骗讲座" in shown[talk_occ]
    assert "一连社区" in html and "二连社区" in html
    # Leaders change nothing: no gap list link, no assign forms on the plan.
    assert "/plan/gaps" not in html and 'method="post" class="inline js-inplace"' not in html


def test_cancelled_occurrence_is_struck_through_with_its_reason(app, client, world):
    set_locale(app, world["leader"], "en")
    login_as(client, "leader")
    with app.app_context():
        day = (db.session.get(Occurrence, world["occ"][2]).start_at + timedelta(hours=8)).date()
    html = get_plan(client, f"?date={day}")
    match = re.search(rf'<article class="occ[^"]*cancelled[^"]*" data-occurrence-id="'
                      rf'{world["occ"][2]}">(.*?)</article>', html, re.S)
    assert match, "the cancelled patrol is not marked cancelled"
    assert "<del>晚间巡逻</del>" in match.group(1)
    assert "Cancelled" in text_of(match.group(1)) and "暴雨预警" in match.group(1)
    assert "missing" not in text_of(match.group(1))  # a cancelled date has no gap


def test_care_visit_details_only_for_its_visitors_and_coordinators(app, client, world):
    with app.app_context():
        care = db.session.get(Occurrence, world["care_occ"][0])
        day = (care.start_at + timedelta(hours=8)).date()
    visitor = world["names"][5]
    login_as(client, "leader")
    leader_view = entries(get_plan(client, f"?date={day}"))[care.id]
    assert "探望独居老人" not in leader_view and visitor not in leader_view
    assert "1/1" in leader_view  # counts stay visible
    client.post("/logout", data={})
    client2 = app.test_client()
    login_as(client2, "coord")
    coord_view = entries(get_plan(client2, f"?date={day}"))[care.id]
    assert "探望独居老人" in coord_view and visitor in coord_view
    assert "赵桂兰" not in coord_view  # the person visited never goes on the plan
    admin = app.test_client()  # admins keep accounts; they are not its coordinators
    login_as(admin, "admin")
    admin_view = entries(get_plan(admin, f"?date={day}"))[care.id]
    assert "探望独居老人" not in admin_view and visitor not in admin_view
    assert "1/1" in admin_view
    response = admin.get(f"/plan/week.csv?date={day}")
    assert response.status_code == 200 and "探望独居老人" not in response.data.decode("utf-8-sig")
    assert visitor not in response.data.decode("utf-8-sig")


def test_leaders_cannot_open_a_care_visit_anywhere(app, client, world):
    login_as(client, "leader")
    assert client.get(f"/occurrences/{world['care_occ'][0]}").status_code == 404
    assert client.get(f"/series/{world['care']}").status_code == 404
    listing = client.get("/series").get_data(as_text=True)
    assert "探望独居老人" not in listing and "晚间巡逻" in listing
    assert client.get(f"/occurrences/{world['occ'][0]}").status_code == 200
    coordinator = app.test_client()
    login_as(coordinator, "coord")
    page = coordinator.get(f"/occurrences/{world['care_occ'][0]}")
    assert page.status_code == 200 and "探望独居老人" in page.get_data(as_text=True)


def test_coordinator_sees_only_own_communities_and_township_wide(app, client, world):
    login_as(client, "coord2")
    html = get_plan(client, f"?date={world['first_day']}")
    assert world["occ"][0] not in entries(html)
    assert "一连社区" not in html.split('id="grid-h"')[1]
    # Asking for a community one may not see is a message, not someone else's data.
    html = get_plan(client, f"?date={world['first_day']}&community={world['community']}",
                    status=400)
    assert world["occ"][0] not in entries(html)
    assert "role=\"alert\"" in html


def test_volunteers_and_strangers_cannot_open_the_plan(app, client, world):
    assert client.get("/plan").status_code == 302  # to the login page
    login_as(client, "13900000000")
    assert client.get("/plan").status_code == 403
    assert client.get("/plan/week.csv").status_code == 403


@pytest.mark.parametrize("query, words", [
    ("?date=2026-13-45", "is not a date"),
    ("?date=yesterday", "is not a date"),
    ("?date=9999-01-01", "out of range"),
    ("?kind=party", "Unknown kind of work"),
    ("?community=abc", "is not a valid choice"),
    ("?community=99999999999999999999", "is not a valid choice"),
    ("?community=4242", "no community number 4242"),
    ("?team=4242", "no team number 4242"),
    ("?venue=-1", "is not a valid choice"),
    ("?by=colour", "Unknown grouping"),
])
def test_malformed_address_gets_a_message_in_the_page(app, client, world, query, words):
    set_locale(app, world["leader"], "en")
    login_as(client, "leader")
    html = get_plan(client, query, status=400)
    box = html.split('class="error-box"')[1].split("</div>")[0]
    assert words in text_of(box)
    assert 'id="summary-h"' in html  # the rest of the page is still there


def test_bad_address_message_is_in_chinese_by_default(app, client, world):
    login_as(client, "leader")
    html = get_plan(client, "?date=2026-13-45", status=400)
    box = text_of(html.split('class="error-box"')[1].split("</div>")[0])
    assert "2026-13-45" in box and "日期" in box


def test_filters_are_kept_in_the_url_and_in_every_link(app, client, world):
    set_locale(app, world["leader"], "en")
    login_as(client, "leader")
    monday = week_of(world["first_day"])
    html = get_plan(client, f"?date={monday}&community={world['community']}&kind=care")
    shown = entries(html)
    assert shown and all("Care visit" in text for text in shown.values())
    assert world["occ"][0] not in shown
    # Previous/next week and the downloads keep the choice.
    next_monday = (date.fromisoformat(monday) + timedelta(weeks=1)).isoformat()
    assert (f'/plan?date={next_monday}&amp;community={world["community"]}&amp;kind=care'
            in html)
    assert f'/plan/week.csv?date={monday}&amp;community={world["community"]}&amp;kind=care' \
        in html
    # The selects show the choice.
    assert f'<option value="{world["community"]}" selected>' in html
    assert '<option value="care" selected>' in html


def test_team_filter_and_grouping_by_team_and_venue(app, client, world):
    set_locale(app, world["leader"], "en")
    login_as(client, "leader")
    day = world["first_day"]
    html = get_plan(client, f"?date={day}&by=team")
    assert '<option value="team" selected>' in html
    assert "巡逻队" in html and "探望组" in html
    coordinator = app.test_client()
    login_as(coordinator, "coord")
    care_day = world["first_day"] + timedelta(days=1)  # the care visit's first date
    shown = entries(get_plan(coordinator, f"?date={care_day}&team={world['care_team']}"))
    assert world["care_occ"][0] in shown and world["occ"][0] not in shown
    html = get_plan(client, f"?date={day}&by=venue")
    groups = html.split('class="plan-group"')[1:]
    room = [g for g in groups if "活动室一" in g.split("</h3>")[0]]
    assert room and str(world["occ"][0]) in room[0]
    assert any("No venue" in g.split("</h3>")[0] for g in groups)


def test_summary_counts_agree_with_the_database_and_compare_with_last_week(app, client,
                                                                            world):
    set_locale(app, world["leader"], "en")
    monday = date.fromisoformat(week_of(world["first_day"]))
    with app.app_context():
        lo = datetime.combine(monday, time(0), timezone.utc) - timedelta(hours=8)
        hi = lo + timedelta(days=7)
        rows = db.session.execute(
            select(Occurrence.status, OccurrenceRole.needed, OccurrenceRole.filled)
            .join(OccurrenceRole, OccurrenceRole.occurrence_id == Occurrence.id)
            .where(Occurrence.start_at >= lo, Occurrence.start_at < hi)).all()
        needed = sum(n for s, n, _f in rows if s == "scheduled")
        filled = sum(min(f, n) for s, n, f in rows if s == "scheduled")
        people = db.session.scalar(
            select(func.count(func.distinct(Assignment.person_id)))
            .join(OccurrenceRole, Assignment.occurrence_role_id == OccurrenceRole.id)
            .join(Occurrence, OccurrenceRole.occurrence_id == Occurrence.id)
            .where(Assignment.status == "confirmed", Occurrence.status == "scheduled",
                   Occurrence.start_at >= lo, Occurrence.start_at < hi))
        figures = wp.week_figures(db.session, None, monday, "Asia/Shanghai")
    assert (figures.needed, figures.filled, figures.volunteers) == (needed, filled, people)
    assert figures.cancelled == (1 if world["occ"][2] in _ids_between(app, lo, hi) else 0)
    assert figures.top_open[0][0] == "一连社区"
    login_as(client, "leader")
    html = get_plan(client, f"?date={monday}")
    summary = text_of(html.split('id="summary-h"')[1].split("</section>")[0])
    assert f"{filled} of {needed} places" in summary
    # Next week's page compares with this week: "last week" carries this week's figures.
    html = get_plan(client, f"?date={monday + timedelta(weeks=1)}")
    summary = text_of(html.split('id="summary-h"')[1].split("</section>")[0])
    assert f"last week {figures.open_places}" in summary
    assert f"last week {figures.volunteers}" in summary


def _ids_between(app, lo, hi) -> set[int]:
    with app.app_context():
        return set(db.session.scalars(select(Occurrence.id).where(
            Occurrence.start_at >= lo, Occurrence.start_at < hi)))


def test_large_week_collapses_to_counts_with_pages_and_drill_down(app, client, world):
    set_locale(app, world["leader"], "en")
    app.config.update(PLAN_DETAIL_LIMIT=2, PLAN_GROUPS_PER_PAGE=1)
    login_as(client, "leader")
    day = world["first_day"]
    html = get_plan(client, f"?date={day}")
    assert not entries(html)  # counts only
    assert "too many to list" in html and "Page 1 of 2" in html
    first_group = html.split('class="plan-group"')[1]
    assert "activities" in first_group and "Filled" in first_group
    # The second page holds the other community; following a row drills into it.
    page2 = get_plan(client, f"?date={week_of(day)}&page=2")
    assert "Page 2 of 2" in page2
    link = f'/plan?date={week_of(day)}&amp;community={world["community"]}"'
    assert link in html or link in page2
    app.config.update(PLAN_DETAIL_LIMIT=400)
    detail = get_plan(client, f"?date={week_of(day)}&community={world['community']}")
    assert world["occ"][0] in entries(detail)


def test_today_and_week_navigation(app, client, world):
    login_as(client, "leader")
    html = get_plan(client)
    today = (NOW + timedelta(hours=8)).date()
    assert f'value="{week_of(today)}"' in html  # the week shown is this week
    assert 'rel="prev"' in html and 'rel="next"' in html


def test_week_follows_local_days_in_a_zone_with_daylight_saving(app):
    """Europe/Berlin springs forward on 2027-03-28: a daily 00:30 shift must land on its
    own local day, and Monday 29th 00:30 CEST (Sunday 22:30 UTC) in the next week."""
    zone = "Europe/Berlin"
    with app.app_context():
        from tests.support.scheduling import build_world
        w = build_world()
        data = SeriesInput(kind="patrol", title="夜巡", community_id=w["community"],
                           start_date=date(2027, 3, 22), start_time=time(0, 30),
                           duration_minutes=60, rrule="FREQ=DAILY",
                           until=date(2027, 4, 4), roles=(RoleInput("队员", 1, 1, None),))
        begin_write(db.session)
        create_series(db.session, db.session.get(Account, w["coordinator"]), data, NOW,
                      zone=zone, horizon_end=datetime(2027, 5, 1, tzinfo=timezone.utc))
        db.session.commit()
        viewer = wp.PlanViewer(None, None, care=None)
        for monday in (date(2027, 3, 22), date(2027, 3, 29)):
            grid = wp.grid(db.session, viewer, wp.PlanFilter(monday), zone)
            (row,) = grid.rows
            assert [len(d) for d in row.days] == [1] * 7
            local = [e.start_at.astimezone(ZoneInfo(zone)) for d in row.days for e in d]
            assert [t.date() for t in local] == [monday + timedelta(days=i) for i in range(7)]
            assert all(t.hour == 0 and t.minute == 30 for t in local)
        figures = wp.week_figures(db.session, None, date(2027, 3, 22), zone)
        assert figures.by_kind == {"patrol": 7} and figures.needed == 7
        assert db.session.scalar(select(func.count()).select_from(Series)) == 1
