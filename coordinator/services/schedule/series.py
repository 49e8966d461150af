"""Create series and single events: validate everything, report every clash, then save."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from sqlalchemy import func, select

from ...config import Config
from ...domain.dates import check_schedule_date
from ...domain.errors import DomainError, Forbidden
from ...domain.recurrence import expand, get_zone, parse_rule, to_utc
from ...models import (
    Account,
    Community,
    Occurrence,
    Series,
    SeriesRole,
    Team,
    TeamMember,
    Venue,
)
from ...models.schedule import PARTICIPATION, SERIES_KINDS
from .. import audit
from ..access import can_manage
from .bookings import find_clashes, lock_venue
from .horizon import materialize

MAX_DURATION = 24 * 60


@dataclass(frozen=True)
class RoleInput:
    name: str
    needed: int
    maximum: int
    required_team_id: int | None = None
    is_lead: bool = False


@dataclass(frozen=True)
class DateMove:
    """One date of the rule held at another date and time instead."""

    day: date  # the date the rule gives (local)
    to_date: date
    to_time: time


@dataclass(frozen=True)
class DateClash:
    """A date of the rule on which the room is already booked, and by what."""

    day: date
    start_at: datetime  # the wanted interval (after a move)
    end_at: datetime
    title: str
    booked_by: str
    booked_start: datetime
    booked_end: datetime


def date_clashes(venue: str, clashes: list[DateClash]) -> DomainError:
    """The refusal listing clashing dates; its ``clashes`` let the form offer, per date,
    to skip it or move it."""
    error = DomainError("%(venue)s is already booked on %(count)s of these dates. For each "
                        "date below, skip it or move it, then save again.",
                        field="venue_id", venue=venue, count=len({c.day for c in clashes}))
    error.clashes = clashes
    return error


@dataclass(frozen=True)
class SeriesInput:
    kind: str
    title: str
    community_id: int | None
    start_date: date
    start_time: time
    duration_minutes: int
    rrule: str | None = None
    until: date | None = None
    participation: str = "slots"
    team_id: int | None = None
    venue_id: int | None = None
    description: str | None = None
    signup_opens_days: int | None = None
    withdraw_cutoff_hours: int | None = None  # None: Config.WITHDRAW_CUTOFF_HOURS
    requires_swap_approval: bool = False
    is_public: bool = False
    roles: tuple[RoleInput, ...] = field(default_factory=tuple)
    expected_attendance: int | None = None  # team events; None: every member
    capacity_override: bool = False  # plan it although more are expected than fit
    skip_dates: frozenset[date] = frozenset()  # rule dates not held (room busy)
    moves: tuple[DateMove, ...] = ()
    skip_reason: str = "Not held: the room is booked"  # the view passes it translated


def validate(session, actor: Account, data: SeriesInput, zone: str, now: datetime,
             allow_past: bool = False) -> None:
    """Raise DomainError (with a field) on the first thing wrong with ``data``."""
    _check_choices(data)
    _check_community(session, actor, data)
    _check_timing(data, zone, now, allow_past)
    _check_numbers(data)
    _check_team(session, data.team_id, data.community_id, "team_id")
    _check_participants(session, data)
    _check_roles(session, data)


def _check_choices(data: SeriesInput) -> None:
    if data.kind not in SERIES_KINDS:
        raise DomainError("Choose a kind of work.", field="kind")
    if data.participation not in PARTICIPATION:
        raise DomainError("Choose who takes part.", field="participation")
    if not (data.title or "").strip() or len(data.title) > 200:
        raise DomainError("Enter a title of at most 200 characters.", field="title")


def _check_community(session, actor: Account, data: SeriesInput) -> None:
    if data.community_id is None:
        if actor.role != "admin":
            raise Forbidden("Only an administrator may plan township-wide work.",
                            field="community_id")
    elif session.get(Community, data.community_id) is None:
        raise DomainError("Choose a community.", field="community_id")
    elif not can_manage(session, actor, data.community_id):
        raise Forbidden("You do not coordinate this community.", field="community_id")


def _check_timing(data: SeriesInput, zone: str, now: datetime, allow_past: bool) -> None:
    """Duration, the accepted date range, a start in the future, the end, the rule."""
    if not 1 <= (data.duration_minutes or 0) <= MAX_DURATION:
        raise DomainError("The duration must be between 1 minute and 24 hours.",
                          field="duration_minutes")
    tz = get_zone(zone)
    today = now.astimezone(tz).date()
    check_schedule_date(data.start_date, today, "start_date")
    check_schedule_date(data.until, today, "until")
    first = to_utc(data.start_date, data.start_time, tz)
    if first <= now and not allow_past:
        raise DomainError("The start is in the past.", field="start_date")
    if data.until is not None and data.until < data.start_date:
        raise DomainError("The end date is before the start date.", field="until")
    if data.rrule:
        parse_rule(data.rrule, datetime.combine(data.start_date, data.start_time))


def _check_numbers(data: SeriesInput) -> None:
    for label, value, lower, upper in (
            ("signup_opens_days", data.signup_opens_days, 1, 365),
            ("withdraw_cutoff_hours", data.withdraw_cutoff_hours, 0, 24 * 14),
            ("expected_attendance", data.expected_attendance, 1, 100000)):
        if value is not None and not lower <= value <= upper:
            raise DomainError("This number is out of range.", field=label)


def _check_participants(session, data: SeriesInput) -> None:
    """The invited team, the venue, and that counted places have at least one role."""
    if data.participation == "team" and data.team_id is None:
        raise DomainError("Choose the team that is invited.", field="team_id")
    if data.venue_id is not None:
        venue = session.get(Venue, data.venue_id)
        if venue is None or venue.community_id not in (None, data.community_id):
            raise DomainError("Choose a venue from the list.", field="venue_id")
    if data.participation == "slots" and not data.roles:
        raise DomainError("Add at least one role with the number of people needed.",
                          field="roles")


def _check_roles(session, data: SeriesInput) -> None:
    names = set()
    for role in data.roles:
        if not (role.name or "").strip() or len(role.name) > 100:
            raise DomainError("Every role needs a name.", field="roles")
        if role.name in names:
            raise DomainError("Two roles have the same name.", field="roles")
        names.add(role.name)
        if not 1 <= (role.needed or 0) <= 1000:
            raise DomainError("The number of people needed must be at least 1.", field="roles")
        if not role.needed <= (role.maximum or 0) <= 1000:
            raise DomainError("The maximum must be at least the number needed.", field="roles")
        _check_team(session, role.required_team_id, data.community_id, "roles")


def _check_team(session, team_id, community_id, field_name):
    if team_id is None:
        return
    team = session.get(Team, team_id)
    if team is None or team.community_id not in (None, community_id):
        raise DomainError("Choose a team from the list.", field=field_name)


def people_needed(session, data: SeriesInput) -> int | None:
    """How many people the venue must hold: for a team event the expected attendance
    (the coordinator's number, else every member), otherwise the role maxima."""
    if data.participation == "team" and data.team_id is not None:
        if data.expected_attendance is not None:
            return data.expected_attendance
        return session.scalar(select(func.count()).select_from(TeamMember).where(
            TeamMember.team_id == data.team_id))
    return sum(r.maximum for r in data.roles) or None


def _held_slots(data: SeriesInput, slots, zone: str, now: datetime) -> dict:
    """Map each rule date to the interval it is held at: skipped dates left out, moved
    ones at their new time. Refuses a skip or move of a date the rule does not give."""
    tz = get_zone(zone)
    by_day = {s.start_at.astimezone(tz).date(): s for s in slots}
    duration = timedelta(minutes=data.duration_minutes)
    held = {day: (s.start_at, s.end_at) for day, s in by_day.items()
            if day not in data.skip_dates}
    for move in data.moves:
        if move.day not in by_day or move.day in data.skip_dates:
            continue
        check_schedule_date(move.to_date, now.astimezone(tz).date(), "venue_id")
        start = to_utc(move.to_date, move.to_time, tz)
        if start <= now:
            raise DomainError("The new date of %(day)s is in the past.", field="venue_id",
                              day=move.day.isoformat())
        held[move.day] = (start, start + duration)
    return held


def _date_clashes(session, venue: Venue | None, held: dict) -> list[DateClash]:
    if venue is None or not venue.is_exclusive:
        return []
    day_of = {start: day for day, (start, _) in held.items()}
    return [DateClash(day_of[c.wanted_start], c.wanted_start, held[day_of[c.wanted_start]][1],
                      c.title, c.booked_by, c.start_at, c.end_at)
            for c in find_clashes(session, venue.id, list(held.values()))]


def create_series(session, actor: Account, data: SeriesInput, now: datetime, *,
                  zone: str, horizon_end: datetime) -> Series:
    """Validate, check the room for every date, then store the series and occurrences.

    Dates the coordinator skipped are stored as cancelled occurrences and moved ones as
    detached occurrences, both under the rule's recurrence id: the series keeps its rule
    and later expansion never brings them back. Any clash left refuses the whole save
    (``date_clashes`` lists each), so nothing is half-saved.
    """
    validate(session, actor, data, zone, now)
    slots = expand(start_date=data.start_date, start_time=data.start_time,
                   duration=timedelta(minutes=data.duration_minutes), zone_name=zone,
                   rule=data.rrule or None, until=data.until, window_start=now,
                   window_end=horizon_end if data.rrule else datetime.max.replace(
                       tzinfo=horizon_end.tzinfo))
    if not slots:
        raise DomainError("This rule makes no dates in the coming weeks.", field="rrule")
    held = _held_slots(data, slots, zone, now)
    if not held:
        raise DomainError("Every date is skipped: nothing would be planned.", field="venue_id")
    people = people_needed(session, data)
    venue = None
    if data.venue_id is not None:
        venue = lock_venue(session, data.venue_id, people, allow_over=data.capacity_override)
    clashes = _date_clashes(session, venue, held)
    if clashes:
        raise date_clashes(venue.name, clashes)
    series = Series(kind=data.kind, participation=data.participation, title=data.title.strip(),
                    description=(data.description or "").strip() or None,
                    community_id=data.community_id, team_id=data.team_id,
                    venue_id=data.venue_id, timezone=zone, start_date=data.start_date,
                    start_time=data.start_time, duration_minutes=data.duration_minutes,
                    rrule=data.rrule or None, until=data.until,
                    signup_opens_days=data.signup_opens_days,
                    withdraw_cutoff_hours=Config.WITHDRAW_CUTOFF_HOURS
                    if data.withdraw_cutoff_hours is None else data.withdraw_cutoff_hours,
                    requires_swap_approval=data.requires_swap_approval,
                    is_public=data.is_public, created_by_id=actor.id, created_at=now,
                    updated_at=now, expected_attendance=data.expected_attendance
                    if data.participation == "team" else None)
    series.roles = [SeriesRole(name=r.name.strip(), needed=r.needed, maximum=r.maximum,
                               required_team_id=r.required_team_id, is_lead=r.is_lead)
                    for r in data.roles]
    session.add(series)
    session.flush()
    created = materialize(session, [series.id], horizon_end, now)
    skipped, moved = _apply_exceptions(session, series, slots, held, zone, now,
                                       data.skip_reason)
    audit.record(session, actor, "series.create", "series", series.id, now, kind=data.kind,
                 title=series.title, rrule=series.rrule, occurrences=created,
                 skipped=skipped, moved=moved)
    if venue is not None and venue.capacity is not None and people is not None \
            and people > venue.capacity:
        audit.record(session, actor, "series.capacity_override", "series", series.id, now,
                     venue=venue.name, capacity=venue.capacity, expected=people)
    return series


def _apply_exceptions(session, series: Series, slots, held: dict, zone: str,
                      now: datetime, reason: str) -> tuple[list[str], list[str]]:
    """Cancel the skipped dates' occurrences and move the moved ones; return both lists."""
    tz = get_zone(zone)
    by_rid = {s.recurrence_id: s for s in slots}
    skipped, moved = [], []
    for occ in session.scalars(select(Occurrence).where(
            Occurrence.series_id == series.id,
            Occurrence.recurrence_id.in_(list(by_rid)))):
        slot = by_rid[occ.recurrence_id]
        day = slot.start_at.astimezone(tz).date()
        if day not in held:
            occ.status, occ.reason = "cancelled", reason[:300]
            skipped.append(day.isoformat())
        elif held[day] != (slot.start_at, slot.end_at):
            occ.start_at, occ.end_at = held[day]
            occ.is_detached = True
            moved.append(f"{day.isoformat()} → {occ.start_at.astimezone(tz):%Y-%m-%d %H:%M}")
        else:
            continue
        occ.updated_at = now
    session.flush()
    return sorted(skipped), sorted(moved)
