"""Property-based test of the weekly plan's arithmetic: for random weeks of occurrences
(random local times across a daylight-saving change, random slots, fills and
cancellations, in three communities), the summary and the grid agree with a plain
Python count of the same rows, in the organisation's zone."""
from __future__ import annotations

import shutil
import tempfile
from collections import Counter, defaultdict
from datetime import date, datetime, time, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete

from coordinator import create_app
from coordinator.extensions import db
from coordinator.models import Community, Occurrence, OccurrenceRole, Series
from coordinator.services import plan as wp
from tests.support.database import FAST_ARGON2

# Europe/Berlin springs forward on Sunday 2027-03-28; the plan shows the week of the 22nd.
ZONE = "Europe/Berlin"
MONDAY = date(2027, 3, 22)
KINDS = ("patrol", "care", "rehearsal", "talk")

occurrence = st.fixed_dictionaries({
    "community": st.integers(0, 2),
    "kind": st.sampled_from(KINDS),
    "day": st.integers(-8, 14),  # last week, this week, next week
    "minute": st.integers(0, 24 * 60 - 1),
    "length": st.integers(30, 240),
    "cancelled": st.booleans(),
    "roles": st.lists(st.tuples(st.integers(1, 4), st.integers(0, 4)), max_size=3),
})

_TEMPLATE: Path | None = None


def _app():
    """One SQLite app for the whole run (hypothesis runs many examples)."""
    global _TEMPLATE
    if _TEMPLATE is None:
        folder = Path(tempfile.mkdtemp(prefix="coordinator-plan-prop-"))
        _TEMPLATE = folder / "plan.sqlite"
        app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{_TEMPLATE}", "SECRET_KEY": "x",
                          "INSTANCE_PATH": str(folder), "PUBLIC_URL": "http://localhost",
                          **FAST_ARGON2})
        with app.app_context():
            db.create_all()
            db.session.add_all([Community(name=f"社区{i}", code=f"P{i}") for i in range(3)])
            db.session.commit()
        _TEMPLATE.with_suffix(".app").write_text("ready")
        _app.app = app
    return _app.app


def _local_start(spec) -> datetime:
    day = MONDAY + timedelta(days=spec["day"])
    wall = datetime.combine(day, time(0)) + timedelta(minutes=spec["minute"])
    # A wall time skipped by the change (02:00-03:00 on the 28th) resolves forwards.
    return wall.replace(tzinfo=ZoneInfo(ZONE)).astimezone(timezone.utc)


@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(st.lists(occurrence, max_size=25))
def test_summary_and_grid_agree_with_a_plain_count(specs):
    app = _app()
    with app.app_context():
        session = db.session
        session.execute(delete(OccurrenceRole))
        session.execute(delete(Occurrence))
        session.execute(delete(Series))
        communities = [c.id for c in session.scalars(db.select(Community).order_by(Community.id))]
        rows = []
        for n, spec in enumerate(specs):
            start = _local_start(spec)
            series = Series(kind=spec["kind"], title=f"s{n}", community_id=communities[
                spec["community"]], timezone=ZONE, start_date=MONDAY, start_time=time(0),
                duration_minutes=spec["length"])
            session.add(series)
            session.flush()
            occ = Occurrence(series_id=series.id, recurrence_id=start, start_at=start,
                             end_at=start + timedelta(minutes=spec["length"]),
                             status="cancelled" if spec["cancelled"] else "scheduled")
            session.add(occ)
            session.flush()
            for needed, filled in spec["roles"]:
                maximum = max(needed, filled, 1)
                session.add(OccurrenceRole(occurrence_id=occ.id, name="r", needed=needed,
                                           maximum=maximum, filled=filled))
            rows.append((spec, start))
        session.commit()

        viewer = wp.PlanViewer(None, None, care=None)
        flt = wp.PlanFilter(MONDAY)
        summary = wp.summary(session, viewer, flt, ZONE)
        grid = wp.grid(session, viewer, flt, ZONE, detail_limit=10_000)
        collapsed = wp.grid(session, viewer, flt, ZONE, detail_limit=0, per_page=10)

    zone = ZoneInfo(ZONE)
    expected = {0: defaultdict(int), 1: defaultdict(int)}
    kinds = {0: Counter(), 1: Counter()}
    cells = defaultdict(lambda: [0, 0, 0, 0])  # (community, day) -> occ, cancelled, need, fill
    for spec, start in rows:
        offset = (start.astimezone(zone).date() - MONDAY).days
        week = 1 if 0 <= offset < 7 else 0 if -7 <= offset < 0 else None
        if week is None:
            continue
        scheduled = not spec["cancelled"]
        need = sum(n for n, _f in spec["roles"]) if scheduled else 0
        fill = sum(min(n, f) for n, f in spec["roles"]) if scheduled else 0
        e = expected[week]
        e["cancelled"] += not scheduled
        e["needed"] += need
        e["filled"] += fill
        e["hours"] += (sum(f for _n, f in spec["roles"]) * spec["length"] / 60
                       if scheduled else 0)
        if scheduled:
            kinds[week][spec["kind"]] += 1
        if week == 1:
            cell = cells[(communities[spec["community"]], offset)]
            cell[0] += scheduled
            cell[1] += not scheduled
            cell[2] += need
            cell[3] += fill

    for week, figures in ((1, summary.this), (0, summary.last)):
        e = expected[week]
        assert figures.by_kind == dict(kinds[week])
        assert (figures.cancelled, figures.needed, figures.filled) == (
            e["cancelled"], e["needed"], e["filled"])
        assert abs(figures.planned_hours - e["hours"]) < 0.06  # shown to one decimal
        assert figures.open_places == e["needed"] - e["filled"] >= 0
    open_by = Counter()
    for (community, _day), (_o, _c, need, fill) in cells.items():
        open_by[community] += need - fill
    assert [n for _name, n in summary.this.top_open] == sorted(
        (n for n in open_by.values() if n > 0), reverse=True)[:wp.TOP_OPEN]

    # The detailed grid puts every occurrence of the week on its local day, once.
    assert grid.detailed
    placed = Counter()
    for row in grid.rows:
        for index, entries in enumerate(row.days):
            for entry in entries:
                assert entry.start_at.astimezone(zone).date() == MONDAY + timedelta(days=index)
                placed[(row.key, index)] += 1
    assert placed == Counter({k: v[0] + v[1] for k, v in cells.items() if v[0] + v[1]})
    # The collapsed grid counts the same.
    assert not collapsed.detailed or not cells
    got = {(row.key, i): [c.occurrences, c.cancelled, c.needed, c.filled]
           for row in collapsed.rows for i, c in enumerate(row.days)
           if c.occurrences or c.cancelled}
    assert got == {k: v for k, v in cells.items() if v[0] or v[1]}


def teardown_module(module):
    if _TEMPLATE is not None:
        shutil.rmtree(_TEMPLATE.parent, ignore_errors=True)
