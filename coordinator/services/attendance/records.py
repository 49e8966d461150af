"""A volunteer's service record (我的志愿服务记录), read from the roll in a fixed number of
grouped queries, whatever the number of rows:

1. minutes and counts grouped by kind, service or organisational life, recorded at the time
   or added by staff, this year or before (one ``GROUP BY``);
2. the latest entries with their activity (one page of the list);
3. the study days of the person's community in the last 12 months, with their own entry.

Only rows count: a person with no row at an occurrence ("not recorded") served nothing,
and a no-show (absent) or leave gives 0 minutes (``domain.attendance``). Hours of
organisational life (rehearsals, study days: ``is_service`` False) are attendance, never
service hours.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from sqlalchemy import and_, case, func, select

from ...domain.attendance import SERVED, next_milestone, star_level
from ...domain.errors import NotFound
from ...models import AttendanceEntry, Occurrence, Person, Series
from . import AttendanceSettings

STUDY_KIND = "meeting"
STUDY_MONTHS = 12


@dataclass(frozen=True)
class Split:
    """Minutes recorded at the time (roll, check-in) and added afterwards by staff."""

    recorded: int = 0
    staff: int = 0

    @property
    def total(self) -> int:
        return self.recorded + self.staff

    @property
    def hours(self) -> float:
        return hours_of(self.total)

    def __add__(self, other: Split) -> Split:
        return Split(self.recorded + other.recorded, self.staff + other.staff)


@dataclass(frozen=True)
class KindLine:
    """One kind of service (or of organisational life) on the record."""

    kind: str
    year: Split
    total: Split
    services_year: int
    services_total: int


@dataclass(frozen=True)
class ServiceLine:
    """One entry of the list: an occurrence the person was on the roll of."""

    start_at: datetime
    title: str
    kind: str
    status: str
    minutes: int
    source: str
    is_service: bool

    @property
    def hours(self) -> float:
        return hours_of(self.minutes)


@dataclass(frozen=True)
class StudyMark:
    """One month of the study-day row: ``attended`` True / False; None: no study day."""

    month: date
    attended: bool | None


@dataclass(frozen=True)
class ServiceRecord:
    person_id: int
    full_name: str
    member_number: str | None
    community_id: int
    year: int
    service_year: Split
    service_total: Split
    services_year: int
    services_total: int
    by_kind: tuple[KindLine, ...]  # service kinds, most hours first
    life: tuple[KindLine, ...]  # organisational life: attendance, not hours
    life_attended_year: int
    life_attended_total: int
    lines: tuple[ServiceLine, ...]
    lines_total: int  # entries in all (for paging the list)
    study: tuple[StudyMark, ...] = field(default=())
    stars: int = 0
    next_hours: int | None = None  # the next star level's threshold, None above the top
    max_stars: int = 5

    @property
    def hours_year(self) -> float:
        return self.service_year.hours

    @property
    def hours_total(self) -> float:
        return self.service_total.hours

    @property
    def hours_to_next(self) -> float | None:
        if self.next_hours is None:
            return None
        return round(max(self.next_hours - self.service_total.total / 60, 0), 1)

    @property
    def study_attended(self) -> int:
        return sum(1 for m in self.study if m.attended)

    @property
    def study_held(self) -> int:
        return sum(1 for m in self.study if m.attended is not None)


def hours_of(minutes: int) -> float:
    """Hours to one decimal, as records show them."""
    return round(minutes / 60, 1)


def year_start(now: datetime, zone: str) -> datetime:
    """The first instant of the local year of ``now``."""
    tz = ZoneInfo(zone)
    return datetime.combine(date(now.astimezone(tz).year, 1, 1), time(0), tz)


def month_starts(now: datetime, zone: str, months: int = STUDY_MONTHS) -> list[date]:
    """The first days of the last ``months`` local months, the current one last."""
    today = now.astimezone(ZoneInfo(zone)).date()
    out = []
    y, m = today.year, today.month
    for _ in range(months):
        out.append(date(y, m, 1))
        y, m = (y, m - 1) if m > 1 else (y - 1, 12)
    return out[::-1]


def service_record(session, person_id: int, now: datetime, settings: AttendanceSettings,
                   *, limit: int = 50, offset: int = 0) -> ServiceRecord:
    """Build a person's service record as of ``now`` (a page of ``limit`` list lines)."""
    person = session.get(Person, person_id)
    if person is None:
        raise NotFound("No such member.")
    since_year = year_start(now, settings.zone)
    totals, life = _grouped(session, person_id, since_year, now)
    service_year = sum((k.year for k in totals), Split())
    service_total = sum((k.total for k in totals), Split())
    lines, lines_total = _lines(session, person_id, now, limit, offset)
    hours = service_total.total / 60
    return ServiceRecord(
        person_id=person.id, full_name=person.full_name, member_number=person.member_number,
        community_id=person.community_id, year=since_year.year,
        service_year=service_year, service_total=service_total,
        services_year=sum(k.services_year for k in totals),
        services_total=sum(k.services_total for k in totals),
        by_kind=tuple(sorted(totals, key=lambda k: (-k.total.total, k.kind))),
        life=tuple(sorted(life, key=lambda k: (-k.services_total, k.kind))),
        life_attended_year=sum(k.services_year for k in life),
        life_attended_total=sum(k.services_total for k in life),
        lines=lines, lines_total=lines_total,
        study=_study(session, person, now, settings.zone),
        stars=star_level(hours, settings.star_hours),
        next_hours=next_milestone(hours, settings.star_hours),
        max_stars=len(settings.star_hours))


def _grouped(session, person_id: int, since_year: datetime, now: datetime):
    """Per kind and service flag: minutes (recorded / staff, year / all) and counts."""
    e = AttendanceEntry
    this_year = e.start_at >= since_year
    staff = e.source == "staff"

    def minutes(year: bool, by_staff: bool):
        cond = staff if by_staff else ~staff
        if year:
            cond = and_(this_year, cond)
        return func.coalesce(func.sum(case((cond, e.minutes), else_=0)), 0)

    rows = session.execute(
        select(e.kind, e.is_service, minutes(True, False), minutes(True, True),
               minutes(False, False), minutes(False, True),
               func.sum(case((this_year, 1), else_=0)), func.count())
        .where(e.person_id == person_id, e.status.in_(SERVED), e.start_at <= now)
        .group_by(e.kind, e.is_service))
    service, life = {}, {}
    for kind, is_service, y_rec, y_staff, t_rec, t_staff, n_year, n_total in rows:
        target = service if is_service else life
        line = KindLine(kind, Split(int(y_rec), int(y_staff)), Split(int(t_rec), int(t_staff)),
                        int(n_year or 0), int(n_total or 0))
        was = target.get(kind)
        if was is not None:  # the kind's setting changed between rows: add up
            line = KindLine(kind, was.year + line.year, was.total + line.total,
                            was.services_year + line.services_year,
                            was.services_total + line.services_total)
        target[kind] = line
    return list(service.values()), list(life.values())


def _lines(session, person_id: int, now: datetime, limit: int, offset: int):
    e = AttendanceEntry
    where = (e.person_id == person_id, e.start_at <= now)
    total = session.scalar(select(func.count()).select_from(e).where(*where)) or 0
    rows = session.execute(
        select(e.start_at, Series.title, e.kind, e.status, e.minutes, e.source, e.is_service)
        .join(Occurrence, e.occurrence_id == Occurrence.id)
        .join(Series, Occurrence.series_id == Series.id)
        .where(*where).order_by(e.start_at.desc(), e.id.desc())
        .limit(max(limit, 0)).offset(max(offset, 0)))
    return tuple(ServiceLine(*row) for row in rows), total


def _study(session, person: Person, now: datetime, zone: str) -> tuple[StudyMark, ...]:
    """The study days (meetings) of the person's community, month by month: attended when
    they took part in one that month, missed when one was held and they did not."""
    months = month_starts(now, zone)
    tz = ZoneInfo(zone)
    lo = datetime.combine(months[0], time(0), tz)
    # Two indexed reads instead of one OR across both (at scale 170 the OR scanned every
    # occurrence of the year: 2.9 s): the community's study days, and the person's own
    # meeting rows wherever they were held.
    starts = dict(session.execute(
        select(Occurrence.id, Occurrence.start_at)
        .join(Series, Occurrence.series_id == Series.id)
        .where(Series.community_id == person.community_id, Series.kind == STUDY_KIND,
               Occurrence.status == "scheduled", Occurrence.start_at >= lo,
               Occurrence.start_at <= now)).all())
    held = dict.fromkeys(starts, False)
    for occ_id, start, status in session.execute(
            select(AttendanceEntry.occurrence_id, AttendanceEntry.start_at,
                   AttendanceEntry.status)
            .where(AttendanceEntry.person_id == person.id, AttendanceEntry.kind == STUDY_KIND,
                   AttendanceEntry.start_at >= lo, AttendanceEntry.start_at <= now)):
        held[occ_id] = held.get(occ_id, False) or status in SERVED
        starts.setdefault(occ_id, start)
    held = [(starts[i], served) for i, served in held.items()]
    marks: dict[date, bool] = {}
    for start, served in held:
        local = start.astimezone(tz).date().replace(day=1)
        marks[local] = marks.get(local, False) or bool(served)
    return tuple(StudyMark(m, marks.get(m)) for m in months)
