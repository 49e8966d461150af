"""What happened, for the coordinators and leaders: rolls not taken (home page, daily
digest), last week's outcome (the weekly plan, the Monday summary) in one statement."""
from __future__ import annotations

from datetime import timedelta

from flask_babel import force_locale

from coordinator.extensions import db
from coordinator.models import Occurrence
from coordinator.services.attendance.outcome import week_outcome
from coordinator.services.notify.digests import _merge, digest_contents, weekly_contents
from tests.support.leave_pages import actor_client, at, mark
from tests.support.plan import count_queries
from tests.support.scheduling import NOW, ZONE, roles_of
from tests.support.shift_pages import local_date, section, series, sign


def _selects(counter) -> int:
    """Statements run, but the transaction's own BEGIN (SQLite's, see database.py)."""
    return sum(1 for s in counter.statements if s.strip().upper() != "BEGIN")


def _week(app, world) -> dict:
    """Friday to Sunday after NOW: a talk done by three (two present, one no-show), one
    whose only row is a leave (its roll not taken), one with nobody; a rehearsal (not
    service hours) with one present."""
    with app.app_context():
        talk = series(world, title="MK上周讲座", needed=3, maximum=3, start_day=1,
                      rule="FREQ=DAILY", until_days=2)
        first, second, _third = roles_of(talk)[:3]
        for i in (0, 1, 2):
            sign(world["accounts"][i], first)
        for i in (3, 4):
            sign(world["accounts"][i], second)
        ids = [db.session.scalar(db.select(Occurrence.id).where(
            Occurrence.series_id == talk).order_by(Occurrence.start_at).offset(k).limit(1))
            for k in range(3)]
        mark(ids[0], world["people"][0], "present")
        mark(ids[0], world["people"][1], "present")
        mark(ids[0], world["people"][2], "absent")
        mark(ids[1], world["people"][3], "excused", source="leave")
        rehearsal = series(world, title="MK上周排练", kind="rehearsal", start_day=1)
        sign(world["accounts"][5], roles_of(rehearsal)[0])
        rehearsal_id = db.session.scalar(db.select(Occurrence.id).where(
            Occurrence.series_id == rehearsal))
        mark(rehearsal_id, world["people"][5], "present")
    return {"talks": ids, "monday": local_date(1) - timedelta(days=local_date(1).weekday())}


def test_last_weeks_outcome(app, world):
    week = _week(app, world)
    later = NOW + timedelta(days=7)
    with app.app_context():
        with count_queries(app) as counter:
            outcome = week_outcome(db.session, week["monday"], ZONE, later)
        assert _selects(counter) == 1, counter.statements
        assert (outcome.served, outcome.absent, outcome.excused) == (3, 1, 1)
        assert outcome.rate == 75 and outcome.service_hours == 2.0
        assert outcome.rolls_not_taken == 1
        mine = week_outcome(db.session, week["monday"], ZONE, later,
                            community_ids={world["other"]})
        assert (mine.served, mine.rate, mine.rolls_not_taken) == (0, None, 0)
        assert week_outcome(db.session, week["monday"], ZONE, later,
                            kind="rehearsal").served == 1
        # More rows, the same single statement.
        mark(week["talks"][2], world["people"][6], "present")
        with count_queries(app) as counter:
            assert week_outcome(db.session, week["monday"], ZONE, later).served == 4
        assert _selects(counter) == 1
        summary = weekly_contents(db.session, week["monday"] + timedelta(days=7), ZONE,
                                  later)["outcome"]
        assert summary == {"monday": week["monday"].isoformat(), "rate": 80, "served": 4,
                           "absent": 1, "excused": 1, "hours": 3.0, "rolls_not_taken": 1}
        with force_locale("zh_CN"):
            text = app.jinja_env.get_template("emails/weekly.txt").render(
                p=weekly_contents(db.session, week["monday"] + timedelta(days=7), ZONE,
                                  later), fmt=str, link="")
        assert "出勤率：80%" in text and "未考勤：1 次" in text
    at(app, 7)
    plan = actor_client(app, "leader").get("/plan").get_data(as_text=True)
    outcome_html = section(plan, "outcome-h")
    assert "上周情况" in outcome_html and "80%" in outcome_html
    other = actor_client(app, "other_coordinator").get("/plan").get_data(as_text=True)
    assert "80%" not in section(other, "outcome-h")


def test_rolls_not_taken_on_home_and_digest(app, world):
    with app.app_context():
        talk = series(world, title="MK未考勤讲座", start_day=1)
        sign(world["accounts"][0], roles_of(talk)[0])
        occurrence_id = db.session.scalar(db.select(Occurrence.id).where(
            Occurrence.series_id == talk))
    at(app, 1.5)  # after it started, the roll open, nobody marked
    home = actor_client(app, "coordinator").get("/").get_data(as_text=True)
    rolls = section(home, "rolls-h")
    assert "MK未考勤讲座" in rolls and f'href="/attendance/{occurrence_id}"' in rolls
    other = actor_client(app, "other_coordinator").get("/").get_data(as_text=True)
    assert "MK未考勤讲座" not in section(other, "rolls-h")
    assert "rolls-h" not in actor_client(app, "on_shift").get("/").get_data(as_text=True)
    with app.app_context():
        contents = digest_contents(db.session, NOW + timedelta(days=1.5))
        body = _merge(contents, [world["community"]])
        assert body["rolls_total"] == 1 and body["rolls"][0]["title"] == "MK未考勤讲座"
        assert _merge(contents, [world["other"]])["rolls_total"] == 0
        with force_locale("zh_CN"):
            text = app.jinja_env.get_template("emails/digest.txt").render(
                p=body, fmt=str, link="")
            html = app.jinja_env.get_template("emails/digest.html").render(
                p=body, fmt=str, link="", subject="", locale="zh_CN")
        assert "未考勤的活动：1" in text and "MK未考勤讲座" in html
        mark(occurrence_id, world["people"][0], "present")
        assert _merge(digest_contents(db.session, NOW + timedelta(days=1.5)),
                      [world["community"]])["rolls_total"] == 0
