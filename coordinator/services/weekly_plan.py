"""The weekly plan: one local week (Monday to Sunday), grouped by community, team or venue.

Everything here is plain Python over the session; the page, the PDF, the exports and the
leaders' weekly summary read the same figures. The number of queries does not depend on
the data: the summary is three aggregate queries covering this week and last week, the
grid one aggregate query, and the detailed grid three more.

A week that would show more than ``detail_limit`` occurrences collapses to counts per
group and day (one row per community, team or venue, paginated); a leader drills into one
group by following its row, which filters the week to that group.
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from contextlib import AbstractContextManager as ContextManager
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta

from sqlalchemy import and_, case, func, or_, select, union

from ..domain.errors import DomainError
from ..domain.recurrence import local_day_bounds
from ..models import (
    Assignment,
    Community,
    Occurrence,
    OccurrenceRole,
    Person,
    Response,
    Series,
    Team,
    Venue,
)
from ..models.schedule import SERIES_KINDS

GROUPINGS = ("community", "team", "venue")
DETAIL_LIMIT = 400  # occurrences in one week; above this the grid shows counts
GROUPS_PER_PAGE = 30
TOP_OPEN = 5
WORKERS = 3  # threads (and database connections) of one wide weekly plan page
NARROW = 20  # communities: up to this many, the page's queries run one after another


@dataclass(frozen=True)
class PlanFilter:
    """Which week and which part of it; every field is kept in the page's URL."""

    monday: date
    by: str = "community"
    community_id: int | None = None
    kind: str | None = None
    team_id: int | None = None
    venue_id: int | None = None
    page: int = 1

    @property
    def sunday(self) -> date:
        return self.monday + timedelta(days=6)

    def days(self) -> list[date]:
        return [self.monday + timedelta(days=i) for i in range(7)]

    def shifted(self, weeks: int) -> PlanFilter:
        """The same filter on another week (first page)."""
        return replace(self, monday=self.monday + timedelta(weeks=weeks), page=1)

    def args(self, **changes) -> dict:
        """URL query arguments for this filter, with ``changes`` applied (None drops)."""
        values = {"date": self.monday.isoformat(), "by": self.by,
                  "community": self.community_id, "kind": self.kind, "team": self.team_id,
                  "venue": self.venue_id, "page": self.page if self.page > 1 else None}
        values.update(changes)
        if values.get("by") == "community":
            values["by"] = None
        return {k: v for k, v in values.items() if v is not None}


@dataclass(frozen=True)
class PlanViewer:
    """Whose eyes: which communities they see, which they manage (None: all)."""

    visible: frozenset[int] | None
    managed: frozenset[int] | None
    person_id: int | None = None

    def manages(self, community_id: int | None) -> bool:
        return self.managed is None or (community_id is not None
                                        and community_id in self.managed)


def monday_of(day: date) -> date:
    return day - timedelta(days=day.weekday())


def _int_arg(args: Mapping[str, str], name: str, field_name: str,
             errors: list[DomainError]) -> int | None:
    raw = (args.get(name) or "").strip()
    if not raw:
        return None
    if not raw.isdigit() or not 0 < int(raw) < 2**31:
        errors.append(DomainError("“%(value)s” is not a valid choice; the filter was ignored.",
                                  field=field_name, value=raw[:40]))
        return None
    return int(raw)


def _visible(session, viewer: PlanViewer, model, row_id: int | None,
             errors: list[DomainError], refusal: DomainError) -> int | None:
    """``row_id`` when that team or venue exists and is township-wide or in a community
    the viewer sees; otherwise None, with ``refusal`` added to ``errors``."""
    if row_id is None:
        return None
    row = session.get(model, row_id)
    if row is None or (viewer.visible is not None and row.community_id is not None
                       and row.community_id not in viewer.visible):
        refusal.params["value"] = row_id
        errors.append(refusal)
        return None
    return row_id


def read_filter(session, viewer: PlanViewer, args: Mapping[str, str], today: date
                ) -> tuple[PlanFilter, list[DomainError]]:
    """Parse the URL's arguments; a bad value is dropped with a message, never an error page."""
    errors: list[DomainError] = []
    monday = monday_of(today)
    raw_date = (args.get("date") or "").strip()
    if raw_date:
        try:
            monday = monday_of(date.fromisoformat(raw_date))
        except ValueError:
            errors.append(DomainError(
                "“%(value)s” is not a date (use YYYY-MM-DD); showing this week.",
                field="date", value=raw_date[:40]))
        else:
            if not date(2000, 1, 1) <= monday <= date(2100, 1, 1):
                errors.append(DomainError("The date %(value)s is out of range; showing this week.",
                                          field="date", value=raw_date[:40]))
                monday = monday_of(today)
    by = (args.get("by") or "community").strip()
    if by not in GROUPINGS:
        errors.append(DomainError("Unknown grouping “%(value)s”; grouped by community.",
                                  field="by", value=by[:40]))
        by = "community"
    kind = (args.get("kind") or "").strip() or None
    if kind is not None and kind not in SERIES_KINDS:
        errors.append(DomainError("Unknown kind of work “%(value)s”; the filter was ignored.",
                                  field="kind", value=kind[:40]))
        kind = None
    community_id = _int_arg(args, "community", "community", errors)
    if community_id is not None and (
            session.get(Community, community_id) is None
            or (viewer.visible is not None and community_id not in viewer.visible)):
        errors.append(DomainError("There is no community number %(value)s that you may see; "
                                  "the filter was ignored.", field="community",
                                  value=community_id))
        community_id = None
    team_id = _visible(session, viewer, Team, _int_arg(args, "team", "team", errors), errors,
                       DomainError("There is no team number %(value)s that you may see; "
                                   "the filter was ignored.", field="team"))
    venue_id = _visible(session, viewer, Venue, _int_arg(args, "venue", "venue", errors),
                        errors, DomainError("There is no venue number %(value)s that you may "
                                            "see; the filter was ignored.", field="venue"))
    raw_page = (args.get("page") or "1").strip()
    page = int(raw_page) if raw_page.isdigit() and 0 < int(raw_page) < 100_000 else 1
    return PlanFilter(monday, by, community_id, kind, team_id, venue_id, page), errors


# --- shared pieces of SQL ------------------------------------------------------------------

def _bounds(monday: date, zone: str, days: int = 7) -> list[datetime]:
    """UTC instants of local midnight for ``days`` + 1 consecutive days (DST-safe)."""
    return [local_day_bounds(monday + timedelta(days=i), zone)[0] for i in range(days + 1)]


def _day_index(bounds: list[datetime]):
    """0..n-1: the local day an occurrence starts on (a CASE over UTC bounds)."""
    return case(*[(Occurrence.start_at < bounds[i + 1], i) for i in range(len(bounds) - 2)],
                else_=len(bounds) - 2)


def _group_column(by: str):
    return {"community": Series.community_id, "team": Series.team_id,
            "venue": Occurrence.venue_id}[by]


def _where(query, flt: PlanFilter, viewer: PlanViewer, lo: datetime, hi: datetime):
    query = query.where(Occurrence.start_at >= lo, Occurrence.start_at < hi)
    if viewer.visible is not None:
        query = query.where(or_(Series.community_id.in_(sorted(viewer.visible)),
                                Series.community_id.is_(None)))
    if flt.community_id is not None:
        query = query.where(Series.community_id == flt.community_id)
    if flt.kind is not None:
        query = query.where(Series.kind == flt.kind)
    if flt.team_id is not None:
        query = query.where(Series.team_id == flt.team_id)
    if flt.venue_id is not None:
        query = query.where(Occurrence.venue_id == flt.venue_id)
    return query


_SCHEDULED = Occurrence.status == "scheduled"
_CAPPED = case((OccurrenceRole.filled < OccurrenceRole.needed, OccurrenceRole.filled),
               else_=OccurrenceRole.needed)


def _needed():
    return func.coalesce(func.sum(case((_SCHEDULED, OccurrenceRole.needed), else_=0)), 0)


def _filled():
    return func.coalesce(func.sum(case((_SCHEDULED, _CAPPED), else_=0)), 0)


def _grouped(session, flt: PlanFilter, viewer: PlanViewer, lo: datetime, hi: datetime,
             keys: dict, names: tuple = (), name_table=None, name_on=None,
             hours: bool = False) -> list[tuple]:
    """Occurrences of ``[lo, hi)`` under the filter, grouped by ``keys``: rows of
    (*keys, *names, scheduled, cancelled, needed, filled, filled x hours).

    Two queries: occurrences alone (counts; cheap) and scheduled occurrences joined to
    their slots (sums). Summing slots directly needs no COUNT(DISTINCT) and no
    per-occurrence step, which is what makes a province-size week affordable.
    """
    columns = [value.label(name) for name, value in keys.items()]
    occurrences = (select(*columns, *names,
                          func.sum(case((_SCHEDULED, 1), else_=0)),
                          func.sum(case((_SCHEDULED, 0), else_=1)))
                   .select_from(Occurrence).join(Series, Occurrence.series_id == Series.id))
    if name_table is not None:
        occurrences = occurrences.outerjoin(name_table, name_on)
    occurrences = _where(occurrences, flt, viewer, lo, hi).group_by(*keys.values(), *names)
    worked = (func.sum(OccurrenceRole.filled * _hours(session)) if hours
              else func.sum(OccurrenceRole.filled * 0))
    slots = _where(
        select(*columns, func.sum(OccurrenceRole.needed), func.sum(_CAPPED), worked)
        .select_from(Occurrence).join(Series, Occurrence.series_id == Series.id)
        .join(OccurrenceRole, OccurrenceRole.occurrence_id == Occurrence.id)
        .where(_SCHEDULED), flt, viewer, lo, hi).group_by(*keys.values())
    width = len(keys)
    sums = {tuple(row[:width]): row[width:] for row in session.execute(slots)}
    out = []
    for row in session.execute(occurrences):
        needed, filled, hours_worked = sums.get(tuple(row[:width]), (0, 0, 0))
        out.append((*row, int(needed or 0), int(filled or 0), float(hours_worked or 0)))
    return out


def _hours(session):
    """Length of an occurrence in hours, in the backend's own date arithmetic."""
    if session.get_bind().dialect.name == "postgresql":
        return func.extract("epoch", Occurrence.end_at - Occurrence.start_at) / 3600.0
    return (func.julianday(Occurrence.end_at) - func.julianday(Occurrence.start_at)) * 24.0


# --- the summary -----------------------------------------------------------------------------

@dataclass
class WeekFigures:
    """The figures of one week."""

    by_kind: dict[str, int] = field(default_factory=dict)  # scheduled occurrences per kind
    cancelled: int = 0
    needed: int = 0
    filled: int = 0  # filled places, counting none beyond what was needed
    volunteers: int = 0  # distinct people on a shift or attending a team event
    planned_hours: float = 0.0  # filled places times their length
    top_open: list[tuple[str | None, int]] = field(default_factory=list)  # (name, open)

    @property
    def occurrences(self) -> int:
        return sum(self.by_kind.values())

    @property
    def open_places(self) -> int:
        return self.needed - self.filled

    @property
    def coverage(self) -> float | None:
        return self.filled / self.needed if self.needed else None


@dataclass
class Summary:
    this: WeekFigures
    last: WeekFigures
    top_by: str  # "community" or "team"
    # Last week's open places of this week's top groups, by the same order.
    top_last: list[int] = field(default_factory=list)


def _two_weeks(flt: PlanFilter, zone: str, only: int | None = None):
    """UTC bounds of last week and this week (or only one: 0 last, 1 this) and a CASE
    telling them apart."""
    lo = local_day_bounds(flt.monday - timedelta(weeks=1), zone)[0]
    mid = local_day_bounds(flt.monday, zone)[0]
    hi = local_day_bounds(flt.monday + timedelta(days=7), zone)[0]
    if only == 0:
        hi = mid
    elif only == 1:
        lo = mid
    return lo, hi, case((Occurrence.start_at < mid, 0), else_=1)


def _top_by(flt: PlanFilter) -> str:
    return "team" if flt.by == "team" else "community"


def _summary_rows(session, viewer: PlanViewer, flt: PlanFilter, zone: str,
                  only: int | None = None) -> list:
    """Counts, places and hours by week, group and kind: one pass over the weeks."""
    lo, hi, week = _two_weeks(flt, zone, only)
    group = _group_column(_top_by(flt))
    name_table = Team if _top_by(flt) == "team" else Community
    rows = _grouped(session, flt, viewer, lo, hi, {"week": week, "grp": group,
                                                   "kind": Series.kind},
                    (name_table.name,), name_table, name_table.id == group, hours=True)
    # -> (week, group, name, kind, scheduled, cancelled, needed, filled, worked)
    return [(w, g, name, kind, *rest) for w, g, kind, name, *rest in rows]


def _summary_from(rows, flt: PlanFilter) -> Summary:
    figures = [WeekFigures(), WeekFigures()]
    open_by: list[dict] = [defaultdict(int), defaultdict(int)]
    names: dict = {}
    hours = [0.0, 0.0]
    for index, key, name, kind, scheduled, cancelled, needed, filled, worked in rows:
        target = figures[index]
        if scheduled:
            target.by_kind[kind] = target.by_kind.get(kind, 0) + scheduled
        target.cancelled += cancelled
        target.needed += int(needed)
        target.filled += int(filled)
        hours[index] += float(worked or 0)
        open_by[index][key] += int(needed) - int(filled)
        names[key] = name
    for index in (0, 1):
        figures[index].planned_hours = round(hours[index], 1)

    def ranked(index: int) -> list:
        return sorted(((k, n) for k, n in open_by[index].items() if n > 0),
                      key=lambda item: (-item[1], names[item[0]] or ""))[:TOP_OPEN]

    this_top = ranked(1)
    figures[1].top_open = [(names[k], n) for k, n in this_top]
    figures[0].top_open = [(names[k], n) for k, n in ranked(0)]
    return Summary(this=figures[1], last=figures[0], top_by=_top_by(flt),
                   top_last=[open_by[0].get(k, 0) for k, _n in this_top])


def _summary_people(session, viewer: PlanViewer, flt: PlanFilter, zone: str,
                    only: int | None = None) -> tuple[int, int]:
    """Distinct people on a shift or attending a team event: (last week, this week)."""
    lo, hi, week = _two_weeks(flt, zone, only)
    on_shift = _where(
        select(week.label("week"), Assignment.person_id.label("person_id"))
        .select_from(Assignment)
        .join(OccurrenceRole, Assignment.occurrence_role_id == OccurrenceRole.id)
        .join(Occurrence, OccurrenceRole.occurrence_id == Occurrence.id)
        .join(Series, Occurrence.series_id == Series.id)
        .where(Assignment.status == "confirmed", _SCHEDULED), flt, viewer, lo, hi)
    attending = _where(
        select(week.label("week"), Response.person_id.label("person_id"))
        .select_from(Response).join(Occurrence, Response.occurrence_id == Occurrence.id)
        .join(Series, Occurrence.series_id == Series.id)
        .where(Response.is_attending.is_(True), _SCHEDULED), flt, viewer, lo, hi)
    people = union(on_shift, attending).subquery()
    counts = [0, 0]
    for index, count in session.execute(select(people.c.week, func.count())
                                        .group_by(people.c.week)):
        counts[index] = count
    return counts[0], counts[1]


def summary(session, viewer: PlanViewer, flt: PlanFilter, zone: str) -> Summary:
    """This week's figures and last week's, under the same filter: two queries, each one
    pass over the two weeks."""
    result = _summary_from(_summary_rows(session, viewer, flt, zone), flt)
    result.last.volunteers, result.this.volunteers = _summary_people(session, viewer, flt,
                                                                     zone)
    return result


def plan_page(sessions: Callable[[], ContextManager], viewer: PlanViewer, flt: PlanFilter,
              zone: str, detail_limit: int = DETAIL_LIMIT, per_page: int = GROUPS_PER_PAGE
              ) -> tuple[Summary, Grid]:
    """The summary and the grid, their heavy queries side by side.

    Each part runs in its own thread on its own session (``sessions()`` opens one), so a
    province-size week takes as long as its slowest query, not the sum of them. The parts
    read separate snapshots: a sign-up landing between them may show in one and not yet
    in the other, which a glance at the week tolerates.
    """
    def run(part, *args):
        with sessions() as session:
            return part(session, viewer, flt, zone, *args)

    if flt.community_id is not None or flt.team_id is not None or flt.venue_id is not None \
            or (viewer.visible is not None and len(viewer.visible) <= NARROW):
        with sessions() as session:  # a small part of the data: threads cost more than they save
            return summary(session, viewer, flt, zone), grid(session, viewer, flt, zone,
                                                             detail_limit, per_page)
    with ThreadPoolExecutor(max_workers=WORKERS, thread_name_prefix="plan") as pool:
        # Longest first; each week on its own, so two cores share the work evenly.
        people = [pool.submit(run, _summary_people, week) for week in (1, 0)]
        counts = [pool.submit(run, _summary_rows, week) for week in (1, 0)]
        rows = pool.submit(run, grid, detail_limit, per_page)
        result = _summary_from(counts[1].result() + counts[0].result(), flt)
        result.this.volunteers = people[0].result()[1]
        result.last.volunteers = people[1].result()[0]
        return result, rows.result()


def week_figures(session, community_ids: set[int] | None, monday: date, zone: str
                 ) -> WeekFigures:
    """This week's figures over ``community_ids`` (None: every community)."""
    viewer = PlanViewer(visible=None if community_ids is None else frozenset(community_ids),
                        managed=frozenset())
    return summary(session, viewer, PlanFilter(monday_of(monday)), zone).this


# --- the grid ---------------------------------------------------------------------------------

@dataclass
class Cell:
    """Counts of one group on one day (the collapsed grid)."""

    occurrences: int = 0
    cancelled: int = 0
    needed: int = 0
    filled: int = 0

    @property
    def open_places(self) -> int:
        return self.needed - self.filled


@dataclass
class RoleLine:
    role_id: int
    name: str
    needed: int
    filled: int
    names: list[str] = field(default_factory=list)

    @property
    def missing(self) -> int:
        return max(self.needed - self.filled, 0)


@dataclass
class Entry:
    """One occurrence as the plan shows it."""

    occurrence_id: int
    series_id: int
    kind: str
    title: str
    participation: str
    start_at: datetime
    end_at: datetime
    status: str
    reason: str | None
    community_id: int | None
    community: str | None
    team: str | None
    venue: str | None
    needed: int
    filled: int  # capped at needed
    people: int  # everyone confirmed, beyond needed too
    is_private: bool  # a care visit the viewer may not read: no title, names or place
    can_manage: bool
    roles: list[RoleLine] = field(default_factory=list)
    attending: int = 0  # yes-answers to a team event
    person_ids: set[int] = field(default_factory=set)  # confirmed people (privacy checks)

    @property
    def missing(self) -> int:
        return self.needed - self.filled if self.status == "scheduled" else 0

    @property
    def names(self) -> list[str]:
        return [n for r in self.roles for n in r.names]

    def redact(self) -> None:
        """Keep only what anyone may read of a care visit: kind, time, community, counts."""
        self.is_private = True
        self.title, self.venue, self.team, self.reason = "", None, None, None
        self.person_ids = set()
        for role in self.roles:
            role.names = []


@dataclass
class GroupRow:
    key: int | None
    name: str | None
    days: list = field(default_factory=list)  # 7 cells: Cell, or list[Entry] when detailed
    total: Cell = field(default_factory=Cell)


@dataclass
class Grid:
    detailed: bool
    rows: list[GroupRow]
    total_occurrences: int
    page: int
    pages: int
    total_groups: int


def _group_name_columns(by: str):
    """(name, sort key, primary key) of the table that names the rows."""
    if by == "community":
        return Community.name, Community.code, Community.id
    if by == "team":
        return Team.name, Team.name, Team.id
    return Venue.name, Venue.name, Venue.id


def grid(session, viewer: PlanViewer, flt: PlanFilter, zone: str,
         detail_limit: int = DETAIL_LIMIT, per_page: int = GROUPS_PER_PAGE) -> Grid:
    """Rows by group, columns by day: entries when the week is small enough, else counts."""
    bounds = _bounds(flt.monday, zone)
    day = _day_index(bounds)
    group = _group_column(flt.by)
    name_col, order_col, name_key = _group_name_columns(flt.by)
    name_table = name_col.class_
    rows = [(g, name, order_value, index, *rest[:4]) for g, index, name, order_value, *rest
            in _grouped(session, flt, viewer, bounds[0], bounds[-1], {"grp": group, "day": day},
                        (name_col, order_col), name_table, name_key == group)]
    counts: dict[int | None, list] = {}  # group -> [name, sort key, 7 x 4 counts + totals]
    for key, name, order_value, index, scheduled, cancelled, needed, filled in rows:
        seen = counts.get(key)
        if seen is None:
            seen = counts[key] = [name, (key is not None, order_value or "", key or 0),
                                  [0] * 32]
        cells = seen[2]
        at = index * 4
        cells[at] += scheduled
        cells[at + 1] += cancelled
        cells[at + 2] += int(needed)
        cells[at + 3] += int(filled)
        cells[28] += scheduled
        cells[29] += cancelled
        cells[30] += int(needed)
        cells[31] += int(filled)
    keys = sorted(counts, key=lambda k: counts[k][1])
    total = sum(counts[k][2][28] + counts[k][2][29] for k in keys)

    def row_of(key) -> GroupRow:
        name, _order, cells = counts[key]
        return GroupRow(key, name, [Cell(*cells[i:i + 4]) for i in range(0, 28, 4)],
                        Cell(*cells[28:32]))

    if total <= detail_limit:
        ordered = [row_of(k) for k in keys]
        groups = {row.key: row for row in ordered}
        for row in ordered:
            row.days = [[] for _ in range(7)]
        for key, index, entry in _entries(session, viewer, flt, bounds, day, group):
            groups[key].days[index].append(entry)
        return Grid(True, ordered, total, 1, 1, len(ordered))
    pages = max(1, -(-len(keys) // per_page))
    page = min(flt.page, pages)
    return Grid(False, [row_of(k) for k in keys[(page - 1) * per_page: page * per_page]],
                total, page, pages, len(keys))


def week_entries(session, viewer: PlanViewer, flt: PlanFilter, zone: str) -> list[Entry]:
    """Every occurrence of the filtered week, however many (for the exports)."""
    bounds = _bounds(flt.monday, zone)
    return [entry for _key, _day, entry in _entries(session, viewer, flt, bounds,
                                                     _day_index(bounds), _group_column(flt.by))]


def _entries(session, viewer: PlanViewer, flt: PlanFilter, bounds, day, group
             ) -> list[tuple[int | None, int, Entry]]:
    """Every occurrence of the filtered week with its slots and names: three queries."""
    lo, hi = bounds[0], bounds[-1]
    rows = session.execute(_where(
        select(group, day, Occurrence.id, Series.id, Series.kind, Series.title,
               Series.participation, Occurrence.start_at, Occurrence.end_at, Occurrence.status,
               Occurrence.reason, Series.community_id, Community.name, Team.name, Venue.name,
               _needed(), _filled(), func.coalesce(func.sum(OccurrenceRole.filled), 0))
        .select_from(Occurrence).join(Series, Occurrence.series_id == Series.id)
        .outerjoin(OccurrenceRole, OccurrenceRole.occurrence_id == Occurrence.id)
        .outerjoin(Community, Community.id == Series.community_id)
        .outerjoin(Team, Team.id == Series.team_id)
        .outerjoin(Venue, Venue.id == Occurrence.venue_id),
        flt, viewer, lo, hi)
        .group_by(Occurrence.id, Series.id, Community.name, Team.name, Venue.name)
        .order_by(Occurrence.start_at, Series.title, Occurrence.id))
    out = []
    by_id: dict[int, Entry] = {}
    for (key, index, occ_id, series_id, kind, title, participation, start, end, status,
         reason, community_id, community, team, venue, needed, filled, people) in rows:
        entry = Entry(occ_id, series_id, kind, title, participation, start, end, status, reason,
                      community_id, community, team, venue, int(needed), int(filled),
                      int(people), False, viewer.manages(community_id))
        by_id[occ_id] = entry
        out.append((key, index, entry))
    if not by_id:
        return out
    ids = _where(select(Occurrence.id).join(Series, Occurrence.series_id == Series.id),
                 flt, viewer, lo, hi)
    _attach_roles(session, by_id, ids)
    for occ_id, count in session.execute(
            select(Response.occurrence_id, func.count())
            .where(Response.occurrence_id.in_(ids), Response.is_attending.is_(True))
            .group_by(Response.occurrence_id)):
        by_id[occ_id].attending = count
    for entry in by_id.values():
        if entry.kind == "care" and not entry.can_manage and not _on_it(entry, viewer):
            entry.redact()
    return out


def _attach_roles(session, by_id: dict[int, Entry], ids) -> None:
    roles: dict[int, RoleLine] = {}
    for occ_id, role_id, name, needed, filled, person_id, full_name in session.execute(
            select(OccurrenceRole.occurrence_id, OccurrenceRole.id, OccurrenceRole.name,
                   OccurrenceRole.needed, OccurrenceRole.filled, Person.id, Person.full_name)
            .outerjoin(Assignment, and_(Assignment.occurrence_role_id == OccurrenceRole.id,
                                        Assignment.status == "confirmed"))
            .outerjoin(Person, Person.id == Assignment.person_id)
            .where(OccurrenceRole.occurrence_id.in_(ids))
            .order_by(OccurrenceRole.occurrence_id, OccurrenceRole.id, Person.full_name)):
        line = roles.get(role_id)
        if line is None:
            line = roles[role_id] = RoleLine(role_id, name, needed, filled)
            by_id[occ_id].roles.append(line)
        if full_name is not None:
            line.names.append(full_name)
            by_id[occ_id].person_ids.add(person_id)


def _on_it(entry: Entry, viewer: PlanViewer) -> bool:
    return viewer.person_id is not None and viewer.person_id in entry.person_ids


# --- filters' choices -------------------------------------------------------------------------

MAX_CHOICES = 300  # beyond this a select list is useless on a phone: narrow down first


def filter_choices(session, viewer: PlanViewer, flt: PlanFilter) -> dict:
    """Communities, teams and venues to pick from (teams and venues only once narrow enough)."""
    communities = select(Community.id, Community.name).order_by(Community.code, Community.name)
    if viewer.visible is not None:
        communities = communities.where(Community.id.in_(sorted(viewer.visible)))
    scope = ([flt.community_id] if flt.community_id is not None
             else None if viewer.visible is None else sorted(viewer.visible))
    teams = select(Team.id, Team.name, Community.name).outerjoin(
        Community, Community.id == Team.community_id).order_by(Community.code, Team.name)
    venues = select(Venue.id, Venue.name, Community.name).outerjoin(
        Community, Community.id == Venue.community_id).order_by(Community.code, Venue.name)
    if scope is not None:
        teams = teams.where(or_(Team.community_id.in_(scope), Team.community_id.is_(None)))
        venues = venues.where(or_(Venue.community_id.in_(scope), Venue.community_id.is_(None)))
    return {
        "communities": list(session.execute(communities.limit(MAX_CHOICES * 10))),
        "teams": list(session.execute(teams.limit(MAX_CHOICES + 1))),
        "venues": list(session.execute(venues.limit(MAX_CHOICES + 1))),
    }


# --- biggest gaps (for digests and the leaders' summary) -------------------------------------

@dataclass(frozen=True)
class Gap:
    occurrence_id: int
    title: str
    kind: str
    community_name: str | None
    start_at: datetime
    missing: int


def biggest_gaps(session, community_ids: set[int] | None, start: datetime, end: datetime,
                 limit: int = 10) -> list[Gap]:
    """Scheduled occurrences in ``[start, end)`` with the most open places."""
    missing = func.sum(OccurrenceRole.needed - _CAPPED)
    query = (select(Occurrence.id, Series.title, Series.kind, Community.name,
                    Occurrence.start_at, missing)
             .join(Series, Occurrence.series_id == Series.id)
             .join(OccurrenceRole, OccurrenceRole.occurrence_id == Occurrence.id)
             .outerjoin(Community, Community.id == Series.community_id)
             .where(Occurrence.start_at >= start, Occurrence.start_at < end, _SCHEDULED,
                    OccurrenceRole.filled < OccurrenceRole.needed)
             .group_by(Occurrence.id, Series.title, Series.kind, Community.name)
             .order_by(missing.desc(), Occurrence.start_at, Occurrence.id).limit(limit))
    if community_ids is not None:
        query = query.where(Series.community_id.in_(sorted(community_ids)))
    return [Gap(*row[:5], int(row[5])) for row in session.execute(query)]


__all__ = ["PlanFilter", "PlanViewer", "WeekFigures", "Summary", "Grid", "GroupRow", "Cell",
           "Entry", "RoleLine", "Gap", "read_filter", "summary", "week_figures", "grid",
           "biggest_gaps", "filter_choices", "monday_of", "week_entries"]
