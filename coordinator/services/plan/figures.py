"""The week at a glance, against last week; and the biggest gaps (for digests and the
leaders' summary)."""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy import case, distinct, func, select, union, union_all

from ...domain.recurrence import local_day_bounds
from ...models import Assignment, Community, Occurrence, OccurrenceRole, Series, Team, TeamMember
from ..shifts.turnout import Turnout, expected_people, turnout_query
from .filters import TOP_OPEN, PlanFilter, PlanViewer, is_narrow, monday_of
from .queries import SCHEDULED, apply_filter, group_column, grouped_rows


@dataclass
class WeekFigures:
    """The figures of one week."""

    by_kind: dict[str, int] = field(default_factory=dict)  # scheduled occurrences per kind
    cancelled: int = 0
    needed: int = 0
    filled: int = 0  # filled places, counting none beyond what was needed
    volunteers: int = 0  # distinct people on a shift or expected at a team event
    team: Turnout = field(default_factory=Turnout)  # head-counts of the team events, summed
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
    group = group_column(_top_by(flt), viewer)
    name_table = Team if _top_by(flt) == "team" else Community
    rows = grouped_rows(session, flt, viewer, lo, hi, {"week": week, "grp": group,
                                                   "kind": Series.kind},
                    (name_table.name,), name_table, "grp", hours=True)
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
    """Distinct people on a shift or expected at a team event (``shifts.turnout``: members
    who did not decline): (last week, this week).

    Each kind of taking part is joined to the weeks' occurrences, then the people of both
    are one UNION. On SQLite a wide week instead reads its occurrences once, each looked
    up in a UNION ALL of both kinds: a third of the time there (measured at ``--scale
    170``). Neither PostgreSQL, for any week, nor SQLite, for a narrow one, pushes the
    weeks into that UNION ALL: they would read every sign-up ever made.
    """
    lo, hi, week = _two_weeks(flt, zone, only)
    on_shift = (select(OccurrenceRole.occurrence_id.label("occurrence_id"),
                       Assignment.person_id.label("person_id"))
                .join(Assignment, Assignment.occurrence_role_id == OccurrenceRole.id)
                .where(Assignment.status == "confirmed"))
    expected = expected_people()

    def weeks(query, on):
        return apply_filter(query.join(Occurrence, on)
                            .join(Series, Occurrence.series_id == Series.id)
                            .where(SCHEDULED), flt, viewer, lo, hi)

    if session.get_bind().dialect.name != "sqlite" or is_narrow(flt, viewer):
        people = union(
            weeks(on_shift.with_only_columns(week.label("week"), Assignment.person_id),
                  OccurrenceRole.occurrence_id == Occurrence.id),
            apply_filter(expected.with_only_columns(week.label("week"), TeamMember.person_id)
                         .where(SCHEDULED), flt, viewer, lo, hi)).subquery()
        query = select(people.c.week, func.count()).group_by(people.c.week)
    else:
        taking_part = union_all(on_shift, expected).subquery()
        query = apply_filter(
            select(week, func.count(distinct(taking_part.c.person_id)))
            .select_from(Occurrence).join(Series, Occurrence.series_id == Series.id)
            .join(taking_part, taking_part.c.occurrence_id == Occurrence.id)
            .where(SCHEDULED), flt, viewer, lo, hi).group_by(week)
    counts = [0, 0]
    for index, count in session.connection().execute(query):
        counts[index] = count
    return counts[0], counts[1]


def _summary_team(session, viewer: PlanViewer, flt: PlanFilter, zone: str
                  ) -> tuple[Turnout, Turnout]:
    """The team events' head-counts summed by week: (last week, this week)."""
    lo, hi, week = _two_weeks(flt, zone)
    ids = apply_filter(select(Occurrence.id).join(Series, Occurrence.series_id == Series.id)
                       .where(SCHEDULED), flt, viewer, lo, hi)
    per_event = turnout_query(ids).subquery()
    query = (select(week, func.sum(per_event.c.members), func.sum(per_event.c.confirmed),
                    func.sum(per_event.c.declined))
             .select_from(per_event).join(Occurrence, Occurrence.id == per_event.c.occurrence_id)
             .group_by(week))
    sums = [Turnout(), Turnout()]
    for index, members, confirmed, declined in session.connection().execute(query):
        sums[index] = Turnout(int(members or 0), int(confirmed or 0), int(declined or 0))
    return sums[0], sums[1]


def summary(session, viewer: PlanViewer, flt: PlanFilter, zone: str) -> Summary:
    """This week's figures and last week's, under the same filter: three queries, each
    one pass over the two weeks."""
    result = _summary_from(_summary_rows(session, viewer, flt, zone), flt)
    result.last.volunteers, result.this.volunteers = _summary_people(session, viewer, flt,
                                                                     zone)
    result.last.team, result.this.team = _summary_team(session, viewer, flt, zone)
    return result


def week_figures(session, community_ids: set[int] | None, monday: date, zone: str
                 ) -> WeekFigures:
    """This week's figures over ``community_ids`` (None: every community)."""
    viewer = PlanViewer(visible=None if community_ids is None else frozenset(community_ids),
                        managed=frozenset())
    return summary(session, viewer, PlanFilter(monday_of(monday)), zone).this


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
    missing = Occurrence.places_needed - Occurrence.places_filled
    query = (select(Occurrence.id, Series.title, Series.kind, Community.name,
                    Occurrence.start_at, missing)
             .join(Series, Occurrence.series_id == Series.id)
             .outerjoin(Community, Community.id == Series.community_id)
             .where(Occurrence.start_at >= start, Occurrence.start_at < end, SCHEDULED,
                    missing > 0)
             .order_by(missing.desc(), Occurrence.start_at, Occurrence.id).limit(limit))
    if community_ids is not None:
        query = query.where(Series.community_id.in_(sorted(community_ids)))
    return [Gap(*row[:5], int(row[5])) for row in session.execute(query)]
