"""The participation report's statements do not grow with the data (issue 14): the
community report, the summary and both pages run as many queries for the small world
as for the world with more members, teams, rolls, calls and communities."""
from __future__ import annotations

from datetime import time, timedelta

from coordinator.database import begin_write
from coordinator.extensions import db
from coordinator.models import (
    Account,
    Community,
    MemberContact,
    Occurrence,
    Person,
    Series,
    Team,
    TeamMember,
)
from coordinator.services.attendance.roll import write_entry
from coordinator.services.reports import participation
from tests.support.participation import SETTINGS, build
from tests.support.plan import count_queries
from tests.support.scheduling import NOW, ZONE
from tests.support.web import login


def _grow(app, world, n: int) -> None:
    """Add ``n`` members with a roll each, a team, calls and a community."""
    with app.app_context():
        begin_write(db.session)
        s = db.session
        s.add(Community(name=f"新社区{n}", code=f"N{n}"))
        team = Team(name=f"新队{n}", kind="patrol", community_id=world.c1)
        series = Series(kind="talk", title="报告会", community_id=world.c1, timezone=ZONE,
                        start_date=NOW.date(), start_time=time(9), duration_minutes=60)
        s.add_all([team, series])
        s.flush()
        for i in range(n):
            person = Person(full_name=f"新成员{n}-{i}", community_id=world.c1,
                            created_at=NOW - timedelta(days=300))
            s.add(person)
            s.flush()
            s.add(TeamMember(team_id=team.id, person_id=person.id))
            s.add(MemberContact(person_id=person.id, contacted_at=NOW, note="x"))
            start = NOW - timedelta(days=10 + 20 * i)
            occ = Occurrence(series_id=series.id, recurrence_id=start, start_at=start,
                             end_at=start + timedelta(hours=1))
            s.add(occ)
            s.flush()
            write_entry(s, occ, series, person.id, status="present" if i % 2 else "absent",
                        actual_start=None, actual_end=None, source="roll", actor=None,
                        now=NOW, settings=SETTINGS)
        s.commit()


def _counts(app, client, world) -> tuple[int, ...]:
    out = []
    with app.app_context():
        leader = db.session.get(Account, world.accounts["leader"][0])
        coord = db.session.get(Account, world.accounts["coord1"][0])
        with count_queries(app) as c:
            participation.community_report(db.session, coord, world.c1, NOW, SETTINGS)
        out.append(c.count)
        with count_queries(app) as c:
            participation.summary(db.session, leader, NOW, SETTINGS)
        out.append(c.count)
    for path in (f"/reports/participation/{world.c1}", "/reports/participation"):
        with count_queries(app) as c:
            assert client.get(path).status_code == 200
        out.append(c.count)
    return tuple(out)


def test_query_counts_do_not_grow(app):
    world = build(app, NOW)
    client = app.test_client()
    login(client, "coord1")
    small = _counts(app, client, world)
    _grow(app, world, 12)
    assert _counts(app, client, world) == small
    # The report reads its members' ids first (one statement): 15.
    assert small[0] <= 15 and small[1] <= 8, small
