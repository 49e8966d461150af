"""Rows by group, columns by day: the entries of a small week, counts of a big one."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import and_, case, func, select

from ...models import (
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
from .figures import _summary_rows
from .filters import DETAIL_LIMIT, GROUPS_PER_PAGE, PlanFilter, PlanViewer
from .sql import _SCHEDULED, _bounds, _day_index, _group_column, _grouped, _where


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
    per_page: int = GROUPS_PER_PAGE

    @property
    def first_row(self) -> int:
        return (self.page - 1) * self.per_page + 1

    @property
    def last_row(self) -> int:
        return min(self.page * self.per_page, self.total_groups)


def _group_name_columns(by: str):
    """(name, sort key) of the table that names the rows."""
    if by == "community":
        return Community.name, Community.code
    if by == "team":
        return Team.name, Team.name
    return Venue.name, Venue.name


def _day_rows(session, viewer: PlanViewer, flt: PlanFilter, zone: str, by_kind: bool):
    """The week's counts by group and day (and kind): rows of (group, day, [kind,] name,
    sort key, scheduled, cancelled, needed, filled, filled x hours)."""
    bounds = _bounds(flt.monday, zone)
    group = _group_column(flt.by, viewer)
    name_col, order_col = _group_name_columns(flt.by)
    keys = {"grp": group, "day": _day_index(bounds)}
    if by_kind:
        keys["kind"] = Series.kind
    return _grouped(session, flt, viewer, bounds[0], bounds[-1], keys, (name_col, order_col),
                    name_col.class_, "grp", hours=by_kind)


def grid_and_week(session, viewer: PlanViewer, flt: PlanFilter, zone: str,
                  detail_limit: int = DETAIL_LIMIT, per_page: int = GROUPS_PER_PAGE
                  ) -> tuple[Grid, list]:
    """The grid and this week's summary rows (as ``figures._summary_rows`` gives them).

    One pass over the week when rows are by community or team (the grid's groups are the
    summary's, and each pass over a province-size week's slots is the costly part); rows
    by venue are summed by community, so those take a second pass.
    """
    if flt.by == "venue":
        return (grid(session, viewer, flt, zone, detail_limit, per_page),
                _summary_rows(session, viewer, flt, zone, 1))
    per_group: dict = {}
    by_day = []
    for g, index, kind, name, order, scheduled, cancelled, needed, filled, worked in _day_rows(
            session, viewer, flt, zone, by_kind=True):
        by_day.append((g, name, order, index, scheduled, cancelled, needed, filled))
        sums = per_group.setdefault((g, kind), [name, 0, 0, 0, 0, 0.0])
        for at, value in enumerate((scheduled, cancelled, needed, filled, worked), 1):
            sums[at] += value
    week = [(1, g, name, kind, *sums) for (g, kind), (name, *sums) in per_group.items()]
    return grid(session, viewer, flt, zone, detail_limit, per_page, rows=by_day), week


def grid(session, viewer: PlanViewer, flt: PlanFilter, zone: str,
         detail_limit: int = DETAIL_LIMIT, per_page: int = GROUPS_PER_PAGE,
         rows: list | None = None) -> Grid:
    """Rows by group, columns by day: entries when the week is small enough, else counts.
    ``rows``: the week's counts by group and day when already read."""
    bounds = _bounds(flt.monday, zone)
    day = _day_index(bounds)
    group = _group_column(flt.by, viewer)
    if rows is None:
        rows = [(g, name, order_value, index, *rest[:4]) for g, index, name, order_value, *rest
                in _day_rows(session, viewer, flt, zone, by_kind=False)]
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
    # Collapsed, the rows with the most open places come first: a leader reading a
    # province-size week starts where help is needed.
    keys.sort(key=lambda k: (counts[k][2][31] - counts[k][2][30], counts[k][1]))
    pages = max(1, -(-len(keys) // per_page))
    page = min(flt.page, pages)
    return Grid(False, [row_of(k) for k in keys[(page - 1) * per_page: page * per_page]],
                total, page, pages, len(keys), per_page)


def week_entries(session, viewer: PlanViewer, flt: PlanFilter, zone: str) -> list[Entry]:
    """Every occurrence of the filtered week, however many (for the exports)."""
    bounds = _bounds(flt.monday, zone)
    return [entry for _key, _day, entry in _entries(session, viewer, flt, bounds,
                                                     _day_index(bounds),
                                                     _group_column(flt.by, viewer))]


def _entries(session, viewer: PlanViewer, flt: PlanFilter, bounds, day, group
             ) -> list[tuple[int | None, int, Entry]]:
    """Every occurrence of the filtered week with its slots and names: three queries."""
    lo, hi = bounds[0], bounds[-1]
    rows = session.execute(_where(
        select(group, day, Occurrence.id, Series.id, Series.kind, Series.title,
               Series.participation, Occurrence.start_at, Occurrence.end_at, Occurrence.status,
               Occurrence.reason, Series.community_id, Community.name, Team.name, Venue.name,
               case((_SCHEDULED, Occurrence.places_needed), else_=0),
               case((_SCHEDULED, Occurrence.places_filled), else_=0), Occurrence.people_confirmed)
        .select_from(Occurrence).join(Series, Occurrence.series_id == Series.id)
        .outerjoin(Community, Community.id == Series.community_id)
        .outerjoin(Team, Team.id == Series.team_id)
        .outerjoin(Venue, Venue.id == Occurrence.venue_id),
        flt, viewer, lo, hi)
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
