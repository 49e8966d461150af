"""Rows by group, columns by day: the entries of a small week, counts of a big one."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import and_, case, or_, select

from ...models import (
    Assignment,
    Community,
    Occurrence,
    OccurrenceRole,
    Person,
    Series,
    Team,
    Venue,
)
from ..shifts.turnout import Turnout, turnout
from .filters import DETAIL_LIMIT, GROUPS_PER_PAGE, PlanFilter, PlanViewer
from .queries import SCHEDULED, apply_filter, day_bounds, day_index, group_column, grouped_rows


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
    turnout: Turnout = field(default_factory=Turnout)  # a team event's head-count
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


def _group_counts(session, viewer: PlanViewer, flt: PlanFilter, bounds, keys: dict,
                  only=None) -> list[tuple]:
    """Counts of the week by ``keys`` (the row key first): rows of (*keys, name, sort key,
    scheduled, cancelled, needed, filled). ``only``: the row keys to count (None: all)."""
    name_col, order_col = _group_name_columns(flt.by)
    rows = grouped_rows(session, flt, viewer, bounds[0], bounds[-1], keys, (name_col, order_col),
                    name_col.class_, "grp", extra=only)
    return [row[:-1] for row in rows]  # without the hours


def _only(group, keys: list) -> object:
    """SQL truth of "the row key is one of ``keys``" (None is a key: "no team")."""
    named = [k for k in keys if k is not None]
    test = group.in_(named) if named else None
    if None in keys:
        test = group.is_(None) if test is None else or_(test, group.is_(None))
    return test


def grid(session, viewer: PlanViewer, flt: PlanFilter, zone: str,
         detail_limit: int = DETAIL_LIMIT, per_page: int = GROUPS_PER_PAGE) -> Grid:
    """Rows by group, columns by day: entries when the week is small enough, else counts.

    First the week's counts per group (one row per community, team or venue): they tell
    whether the week is listed in full and, when it is not, which rows make the page (most
    open places first). Only the page's rows are then counted per day, so a province-size
    week costs one grouped pass over its occurrences and a small second one, whatever the
    number of rows.
    """
    bounds = day_bounds(flt.monday, zone)
    day = day_index(bounds)
    group = group_column(flt.by, viewer)
    totals = {}
    for key, name, order_value, scheduled, cancelled, needed, filled in _group_counts(
            session, viewer, flt, bounds, {"grp": group}):
        totals[key] = (name, (key is not None, order_value or "", key or 0),
                       Cell(scheduled, cancelled, needed, filled))
    keys = sorted(totals, key=lambda k: totals[k][1])
    total = sum(cell.occurrences + cell.cancelled for _n, _o, cell in totals.values())

    if total <= detail_limit:
        ordered = [GroupRow(k, totals[k][0], [[] for _ in range(7)], totals[k][2])
                   for k in keys]
        groups = {row.key: row for row in ordered}
        for key, index, entry in _entries(session, viewer, flt, bounds, day, group):
            groups[key].days[index].append(entry)
        return Grid(True, ordered, total, 1, 1, len(ordered))
    # Collapsed, the rows with the most open places come first: a leader reading a
    # province-size week starts where help is needed.
    keys.sort(key=lambda k: (-totals[k][2].open_places, totals[k][1]))
    pages = max(1, -(-len(keys) // per_page))
    page = min(flt.page, pages)
    shown = keys[(page - 1) * per_page: page * per_page]
    rows = [GroupRow(k, totals[k][0], [Cell() for _ in range(7)], totals[k][2]) for k in shown]
    by_key = {row.key: row for row in rows}
    if shown:
        for key, index, *_names, scheduled, cancelled, needed, filled in _group_counts(
                session, viewer, flt, bounds, {"grp": group, "day": day}, _only(group, shown)):
            by_key[key].days[index] = Cell(scheduled, cancelled, needed, filled)
    return Grid(False, rows, total, page, pages, len(keys), per_page)


def week_entries(session, viewer: PlanViewer, flt: PlanFilter, zone: str) -> list[Entry]:
    """Every occurrence of the filtered week, however many (for the exports)."""
    bounds = day_bounds(flt.monday, zone)
    return [entry for _key, _day, entry in _entries(session, viewer, flt, bounds,
                                                     day_index(bounds),
                                                     group_column(flt.by, viewer))]


def _entries(session, viewer: PlanViewer, flt: PlanFilter, bounds, day, group
             ) -> list[tuple[int | None, int, Entry]]:
    """Every occurrence of the filtered week with its slots and names: three queries."""
    lo, hi = bounds[0], bounds[-1]
    rows = session.execute(apply_filter(
        select(group, day, Occurrence.id, Series.id, Series.kind, Series.title,
               Series.participation, Occurrence.start_at, Occurrence.end_at, Occurrence.status,
               Occurrence.reason, Series.community_id, Community.name, Team.name, Venue.name,
               case((SCHEDULED, Occurrence.places_needed), else_=0),
               case((SCHEDULED, Occurrence.places_filled), else_=0), Occurrence.people_confirmed)
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
    ids = apply_filter(select(Occurrence.id).join(Series, Occurrence.series_id == Series.id),
                 flt, viewer, lo, hi)
    _attach_roles(session, by_id, ids)
    for occ_id, counts in turnout(session, ids).items():
        by_id[occ_id].turnout = counts
    for entry in by_id.values():
        if entry.kind == "care" and not viewer.reads_care(entry.community_id,
                                                          _on_it(entry, viewer), entry.end_at):
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
