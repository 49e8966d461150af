"""The attendance world: a patrol team whose daily 11:30-13:30 patrol runs from five days
ago to tomorrow, so that at the pinned ``NOW`` (12:00 in Shanghai) one date's roll has
closed, yesterday's and today's are open (today's patrol under way) and tomorrow's is not
open yet. Ten people are on today's patrol, led by the team's lead; one member who did
not sign up has a member number (the walk-in); another is a volunteer not on the patrol.
Everything is made through the services, at an instant before the first date."""
from __future__ import annotations

from datetime import time, timedelta

from coordinator.database import begin_write
from coordinator.extensions import db
from coordinator.models import (
    Account,
    CoordinatorScope,
    Occurrence,
    OccurrenceRole,
    Person,
    TeamMember,
)
from coordinator.services.people.accounts import hash_password
from coordinator.services.schedule.series import RoleInput, SeriesInput, create_series
from coordinator.services.shifts import signups
from tests.support.database import TEST_PASSWORD
from tests.support.scheduling import NOW, ZONE, build_world

CREATED = NOW - timedelta(days=6)  # when the series and its sign-ups were made
WALK_IN_NUMBER = "M-0042"
DAYS = {"closed": -5, "yesterday": -1, "today": 0, "early": 1}


def logins(w: dict) -> dict[str, str]:
    """The login of each actor of the access matrix."""
    phone = {p.id: p.phone for p in db.session.scalars(db.select(Person))}
    return {"lead": phone[w["people"][0]], "on_shift": phone[w["people"][1]],
            "volunteer": phone[w["other_volunteer"]], "coordinator": "coord",
            "other_coordinator": "coord2", "leader": "leader", "admin": "admin"}


def roll_world(app, on_roll: int = 10) -> dict:
    """Commit the world (see the module); returns ids."""
    with app.app_context():
        w = build_world(n_people=on_roll + 2)
        lead = db.session.scalar(db.select(TeamMember).where(
            TeamMember.person_id == w["people"][0]))
        lead.is_lead = True
        walk_in = db.session.get(Person, w["people"][on_roll])
        walk_in.member_number = WALK_IN_NUMBER
        coord2 = Account(role="coordinator", username="coord2")
        leader = Account(role="leader", username="leader")
        db.session.add_all([coord2, leader])
        db.session.flush()
        db.session.add(CoordinatorScope(account_id=coord2.id, community_id=w["other"]))
        for row in db.session.scalars(db.select(Account)):
            row.password_hash = hash_password(TEST_PASSWORD)
        db.session.commit()
        w.update(walk_in=walk_in.id, other_volunteer=w["people"][on_roll + 1],
                 coord2=coord2.id, leader=leader.id, on_roll=w["people"][:on_roll])
        coordinator = db.session.get(Account, w["coordinator"])
        first = (NOW + timedelta(hours=8)).date() + timedelta(days=DAYS["closed"])
        begin_write(db.session)
        series = create_series(db.session, coordinator, SeriesInput(
            kind="patrol", title="午间巡逻", community_id=w["community"], start_date=first,
            start_time=time(11, 30), duration_minutes=120, rrule="FREQ=DAILY",
            until=first + timedelta(days=6), team_id=w["team"],
            roles=(RoleInput("巡逻队员", on_roll, on_roll + 2, w["team"]),)),
            CREATED, zone=ZONE, horizon_end=NOW + timedelta(weeks=2))
        db.session.commit()
        dates = db.session.execute(db.select(Occurrence.id, OccurrenceRole.id)
                                   .join(OccurrenceRole).where(Occurrence.series_id == series.id)
                                   .order_by(Occurrence.start_at)).all()
        by_day = {name: dates[offset - DAYS["closed"]] for name, offset in DAYS.items()}
        w["series"] = series.id
        w["occ"] = {name: occ for name, (occ, _role) in by_day.items()}
        w["role"] = {name: role for name, (_occ, role) in by_day.items()}
        people = {"closed": w["on_roll"][:2], "yesterday": w["on_roll"][:3],
                  "today": w["on_roll"], "early": w["on_roll"][:2]}
        for name, ids in people.items():
            for person_id in ids:
                begin_write(db.session)
                signups.sign_up(db.session, coordinator, w["role"][name], CREATED,
                                person_id=person_id, zone=ZONE, override=True)
                db.session.commit()
        w["logins"] = logins(w)
        w["names"] = {p.id: p.full_name for p in db.session.scalars(db.select(Person))}
    return w
