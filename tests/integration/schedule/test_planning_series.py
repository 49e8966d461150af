"""Issue 13.4 and 13.12 through the pages: the study day of a branch of 68 members in a
room of 50 counts the expected attendance, an explicit override is recorded, clashing
dates are skipped or moved in one round-trip, and the form opens filled in by kind."""
from __future__ import annotations

import re
from datetime import date, timedelta

import pytest

from coordinator.extensions import db
from coordinator.models import AuditEntry, Occurrence, Person, Series, Team, TeamMember, Venue
from tests.support.scheduling import NOW, ZONE
from tests.support.web import login, post

STUDY = "/series/new?kind=study"


def _today() -> date:
    return (NOW + timedelta(hours=8)).date()


def _twenty_fifths(n: int) -> list[date]:
    """The next ``n`` 25ths after tomorrow, in Shanghai."""
    day, found = _today() + timedelta(days=1), []
    while len(found) < n:
        if day.day == 25:
            found.append(day)
        day += timedelta(days=1)
    return found


@pytest.fixture
def branch(app, world):
    """A branch of 68 members and its room of 50, in the world's community."""
    with app.app_context():
        team = Team(name="第一支部", kind="branch", community_id=world["community"])
        room = Venue(name="支部活动室", kind="room", capacity=50,
                     community_id=world["community"])
        db.session.add_all([team, room])
        db.session.flush()
        people = [Person(full_name=f"党员{i}", community_id=world["community"])
                  for i in range(68)]
        db.session.add_all(people)
        db.session.flush()
        db.session.add_all(TeamMember(team_id=team.id, person_id=p.id) for p in people)
        db.session.commit()
        return {"team": team.id, "room": room.id}


def _study(world, branch, **over):
    first, *_ = _twenty_fifths(1)
    data = {"kind": "meeting", "title": "每月集体学习日", "community_id": world["community"],
            "participation": "team", "team_id": branch["team"], "venue_id": branch["room"],
            "start_date": first.isoformat(), "start_time": "09:00", "duration_minutes": 120,
            "frequency": "monthly", "month_day": 25, "month_week": 0, "month_weekday": 0,
            "interval": 1, "until": _twenty_fifths(3)[-1].isoformat(),
            "withdraw_cutoff_hours": 12, "expected_attendance": "",
            **{f"roles-{i}-required_team_id": 0 for i in range(3)}}
    data.update(over)
    return data


def _count(app, model, *where):
    with app.app_context():
        return db.session.scalar(db.select(db.func.count()).select_from(model).where(*where))


def test_the_room_check_counts_the_expected_attendance(app, client, world, branch):
    login(client, "coord")
    refused = post(client, STUDY, _study(world, branch))
    html = refused.get_data(as_text=True)
    assert refused.status_code == 400
    assert "支部活动室只能容纳50人，预计有68人参加" in html  # every member counted by default
    assert 'id="capacity_override"' in html  # the override is offered, not ticked
    assert _count(app, Series) == 0

    saved = post(client, STUDY, _study(world, branch, expected_attendance="45"))
    assert saved.status_code == 302, saved.get_data(as_text=True)
    with app.app_context():
        series = db.session.scalar(db.select(Series))
        assert series.expected_attendance == 45 and series.rrule == "FREQ=MONTHLY;BYMONTHDAY=25"
        days = [o.start_at.astimezone(NOW.tzinfo) for o in series.occurrences]
        assert len(days) == 3
        assert not db.session.scalar(db.select(AuditEntry).where(
            AuditEntry.action == "series.capacity_override"))


def test_the_override_is_explicit_and_recorded(app, client, world, branch):
    login(client, "coord")
    saved = post(client, STUDY, _study(world, branch, capacity_override="y"))
    assert saved.status_code == 302, saved.get_data(as_text=True)
    with app.app_context():
        series = db.session.scalar(db.select(Series))
        entry = db.session.scalar(db.select(AuditEntry).where(
            AuditEntry.action == "series.capacity_override"))
        assert entry.entity_id == series.id and entry.actor_id == world["coordinator"]
        assert entry.details["capacity"] == 50 and entry.details["expected"] == 68


@pytest.fixture
def busy(app, client, world, branch):
    """The room is taken on the second 25th, 08:30–10:30, by a single rehearsal."""
    login(client, "coord")
    second = _twenty_fifths(2)[1]
    other = _study(world, branch, kind="rehearsal", title="合唱团排练",
                   start_date=second.isoformat(), start_time="08:30", frequency="once",
                   expected_attendance="30", until="")
    assert post(client, "/series/new?kind=rehearsal", other).status_code == 302
    return second


def test_a_clash_lists_the_date_and_saves_nothing(app, client, world, branch, busy):
    response = post(client, STUDY, _study(world, branch, expected_attendance="45"))
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "合唱团排练" in html and f'name="date-{busy.isoformat()}"' in html
    assert html.count('value="skip"') == 1  # one date of three clashes: only it is listed
    assert _count(app, Series) == 1  # the rehearsal only: nothing half-saved


def test_skipping_a_clashing_date_keeps_the_rule(app, client, world, branch, busy):
    response = post(client, STUDY, _study(world, branch, expected_attendance="45",
                                          **{f"date-{busy.isoformat()}": "skip"}))
    assert response.status_code == 302, response.get_data(as_text=True)
    with app.app_context():
        series = db.session.scalar(db.select(Series).where(Series.title == "每月集体学习日"))
        assert series.rrule == "FREQ=MONTHLY;BYMONTHDAY=25"
        rows = {o.start_at.astimezone(_zone()).date(): o for o in series.occurrences}
        assert len(rows) == 3
        assert rows[busy].status == "cancelled" and rows[busy].reason == "不举行：场地已被占用"
        assert [o.status for d, o in sorted(rows.items()) if d != busy] == ["scheduled"] * 2
        entry = db.session.scalar(db.select(AuditEntry).where(
            AuditEntry.action == "series.create", AuditEntry.entity_id == series.id))
        assert entry.details["skipped"] == [busy.isoformat()]


def test_moving_a_clashing_date_holds_it_the_next_day(app, client, world, branch, busy):
    moved = {f"date-{busy.isoformat()}": "move",
             f"move-date-{busy.isoformat()}": (busy + timedelta(days=1)).isoformat(),
             f"move-time-{busy.isoformat()}": "09:00"}
    # Moved into the same booking again: refused, the date listed again, nothing saved.
    again = dict(moved, **{f"move-date-{busy.isoformat()}": busy.isoformat(),
                           f"move-time-{busy.isoformat()}": "10:00"})
    refused = post(client, STUDY, _study(world, branch, expected_attendance="45", **again))
    assert refused.status_code == 400 and _count(app, Series) == 1
    assert re.search(rf'id="move-{busy.isoformat()}" value="move" checked',
                     refused.get_data(as_text=True))

    response = post(client, STUDY, _study(world, branch, expected_attendance="45", **moved))
    assert response.status_code == 302, response.get_data(as_text=True)
    with app.app_context():
        series = db.session.scalar(db.select(Series).where(Series.title == "每月集体学习日"))
        local = sorted(o.start_at.astimezone(_zone()) for o in series.occurrences)
        assert [(t.date(), t.hour) for t in local] == [
            (_twenty_fifths(1)[0], 9), (busy + timedelta(days=1), 9), (_twenty_fifths(3)[2], 9)]
        shifted = db.session.scalar(db.select(Occurrence).where(
            Occurrence.series_id == series.id, Occurrence.is_detached.is_(True)))
        assert shifted.recurrence_id.astimezone(_zone()).date() == busy  # same identity
        assert shifted.status == "scheduled"


def _zone():
    from zoneinfo import ZoneInfo
    return ZoneInfo(ZONE)


def _value(html, field_id):
    match = re.search(rf'<input[^>]*id="{field_id}"[^>]*>', html)
    assert match, field_id
    found = re.search(r'value="([^"]*)"', match.group(0))
    return found.group(1) if found else ""


def _selected(html, field_id):
    select = re.search(rf'<select[^>]*id="{field_id}".*?</select>', html, re.S).group(0)
    return re.search(r'<option selected value="([^"]*)"|<option value="([^"]*)" selected',
                     select).group(0)


def test_the_form_opens_filled_in_for_the_kind(app, client, world, branch):
    login(client, "coord")
    kinds = client.get("/series/new").get_data(as_text=True)
    for code in ("patrol", "care", "rehearsal", "talk", "study"):
        assert f'href="/series/new?kind={code}"' in kinds
    assert 'name="title"' not in kinds  # the kind comes first

    patrol = client.get("/series/new?kind=patrol").get_data(as_text=True)
    assert _value(patrol, "roles-0-name") == "组长" and _value(patrol, "roles-0-needed") == "1"
    assert _value(patrol, "roles-1-name") == "队员" and _value(patrol, "roles-1-needed") == "3"
    assert _value(patrol, "duration_minutes") == "90" and _value(patrol, "roles-2-name") == ""
    assert f'value="{world["team"]}"' in _selected(patrol, "roles-1-required_team_id")
    assert "checked" in re.search(r'<input[^>]*id="roles-0-is_lead"[^>]*>', patrol).group(0)

    study = client.get(STUDY).get_data(as_text=True)
    assert _value(study, "month_day") == "25" and _value(study, "duration_minutes") == "120"
    assert 'value="monthly"' in _selected(study, "frequency")
    assert 'value="team"' in _selected(study, "participation")
    assert f'value="{branch["team"]}"' in _selected(study, "team_id")
    assert _value(study, "start_date").endswith("-25")
    assert "全队68人" in study  # the default expected attendance, said in words
    for legend in ("活动内容", "时间与重复", "更多选项"):
        assert legend in study
    # The audit log's words are gone (the menu's 关怀对象 is not one of them).
    assert "对象" not in study.replace("关怀对象", "") and "操作人" not in study
