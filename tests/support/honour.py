"""A world of recorded service for the recognition and roll-of-honour tests: two
communities, their coordinators, a leader, an admin, volunteers with hours, each with a
unique name (a marker that must show only where it may)."""
from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from coordinator.domain.attendance import local_day
from coordinator.extensions import db
from coordinator.models import (
    Account,
    AttendanceEntry,
    Community,
    CoordinatorScope,
    Occurrence,
    Person,
    Series,
)
from coordinator.services.people.accounts import hash_password
from tests.support.database import TEST_PASSWORD
from tests.support.scheduling import NOW

ZONE = ZoneInfo("Asia/Shanghai")
PHONES = {"甲星光": "13811110001", "乙星河": "13811110002", "丙小时": "13811110003",
          "张书记甲": "13811110004"}


def year_start(now: datetime = NOW) -> datetime:
    """1 January of ``now``'s local year, 08:00 local time."""
    local = now.astimezone(ZONE)
    return datetime.combine(date(local.year, 1, 1), time(8), tzinfo=ZONE)


def build() -> dict:
    """Commit the world (inside an app context); return ids by name."""
    pw = hash_password(TEST_PASSWORD)
    c1, c2 = Community(name="甲社区", code="H01"), Community(name="乙社区", code="H02")
    db.session.add_all([c1, c2])
    db.session.flush()
    people = {}
    for name, community, email in (("甲星光", c1, "jia@example.org"), ("乙星河", c2, None),
                                   ("丙小时", c1, None), ("张书记甲", c1, "zhang@example.org"),
                                   ("无账号丁", c1, None)):
        person = Person(full_name=name, phone=PHONES.get(name), email=email,
                        community_id=community.id, address=f"{name}的住址 9 栋")
        db.session.add(person)
        people[name] = person
    db.session.flush()
    accounts = {}
    for key, role, person in (("vol1", "volunteer", people["甲星光"]),
                              ("vol2", "volunteer", people["乙星河"]),
                              ("vol3", "volunteer", people["丙小时"]),
                              ("coord1", "coordinator", people["张书记甲"]),
                              ("coord2", "coordinator", None), ("leader", "leader", None),
                              ("admin", "admin", None)):
        account = Account(role=role, username=key, password_hash=pw,
                          person_id=person.id if person else None)
        db.session.add(account)
        accounts[key] = account
    db.session.flush()
    db.session.add_all([CoordinatorScope(account_id=accounts["coord1"].id, community_id=c1.id),
                        CoordinatorScope(account_id=accounts["coord2"].id, community_id=c2.id)])
    series = {}
    for community in (c1, c2):
        for kind in ("patrol", "rehearsal"):
            row = Series(kind=kind, participation="slots", title=f"{community.name}{kind}",
                         community_id=community.id, timezone="Asia/Shanghai",
                         start_date=year_start().date(), start_time=time(8),
                         duration_minutes=600)
            db.session.add(row)
            series[(community.id, kind)] = row
    db.session.commit()
    return {"c1": c1.id, "c2": c2.id, "people": {k: p.id for k, p in people.items()},
            "accounts": {k: a.id for k, a in accounts.items()},
            "series": {k: s.id for k, s in series.items()}}


def serve(world: dict, name: str, hours: int, *, kind: str = "patrol", first_day: int = 0,
          start: datetime | None = None) -> None:
    """Commit ``hours`` of present rows for ``name`` (10-hour days from ``first_day``
    after 1 January, or from ``start``), each its own occurrence."""
    person = db.session.get(Person, world["people"][name])
    series_id = world["series"][(person.community_id, kind)]
    begin = start or year_start() + timedelta(days=first_day)
    left = hours * 60
    day = 0
    while left > 0:
        minutes = min(600, left)
        at = (begin + timedelta(days=day)).astimezone(ZONE)
        occurrence = (db.session.query(Occurrence)
                      .filter_by(series_id=series_id, recurrence_id=at).one_or_none())
        if occurrence is None:
            occurrence = Occurrence(series_id=series_id, recurrence_id=at, start_at=at,
                                    end_at=at + timedelta(minutes=600), status="scheduled",
                                    sequence=0)
            db.session.add(occurrence)
            db.session.flush()
        db.session.add(AttendanceEntry(
            occurrence_id=occurrence.id, person_id=person.id,
            community_id=person.community_id, kind=kind, start_at=at,
            day=local_day(at, "Asia/Shanghai"), status="present",
            actual_start=at, actual_end=at + timedelta(minutes=minutes), minutes=minutes,
            is_service=kind == "patrol", source="roll", marked_at=NOW))
        left -= minutes
        day += 1
    db.session.commit()
