"""What a page offers, the sign-up accepts: random worlds of teams, leads, roles,
availability and weekly limits; every slot the open-shifts page, the home page and the
gap-list suggestions offer to a person passes the domain's ``refusals()`` for that person,
gathered the way the sign-up gathers them (``facts.person_facts``).

Runs on SQLite only: each example copies an empty schema file (no DDL per example).
"""
from __future__ import annotations

import shutil
from datetime import date, time, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from coordinator import create_app
from coordinator.database import begin_write
from coordinator.domain.eligibility import SlotFacts, refusals
from coordinator.domain.errors import DomainError
from coordinator.extensions import db
from coordinator.models import (
    Account,
    Community,
    CoordinatorScope,
    Occurrence,
    OccurrenceRole,
    Person,
    Series,
    Team,
    TeamMember,
    Unavailability,
)
from coordinator.services.schedule.series import RoleInput, SeriesInput, create_series
from coordinator.services.shifts import gaps, lists, signups
from coordinator.services.shifts.facts import person_facts
from tests.support.database import FAST_ARGON2
from tests.support.scheduling import NOW, ZONE

TODAY = (NOW + timedelta(hours=8)).date()  # Shanghai date

people_st = st.lists(st.fixed_dictionaries({
    "community": st.integers(0, 1),
    "status": st.sampled_from(["active", "active", "active", "away", "inactive"]),
    "away_days": st.integers(0, 10),
    "limit": st.sampled_from([None, None, 0, 1, 2]),
    "teams": st.lists(st.tuples(st.integers(0, 2), st.booleans()), max_size=3),
    "weekly": st.lists(st.tuples(st.integers(0, 6), st.integers(6, 20)), max_size=2),
    "ranges": st.lists(st.integers(0, 14), max_size=2),
}), min_size=1, max_size=5)
roles_st = st.lists(st.tuples(st.sampled_from([None, 0, 1, 2]), st.booleans(),
                              st.integers(1, 2)), min_size=1, max_size=2)
series_st = st.lists(st.fixed_dictionaries({
    "community": st.sampled_from([0, 1, None]),
    "day": st.integers(1, 8),
    "hour": st.sampled_from([7, 9, 19]),
    "daily": st.booleans(),
    "opens": st.sampled_from([None, 1, 3, 30]),
    "roles": roles_st,
}), min_size=1, max_size=4)
world_st = st.fixed_dictionaries({
    "teams": st.lists(st.sampled_from([0, 1, None]), min_size=3, max_size=3),
    "people": people_st,
    "series": series_st,
    "signups": st.lists(st.tuples(st.integers(0, 4), st.integers(0, 50)), max_size=6),
})


@pytest.fixture(scope="module")
def offer_app(tmp_path_factory, sqlite_template):
    folder = tmp_path_factory.mktemp("offers")
    path = folder / "world.sqlite"
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}",
                      "SECRET_KEY": "test", "INSTANCE_PATH": str(folder), **FAST_ARGON2})
    return app, path, sqlite_template


def _build(w: dict) -> dict:
    """Store the drawn world; returns the ids the checks need."""
    communities = [Community(name="一连社区", code="C01"), Community(name="二连社区", code="C02")]
    db.session.add_all(communities)
    db.session.flush()
    cid = [c.id for c in communities]
    teams = [Team(name=f"队{i}", kind="patrol", community_id=None if c is None else cid[c])
             for i, c in enumerate(w["teams"])]
    db.session.add_all(teams)
    db.session.flush()
    people = []
    for i, p in enumerate(w["people"]):
        person = Person(full_name=f"队员{i}", community_id=cid[p["community"]],
                        status=p["status"], max_shifts_per_week=p["limit"],
                        away_from=TODAY + timedelta(days=p["away_days"]) if p["status"] == "away"
                        else None, away_until=TODAY + timedelta(days=p["away_days"] + 2)
                        if p["status"] == "away" else None)
        db.session.add(person)
        db.session.flush()
        for team, is_lead in dict(p["teams"]).items():
            db.session.add(TeamMember(team_id=teams[team].id, person_id=person.id,
                                      is_lead=is_lead))
        for weekday, hour in p["weekly"]:
            db.session.add(Unavailability(person_id=person.id, weekday=weekday,
                                          start_time=time(hour), end_time=time(hour + 3)))
        for offset in p["ranges"]:
            day: date = TODAY + timedelta(days=offset)
            db.session.add(Unavailability(person_id=person.id, start_date=day, end_date=day))
        db.session.add(Account(role="volunteer", person_id=person.id))
        people.append(person)
    admin = Account(role="admin", username="admin")
    coordinator = Account(role="coordinator", username="coord")
    db.session.add_all([admin, coordinator])
    db.session.flush()
    db.session.add(CoordinatorScope(account_id=coordinator.id, community_id=cid[0]))
    db.session.commit()
    for i, s in enumerate(w["series"]):
        community = None if s["community"] is None else cid[s["community"]]
        roles = []
        for n, (team, is_lead, needed) in enumerate(s["roles"]):
            if team is not None and teams[team].community_id not in (None, community):
                team = None  # a team of another community: not allowed by the form either
            roles.append(RoleInput(f"岗位{n}", needed, needed + 1,
                                   None if team is None else teams[team].id, is_lead))
        start = TODAY + timedelta(days=s["day"])
        begin_write(db.session)
        create_series(db.session, admin, SeriesInput(
            kind="patrol", title=f"巡逻{i}", community_id=community, start_date=start,
            start_time=time(s["hour"]), duration_minutes=120,
            rrule="FREQ=DAILY;COUNT=10" if s["daily"] else None,
            signup_opens_days=s["opens"], roles=tuple(roles)), NOW, zone=ZONE,
            horizon_end=NOW + timedelta(weeks=5))
        db.session.commit()
    slots = list(db.session.scalars(db.select(OccurrenceRole.id).order_by(OccurrenceRole.id)))
    for who, pick in w["signups"]:  # existing shifts: busy times and weekly counts
        begin_write(db.session)
        try:
            signups.sign_up(db.session, admin, slots[pick % len(slots)], NOW, zone=ZONE,
                            person_id=people[who % len(people)].id, override=True)
        except DomainError:
            db.session.rollback()
        else:
            db.session.commit()
    return {"people": [p.id for p in people], "admin": admin.id,
            "coordinator": coordinator.id}


def _problems(person_id: int, role_id: int, *, staff: bool) -> list[str]:
    """The codes ``refusals()`` gives, with the facts gathered as ``sign_up`` does."""
    role = db.session.get(OccurrenceRole, role_id)
    occurrence = db.session.get(Occurrence, role.occurrence_id)
    series = db.session.get(Series, occurrence.series_id)
    facts = person_facts(db.session, db.session.get(Person, person_id), occurrence.start_at,
                         occurrence.end_at, ZONE)
    slot = SlotFacts(role_id=role.id, start_at=occurrence.start_at, end_at=occurrence.end_at,
                     status=occurrence.status, required_team_id=role.required_team_id,
                     signup_opens_days=series.signup_opens_days, zone=series.timezone,
                     is_staff_action=staff, is_lead=role.is_lead,
                     community_id=series.community_id)
    return [p.code for p in refusals(facts, slot, NOW)]


@settings(max_examples=30, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture,
                                 HealthCheck.too_slow, HealthCheck.data_too_large])
@given(world=world_st)
def test_every_offered_slot_passes_the_eligibility_rule(offer_app, world):
    app, path, template = offer_app
    shutil.copy(template, path)
    with app.app_context():
        db.engine.dispose()
        ids = _build(world)
        for person in db.session.scalars(db.select(Person).where(
                Person.id.in_(ids["people"]))):
            page = lists.open_shifts_page(db.session, person.id, person.community_id, NOW,
                                          per_page=1000, zone=ZONE)
            home = lists.open_shifts_for(db.session, person.id, person.community_id, NOW,
                                         limit=1000, zone=ZONE)
            assert page.total == len(page.slots)
            for slot in page.slots + home:
                assert _problems(person.id, slot.role_id, staff=False) == [], (
                    person.full_name, slot.title, slot.role_name)
        for actor_id in (ids["coordinator"], ids["admin"]):
            actor = db.session.get(Account, actor_id)
            listed = gaps.gap_page(db.session, actor, NOW, per_page=1000, suggestions=10)
            for item in listed.items:
                for suggestion in item.suggestions:
                    codes = _problems(suggestion.person_id, item.role_id, staff=True)
                    # free ones pass outright; the others only break soft rules, as shown
                    assert sorted(codes) == sorted(suggestion.problems), (
                        suggestion.full_name, item.title)
                    assert all(code in ("unavailable", "away", "weekly_limit", "window")
                               for code in codes)
        db.session.remove()
        db.engine.dispose()


def test_a_lead_place_is_offered_to_the_team_lead_only(app):
    """Issue 11.1: the demo volunteer saw 28 lead places, and 报名 then failed."""
    from coordinator.services.people.accounts import hash_password
    from tests.support.database import TEST_PASSWORD
    from tests.support.scheduling import build_world
    from tests.support.web import login

    app.config["NOW"] = lambda: NOW
    with app.app_context():
        w = build_world(n_people=2)
        for row in db.session.scalars(db.select(Account)):
            row.password_hash = hash_password(TEST_PASSWORD)
        db.session.execute(db.update(TeamMember).where(
            TeamMember.person_id == w["people"][1]).values(is_lead=True))
        db.session.commit()
        begin_write(db.session)
        series = create_series(db.session, db.session.get(Account, w["coordinator"]),
                               SeriesInput(kind="patrol", title="夜巡", community_id=w["community"],
                                           start_date=TODAY + timedelta(days=1),
                                           start_time=time(19), duration_minutes=120,
                                           roles=(RoleInput("带班组长", 1, 1, w["team"], True),
                                                  RoleInput("巡逻队员", 2, 2, w["team"]))),
                               NOW, zone=ZONE, horizon_end=NOW + timedelta(weeks=2))
        db.session.commit()
        lead_role, member_role = db.session.scalars(
            db.select(OccurrenceRole.id).join(Occurrence)
            .where(Occurrence.series_id == series.id).order_by(OccurrenceRole.id)).all()
    for i, sees_lead in ((0, False), (1, True)):
        client = app.test_client()
        assert login(client, f"1390000{i:04d}").status_code == 302
        for path in ("/shifts/open", "/"):
            html = client.get(path).get_data(as_text=True)
            assert f'action="/slots/{member_role}/signup"' in html, path
            assert (f'action="/slots/{lead_role}/signup"' in html) is sees_lead, (i, path)
