"""The sign-in sheet (签到表): what is printed for one occurrence, or for every occurrence
of one community on one day: title, time, place, the names expected (never a phone), and
the check-in code (made on first use, so printing is a write).

A care visit is printed with its kind only: the sheet lies on a table in the activity
room, and a care visit's title may name the person visited.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from ...domain.errors import Forbidden
from ...models import Account, Community, Occurrence, Person, Series, Team, Venue
from ..access import require_manage
from . import AttendanceSettings
from .checkin import code_for
from .roll import expected_ids, load, may_mark

MAX_DAY_SHEETS = 60  # one community's day never has more; a bound for the PDF's time


@dataclass(frozen=True)
class Sheet:
    """One page of the sign-in sheet."""

    occurrence_id: int
    kind: str
    title: str  # empty for a care visit (the template shows the kind)
    start_at: datetime
    end_at: datetime
    venue: str | None
    community: str | None
    team: str | None
    names: tuple[str, ...]
    code: str


def _sheet(session, occurrence: Occurrence, series: Series, settings: AttendanceSettings,
           names: dict[int, str], labels: dict) -> Sheet:
    people = expected_ids(session, occurrence, series)
    missing = [p for p in people if p not in names]
    if missing:
        names.update(session.execute(select(Person.id, Person.full_name)
                                     .where(Person.id.in_(missing))).all())
    code = code_for(session, occurrence, settings).code
    venue_id = occurrence.venue_id or series.venue_id
    return Sheet(occurrence_id=occurrence.id, kind=series.kind,
                 title="" if series.kind == "care" else series.title,
                 start_at=occurrence.start_at, end_at=occurrence.end_at,
                 venue=labels["venue"].get(venue_id), community=labels["community"].get(
                     series.community_id), team=labels["team"].get(series.team_id),
                 names=tuple(sorted((names[p] for p in people), key=str)), code=code)


def _labels(session, series_rows, occurrences) -> dict:
    venue_ids = {o.venue_id for o in occurrences} | {s.venue_id for s in series_rows}
    return {"venue": dict(session.execute(select(Venue.id, Venue.name).where(
                Venue.id.in_(venue_ids - {None}))).all()),
            "community": dict(session.execute(select(Community.id, Community.name).where(
                Community.id.in_({s.community_id for s in series_rows} - {None}))).all()),
            "team": dict(session.execute(select(Team.id, Team.name).where(
                Team.id.in_({s.team_id for s in series_rows} - {None}))).all())}


def occurrence_sheet(session, actor: Account, occurrence_id: int, now: datetime,
                     settings: AttendanceSettings) -> Sheet:
    """The sheet of one occurrence, for its leads, its community's coordinators and
    admins."""
    occurrence, series = load(session, occurrence_id)
    if not may_mark(session, actor, occurrence, series):
        raise Forbidden("Only the team lead and the community's coordinators print this "
                        "sheet.")
    return _sheet(session, occurrence, series, settings, {},
                  _labels(session, [series], [occurrence]))


def day_sheets(session, actor: Account, community_id: int, day: date, zone: str,
               now: datetime, settings: AttendanceSettings) -> list[Sheet]:
    """The sheets of every scheduled occurrence of one community on one local day, in
    time order, for its coordinators and admins."""
    if actor.role not in ("coordinator", "admin"):
        raise Forbidden("Only the community's coordinators print this sheet.")
    require_manage(session, actor, community_id)
    tz = ZoneInfo(zone)
    start = datetime.combine(day, time(0), tzinfo=tz)
    rows = session.execute(
        select(Occurrence, Series).join(Series, Occurrence.series_id == Series.id)
        .where(Series.community_id == community_id, Occurrence.status == "scheduled",
               Occurrence.start_at >= start, Occurrence.start_at < start + timedelta(days=1))
        .order_by(Occurrence.start_at, Occurrence.id).limit(MAX_DAY_SHEETS)).all()
    labels = _labels(session, [s for _o, s in rows], [o for o, _s in rows])
    names: dict[int, str] = {}
    return [_sheet(session, o, s, settings, names, labels) for o, s in rows]
