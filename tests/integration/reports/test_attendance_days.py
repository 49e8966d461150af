"""``attendance_days`` and ``attendance_months`` (the summary's per-community sums per day
and per month) and each person's first and last taking part (``people.first_part_at``,
``last_part_at``, which "drifted away" reads) always equal what the roll rows say,
whatever writes them: the roll's one writer, plain inserts, updates that change status,
minutes, kind, day, community or person, and deletes (hypothesis drives the writes; both
backends). And the summary, read from them, says what the per-community report reads
from the rows, for every community."""
from __future__ import annotations

import itertools
from datetime import date, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select, text

from coordinator.domain.attendance import local_day
from coordinator.extensions import db
from coordinator.models import Account, AttendanceDay, AttendanceEntry, Occurrence, Person
from coordinator.models.attendance_days import (
    COLUMNS,
    MONTH_SUMS,
    PART_REBUILD,
    PART_SPANS,
    SUMS,
)
from coordinator.services.reports import participation
from tests.support.participation import SETTINGS
from tests.support.scheduling import NOW

_FRESH = itertools.count()
STATUSES = ("present", "late", "left_early", "absent", "excused")


def _kept() -> dict:
    return {(d.community_id, d.day): tuple(getattr(d, c) for c in COLUMNS)
            for d in db.session.scalars(select(AttendanceDay)
                                        .execution_options(populate_existing=True))
            if any(getattr(d, c) for c in COLUMNS)}


def _recomputed() -> dict:
    """The sums straight from the rows."""
    out = {}
    for row in db.session.execute(text(SUMS)):
        day = date.fromisoformat(row[1]) if isinstance(row[1], str) else row[1]
        out[(row[0], day)] = tuple(int(x) for x in row[2:])
    return out


def _months_kept() -> dict:
    return {(r[0], str(r[1])[:10]): tuple(r[2:]) for r in db.session.execute(text(
        f"SELECT community_id, month, {', '.join(COLUMNS)} FROM attendance_months"))
            if any(r[2:])}


def _months_recomputed() -> dict:
    """The months' sums from the rows' days (themselves checked against the rows)."""
    sums = MONTH_SUMS[db.session.get_bind().dialect.name]
    return {(r[0], str(r[1])[:10]): tuple(int(x) for x in r[2:])
            for r in db.session.execute(text(sums)) if any(r[2:])}


def _spans_kept() -> dict:
    return {r[0]: (r[1], r[2]) for r in db.session.execute(text(
        "SELECT id, first_part_at, last_part_at FROM people"
        " WHERE first_part_at IS NOT NULL OR last_part_at IS NOT NULL"))}


def _spans_recomputed() -> dict:
    return {r[0]: (r[1], r[2]) for r in db.session.execute(text(PART_SPANS))}


operations = st.lists(st.tuples(
    st.sampled_from(("insert", "update", "delete")),
    st.integers(0, 10_000), st.sampled_from(STATUSES),
    st.sampled_from(("patrol", "meeting", "rehearsal")), st.integers(0, 240),
    st.booleans(), st.integers(0, 40)), min_size=1, max_size=12)


def test_days_equal_the_rows_after_any_writes(report_world):
    app, world = report_world
    with app.app_context():
        people = list(db.session.scalars(select(Person.id).order_by(Person.id)))
        communities = sorted({c for c in db.session.scalars(select(Person.community_id))})
        occurrence = db.session.scalars(select(Occurrence).order_by(Occurrence.id)).first()
        assert _kept() == _recomputed() and _kept()  # the world's rows, through write_entry
        assert _spans_kept() == _spans_recomputed() and _spans_kept()
        assert _months_kept() == _months_recomputed() and _months_kept()

        @settings(max_examples=25, deadline=None,
                  suppress_health_check=[HealthCheck.function_scoped_fixture])
        @given(operations)
        def check(ops):
            try:
                for op, pick, status, kind, minutes, walk_in, days_back in ops:
                    rows = list(db.session.scalars(
                        select(AttendanceEntry).order_by(AttendanceEntry.id)))
                    start = NOW - timedelta(days=days_back, hours=pick % 24)
                    served = status in ("present", "late", "left_early")
                    values = dict(
                        status=status, kind=kind, minutes=minutes if served else 0,
                        is_walk_in=walk_in, is_service=kind == "patrol",
                        leave_reason="illness" if status == "excused" else None,
                        start_at=start, day=local_day(start, SETTINGS.zone),
                        community_id=communities[pick % len(communities)])
                    if op == "insert" or not rows:
                        db.session.add(AttendanceEntry(
                            occurrence_id=_fresh_occurrence(occurrence, pick),
                            person_id=people[pick % len(people)], source="roll",
                            marked_at=NOW, **values))
                    elif op == "update":
                        row = rows[pick % len(rows)]
                        for key, value in values.items():
                            setattr(row, key, value)
                        # Sometimes the row moves to another person (when that keeps
                        # the one row per person and occurrence).
                        other = people[(pick // 3) % len(people)]
                        if pick % 5 == 0 and not any(
                                r.occurrence_id == row.occurrence_id and r.person_id == other
                                for r in rows):
                            row.person_id = other
                    else:
                        db.session.delete(rows[pick % len(rows)])
                    db.session.flush()
                assert _kept() == _recomputed()
                assert _months_kept() == _months_recomputed()
                assert _spans_kept() == _spans_recomputed()
            finally:
                db.session.rollback()

        check()
        assert _kept() == _recomputed()
        assert _spans_kept() == _spans_recomputed()


def test_the_spans_repair_recomputes_them_from_the_rows(report_world):
    """``PART_REBUILD`` (the migration's backfill) gives what the triggers kept."""
    app, _world = report_world
    with app.app_context():
        kept = _spans_kept()
        db.session.execute(text("UPDATE people SET first_part_at = NULL, last_part_at = NULL"))
        assert _spans_kept() == {}
        for statement in PART_REBUILD:
            db.session.execute(text(statement))
        assert _spans_kept() == kept and kept
        db.session.rollback()


def _fresh_occurrence(template: Occurrence, pick: int) -> int:
    """A new occurrence of the template's series (so a new row never meets the unique
    (occurrence, person) key)."""
    at = template.start_at - timedelta(days=400 + next(_FRESH), minutes=pick % 60)
    occ = Occurrence(series_id=template.series_id, recurrence_id=at, start_at=at,
                     end_at=at + timedelta(hours=1), status="scheduled", sequence=0)
    db.session.add(occ)
    db.session.flush()
    return occ.id


def test_summary_says_what_each_community_report_says(report_world):
    app, world = report_world
    with app.app_context():
        leader = db.session.get(Account, world.accounts["leader"][0])
        # Leave taken ahead (a row of a later day this month, or next month's): in the
        # month's rollup, not in the figures, in neither the summary nor the report.
        template = db.session.scalars(select(Occurrence).order_by(Occurrence.id)).first()
        ahead = NOW + timedelta(days=1)
        occ = Occurrence(series_id=template.series_id, recurrence_id=ahead, start_at=ahead,
                         end_at=ahead + timedelta(hours=1), status="scheduled", sequence=0)
        db.session.add(occ)
        db.session.flush()
        community = db.session.scalar(select(Person.community_id).order_by(Person.id))
        db.session.add(AttendanceEntry(
            occurrence_id=occ.id, person_id=db.session.scalar(select(Person.id).where(
                Person.community_id == community)), source="roll", marked_at=NOW,
            status="excused", leave_reason="illness", kind="patrol", minutes=0,
            is_walk_in=False, is_service=True, start_at=ahead,
            day=local_day(ahead, SETTINGS.zone), community_id=community))
        db.session.flush()
        summary = participation.summary(db.session, leader, NOW, SETTINGS)
        assert summary.rows
        for row in summary.rows:
            report = participation.community_report(db.session, leader, row.community_id,
                                                    NOW, SETTINGS)
            got, want = row.total.figures, report.total.figures
            assert (got.services, got.minutes, got.taken_part, got.expected,
                    got.expected_part, got.leave) == (
                want.services, want.minutes, want.taken_part, want.expected,
                want.expected_part, want.leave)
            assert row.months == report.months
            assert row.total.study == report.total.study
