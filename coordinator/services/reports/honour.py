"""The year's roll of honour (年度表彰名单): per community, each volunteer's service hours,
number of services and star level, most hours first. Names and figures only: no phone,
no address, whoever reads it.

One grouped query over the year's service rows (by the volunteer's own community), one
for lifetime totals (the star level is reached over all years), one for names:
the page's query count does not grow with the data.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from ...domain.attendance import SERVED, star_level
from ...domain.errors import DomainError
from ...models import Account, AttendanceEntry, Community, Person
from ..access import honour_community_ids
from ..attendance import AttendanceSettings


@dataclass(frozen=True)
class HonourLine:
    rank: int
    name: str
    hours: float
    services: int
    stars: int


@dataclass(frozen=True)
class HonourCommunity:
    community_id: int
    name: str
    lines: tuple[HonourLine, ...]

    @property
    def hours(self) -> float:
        return round(sum(line.hours for line in self.lines), 1)


@dataclass(frozen=True)
class HonourRoll:
    year: int
    communities: tuple[HonourCommunity, ...]
    years: tuple[int, ...]  # the years that may be chosen


def year_bounds(year: int, zone: str) -> tuple[datetime, datetime]:
    """The UTC instants of 1 January of ``year`` and of the next year, local time."""
    tz = ZoneInfo(zone)
    return (datetime.combine(date(year, 1, 1), time(0), tzinfo=tz),
            datetime.combine(date(year + 1, 1, 1), time(0), tzinfo=tz))


def honour_roll(session, actor: Account, year: int | None, now: datetime,
                settings: AttendanceSettings, community_id: int | None = None) -> HonourRoll:
    """The roll of honour of ``year`` (this year by default) as the actor may read it."""
    allowed = honour_community_ids(session, actor)
    this_year = now.astimezone(ZoneInfo(settings.zone)).year
    year = this_year if year is None else year
    if not 2000 <= year <= this_year:
        raise DomainError("Choose a year up to this one.", field="year")
    start, end = year_bounds(year, settings.zone)
    e = AttendanceEntry
    # A volunteer is honoured in their own community, whichever community's (or the
    # township's) activity the hours were served at.
    home = Person.community_id
    query = (select(home, e.person_id, func.sum(e.minutes), func.count())
             .join(Person, Person.id == e.person_id)
             .where(e.is_service.is_(True), e.status.in_(SERVED), e.start_at >= start,
                    e.start_at < end)
             .group_by(home, e.person_id))
    if allowed is not None:
        query = query.where(home.in_(allowed or {-1}))
    if community_id is not None:
        query = query.where(home == community_id)
    rows = session.execute(query).all()
    people = {pid for _c, pid, _m, _n in rows}
    lifetime = dict(session.execute(
        select(e.person_id, func.sum(e.minutes)).where(
            e.is_service.is_(True), e.start_at < end, e.person_id.in_(people))
        .group_by(e.person_id)).all()) if people else {}
    names = dict(session.execute(select(Person.id, Person.full_name)
                                 .where(Person.id.in_(people))).all()) if people else {}
    communities = {c.id: c.name for c in session.scalars(select(Community).where(
        Community.id.in_({c for c, _p, _m, _n in rows})))} if rows else {}
    grouped: dict[int, list[tuple]] = {}
    for cid, pid, minutes, count in rows:
        if minutes:
            grouped.setdefault(cid, []).append((pid, int(minutes), int(count)))
    out = []
    for cid in sorted(grouped, key=lambda c: communities.get(c, "")):
        ranked = sorted(grouped[cid], key=lambda r: (-r[1], -r[2], names.get(r[0], "")))
        lines = tuple(HonourLine(
            rank=i + 1, name=names.get(pid, ""), hours=round(minutes / 60, 1),
            services=count,
            stars=star_level((lifetime.get(pid) or 0) / 60, settings.star_hours))
            for i, (pid, minutes, count) in enumerate(ranked))
        out.append(HonourCommunity(community_id=cid, name=communities.get(cid, ""),
                                   lines=lines))
    return HonourRoll(year=year, communities=tuple(out),
                      years=tuple(range(this_year, this_year - 5, -1)))
