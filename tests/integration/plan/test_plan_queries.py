"""The number of SQL queries behind the weekly plan and the gap list does not grow with
the data: the same pages at two sizes (2 and 6 communities, three times the occurrences,
people and assignments; one and 6 for the gap list, whose page holds 20) run the same,
bounded number of statements."""
from __future__ import annotations

from datetime import time, timedelta

import pytest

from coordinator.database import begin_write
from coordinator.extensions import db
from coordinator.models import Account, Community, CoordinatorScope, Person, Team, TeamMember
from coordinator.services.people.accounts import hash_password
from coordinator.services.schedule.series import RoleInput, SeriesInput, create_series
from coordinator.services.shifts import signups
from tests.support.database import TEST_PASSWORD
from tests.support.plan import count_queries, local_date, login_as
from tests.support.scheduling import NOW, ZONE

PLAN_BOUND = 25
GAPS_BOUND = 15


def build(app, communities: int) -> dict:
    """``communities`` communities, each with a patrol team of 8, a daily patrol (3 places,
    2 filled on the first dates) and a weekly rehearsal of the team; one coordinator for
    all of them and a leader."""
    with app.app_context():
        admin = Account(role="admin", username="admin", password_hash=hash_password(TEST_PASSWORD))
        coord = Account(role="coordinator", username="coord",
                        password_hash=hash_password(TEST_PASSWORD))
        leader = Account(role="leader", username="leader",
                         password_hash=hash_password(TEST_PASSWORD))
        db.session.add_all([admin, coord, leader])
        db.session.flush()
        start = local_date(NOW) + timedelta(days=1)
        for c in range(communities):
            community = Community(name=f"社区{c:02d}", code=f"Q{c:02d}")
            db.session.add(community)
            db.session.flush()
            db.session.add(CoordinatorScope(account_id=coord.id, community_id=community.id))
            team = Team(name=f"巡逻队{c}", kind="patrol", community_id=community.id)
            db.session.add(team)
            db.session.flush()
            people = []
            for i in range(8):
                person = Person(full_name=f"队员{c}-{i}", phone=f"137{c:04d}{i:04d}",
                                community_id=community.id)
                db.session.add(person)
                db.session.flush()
                db.session.add(TeamMember(team_id=team.id, person_id=person.id))
                people.append(person.id)
            begin_write(db.session)
            patrol = create_series(db.session, admin, SeriesInput(
                kind="patrol", title="晚间巡逻", community_id=community.id, start_date=start,
                start_time=time(19, 30), duration_minutes=120, rrule="FREQ=DAILY",
                until=start + timedelta(days=9),
                roles=(RoleInput("队员", 3, 3, team.id),)), NOW, zone=ZONE,
                horizon_end=NOW + timedelta(weeks=3))
            create_series(db.session, admin, SeriesInput(
                kind="rehearsal", title="排练", community_id=community.id, start_date=start,
                start_time=time(9, 0), duration_minutes=90, rrule="FREQ=WEEKLY",
                until=start + timedelta(days=14), participation="team", team_id=team.id,
                roles=()), NOW, zone=ZONE, horizon_end=NOW + timedelta(weeks=3))
            db.session.commit()
            roles = [r.id for o in sorted(patrol.occurrences, key=lambda o: o.start_at)
                     for r in o.roles]
            for role, person in zip(roles[:4], [people[0], people[1], people[2], people[3]]):
                begin_write(db.session)
                signups.sign_up(db.session, admin, role, NOW, person_id=person, zone=ZONE)
                db.session.commit()
        return {"day": start}


def measure(app, client, path: str) -> int:
    with count_queries(app) as counter:
        response = client.get(path)
    assert response.status_code == 200, response.get_data(as_text=True)[:1000]
    return counter.count


@pytest.mark.parametrize("page", ["plan", "plan_collapsed", "plan_by_team", "gaps"])
def test_queries_per_page_do_not_grow_with_the_data(backend, tmp_path, request, page):
    from tests.support.database import FAST_ARGON2
    counts, shown = [], []
    # The gap list's page holds 20: one community (10 gaps) fills less than a page, so
    # the larger size really shows more rows than the smaller one.
    sizes = (1, 6) if page == "gaps" else (2, 6)
    for size in sizes:
        url = request.getfixturevalue("database_url") if size == sizes[0] else _fresh_url(
            backend, tmp_path, request)
        from coordinator import create_app
        app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": url,
                          "SECRET_KEY": "test-secret",
                          "INSTANCE_PATH": str(tmp_path / f"instance{size}"), **FAST_ARGON2})
        world = build(app, size)
        if page == "plan_collapsed":
            app.config["PLAN_DETAIL_LIMIT"] = 3
        client = app.test_client()
        login_as(client, "coord" if page == "gaps" else "leader")
        path = {"plan": f"/plan?date={world['day']}",
                "plan_collapsed": f"/plan?date={world['day']}",
                "plan_by_team": f"/plan?date={world['day']}&by=team&kind=patrol",
                "gaps": "/plan/gaps"}[page]
        html = client.get(path).get_data(as_text=True)
        assert "队员" in html or "社区" in html  # the page shows the data it was built on
        shown.append(html.count('class="gap-item') if page == "gaps"
                     else html.count("data-occurrence-id=") + html.count('class="plan-group"'))
        counts.append(measure(app, client, path))
        with app.app_context():
            db.engine.dispose()
    assert shown[0] < shown[1], f"{page}: the larger data set should show more: {shown}"
    assert counts[0] == counts[1], f"{page}: {counts[0]} queries at {sizes[0]} " \
                                   f"communities, {counts[1]} at 6"
    assert counts[1] <= (GAPS_BOUND if page == "gaps" else PLAN_BOUND), counts


def _fresh_url(backend, tmp_path, request):
    """A second empty database of the same backend."""
    if backend == "sqlite":
        import shutil
        path = tmp_path / "large.sqlite"
        shutil.copy(request.getfixturevalue("sqlite_template"), path)
        return f"sqlite:///{path}"
    from tests.support.database import truncate_pg
    url = request.getfixturevalue("pg_schema_ready")
    truncate_pg(url)
    return url
