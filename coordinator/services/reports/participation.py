"""The participation report (参与情况): who takes part, how much, who drifted away.

Read from ``attendance_entries`` with grouped queries only, so the number of statements
of a report is the same for ten members or ten thousand:

- **per member** (the community's people): last time they took part (any kind, ever),
  services and service hours in the last 30 / 90 / 365 days, the attendance rate of the
  last 365 days, the study day of each of the last 12 months, leave taken;
- **per team** of the community: the same figures summed over its members;
- **per community**: the same figures over the activities the community held (the
  entries' ``community_id``), and the 12 months of the charts;
- **drifted away**: active members, not away today, who took part in nothing for
  ``settings.drift_weeks`` weeks (never, for members who joined before that), oldest
  first, with the last call a coordinator recorded.

Definitions the pages repeat: *taking part* is present, late or left early; a *service*
is taking part in a kind that counts as volunteer service (``settings.service_kinds``),
its minutes are the *service hours*; the *attendance rate* is taking part ÷ the entries
recorded for people who were expected (assigned or invited; leave included, walk-ins
left out); the *study day* is the month's meeting (kind ``meeting``).
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone

from sqlalchemy import and_, case, func, not_, or_, select

from ...domain.attendance import SERVED
from ...domain.errors import Forbidden, NotFound
from ...domain.recurrence import get_zone, local_day_bounds
from ...models import (
    Account,
    AttendanceDay,
    AttendanceEntry,
    AttendanceMonth,
    Community,
    MemberContact,
    Person,
    Team,
    TeamMember,
)
from ..access import (
    can_manage,
    may_read_participation,
    sees_report_phones,
    visible_community_ids,
)
from ..attendance import AttendanceSettings

WINDOWS = (30, 90, 365)
MONTHS = 12
STUDY_KIND = "meeting"


@dataclass(frozen=True)
class Figures:
    """Counts of one member, team or community."""

    services: tuple[int, ...] = (0, 0, 0)  # in the last 30 / 90 / 365 days
    minutes: tuple[int, ...] = (0, 0, 0)  # service minutes in the same windows
    taken_part: int = 0  # any kind, last 365 days
    expected: int = 0  # entries of people expected (not walk-ins), last 365 days
    expected_part: int = 0  # of which taking part
    leave: int = 0  # excused, last 365 days
    last_part: datetime | None = None

    @property
    def hours(self) -> tuple[float, ...]:
        return tuple(round(m / 60, 1) for m in self.minutes)

    @property
    def rate(self) -> float | None:
        """Taking part ÷ recorded expected entries (None: nothing recorded)."""
        return self.expected_part / self.expected if self.expected else None

    def __add__(self, other: Figures) -> Figures:
        last = [d for d in (self.last_part, other.last_part) if d is not None]
        return Figures(tuple(a + b for a, b in zip(self.services, other.services)),
                       tuple(a + b for a, b in zip(self.minutes, other.minutes)),
                       self.taken_part + other.taken_part, self.expected + other.expected,
                       self.expected_part + other.expected_part, self.leave + other.leave,
                       max(last) if last else None)


@dataclass(frozen=True)
class Month:
    """One month of a chart: service minutes and the attendance rate."""

    start: date
    minutes: int = 0
    expected: int = 0
    expected_part: int = 0
    study_attended: int = 0  # study-day entries taking part
    study_recorded: int = 0  # study-day entries recorded

    @property
    def hours(self) -> float:
        return round(self.minutes / 60, 1)

    @property
    def rate(self) -> float | None:
        return self.expected_part / self.expected if self.expected else None


@dataclass(frozen=True)
class Contact:
    at: datetime
    by: str
    note: str | None


@dataclass(frozen=True)
class MemberLine:
    person_id: int
    name: str
    member_number: str | None
    status: str
    figures: Figures
    study: tuple[str | None, ...]  # per month: attended / excused / absent / None
    phone: str | None = None  # only when the reader may see phones

    @property
    def study_attended(self) -> int:
        return sum(1 for mark in self.study if mark == "attended")


@dataclass(frozen=True)
class GroupLine:
    """A team or the community: its figures and its study days per month."""

    name: str
    members: int
    figures: Figures
    study: tuple[tuple[int, int], ...]  # per month: (taking part, recorded)

    @property
    def study_attended(self) -> int:
        return sum(a for a, _ in self.study)

    @property
    def study_recorded(self) -> int:
        return sum(r for _, r in self.study)


@dataclass(frozen=True)
class DriftLine:
    person_id: int
    name: str
    phone: str | None
    last_part: datetime | None  # None: never took part
    since: datetime  # last taking part, or when they joined
    weeks: int  # whole weeks since
    last_contact: Contact | None


@dataclass(frozen=True)
class CommunityReport:
    community_id: int
    name: str
    now: datetime
    months: tuple[Month, ...]
    total: GroupLine  # the community's activities
    teams: tuple[GroupLine, ...]
    members: tuple[MemberLine, ...]
    drifted: tuple[DriftLine, ...]
    drift_weeks: int
    shows_phones: bool
    may_contact: bool


@dataclass(frozen=True)
class SummaryRow:
    community_id: int
    name: str
    members: int
    active: int
    drifted: int
    total: GroupLine
    months: tuple[Month, ...]


@dataclass(frozen=True)
class Summary:
    now: datetime
    rows: tuple[SummaryRow, ...]
    months: tuple[Month, ...]  # all rows together
    total: GroupLine
    drift_weeks: int


def month_starts(now: datetime, zone: str) -> list[datetime]:
    """The local starts (as UTC instants) of the last 12 months, the current one last,
    followed by the start of the next month (13 bounds)."""
    local = now.astimezone(get_zone(zone))
    y, m = local.year, local.month
    bounds = []
    for back in range(MONTHS - 1, -2, -1):
        yy, mm = divmod((y * 12 + m - 1) - back, 12)
        bounds.append(datetime(yy, mm + 1, 1, tzinfo=local.tzinfo).astimezone(timezone.utc))
    return bounds


def window_starts(now: datetime, zone: str) -> tuple[tuple[date, ...], datetime]:
    """The first local day of each window (30 / 90 / 365 days, today included) and the
    start of tomorrow (the windows' end, as a UTC instant). Windows are whole local days,
    so the summary (read per day from ``attendance_days``) and the per-member figures
    (read from the rows) count the same."""
    today = now.astimezone(get_zone(zone)).date()
    return (tuple(today - timedelta(days=days - 1) for days in WINDOWS),
            local_day_bounds(today, zone)[1])


def _sum(cond, value=1):
    return func.coalesce(func.sum(case((cond, value), else_=0)), 0)


def _figure_columns(now: datetime, zone: str):
    e = AttendanceEntry
    served = e.status.in_(SERVED)
    service = and_(served, e.is_service.is_(True))
    firsts, _end = window_starts(now, zone)
    cols = []
    for first in firsts:
        cols.append(_sum(and_(service, e.day >= first)))
    for first in firsts:
        cols.append(_sum(and_(service, e.day >= first), e.minutes))
    year = e.day >= firsts[-1]
    cols += [_sum(and_(year, served)), _sum(and_(year, e.is_walk_in.is_(False))),
             _sum(and_(year, served, e.is_walk_in.is_(False))),
             _sum(and_(year, e.status == "excused")),
             func.max(case((and_(served, e.start_at <= now), e.start_at), else_=None))]
    return cols


def _figures(row, offset: int = 1) -> Figures:
    v = list(row[offset:offset + 11])
    return Figures(tuple(int(x) for x in v[0:3]), tuple(int(x) for x in v[3:6]),
                   int(v[6]), int(v[7]), int(v[8]), int(v[9]), v[10])


def _month_columns(bounds: list[datetime]):
    e = AttendanceEntry
    served = e.status.in_(SERVED)
    cols = []
    for a, b in zip(bounds, bounds[1:]):
        inside = and_(e.start_at >= a, e.start_at < b)
        study = and_(inside, e.kind == STUDY_KIND)
        cols += [_sum(and_(inside, served, e.is_service.is_(True)), e.minutes),
                 _sum(and_(inside, e.is_walk_in.is_(False))),
                 _sum(and_(inside, served, e.is_walk_in.is_(False))),
                 _sum(and_(study, served)), _sum(study)]
    return cols


def _months(row, offset: int, bounds: list[datetime], zone: str) -> tuple[Month, ...]:
    tz = get_zone(zone)
    out = []
    for i, start in enumerate(bounds[:-1]):
        v = [int(x) for x in row[offset + 5 * i:offset + 5 * i + 5]]
        out.append(Month(start.astimezone(tz).date(), *v))
    return tuple(out)


def _in_period(now: datetime, bounds: list[datetime], zone: str):
    """The rows the figures and the charts read: the 365-day window or the 12 months,
    whichever starts first, up to the end of today."""
    firsts, end = window_starts(now, zone)
    since = min(local_day_bounds(firsts[-1], zone)[0], bounds[0])
    return and_(AttendanceEntry.start_at >= since, AttendanceEntry.start_at < end)


def drifted_clause(now: datetime, settings: AttendanceSettings):
    """Who drifted away, as a condition on ``Person``: active, not away today, taking
    part in nothing since the cut-off, and known before it (joined, or took part); the
    one rule, for the list and the summary's counts. It reads the first and last taking
    part that triggers keep on each person (``models.attendance_days``), so counting a
    province's drifted members is one scan of the people, not two searches of the roll
    per member. A row taking part counts from its start: someone checked in for a shift
    starting within minutes has not drifted."""
    cutoff = now - timedelta(weeks=settings.drift_weeks)
    today = now.astimezone(get_zone(settings.zone)).date()
    away_today = and_(or_(Person.away_from.is_not(None), Person.away_until.is_not(None)),
                      or_(Person.away_from.is_(None), Person.away_from <= today),
                      or_(Person.away_until.is_(None), Person.away_until >= today))
    # Joined before the cut-off, or took part before it: a roster loaded today with its
    # history (the demo, an import) still shows who stopped coming.
    return and_(Person.status == "active", not_(away_today),
                or_(Person.last_part_at.is_(None), Person.last_part_at < cutoff),
                or_(Person.created_at <= cutoff, Person.first_part_at < cutoff))


def _study_marks(session, people, bounds, zone) -> dict[int, list[str | None]]:
    """Each person's study day per month: attended beats excused beats absent."""
    e = AttendanceEntry
    rows = session.execute(select(e.person_id, e.start_at, e.status).where(
        e.person_id.in_(people), e.kind == STUDY_KIND, e.start_at >= bounds[0],
        e.start_at < bounds[-1]))
    rank = {"attended": 3, "excused": 2, "absent": 1}
    marks: dict[int, list[str | None]] = defaultdict(lambda: [None] * MONTHS)
    for person_id, start_at, status in rows:
        i = next(i for i in range(MONTHS) if start_at < bounds[i + 1])
        mark = "attended" if status in SERVED else status
        if rank[mark] > rank.get(marks[person_id][i], 0):
            marks[person_id][i] = mark
    return marks


def _last_contacts(session, people) -> dict[int, Contact]:
    latest = (select(MemberContact.person_id, func.max(MemberContact.id).label("id"))
              .where(MemberContact.person_id.in_(people))
              .group_by(MemberContact.person_id).subquery())
    caller = Person.__table__.alias("caller")
    rows = session.execute(
        select(MemberContact.person_id, MemberContact.contacted_at, MemberContact.note,
               func.coalesce(caller.c.full_name, Account.username))
        .join(latest, latest.c.id == MemberContact.id)
        .outerjoin(Account, Account.id == MemberContact.by_id)
        .outerjoin(caller, caller.c.id == Account.person_id))
    return {p: Contact(at, by or "", note) for p, at, note, by in rows}


def community_report(session, actor: Account, community_id: int, now: datetime,
                     settings: AttendanceSettings) -> CommunityReport:
    """The participation report of one community, as ``actor`` may read it."""
    community = session.get(Community, community_id)
    if community is None:
        raise NotFound("No such community.")
    if not may_read_participation(session, actor, community_id):
        raise Forbidden("You do not coordinate this community.")
    shows_phones = sees_report_phones(session, actor, community_id)
    may_contact = actor.role in ("coordinator", "admin") and can_manage(session, actor,
                                                                        community_id)
    bounds = month_starts(now, settings.zone)
    period = _in_period(now, bounds, settings.zone)
    e = AttendanceEntry

    team_rows = session.execute(select(Team.id, Team.name).where(
        Team.community_id == community_id).order_by(Team.name, Team.id)).all()
    memberships = session.execute(
        select(TeamMember.team_id, TeamMember.person_id).join(Team, Team.id == TeamMember.team_id)
        .where(Team.community_id == community_id)).all()
    team_people = select(TeamMember.person_id).join(Team, Team.id == TeamMember.team_id) \
        .where(Team.community_id == community_id)
    members = session.execute(
        select(Person.id, Person.full_name, Person.member_number, Person.status, Person.phone)
        .where(Person.community_id == community_id)
        .order_by(Person.full_name, Person.id)).all()
    # The ids themselves, not a subquery: PostgreSQL estimates "members OR team members"
    # as a third of all people and then scans a year of roll rows (1.2 s at scale 170).
    people = list(session.scalars(select(Person.id).where(
        or_(Person.community_id == community_id, Person.id.in_(team_people))))) or [-1]

    by_person = {row[0]: _figures(row) for row in session.execute(
        select(e.person_id, *_figure_columns(now, settings.zone))
        .where(e.person_id.in_(people), period)
        .group_by(e.person_id))}
    # Last taking part ever (the 365-day window above may not reach it).
    last_ever = dict(session.execute(
        select(e.person_id, func.max(e.start_at)).where(
            e.person_id.in_(people), e.status.in_(SERVED), e.start_at <= now)
        .group_by(e.person_id)).all())
    study = _study_marks(session, people, bounds, settings.zone)

    def figures_of(person_id: int) -> Figures:
        f = by_person.get(person_id, Figures())
        return Figures(f.services, f.minutes, f.taken_part, f.expected, f.expected_part,
                       f.leave, last_ever.get(person_id))

    lines = tuple(MemberLine(
        person_id=pid, name=name, member_number=number, status=status,
        figures=figures_of(pid), study=tuple(study.get(pid, [None] * MONTHS)),
        phone=phone if shows_phones else None)
        for pid, name, number, status, phone in members)

    per_team: dict[int, list[int]] = defaultdict(list)
    for team_id, person_id in memberships:
        per_team[team_id].append(person_id)
    teams = []
    for team_id, name in team_rows:
        ids = per_team.get(team_id, [])
        total = sum((figures_of(p) for p in ids), Figures())
        months = tuple(
            (sum(1 for p in ids if study.get(p, [None] * MONTHS)[i] == "attended"),
             sum(1 for p in ids if study.get(p, [None] * MONTHS)[i] is not None))
            for i in range(MONTHS))
        teams.append(GroupLine(name, len(ids), total, months))

    row = session.execute(select(func.count(e.id), *_figure_columns(now, settings.zone),
                                 *_month_columns(bounds))
                          .where(e.community_id == community_id, period)).one()
    chart = _months(row, 12, bounds, settings.zone)
    total = GroupLine(community.name, len(members), _figures(row),
                      tuple((m.study_attended, m.study_recorded) for m in chart))

    drift_ids = list(session.scalars(select(Person.id).where(
        Person.community_id == community_id, drifted_clause(now, settings))))
    contacts = _last_contacts(session, people)
    created = dict(session.execute(select(Person.id, Person.created_at).where(
        Person.id.in_(drift_ids or [-1]))).all())
    names = {m.person_id: m for m in lines}
    drifted = []
    for pid in drift_ids:
        last = last_ever.get(pid)
        since = last or created[pid]
        drifted.append(DriftLine(pid, names[pid].name, names[pid].phone, last, since,
                                 int((now - since).days // 7), contacts.get(pid)))
    drifted.sort(key=lambda d: (d.since, d.name, d.person_id))
    return CommunityReport(community_id, community.name, now, chart, total, tuple(teams),
                           lines, tuple(drifted), settings.drift_weeks, shows_phones,
                           may_contact)


def summary(session, actor: Account, now: datetime,
            settings: AttendanceSettings) -> Summary:
    """One row per community the actor reads (all of them for leaders and admins)."""
    ids = visible_community_ids(session, actor)
    if ids is not None and not ids:
        raise Forbidden("Only coordinators and leaders read the participation report.")
    bounds = month_starts(now, settings.zone)
    communities = select(Community.id, Community.name).order_by(Community.name, Community.id)
    if ids is not None:
        communities = communities.where(Community.id.in_(ids))
    communities = session.execute(communities).all()
    wanted = [c for c, _ in communities]
    # Leaders read every community: no list of 1,500 ids for the planner to misjudge.
    of_wanted = Person.community_id.in_(wanted) if ids is not None \
        else Person.community_id.is_not(None)
    counts = {c: (n, a) for c, n, a in session.execute(
        select(Person.community_id, func.count(Person.id), _sum(Person.status == "active"))
        .where(of_wanted).group_by(Person.community_id))}
    drifted = dict(session.execute(
        select(Person.community_id, func.count(Person.id))
        .where(of_wanted, drifted_clause(now, settings))
        .group_by(Person.community_id)).all())
    figures, charts = _community_days(session, wanted if ids is not None else None, now,
                                      bounds, settings.zone)
    rows = []
    for cid, name in communities:
        months = charts.get(cid) or tuple(Month(b.astimezone(get_zone(settings.zone)).date())
                                          for b in bounds[:-1])
        n, active = counts.get(cid, (0, 0))
        rows.append(SummaryRow(cid, name, n, int(active), drifted.get(cid, 0),
                               GroupLine(name, n, figures.get(cid, Figures()),
                                         tuple((m.study_attended, m.study_recorded)
                                               for m in months)), months))
    all_months = tuple(
        Month(bounds[i].astimezone(get_zone(settings.zone)).date(),
              *(sum(getattr(r.months[i], f) for r in rows) for f in (
                  "minutes", "expected", "expected_part", "study_attended",
                  "study_recorded")))
        for i in range(MONTHS))
    total = GroupLine("", sum(r.members for r in rows),
                      sum((r.total.figures for r in rows), Figures()),
                      tuple((m.study_attended, m.study_recorded) for m in all_months))
    return Summary(now, tuple(rows), all_months, total, settings.drift_weeks)


def _community_days(session, wanted, now: datetime, bounds: list[datetime], zone: str):
    """Each community's figures and 12 months from the rollups, in grouped passes that
    each sum plain columns (SQLite pays per CASE per row): the months from
    ``attendance_months`` (~13 rows per community); from ``attendance_days`` (a range of
    its day index) the last 30 and 90 days, the days of the first month before the
    365-day window starts, and the days of this month after today (rows for leave taken
    ahead), which the month's sum holds but the figures do not."""
    d, m = AttendanceDay, AttendanceMonth
    tz = get_zone(zone)
    (d30, d90, d365), _end = window_starts(now, zone)
    today = now.astimezone(tz).date()
    month_firsts = [b.astimezone(tz).date() for b in bounds]
    first = min(d365, month_firsts[0]).replace(day=1)
    this_month = today.replace(day=1)
    plain = ("services", "service_minutes", "taken_part", "expected", "expected_part",
             "excused", "study_part", "study_recorded")

    def sums(*where):
        in_wanted = d.community_id.in_(wanted) if wanted is not None else True
        return {r[0]: [int(x or 0) for x in r[1:]] for r in session.execute(
            select(d.community_id, *(func.sum(getattr(d, c)) for c in plain))
            .where(in_wanted, *where).group_by(d.community_id))}

    by_month = session.execute(
        select(m.community_id, m.month, *(getattr(m, c) for c in plain))
        .where(m.community_id.in_(wanted) if wanted is not None else True,
               m.month >= first, m.month <= this_month)).all()
    recent = sums(d.day >= d30, d.day <= today)
    quarter = sums(d.day >= d90, d.day <= today)
    before = sums(d.day >= first, d.day < d365)
    after = sums(d.day > today, d.day < month_firsts[-1])
    zero = [0] * len(plain)
    year: dict[int, list[int]] = {}
    months: dict[int, list[list[int]]] = {}
    for row in by_month:
        cid, first_of = row[0], _as_date(row[1])
        v = [int(x or 0) for x in row[2:]]
        if first_of == this_month:
            v = [a - b for a, b in zip(v, after.get(cid, zero))]
        total = year.setdefault(cid, [0] * len(plain))
        for k, x in enumerate(v):
            total[k] += x
        if first_of >= month_firsts[0]:
            i = next(i for i in range(MONTHS) if first_of < month_firsts[i + 1])
            # services' minutes, expected, expected taking part, study taking part, study
            slot = months.setdefault(cid, [[0] * 5 for _ in range(MONTHS)])[i]
            for k, x in enumerate((v[1], v[3], v[4], v[6], v[7])):
                slot[k] += x
    figures = {}
    for cid, total in year.items():
        y = [a - b for a, b in zip(total, before.get(cid, zero))]
        r, q = recent.get(cid, zero), quarter.get(cid, zero)
        figures[cid] = Figures((r[0], q[0], y[0]), (r[1], q[1], y[1]), y[2], y[3], y[4],
                               y[5], None)
    charts = {cid: tuple(Month(month_firsts[i], *m[i]) for i in range(MONTHS))
              for cid, m in months.items()}
    return figures, charts


def _as_date(value) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, str):
        return date.fromisoformat(value[:10])
    return value
