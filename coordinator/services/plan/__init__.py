"""The weekly plan: one local week (Monday to Sunday), grouped by community, team or venue.

Everything here is plain Python over the session; the page, the PDF, the exports and the
leaders' weekly summary read the same figures. The number of queries does not depend on
the data: three aggregate queries for the summary (counts, people, team head-counts; both
weeks at once), one for the grid's rows, and one more for its cells (collapsed) or three
for its entries.

A week that would show more than ``detail_limit`` occurrences collapses to counts per
group and day (one row per community, team or venue, paginated); a leader drills into one
group by following its row, which filters the week to that group.
"""
from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from contextlib import AbstractContextManager as ContextManager

from .figures import (
    Gap,
    Summary,
    WeekFigures,
    _summary_from,
    _summary_people,
    _summary_rows,
    _summary_team,
    biggest_gaps,
    summary,
    week_figures,
)
from .filters import (
    DETAIL_LIMIT,
    GROUPINGS,
    GROUPS_PER_PAGE,
    MAX_CHOICES,
    TOP_OPEN,
    WORKERS,
    PlanFilter,
    PlanViewer,
    filter_choices,
    is_narrow,
    monday_of,
    read_filter,
)
from .grid import Cell, Entry, Grid, GroupRow, RoleLine, grid, week_entries


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

    if is_narrow(flt, viewer):
        with sessions() as session:  # a small part of the data: threads cost more than they save
            return summary(session, viewer, flt, zone), grid(session, viewer, flt, zone,
                                                             detail_limit, per_page)
    with ThreadPoolExecutor(max_workers=WORKERS, thread_name_prefix="plan") as pool:
        # Longest first; each week's people on its own, so two cores share the work evenly.
        people = [pool.submit(run, _summary_people, week) for week in (1, 0)]
        table = pool.submit(run, grid, detail_limit, per_page)
        rows = [pool.submit(run, _summary_rows, week) for week in (1, 0)]
        team = pool.submit(run, _summary_team)
        result = _summary_from(rows[0].result() + rows[1].result(), flt)
        result.this.volunteers = people[0].result()[1]
        result.last.volunteers = people[1].result()[0]
        result.last.team, result.this.team = team.result()
        return result, table.result()

__all__ = ["PlanFilter", "PlanViewer", "WeekFigures", "Summary", "Grid", "GroupRow", "Cell",
           "Entry", "RoleLine", "Gap", "read_filter", "summary", "week_figures", "grid",
           "biggest_gaps", "filter_choices", "monday_of", "week_entries", "plan_page",
           "DETAIL_LIMIT", "GROUPINGS", "GROUPS_PER_PAGE", "MAX_CHOICES", "TOP_OPEN"]
