"""A volunteer's own limits: weekly times they cannot do, dates away, shifts per week."""
from __future__ import annotations

from datetime import date, datetime, time

from ...domain.errors import DomainError, NotFound
from ...models import Account, Person, Unavailability
from .. import audit
from ..access import can_manage


def _person(session, actor: Account, person_id: int | None) -> Person:
    person_id = person_id or actor.person_id
    person = session.get(Person, person_id) if person_id else None
    if person is None or (person.id != actor.person_id
                          and not can_manage(session, actor, person.community_id)):
        raise NotFound("No such person.")
    return person


def add_weekly(session, actor: Account, weekday: int, start: time, end: time, now: datetime,
               person_id: int | None = None, note: str | None = None) -> Unavailability:
    """Record a weekly window the person cannot do."""
    person = _person(session, actor, person_id)
    if weekday not in range(7):
        raise DomainError("Choose a weekday.", field="weekday")
    if start is None or end is None or start >= end:
        raise DomainError("The end time must be after the start time.", field="end_time")
    row = Unavailability(person_id=person.id, weekday=weekday, start_time=start, end_time=end,
                         note=(note or "").strip()[:200] or None)
    session.add(row)
    session.flush()
    audit.record(session, actor, "availability.weekly", "person", person.id, now)
    return row


def add_range(session, actor: Account, first: date, last: date, now: datetime,
              person_id: int | None = None, note: str | None = None) -> Unavailability:
    """Record dates the person is away."""
    person = _person(session, actor, person_id)
    if first is None or last is None or first > last:
        raise DomainError("The last day must not be before the first day.", field="end_date")
    if (last - first).days > 3 * 366:
        raise DomainError("Enter at most three years.", field="end_date")
    row = Unavailability(person_id=person.id, start_date=first, end_date=last,
                         note=(note or "").strip()[:200] or None)
    session.add(row)
    session.flush()
    audit.record(session, actor, "availability.range", "person", person.id, now)
    return row


def remove(session, actor: Account, row_id: int, now: datetime) -> None:
    """Delete one availability entry."""
    row = session.get(Unavailability, row_id)
    if row is None:
        raise NotFound("No such entry.")
    _person(session, actor, row.person_id)
    session.delete(row)
    session.flush()
    audit.record(session, actor, "availability.remove", "person", row.person_id, now)


def set_weekly_limit(session, actor: Account, limit: int | None, now: datetime,
                     person_id: int | None = None) -> None:
    """Set (or clear, with None) the most shifts a week the person wants."""
    person = _person(session, actor, person_id)
    if limit is not None and not 0 <= limit <= 21:
        raise DomainError("Enter a number from 0 to 21.", field="max_shifts_per_week")
    person.max_shifts_per_week = limit
    session.flush()
    audit.record(session, actor, "availability.limit", "person", person.id, now, limit=limit)
