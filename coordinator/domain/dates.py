"""The dates a person may type: one accepted range per kind of date, checked everywhere.

A year like 0001 or 9999 parses as a date but breaks arithmetic further on (a week after
9999-12-31 does not exist), so every typed date is held to a range near today: schedules
from a year back to five years ahead, birth years from 1900. Pure: today is a parameter.
"""
from __future__ import annotations

from datetime import date, datetime, timezone

from .errors import DomainError

BIRTH_YEARS = (1900, 2020)
SCHEDULE_PAST_YEARS = 1
SCHEDULE_FUTURE_YEARS = 5


def _years_from(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def schedule_range(today: date) -> tuple[date, date]:
    """The first and last date a schedule, a move or an availability range may use."""
    return _years_from(today, -SCHEDULE_PAST_YEARS), _years_from(today, SCHEDULE_FUTURE_YEARS)


def check_schedule_date(day: date | None, today: date, field: str) -> None:
    """Raise DomainError on ``field`` when ``day`` is outside ``schedule_range(today)``."""
    if day is None:
        return
    first, last = schedule_range(today)
    if not first <= day <= last:
        raise DomainError("The date must be between %(first)s and %(last)s.", field=field,
                          first=first.isoformat(), last=last.isoformat())


def check_birth_year(year: int | None, field: str = "birth_year") -> None:
    """Raise DomainError on ``field`` when ``year`` is outside ``BIRTH_YEARS``."""
    if year is not None and not BIRTH_YEARS[0] <= year <= BIRTH_YEARS[1]:
        raise DomainError("Enter a birth year between 1900 and 2020.", field=field)


# Calendar SEQUENCE numbers count seconds from here to the last change an event shows
# (feeds and the events attached to messages alike): they never go down, and rise with
# every change (RFC 5545 clients ignore an update whose SEQUENCE is not higher).
SEQUENCE_EPOCH = datetime(2000, 1, 1, tzinfo=timezone.utc)


def calendar_sequence(changed: datetime) -> int:
    """Return the SEQUENCE of an event last changed at ``changed``."""
    return max(0, int((changed - SEQUENCE_EPOCH).total_seconds()))

