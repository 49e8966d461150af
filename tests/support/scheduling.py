"""Helpers for scheduling tests: a small community with a patrol team and a room."""
from __future__ import annotations

import os
from datetime import datetime, time, timedelta, timezone

from coordinator.database import begin_write
from coordinator.extensions import db
from coordinator.models import (
    Account,
    Community,
    CoordinatorScope,
    Occurrence,
    OccurrenceRole,
    Person,
    Team,
    TeamMember,
    Venue,
)
from coordinator.services.schedule.series import RoleInput, SeriesInput, create_series


def _pinned_now() -> datetime:
    """Noon in Shanghai on the coming Thursday, or the instant in ``TEST_NOW`` (ISO
    8601, UTC if naive): the ``app`` fixture pins the app's clock here and service calls
    take it as "now". The weekday is fixed, because worlds put shifts a few days ahead
    and a Saturday pushed some of them into next week's plan; the date stays within
    six days ahead of the real one because the database's own defaults (server-side
    timestamps) and the browser run on the real clock. ``TEST_NOW`` reruns the suite at
    another instant to check that no test reads the real clock instead."""
    pinned = os.environ.get("TEST_NOW")
    if pinned:
        value = datetime.fromisoformat(pinned)
        return value if value.tzinfo else value.replace(tzinfo=timezone.utc)
    today = datetime.now(timezone.utc).replace(hour=4, minute=0, second=0, microsecond=0)
    # The next Thursday (today on a Thursday), 12:00 in Shanghai: never behind the real
    # clock, since rows the database stamps itself must not be later than "now".
    return today + timedelta(days=(3 - today.weekday()) % 7)


NOW = _pinned_now()
ZONE = "Asia/Shanghai"


def build_world(n_people: int = 8) -> dict:
    """Commit a community with a patrol team, people with accounts, a coordinator, a room."""
    community = Community(name="一连社区", code="C01")
    other = Community(name="二连社区", code="C02")
    db.session.add_all([community, other])
    db.session.flush()
    team = Team(name="巡逻队", kind="patrol", community_id=community.id)
    room = Venue(name="活动室一", kind="room", capacity=40)
    hall = Venue(name="多功能厅", kind="hall", capacity=200)
    db.session.add_all([team, room, hall])
    db.session.flush()
    people, accounts = [], []
    for i in range(n_people):
        person = Person(full_name=f"队员{i}", phone=f"1390000{i:04d}", community_id=community.id)
        db.session.add(person)
        db.session.flush()
        db.session.add(TeamMember(team_id=team.id, person_id=person.id))
        account = Account(role="volunteer", person_id=person.id)
        db.session.add(account)
        people.append(person)
        accounts.append(account)
    outsider = Person(full_name="外人", phone="13911112222", community_id=other.id)
    db.session.add(outsider)
    coordinator = Account(role="coordinator", username="coord")
    admin = Account(role="admin", username="admin")
    db.session.add_all([coordinator, admin])
    db.session.flush()
    db.session.add(CoordinatorScope(account_id=coordinator.id, community_id=community.id))
    db.session.commit()
    return {"community": community.id, "other": other.id, "team": team.id, "room": room.id,
            "hall": hall.id, "people": [p.id for p in people],
            "accounts": [a.id for a in accounts], "outsider": outsider.id,
            "coordinator": coordinator.id, "admin": admin.id}


def patrol(world: dict, *, needed: int = 3, maximum: int = 3, rule: str | None = "FREQ=DAILY",
           start_day: int = 1, at: time = time(19, 30), minutes: int = 120,
           venue: int | None = None, until_days: int | None = 6, title: str = "晚间巡逻",
           kind: str = "patrol", participation: str = "slots", team_id: int | None = None,
           actor_id: int | None = None) -> int:
    """Create a series through the service (as the coordinator) and commit; returns its id."""
    start = (NOW + timedelta(hours=8)).date() + timedelta(days=start_day)  # Shanghai date
    data = SeriesInput(kind=kind, title=title, community_id=world["community"],
                       start_date=start, start_time=at, duration_minutes=minutes, rrule=rule,
                       until=start + timedelta(days=until_days) if until_days is not None
                       else None, venue_id=venue, participation=participation,
                       team_id=team_id,
                       roles=(RoleInput("巡逻队员", needed, maximum, world["team"]),)
                       if participation == "slots" else ())
    actor = db.session.get(Account, actor_id or world["coordinator"])
    begin_write(db.session)
    series = create_series(db.session, actor, data, NOW, zone=ZONE,
                           horizon_end=NOW + timedelta(weeks=12))
    db.session.commit()
    return series.id


def roles_of(series_id: int) -> list[int]:
    """Return the slot ids of a series' occurrences, in time order."""
    return list(db.session.scalars(
        db.select(OccurrenceRole.id).join(Occurrence).where(Occurrence.series_id == series_id)
        .order_by(Occurrence.start_at, OccurrenceRole.id)))


def account(account_id: int) -> Account:
    return db.session.get(Account, account_id)
