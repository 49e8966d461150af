"""Create series and single events: validate everything, report every clash, then save."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from sqlalchemy import func, select

from ...config import Config
from ...domain.dates import check_schedule_date
from ...domain.errors import DomainError, Forbidden
from ...domain.recurrence import expand, get_zone, parse_rule, to_utc
from ...models import Account, Community, Series, SeriesRole, Team, TeamMember, Venue
from ...models.schedule import PARTICIPATION, SERIES_KINDS
from .. import audit
from ..access import can_manage
from .bookings import check_venue
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
            ("withdraw_cutoff_hours", data.withdraw_cutoff_hours, 0, 24 * 14)):
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
    """How many people the venue must hold: role maxima, or the invited team's size."""
    if data.participation == "team" and data.team_id is not None:
        return session.scalar(select(func.count()).select_from(TeamMember).where(
            TeamMember.team_id == data.team_id))
    return sum(r.maximum for r in data.roles) or None


def create_series(session, actor: Account, data: SeriesInput, now: datetime, *,
                  zone: str, horizon_end: datetime) -> Series:
    """Validate, check the venue for every date, then store the series and occurrences."""
    validate(session, actor, data, zone, now)
    slots = expand(start_date=data.start_date, start_time=data.start_time,
                   duration=timedelta(minutes=data.duration_minutes), zone_name=zone,
                   rule=data.rrule or None, until=data.until, window_start=now,
                   window_end=horizon_end if data.rrule else datetime.max.replace(
                       tzinfo=horizon_end.tzinfo))
    if not slots:
        raise DomainError("This rule makes no dates in the coming weeks.", field="rrule")
    check_venue(session, data.venue_id, [(s.start_at, s.end_at) for s in slots],
                people_needed(session, data), zone)
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
                    updated_at=now)
    series.roles = [SeriesRole(name=r.name.strip(), needed=r.needed, maximum=r.maximum,
                               required_team_id=r.required_team_id, is_lead=r.is_lead)
                    for r in data.roles]
    session.add(series)
    session.flush()
    created = materialize(session, [series.id], horizon_end, now)
    audit.record(session, actor, "series.create", "series", series.id, now, kind=data.kind,
                 title=series.title, rrule=series.rrule, occurrences=created)
    return series
