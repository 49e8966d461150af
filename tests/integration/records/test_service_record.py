"""The service record's figures (``service_record``): recorded apart from added by staff,
service hours apart from organisational life, no-shows, leave and unrecorded dates never
counted, by kind, study days, star levels at the thresholds; a constant query count; and
"Hours served" on My shifts from the roll (a no-show does not count)."""
from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest
from sqlalchemy import event

from coordinator.database import begin_write
from coordinator.extensions import db
from coordinator.models import Assignment, AttendanceEntry, Occurrence, OccurrenceRole, Series
from coordinator.services.attendance.records import service_record
from coordinator.services.shifts.facts import hours_served
from tests.support.records import SETTINGS, entry, login_as, occurrence
from tests.support.scheduling import NOW


def test_figures(world_app):
    app, w = world_app
    with app.app_context():
        r = service_record(db.session, w["me"], NOW, SETTINGS)
    # patrol: 120 (roll) + 90 (late, check-in) recorded, 150 staff (3 h capped at 2 h +
    # 30 min grace); talk 90; last year's patrol 120. Absent, leave, no row: nothing.
    assert (r.service_total.recorded, r.service_total.staff) == (420, 150)
    assert r.hours_total == 9.5 and r.services_total == 5
    if w["this_year"]:
        assert (r.service_year.recorded, r.service_year.staff) == (300, 150)
        assert r.hours_year == 7.5 and r.services_year == 4
    kinds = {k.kind: k for k in r.by_kind}
    assert set(kinds) == {"patrol", "talk"}  # rehearsal and study day are no service
    assert kinds["patrol"].total.total == 480 and kinds["talk"].total.total == 90
    assert r.by_kind[0].kind == "patrol"
    life = {k.kind: k.services_total for k in r.life}
    assert life == {"rehearsal": 1, "meeting": 2}
    assert len(r.study) == 12 and (r.study_attended, r.study_held) == (2, 3)
    assert [m.attended for m in r.study[-4:-1]] == [True, False, True]
    statuses = [line.status for line in r.lines]
    assert statuses.count("absent") == 1 and statuses.count("excused") == 1
    assert r.lines_total == len(r.lines) == 10  # every row listed; the unrecorded date not
    assert r.lines[0].start_at >= r.lines[-1].start_at
    assert (r.stars, r.next_hours, r.hours_to_next) == (0, 100, 90.5)


@pytest.mark.parametrize("hours,stars,nxt", [(99, 0, 100), (100, 1, 300), (299, 1, 300),
                                             (300, 2, 600), (1500, 5, None)])
def test_star_level_at_thresholds(world_app, hours, stars, nxt):
    app, w = world_app
    # The thresholds are shifted so that the person's 9.5 h stand for ``hours``.
    shift = hours - 9.5
    settings = replace(SETTINGS, star_hours=tuple(t - shift for t in SETTINGS.star_hours))
    with app.app_context():
        r = service_record(db.session, w["me"], NOW, settings)
    assert r.stars == stars
    assert (r.next_hours is None) == (nxt is None)
    if nxt is not None:
        assert r.next_hours + shift == nxt


def _count(app, fn):
    seen = []

    def on(*_a, **_k):
        seen.append(1)
    event.listen(db.engine, "before_cursor_execute", on)
    try:
        fn()
    finally:
        event.remove(db.engine, "before_cursor_execute", on)
    return len(seen)


def test_query_count_constant(world_app):
    app, w = world_app
    with app.app_context():
        db.session.expire_all()
        before = _count(app, lambda: service_record(db.session, w["me"], NOW, SETTINGS))
        begin_write(db.session)
        s = db.session.get(Series, w["patrol"])
        added = [occurrence(s, NOW - timedelta(days=30 + i)) for i in range(40)]
        for occ in added:
            entry(s, occ, w["me"], "present", "roll")
        db.session.commit()
        db.session.expire_all()
        try:
            after = _count(app, lambda: service_record(db.session, w["me"], NOW, SETTINGS))
            assert after == before <= 7  # the study days: two indexed reads
        finally:
            begin_write(db.session)
            for occ in added:
                db.session.execute(db.delete(AttendanceEntry).where(
                    AttendanceEntry.occurrence_id == occ.id))
                db.session.execute(db.delete(Occurrence).where(Occurrence.id == occ.id))
            db.session.commit()


def test_hours_served_counts_the_roll_not_the_schedule(world_app):
    """The old "Hours served" summed confirmed shifts: the no-show and the leave date
    counted (and the unrecorded one). Now only recorded service minutes count."""
    app, w = world_app
    with app.app_context():
        begin_write(db.session)
        made = []
        for occ_id in w["occ"][3:5]:  # the no-show and the leave date: confirmed on both
            role = OccurrenceRole(occurrence_id=occ_id, name="队员", needed=1, maximum=1)
            db.session.add(role)
            db.session.flush()
            a = Assignment(occurrence_role_id=role.id, person_id=w["me"], status="confirmed")
            db.session.add(a)
            db.session.flush()
            made.append((role.id, a.id))
        db.session.commit()
        try:
            got = hours_served(db.session, [w["me"]], NOW - timedelta(days=30), NOW)
            assert got[w["me"]] == pytest.approx(450 / 60)
            client = login_as(app.test_client(), "person")
            html = client.get("/shifts/mine").get_data(as_text=True)
            assert "7.5" in html and "/me/record" in html
        finally:
            begin_write(db.session)
            for role_id, a_id in made:
                db.session.execute(db.delete(Assignment).where(Assignment.id == a_id))
                db.session.execute(db.delete(OccurrenceRole).where(OccurrenceRole.id == role_id))
            db.session.commit()
