"""May this person take this slot? Pure rules over plain facts.

The service gathers the facts inside the write transaction (after locking the person
row), then asks here. Every refusal carries a message for the user and a ``code`` so
that a coordinator can override the soft ones (availability, weekly limit) with an
explicit, recorded confirmation; hard ones (team, overlap, capacity) cannot be.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

from .errors import DomainError
from .intervals import overlaps

SOFT = frozenset({"unavailable", "away", "weekly_limit", "window"})


@dataclass(frozen=True)
class Busy:
    """Another occurrence the person is already in."""

    title: str
    start_at: datetime
    end_at: datetime


@dataclass(frozen=True)
class WeeklyWindow:
    """A weekly time the person cannot do (0 = Monday), in local time."""

    weekday: int
    start: time
    end: time


@dataclass(frozen=True)
class PersonFacts:
    person_id: int
    status: str
    away_from: date | None
    away_until: date | None
    team_ids: frozenset[int]
    busy: tuple[Busy, ...] = ()
    lead_team_ids: frozenset[int] = frozenset()
    community_id: int | None = None
    weekly: tuple[WeeklyWindow, ...] = ()
    ranges: tuple[tuple[date, date], ...] = ()
    max_per_week: int | None = None
    shifts_that_week: int = 0


@dataclass(frozen=True)
class SlotFacts:
    role_id: int
    start_at: datetime
    end_at: datetime
    status: str
    required_team_id: int | None
    signup_opens_days: int | None
    zone: str
    is_staff_action: bool = False  # a coordinator assigning: no opening window
    is_lead: bool = False
    community_id: int | None = None  # None: township-wide


@dataclass(frozen=True)
class Problem:
    """A rule as data: its ``code`` and the numbers that say how it is broken (the web
    layer words it; e.g. weekly_limit with count=2, limit=2)."""

    code: str
    values: tuple[tuple[str, object], ...] = ()

    def get(self, key: str, default=None):
        return dict(self.values).get(key, default)

    @property
    def is_soft(self) -> bool:
        return self.code in SOFT


class Refusal(DomainError):
    """A rule this sign-up breaks; ``code`` tells whether it may be overridden."""

    def __init__(self, message: str, code: str, **params):
        super().__init__(message, field=None, **params)
        self.code = code

    @property
    def is_soft(self) -> bool:
        return self.code in SOFT

    @property
    def problem(self) -> Problem:
        return Problem(self.code, tuple(sorted(self.params.items())))


class NeedsConfirmation(DomainError):
    """Only soft rules stand in the way: a coordinator may confirm them, one by one named."""

    def __init__(self, problems: tuple[Problem, ...]):
        super().__init__("This needs your confirmation.")
        self.problems = problems


def refusals(person: PersonFacts, slot: SlotFacts, now: datetime) -> list[Refusal]:
    """Return every rule ``person`` would break by taking ``slot`` (empty: allowed)."""
    out: list[Refusal] = []
    zone = ZoneInfo(slot.zone)
    local_start = slot.start_at.astimezone(zone)
    local_end = slot.end_at.astimezone(zone)
    if slot.status != "scheduled":
        out.append(Refusal("This occurrence is cancelled.", "cancelled"))
    if slot.start_at <= now:
        out.append(Refusal("This shift has already started.", "past"))
    if slot.required_team_id is not None and slot.required_team_id not in person.team_ids:
        out.append(Refusal("Only members of the required team can take this place.", "team"))
    elif slot.is_lead and slot.required_team_id is not None and (
            slot.required_team_id not in person.lead_team_ids):
        out.append(Refusal("Only a team lead can take this place.", "lead"))
    if (not slot.is_staff_action and slot.community_id is not None
            and person.community_id != slot.community_id
            and slot.required_team_id not in person.team_ids):
        out.append(Refusal("This shift belongs to another community.", "community"))
    if person.status == "inactive":
        out.append(Refusal("This member is marked inactive.", "inactive"))
    if (not slot.is_staff_action and slot.signup_opens_days is not None
            and slot.start_at - now > timedelta(days=slot.signup_opens_days)):
        opens = (slot.start_at - timedelta(days=slot.signup_opens_days)).astimezone(zone)
        out.append(Refusal("Sign-up for this date opens on %(date)s.", "window",
                           date=opens.strftime("%Y-%m-%d %H:%M")))
    for busy in person.busy:
        if overlaps(slot.start_at, slot.end_at, busy.start_at, busy.end_at):
            out.append(Refusal("Already busy then: %(title)s, %(start)s–%(end)s.", "overlap",
                               title=busy.title,
                               start=busy.start_at.astimezone(zone).strftime("%m-%d %H:%M"),
                               end=busy.end_at.astimezone(zone).strftime("%H:%M")))
    day = local_start.date()
    if person.status == "away" and _in_range(day, person.away_from, person.away_until):
        out.append(Refusal("This member is away on that date.", "away",
                           start=person.away_from, end=person.away_until))
    for a, b in person.ranges:
        if a <= day <= b:
            out.append(Refusal("This member said they are not available on that date.",
                               "unavailable", start=a, end=b))
            break
    for window in person.weekly:
        if _hits_weekly(window, local_start, local_end):
            out.append(Refusal("This member said they cannot do this weekday and time.",
                               "unavailable", weekday=window.weekday, start=window.start,
                               end=window.end))
            break
    if person.max_per_week is not None and person.shifts_that_week >= person.max_per_week:
        out.append(Refusal("This member has reached their limit of %(n)s shifts this week.",
                           "weekly_limit", n=person.max_per_week, limit=person.max_per_week,
                           count=person.shifts_that_week))
    return out


def _in_range(day: date, start: date | None, end: date | None) -> bool:
    if start is None and end is None:
        return True  # away with no dates: away until told otherwise
    return (start is None or start <= day) and (end is None or day <= end)


def _hits_weekly(window: WeeklyWindow, local_start: datetime, local_end: datetime) -> bool:
    """Return True when the local interval meets the weekly window on any day it spans."""
    day = local_start.date()
    while datetime.combine(day, time.min, local_start.tzinfo) < local_end:
        if day.weekday() == window.weekday:
            w_start = datetime.combine(day, window.start, local_start.tzinfo)
            w_end = datetime.combine(day, window.end, local_start.tzinfo)
            if overlaps(local_start, local_end, w_start, w_end):
                return True
        day += timedelta(days=1)
    return False


def week_bounds(moment: datetime, zone_name: str) -> tuple[datetime, datetime]:
    """Return the UTC [Monday 00:00, next Monday 00:00) local week holding ``moment``."""
    zone = ZoneInfo(zone_name)
    local = moment.astimezone(zone)
    monday = local.date() - timedelta(days=local.weekday())
    start = datetime.combine(monday, time.min, zone)
    end = datetime.combine(monday + timedelta(days=7), time.min, zone)
    return start.astimezone(timezone.utc), end.astimezone(timezone.utc)


def may_withdraw(start_at: datetime, cutoff_hours: int, now: datetime) -> bool:
    """Return True while a volunteer may still withdraw by themselves."""
    return now < start_at - timedelta(hours=cutoff_hours)
