"""The participation world: two communities, a patrol team, a year of rolls written
through ``services.attendance.roll.write_entry`` (the one place a roll row is written),
members who drifted away, one away, one never seen, one just joined."""
from __future__ import annotations

import types
from datetime import datetime, time, timedelta

from coordinator.database import begin_write
from coordinator.extensions import db
from coordinator.models import (
    Account,
    Community,
    CoordinatorScope,
    MemberContact,
    Occurrence,
    Person,
    Series,
    Team,
    TeamMember,
)
from coordinator.services.attendance import AttendanceSettings
from coordinator.services.attendance.roll import write_entry
from coordinator.services.people.accounts import hash_password
from tests.support.database import TEST_PASSWORD
from tests.support.scheduling import ZONE

ACTIVE, DRIFT_20W, DRIFT_10W = "MK活跃甲", "MK漂离乙", "MK漂离丙"
AWAY, NEVER, NEWCOMER, OTHER = "MK外出丁", "MK从未戊", "MK新人己", "MK二连庚"
IMPORTED = "MK导入辛"  # put on the roster a week ago with the history of before
PHONES = {ACTIVE: "13911110001", DRIFT_20W: "13911110002", DRIFT_10W: "13911110003",
          AWAY: "13911110004", NEVER: "13911110005", NEWCOMER: "13911110006",
          OTHER: "13911110007", IMPORTED: "13911110008"}
OLD_NOTE = "MK旧备注"
SETTINGS = AttendanceSettings()


def _local(now: datetime, months_back: int, day: int, hour: int) -> datetime:
    """``day`` of the month ``months_back`` before now's (Shanghai), at ``hour``."""
    from zoneinfo import ZoneInfo
    local = now.astimezone(ZoneInfo(ZONE))
    y, m = divmod(local.year * 12 + local.month - 1 - months_back, 12)
    return datetime(y, m + 1, day, hour, tzinfo=ZoneInfo(ZONE))


def build(app, now: datetime):
    """Commit the world; returns ids and names (no ORM objects)."""
    with app.app_context():
        begin_write(db.session)
        s = db.session
        c1, c2 = Community(name="一连社区", code="C01"), Community(name="二连社区", code="C02")
        s.add_all([c1, c2])
        s.flush()
        old = now - timedelta(days=400)
        people = {}
        for name, community, extra in (
                (ACTIVE, c1, {}), (DRIFT_20W, c1, {}), (DRIFT_10W, c1, {}),
                (AWAY, c1, {"status": "away"}), (NEVER, c1, {"created_at": now - timedelta(
                    days=365)}), (NEWCOMER, c1, {"created_at": now - timedelta(days=7)}),
                (OTHER, c2, {}), (IMPORTED, c1, {"created_at": now - timedelta(days=7)})):
            extra.setdefault("created_at", old)
            person = Person(full_name=name, phone=PHONES[name], community_id=community.id,
                            **extra)
            s.add(person)
            people[name] = person
        coord_person = Person(full_name="张书记", phone="13911119999", community_id=c1.id,
                              created_at=now - timedelta(days=7))
        s.add(coord_person)
        s.flush()
        team = Team(name="巡逻队", kind="patrol", community_id=c1.id)
        s.add(team)
        s.flush()
        s.add_all([TeamMember(team_id=team.id, person_id=people[ACTIVE].id, is_lead=True),
                   TeamMember(team_id=team.id, person_id=people[DRIFT_20W].id)])

        def account(role, username, person=None, communities=()):
            row = Account(role=role, username=username,
                          person_id=person.id if person else None,
                          password_hash=hash_password(TEST_PASSWORD))
            s.add(row)
            s.flush()
            for c in communities:
                s.add(CoordinatorScope(account_id=row.id, community_id=c.id))
            return row

        accounts = {"admin": account("admin", "admin1"), "leader": account("leader", "leader1"),
                    "coord1": account("coordinator", "coord1", coord_person, [c1]),
                    "coord2": account("coordinator", "coord2", None, [c2]),
                    "volunteer": account("volunteer", "vol-other", people[OTHER]),
                    "concerned": account("volunteer", "vol-active", people[ACTIVE])}

        def series(kind, community, title, minutes):
            row = Series(kind=kind, title=title, community_id=community.id,
                         team_id=team.id if kind == "patrol" else None, timezone=ZONE,
                         start_date=(now - timedelta(days=400)).date(),
                         start_time=time(19, 0), duration_minutes=minutes)
            s.add(row)
            s.flush()
            return row

        patrol = series("patrol", c1, "夜间巡逻", 120)
        study = series("meeting", c1, "学习日", 90)
        patrol2 = series("patrol", c2, "二连巡逻", 60)

        def roll(ser, start, marks):
            occ = Occurrence(series_id=ser.id, recurrence_id=start, start_at=start,
                             end_at=start + timedelta(minutes=ser.duration_minutes))
            s.add(occ)
            s.flush()
            for name, status, kw in marks:
                write_entry(s, occ, ser, people[name].id, status=status,
                            actual_start=kw.get("actual_start"), actual_end=None,
                            source="leave" if status == "excused" else "roll",
                            actor=accounts["coord1"], now=now, settings=SETTINGS,
                            is_walk_in=kw.get("walk_in", False),
                            leave_reason="illness" if status == "excused" else None)
            return occ

        d5, d40, d100 = (now - timedelta(days=n) for n in (5, 40, 100))
        roll(patrol, d5, [(ACTIVE, "present", {}), (DRIFT_20W, "absent", {}),
                          (OTHER, "present", {"walk_in": True})])
        roll(patrol, d40, [(ACTIVE, "late", {"actual_start": d40 + timedelta(minutes=30)})])
        roll(patrol, d100, [(ACTIVE, "present", {}), (DRIFT_10W, "absent", {})])
        roll(patrol, now - timedelta(weeks=10), [(DRIFT_10W, "present", {})])
        roll(patrol, now - timedelta(weeks=20), [(DRIFT_20W, "present", {})])
        roll(patrol, now - timedelta(weeks=12), [(IMPORTED, "present", {})])
        roll(patrol, now - timedelta(weeks=30), [(AWAY, "present", {})])
        for back, status in ((1, "present"), (2, "present"), (3, "excused")):
            roll(study, _local(now, back, 25, 9), [(ACTIVE, status, {})])
        roll(patrol2, now - timedelta(days=3), [(OTHER, "present", {})])
        s.add(MemberContact(person_id=people[DRIFT_10W].id, by_id=accounts["coord1"].id,
                            contacted_at=now - timedelta(days=2), note=OLD_NOTE))
        s.commit()
        return types.SimpleNamespace(
            c1=c1.id, c2=c2.id, team=team.id,
            people={name: p.id for name, p in people.items()},
            accounts={k: (a.id, a.username) for k, a in accounts.items()})
