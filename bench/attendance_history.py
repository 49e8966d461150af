"""A year of attendance history for every copy of the demo, written in bulk.

For every recurring series, the year before its first occurrence gets past occurrences
(daily series every day, monthly ones every four weeks, the rest weekly) and a roll row
for each person on it (three team members of a slot series, every member of a team
event): mostly present, some late, absent or on leave, with the minutes the domain rule
gives. Rows go in with explicit ids: roll rows by ``COPY`` on PostgreSQL, ``executemany``
batches otherwise; never the ORM one by one.
"""
from __future__ import annotations

import random
from collections import defaultdict
from datetime import datetime, timedelta, timezone

from sqlalchemy import func, insert, select, text

from coordinator.domain.attendance import actual_times, local_day, served_minutes
from coordinator.models import AttendanceEntry, Occurrence, Series, TeamMember
from coordinator.services.attendance import AttendanceSettings

STATUSES = ("present", "late", "absent", "excused")
WEIGHTS = (85, 6, 5, 4)
OCC_COLS = ("id", "series_id", "recurrence_id", "start_at", "end_at", "status", "sequence")
ENTRY_COLS = ("id", "occurrence_id", "person_id", "community_id", "kind", "start_at", "day",
              "status", "actual_start", "actual_end", "minutes", "is_service", "source",
              "is_walk_in", "leave_reason", "marked_at", "version")


def _bulk(session, model, cols, rows, copy: bool = True) -> None:
    if not rows:
        return
    connection = session.connection()
    if copy and connection.dialect.name == "postgresql":
        raw = connection.connection.driver_connection
        with raw.cursor() as cur, cur.copy(
                f"COPY {model.__tablename__} ({', '.join(cols)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        return
    statement = insert(model.__table__)
    for i in range(0, len(rows), 20_000):
        connection.execute(statement, [dict(zip(cols, r)) for r in rows[i:i + 20_000]])


def add_year(session, now: datetime, settings: AttendanceSettings | None = None,
             seed: int = 25) -> dict[str, int]:
    """Write a year of past occurrences and roll rows; return their counts (flushes)."""
    settings = settings or AttendanceSettings()
    rng = random.Random(f"bench-attendance-{seed}")
    firsts = dict(session.execute(select(Occurrence.series_id, func.min(Occurrence.start_at))
                                  .group_by(Occurrence.series_id)).all())
    members: dict[int, list[int]] = defaultdict(list)
    for team_id, person_id in session.execute(select(TeamMember.team_id,
                                                     TeamMember.person_id)):
        members[team_id].append(person_id)
    next_occ = (session.scalar(select(func.max(Occurrence.id))) or 0) + 1
    next_entry = (session.scalar(select(func.max(AttendanceEntry.id))) or 0) + 1
    year_ago = now - timedelta(days=365)
    occurrences, entries = [], []
    marked = now.astimezone(timezone.utc)
    for s in session.scalars(select(Series).where(Series.rrule.is_not(None))):
        first = firsts.get(s.id)
        team = members.get(s.team_id, [])
        if first is None or not team:
            continue
        step = timedelta(days=1 if "DAILY" in s.rrule else 28 if "MONTHLY" in s.rrule else 7)
        length = timedelta(minutes=s.duration_minutes)
        at = first - step
        is_service = settings.is_service(s.kind)
        while at >= year_ago:
            occurrences.append((next_occ, s.id, at, at, at + length, "scheduled", 0))
            people = team if s.participation == "team" else rng.sample(team, min(3, len(team)))
            for person_id in people:
                status = rng.choices(STATUSES, WEIGHTS)[0]
                late = at + timedelta(minutes=20) if status == "late" else None
                begin, finish = actual_times(status, at, at + length, late, None)
                entries.append((next_entry, next_occ, person_id, s.community_id, s.kind, at,
                                local_day(at, settings.zone),
                                status, begin, finish,
                                served_minutes(status, at, at + length, begin, finish,
                                               settings.grace),
                                is_service, "leave" if status == "excused" else "roll",
                                False, "illness" if status == "excused" else None, marked, 1))
                next_entry += 1
            next_occ += 1
            at -= step
    # Occurrences through executemany on both backends: their columns' defaults (counters,
    # flags) are the model's, filled in by SQLAlchemy; the many roll rows go by COPY.
    _bulk(session, Occurrence, OCC_COLS, occurrences, copy=False)
    _bulk(session, AttendanceEntry, ENTRY_COLS, entries)
    if session.get_bind().dialect.name == "postgresql":
        for table in ("occurrences", "attendance_entries"):
            session.execute(text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                                 f"(SELECT max(id) FROM {table}))"))
    session.flush()
    return {"occurrences": len(occurrences), "entries": len(entries)}
