"""Pieces of SQL shared by the summary and the grid: the week's bounds, the filter
as a WHERE clause, the row key, and sums of places."""
from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy import case, func, or_, select

from ...domain.recurrence import local_day_bounds
from ...models import (
    Occurrence,
    OccurrenceRole,
    Series,
)
from .filters import PlanFilter, PlanViewer


def _bounds(monday: date, zone: str, days: int = 7) -> list[datetime]:
    """UTC instants of local midnight for ``days`` + 1 consecutive days (DST-safe)."""
    return [local_day_bounds(monday + timedelta(days=i), zone)[0] for i in range(days + 1)]


def _day_index(bounds: list[datetime]):
    """0..n-1: the local day an occurrence starts on (a CASE over UTC bounds)."""
    return case(*[(Occurrence.start_at < bounds[i + 1], i) for i in range(len(bounds) - 2)],
                else_=len(bounds) - 2)


def _readable_care(viewer: PlanViewer):
    """SQL truth of "this is not a care visit the viewer may not read" (None: all are)."""
    if viewer.managed is None:
        return None
    if not viewer.managed:
        return Series.kind != "care"
    return or_(Series.kind != "care", Series.community_id.in_(sorted(viewer.managed)))


def _group_column(by: str, viewer: PlanViewer):
    """The row key. A care visit's team and place are private (they can point at the
    person visited), so for viewers who may not read it, it sits under "no team" / "no
    venue" instead of under its team's or room's name."""
    column = {"community": Series.community_id, "team": Series.team_id,
              "venue": Occurrence.venue_id}[by]
    readable = _readable_care(viewer)
    if by == "community" or readable is None:
        return column
    return case((readable, column), else_=None)


def _where(query, flt: PlanFilter, viewer: PlanViewer, lo: datetime, hi: datetime):
    query = query.where(Occurrence.start_at >= lo, Occurrence.start_at < hi)
    if viewer.visible is not None:
        query = query.where(or_(Series.community_id.in_(sorted(viewer.visible)),
                                Series.community_id.is_(None)))
    if flt.community_id is not None:
        query = query.where(Series.community_id == flt.community_id)
    if flt.kind is not None:
        query = query.where(Series.kind == flt.kind)
    if flt.team_id is not None:
        query = query.where(Series.team_id == flt.team_id)
    if flt.venue_id is not None:
        query = query.where(Occurrence.venue_id == flt.venue_id)
    readable = _readable_care(viewer)
    if (flt.team_id is not None or flt.venue_id is not None) and readable is not None:
        # Filtering by team or room must not reveal where a private care visit is.
        query = query.where(readable)
    return query


_SCHEDULED = Occurrence.status == "scheduled"
_CAPPED = case((OccurrenceRole.filled < OccurrenceRole.needed, OccurrenceRole.filled),
               else_=OccurrenceRole.needed)


def _needed():
    return func.coalesce(func.sum(case((_SCHEDULED, OccurrenceRole.needed), else_=0)), 0)


def _filled():
    return func.coalesce(func.sum(case((_SCHEDULED, _CAPPED), else_=0)), 0)


def _grouped(session, flt: PlanFilter, viewer: PlanViewer, lo: datetime, hi: datetime,
             keys: dict, names: tuple = (), name_table=None, name_on=None,
             hours: bool = False) -> list[tuple]:
    """Occurrences of ``[lo, hi)`` under the filter, grouped by ``keys``: rows of
    (*keys, *names, scheduled, cancelled, needed, filled, filled x hours).

    Two queries: occurrences alone (counts; cheap) and scheduled occurrences joined to
    their slots (sums). Summing slots directly needs no COUNT(DISTINCT) and no
    per-occurrence step, which is what makes a province-size week affordable.
    """
    columns = [value.label(name) for name, value in keys.items()]
    occurrences = (select(*columns, *names,
                          func.sum(case((_SCHEDULED, 1), else_=0)),
                          func.sum(case((_SCHEDULED, 0), else_=1)))
                   .select_from(Occurrence).join(Series, Occurrence.series_id == Series.id))
    if name_table is not None:
        occurrences = occurrences.outerjoin(name_table, name_on)
    occurrences = _where(occurrences, flt, viewer, lo, hi).group_by(*keys.values(), *names)
    worked = (func.sum(OccurrenceRole.filled * _hours(session)) if hours
              else func.sum(OccurrenceRole.filled * 0))
    slots = _where(
        select(*columns, func.sum(OccurrenceRole.needed), func.sum(_CAPPED), worked)
        .select_from(Occurrence).join(Series, Occurrence.series_id == Series.id)
        .join(OccurrenceRole, OccurrenceRole.occurrence_id == Occurrence.id)
        .where(_SCHEDULED), flt, viewer, lo, hi).group_by(*keys.values())
    width = len(keys)
    sums = {tuple(row[:width]): row[width:] for row in session.execute(slots)}
    out = []
    for row in session.execute(occurrences):
        needed, filled, hours_worked = sums.get(tuple(row[:width]), (0, 0, 0))
        out.append((*row, int(needed or 0), int(filled or 0), float(hours_worked or 0)))
    return out


def _hours(session):
    """Length of an occurrence in hours, in the backend's own date arithmetic."""
    if session.get_bind().dialect.name == "postgresql":
        return func.extract("epoch", Occurrence.end_at - Occurrence.start_at) / 3600.0
    return (func.julianday(Occurrence.end_at) - func.julianday(Occurrence.start_at)) * 24.0
