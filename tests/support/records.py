"""The world of the service-record tests: two communities, a patrol, a study day and a
rehearsal with a year of past dates, roll entries written through ``roll.write_entry``
(recorded, staff, no-show, leave, not recorded), and an account for every kind of reader.
Unique markers for what a reader must or must not see."""
from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from coordinator.database import begin_write
from coordinator.extensions import db
from coordinator.models import (
    Account,
    Community,
    CoordinatorScope,
    Occurrence,
    Person,
    Series,
)
from coordinator.services.attendance import AttendanceSettings
from coordinator.services.attendance.roll import write_entry
from coordinator.services.people.accounts import hash_password
from tests.support.database import TEST_PASSWORD
from tests.support.scheduling import NOW, ZONE

SETTINGS = AttendanceSettings(organisation="MK测试志愿服务队")
TZ = ZoneInfo(ZONE)
NAME = "MK张三明"
PHONE = "13977700001"
ADDRESS = "MK一连九栋住址"
MEMBER_NO = "MK-0042"
OTHER_NAME = "MK其他队员"
READERS = ("anonymous", "volunteer", "person", "coordinator", "other_coordinator", "leader",
           "admin")


def local(days_ago: int, at: time = time(19, 30)) -> datetime:
    """A local instant ``days_ago`` days before NOW's local day."""
    day = NOW.astimezone(TZ).date() - timedelta(days=days_ago)
    return datetime.combine(day, at, TZ)


def study_day(months_ago: int) -> datetime:
    """09:00 on the 25th, ``months_ago`` local months before NOW's month."""
    today = NOW.astimezone(TZ).date()
    y, m = today.year, today.month - months_ago
    while m < 1:
        y, m = y - 1, m + 12
    return datetime.combine(today.replace(year=y, month=m, day=25), time(9, 0), TZ)


def series(community_id, kind, title, minutes=120) -> Series:
    row = Series(kind=kind, participation="slots", title=title, community_id=community_id,
                 timezone=ZONE, start_date=NOW.date() - timedelta(days=400),
                 start_time=time(19, 30), duration_minutes=minutes)
    db.session.add(row)
    db.session.flush()
    return row


def occurrence(s: Series, start: datetime, minutes: int | None = None) -> Occurrence:
    minutes = minutes or s.duration_minutes
    row = Occurrence(series_id=s.id, recurrence_id=start, start_at=start,
                     end_at=start + timedelta(minutes=minutes))
    db.session.add(row)
    db.session.flush()
    return row


def entry(s, occ, person_id, status="present", source="roll", **kw):
    return write_entry(db.session, occ, s, person_id, status=status,
                       actual_start=kw.pop("actual_start", None),
                       actual_end=kw.pop("actual_end", None), source=source, actor=None,
                       now=NOW, settings=SETTINGS, **kw)


def records_world(app) -> dict:
    """Commit the world; returns ids. The person's figures (service only):

    this year: patrol 2 h recorded (roll) + 2 h check-in (late: 1 h 30) + 3 h staff,
    talk 1 h 30 recorded; before this year: patrol 2 h. No-show, leave and a date with
    no row serve nothing; a rehearsal and 3 study days are attendance, not hours.
    """
    with app.app_context():
        begin_write(db.session)
        c1, c2 = Community(name="MK一连社区", code="R1"), Community(name="二连社区", code="R2")
        db.session.add_all([c1, c2])
        db.session.flush()
        me = Person(full_name=NAME, phone=PHONE, address=ADDRESS, community_id=c1.id,
                    member_number=MEMBER_NO, volunteer_number="V310000")
        mate = Person(full_name="MK同队员", phone="13977700002", community_id=c1.id)
        other = Person(full_name=OTHER_NAME, phone="13977700003", community_id=c2.id)
        coord_p = Person(full_name="MK协调员", phone="13977700004", community_id=c1.id)
        db.session.add_all([me, mate, other, coord_p])
        db.session.flush()
        pw = hash_password(TEST_PASSWORD)
        accounts = {
            "person": Account(role="volunteer", username="me", person_id=me.id),
            "volunteer": Account(role="volunteer", username="mate", person_id=mate.id),
            "coordinator": Account(role="coordinator", username="coord", person_id=coord_p.id),
            "other_coordinator": Account(role="coordinator", username="coord2"),
            "leader": Account(role="leader", username="leader"),
            "admin": Account(role="admin", username="admin"),
        }
        for a in accounts.values():
            a.password_hash = pw
        db.session.add_all(accounts.values())
        db.session.flush()
        db.session.add_all([
            CoordinatorScope(account_id=accounts["coordinator"].id, community_id=c1.id),
            CoordinatorScope(account_id=accounts["other_coordinator"].id,
                             community_id=c2.id)])
        patrol = series(c1.id, "patrol", "MK晚间巡逻")
        talk = series(c1.id, "talk", "MK青少年报告会", 90)
        rehearsal = series(c1.id, "rehearsal", "MK合唱排练")
        study = series(c1.id, "meeting", "集体学习日", 180)
        # The dates below lie 1 to 9 days back: in this year unless NOW is in early January.
        this_year = NOW.astimezone(TZ).timetuple().tm_yday > 10
        occ = [occurrence(patrol, local(d)) for d in (1, 2, 3, 4, 5)]
        entry(patrol, occ[0], me.id, "present", "roll")  # 2 h
        entry(patrol, occ[1], me.id, "late", "checkin",
              actual_start=occ[1].start_at + timedelta(minutes=30))  # 1 h 30
        entry(patrol, occ[2], me.id, "present", "staff",
              actual_end=occ[2].start_at + timedelta(hours=3))  # 3 h (cap: 2 h + 30 min)
        entry(patrol, occ[3], me.id, "absent", "roll")  # the no-show
        entry(patrol, occ[4], me.id, "excused", "leave", leave_reason="illness")
        occurrence(patrol, local(8))  # not recorded: no row
        t = occurrence(talk, local(9, time(9, 0)))
        entry(talk, t, me.id, "present", "roll")  # 1 h 30
        entry(talk, t, mate.id, "present", "roll")
        last_year = datetime.combine(NOW.astimezone(TZ).date().replace(month=1, day=1)
                                     - timedelta(days=20), time(19, 30), TZ)
        old = occurrence(patrol, last_year)
        entry(patrol, old, me.id, "present", "roll")  # 2 h, last year
        r = occurrence(rehearsal, local(3, time(9, 0)))
        entry(rehearsal, r, me.id, "present", "roll")  # attendance, not hours
        for months_ago in (1, 2, 3):
            s_occ = occurrence(study, study_day(months_ago))
            if months_ago != 2:
                entry(study, s_occ, me.id, "present", "roll")
        o_patrol = series(c2.id, "patrol", "MK二连巡逻")
        oo = occurrence(o_patrol, local(2))
        entry(o_patrol, oo, other.id, "present", "roll")
        db.session.commit()
        return {"c1": c1.id, "c2": c2.id, "me": me.id, "mate": mate.id, "other": other.id,
                "accounts": {k: a.id for k, a in accounts.items()},
                "patrol": patrol.id, "occ": [o.id for o in occ], "this_year": this_year}


def login_as(client, reader: str):
    """Log ``reader`` in (anonymous: nobody); returns the client."""
    from tests.support.web import login
    usernames = {"person": "me", "volunteer": "mate", "coordinator": "coord",
                 "other_coordinator": "coord2", "leader": "leader", "admin": "admin"}
    if reader != "anonymous":
        assert login(client, usernames[reader]).status_code == 302
    return client
