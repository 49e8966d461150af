"""Venue bookings: rooms and halls never host two overlapping occurrences.

Checked against stored occurrences *and* against the rules of series not yet
expanded that far, so a booking months ahead cannot collide with a weekly rehearsal
that is only materialised later.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import or_, select

from ...domain.errors import DomainError
from ...domain.intervals import overlaps
from ...domain.recurrence import expand
from ...models import Account, Occurrence, Series, Venue
from ..locks import lock


@dataclass(frozen=True)
class Clash:
    """An existing booking that a wanted interval would overlap."""

    start_at: datetime
    end_at: datetime
    title: str
    booked_by: str
    wanted_start: datetime


def find_clashes(session, venue_id: int, wanted: list[tuple[datetime, datetime]],
                 ignore_series_ids: set[int] = frozenset(),
                 ignore_occurrence_ids: set[int] = frozenset()) -> list[Clash]:
    """Return every booking of ``venue_id`` overlapping one of the ``wanted`` intervals."""
    if not wanted:
        return []
    lo = min(s for s, _ in wanted)
    hi = max(e for _, e in wanted)
    booked: list[tuple[datetime, datetime, Series]] = []
    rows = session.execute(
        select(Occurrence, Series).join(Series, Occurrence.series_id == Series.id)
        .where(Occurrence.venue_id == venue_id, Occurrence.status == "scheduled",
               Occurrence.start_at < hi, Occurrence.end_at > lo))
    for occ, series in rows:
        if series.id in ignore_series_ids or occ.id in ignore_occurrence_ids:
            continue
        booked.append((occ.start_at, occ.end_at, series))
    # Series in this room not yet expanded as far as ``hi``: expand their rules.
    for series in session.scalars(select(Series).where(
            Series.venue_id == venue_id, Series.rrule.is_not(None),
            or_(Series.materialized_until.is_(None), Series.materialized_until < hi))):
        if series.id in ignore_series_ids:
            continue
        for slot in expand(start_date=series.start_date, start_time=series.start_time,
                           duration=timedelta(minutes=series.duration_minutes),
                           zone_name=series.timezone, rule=series.rrule, until=series.until,
                           window_start=max(lo - timedelta(days=1),
                                            series.materialized_until or lo - timedelta(days=1)),
                           window_end=hi):
            booked.append((slot.start_at, slot.end_at, series))
    booked.sort(key=lambda b: b[0])
    clashes = []
    for start, end in sorted(wanted):
        for b_start, b_end, series in booked:
            if b_start >= end:
                break
            if overlaps(start, end, b_start, b_end):
                clashes.append(Clash(b_start, b_end, series.title, _who(session, series),
                                     start))
    return clashes


def _who(session, series: Series) -> str:
    account = session.get(Account, series.created_by_id) if series.created_by_id else None
    return account.display_name if account else "—"


def lock_venue(session, venue_id: int, people: int | None, *,
               allow_over: bool = False) -> Venue:
    """Lock the venue and refuse ``people`` beyond its capacity unless ``allow_over``."""
    venue = lock(session, Venue, venue_id)
    if venue is None:
        raise DomainError("Choose a venue from the list.", field="venue_id")
    if (venue.capacity is not None and people is not None and people > venue.capacity
            and not allow_over):
        error = DomainError("%(venue)s holds %(capacity)s people; %(people)s are expected.",
                            field="venue_id", venue=venue.name, capacity=venue.capacity,
                            people=people)
        error.over_capacity = True  # the form then offers the audited override
        raise error
    return venue


def check_venue(session, venue_id: int | None, wanted: list[tuple[datetime, datetime]],
                people: int | None, zone: str, **ignore) -> Venue | None:
    """Lock the venue and raise DomainError listing every clash or the capacity excess."""
    if venue_id is None:
        return None
    venue = lock_venue(session, venue_id, people)
    if not venue.is_exclusive:
        return venue
    clashes = find_clashes(session, venue_id, wanted, **ignore)
    if clashes:
        from zoneinfo import ZoneInfo
        tz = ZoneInfo(zone)
        listing = "; ".join(
            f"{c.start_at.astimezone(tz):%Y-%m-%d %H:%M}–{c.end_at.astimezone(tz):%H:%M} "
            f"{c.title} ({c.booked_by})" for c in clashes[:20])
        more = len(clashes) - 20
        raise DomainError("%(venue)s is already booked at %(count)s of these times: %(list)s",
                          field="venue_id", venue=venue.name, count=len(clashes),
                          list=listing + (f" … (+{more})" if more > 0 else ""))
    return venue
