"""Pieces of SQL shared by the summary and the grid: the week's bounds, the filter
as a WHERE clause, the row key, and sums of places."""
from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy import case, func, literal, or_, select

from ...domain.recurrence import local_day_bounds
from ...models import Occurrence, Series
from .filters import PlanFilter, PlanViewer


def day_bounds(monday: date, zone: str, days: int = 7) -> list[datetime]:
    """UTC instants of local midnight for ``days`` + 1 consecutive days (DST-safe)."""
    return [local_day_bounds(monday + timedelta(days=i), zone)[0] for i in range(days + 1)]


def day_index(bounds: list[datetime]):
    """0..n-1: the local day an occurrence starts on (a CASE over UTC bounds)."""
    return case(*[(Occurrence.start_at < bounds[i + 1], i) for i in range(len(bounds) - 2)],
                else_=len(bounds) - 2)


def _readable_care(viewer: PlanViewer):
    """SQL truth of "this is not a care visit the viewer may not read" (None: all are):
    the coordinators of its community read it (``PlanViewer.care``), admins and leaders
    not (its visitors do, which the grid decides per entry)."""
    if viewer.care is None:
        return None
    if not viewer.care:
        return Series.kind != "care"
    return or_(Series.kind != "care", Series.community_id.in_(sorted(viewer.care)))


def group_column(by: str, viewer: PlanViewer):
    """The row key. A care visit's team and place are private (they can point at the
    person visited), so for viewers who may not read it, it sits under "no team" / "no
    venue" instead of under its team's or room's name."""
    column = {"community": Series.community_id, "team": Series.team_id,
              "venue": Occurrence.venue_id}[by]
    readable = _readable_care(viewer)
    if by == "community" or readable is None:
        return column
    return case((readable, column), else_=None)


def apply_filter(query, flt: PlanFilter, viewer: PlanViewer, lo: datetime, hi: datetime):
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


SCHEDULED = Occurrence.status == "scheduled"


def _needed():
    """Places needed by scheduled occurrences (the totals the slot triggers keep)."""
    return func.coalesce(func.sum(case((SCHEDULED, Occurrence.places_needed), else_=0)), 0)


def _filled():
    """Filled places of scheduled occurrences, none counted beyond a slot's need."""
    return func.coalesce(func.sum(case((SCHEDULED, Occurrence.places_filled), else_=0)), 0)


def grouped_rows(session, flt: PlanFilter, viewer: PlanViewer, lo: datetime, hi: datetime,
             keys: dict, names: tuple = (), name_table=None, name_key: str | None = None,
             hours: bool = False, extra=None) -> list[tuple]:
    """Occurrences of ``[lo, hi)`` under the filter, grouped by ``keys``: rows of
    (*keys, *names, scheduled, cancelled, needed, filled, filled x hours); ``extra``: one
    more condition.

    One query over the occurrences alone: their slots' totals are kept on each occurrence
    (``models/totals.py``), so a province-size week is 20,000 rows, not their 230,000
    slots joined. Grouped by the keys only; ``names`` (columns of ``name_table``) are joined
    to the grouped rows.
    """
    columns = [value.label(name) for name, value in keys.items()]
    worked = (func.sum(case((SCHEDULED, Occurrence.people_confirmed * _hours(session)),
                            else_=0)) if hours else literal(0))
    grouped = apply_filter(
        select(*columns, func.sum(case((SCHEDULED, 1), else_=0)).label("scheduled"),
               func.sum(case((SCHEDULED, 0), else_=1)).label("cancelled"),
               _needed().label("needed"), _filled().label("filled"), worked.label("worked"))
        .select_from(Occurrence).join(Series, Occurrence.series_id == Series.id),
        flt, viewer, lo, hi)
    if extra is not None:
        grouped = grouped.where(extra)
    grouped = grouped.group_by(*keys.values()).subquery()
    query = select(*(grouped.c[name] for name in keys), *names).select_from(grouped)
    if name_table is not None:  # the row's name: name_table.id is the key ``name_key``
        query = query.outerjoin(name_table, name_table.id == grouped.c[name_key])
    query = query.add_columns(grouped.c.scheduled, grouped.c.cancelled, grouped.c.needed,
                              grouped.c.filled, grouped.c.worked)
    return [(*row[:-3], int(row[-3] or 0), int(row[-2] or 0), float(row[-1] or 0))
            for row in session.connection().execute(query)]


def _hours(session):
    """Length of an occurrence in hours, in the backend's own date arithmetic."""
    if session.get_bind().dialect.name == "postgresql":
        return func.extract("epoch", Occurrence.end_at - Occurrence.start_at) / 3600.0
    return (func.julianday(Occurrence.end_at) - func.julianday(Occurrence.start_at)) * 24.0
