"""The rules of the attendance roll, service minutes and star levels: pure functions.

- The roll of an occurrence is open from ``opens_before`` before its start until
  ``closes_after`` after its end; changes after that are corrections by staff.
- A person taking part (present, late, left early) serves from their actual start to their
  actual end, both defaulting to the scheduled ones, capped at the occurrence's length plus
  a grace; every other status serves nothing.
- Times typed by a person are refused when the end is before the start, longer than 24
  hours, or in the future.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from .errors import DomainError
from .recurrence import get_zone

SERVED = frozenset({"present", "late", "left_early"})


@dataclass(frozen=True)
class RollWindow:
    """When a roll opens and closes."""

    opens_before: timedelta = timedelta(minutes=30)
    closes_after: timedelta = timedelta(days=3)

    def opens_at(self, start: datetime) -> datetime:
        return start - self.opens_before

    def closes_at(self, end: datetime) -> datetime:
        return end + self.closes_after

    def state(self, start: datetime, end: datetime, now: datetime) -> str:
        """"early" (not open yet), "open" or "closed"."""
        if now < self.opens_at(start):
            return "early"
        if now > self.closes_at(end):
            return "closed"
        return "open"


def local_day(at: datetime, zone: str) -> date:
    """The organisation's calendar day of an instant: the day a roll row is counted on."""
    return at.astimezone(get_zone(zone)).date()


def actual_times(status: str, start: datetime, end: datetime,
                 actual_start: datetime | None, actual_end: datetime | None
                 ) -> tuple[datetime | None, datetime | None]:
    """Return the actual start and end a row stores: the scheduled ones by default, none
    for a status that serves nothing."""
    if status not in SERVED:
        return None, None
    return actual_start or start, actual_end or end


def served_minutes(status: str, start: datetime, end: datetime,
                   actual_start: datetime | None, actual_end: datetime | None,
                   grace: timedelta = timedelta(minutes=30)) -> int:
    """Minutes served: actual end − actual start, capped at the length plus ``grace``;
    0 for absent, excused or a status that serves nothing; never negative."""
    if status not in SERVED:
        return 0
    begin, finish = actual_times(status, start, end, actual_start, actual_end)
    cap = (end - start) + grace
    length = min(max(finish - begin, timedelta(0)), cap)
    return int(length.total_seconds() // 60)


def check_times(actual_start: datetime | None, actual_end: datetime | None, now: datetime,
                *, start_field: str = "actual_start", end_field: str = "actual_end") -> None:
    """Refuse typed times that cannot be true (raises DomainError on the field)."""
    if actual_start is not None and actual_start > now:
        raise DomainError("The arrival time is in the future.", field=start_field)
    if actual_end is not None and actual_end > now:
        raise DomainError("The time they left is in the future.", field=end_field)
    if actual_start is not None and actual_end is not None:
        if actual_end < actual_start:
            raise DomainError("The time they left is before the time they arrived.",
                              field=end_field)
        if actual_end - actual_start > timedelta(hours=24):
            raise DomainError("More than 24 hours in one go cannot be right: check the "
                              "times.", field=end_field)


def star_level(hours: float, thresholds: tuple[int, ...]) -> int:
    """The star level (0 to len(thresholds)) that ``hours`` of service reach."""
    return sum(1 for t in thresholds if hours >= t)


def next_milestone(hours: float, thresholds: tuple[int, ...]) -> int | None:
    """The hours of the next star level, or None above the highest."""
    return next((t for t in thresholds if hours < t), None)


def mask_name(name: str) -> str:
    """张*明, 张*, 欧阳**明: the first character and, from three characters on, the last
    one; every other character a star. A Latin name keeps its first letter of each part."""
    name = (name or "").strip()
    if " " in name:
        return " ".join(part[:1] + "*" * (len(part) - 1) for part in name.split())
    if len(name) <= 1:
        return name
    if len(name) == 2:
        return name[0] + "*"
    return name[0] + "*" * (len(name) - 2) + name[-1]
