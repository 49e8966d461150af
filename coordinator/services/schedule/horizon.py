"""Materialise occurrences of series for the rolling horizon."""
from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import insert, select

from ...domain.recurrence import expand
from ...models import Occurrence, OccurrenceRole, Series, SeriesRole


def materialize(session, series_ids: list[int] | None, horizon_end: datetime,
                now: datetime) -> int:
    """Create the missing occurrences (with their slots) up to ``horizon_end``.

    Idempotent: a series remembers how far it was expanded (``materialized_until``),
    and (series, recurrence id) is unique, so running it twice adds nothing.
    Returns the number of occurrences created. Uses bulk inserts: the nightly run
    and the demo loader both expand thousands of series.
    """
    query = select(Series).where(
        (Series.materialized_until.is_(None)) | (Series.materialized_until < horizon_end))
    if series_ids is not None:
        query = query.where(Series.id.in_(series_ids))
    created = 0
    for chunk in _chunks(list(session.scalars(query)), 500):
        roles_by_series: dict[int, list[SeriesRole]] = {}
        for role in session.scalars(select(SeriesRole).where(
                SeriesRole.series_id.in_([s.id for s in chunk])).order_by(SeriesRole.id)):
            roles_by_series.setdefault(role.series_id, []).append(role)
        batch = []
        for series in chunk:
            window_start = series.materialized_until or datetime.combine(
                series.start_date, datetime.min.time()).replace(tzinfo=now.tzinfo) - timedelta(
                    days=1)
            # A single event is stored whatever its date: a talk months ahead still
            # needs its speaker assigned now.
            window_end = horizon_end if series.rrule else datetime.max.replace(
                tzinfo=horizon_end.tzinfo)
            slots = expand(start_date=series.start_date, start_time=series.start_time,
                           duration=timedelta(minutes=series.duration_minutes),
                           zone_name=series.timezone, rule=series.rrule, until=series.until,
                           window_start=window_start, window_end=window_end)
            for slot in slots:
                batch.append((series, slot))
            series.materialized_until = horizon_end
        created += _insert(session, batch, roles_by_series)
    session.flush()
    return created


def _insert(session, batch, roles_by_series) -> int:
    if not batch:
        return 0
    rows = [{"series_id": s.id, "recurrence_id": slot.recurrence_id, "start_at": slot.start_at,
             "end_at": slot.end_at, "venue_id": s.venue_id, "status": "scheduled",
             "sequence": 0} for s, slot in batch]
    session.flush()
    # Skip recurrences that already exist (a split series, a re-run after a crash).
    series_ids = {r["series_id"] for r in rows}
    existing = set(session.execute(
        select(Occurrence.series_id, Occurrence.recurrence_id).where(
            Occurrence.series_id.in_(series_ids),
            Occurrence.recurrence_id >= min(r["recurrence_id"] for r in rows))).all())
    rows = [r for r in rows if (r["series_id"], r["recurrence_id"]) not in existing]
    if not rows:
        return 0
    # Plain executemany (no RETURNING: ordered RETURNING makes SQLite insert row by
    # row), then read the new ids back by their unique (series, recurrence) key.
    session.execute(insert(Occurrence.__table__), rows)
    keys = {(r["series_id"], r["recurrence_id"]) for r in rows}
    id_of = {(sid, rid): oid for oid, sid, rid in session.execute(
        select(Occurrence.id, Occurrence.series_id, Occurrence.recurrence_id).where(
            Occurrence.series_id.in_(series_ids),
            Occurrence.recurrence_id >= min(r["recurrence_id"] for r in rows)))
        if (sid, rid) in keys}
    ids = [id_of[(r["series_id"], r["recurrence_id"])] for r in rows]
    role_rows = []
    for occ_id, row in zip(ids, rows):
        for role in roles_by_series.get(row["series_id"], []):
            role_rows.append({"occurrence_id": occ_id, "series_role_id": role.id,
                              "name": role.name, "needed": role.needed,
                              "maximum": role.maximum, "filled": 0,
                              "required_team_id": role.required_team_id,
                              "is_lead": role.is_lead})
    if role_rows:
        session.execute(insert(OccurrenceRole.__table__), role_rows)
    return len(rows)


def _chunks(items, size):
    for i in range(0, len(items), size):
        yield items[i:i + size]


def horizon_end(now: datetime, weeks: int) -> datetime:
    """Return the end of the rolling horizon seen from ``now``."""
    return now + timedelta(weeks=weeks)

