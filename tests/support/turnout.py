"""A choir and its weekly rehearsal (a team event: every member is expected unless they
decline), with answers given through the service as each member would."""
from __future__ import annotations

from datetime import date, time, timedelta

from coordinator.database import begin_write
from coordinator.extensions import db
from coordinator.models import Account, Occurrence, Person, Team, TeamMember
from coordinator.services.schedule.series import SeriesInput, create_series
from coordinator.services.shifts.responses import respond
from tests.support.scheduling import NOW, ZONE

# Ten members: three say yes, two ask for leave, five do not answer.
ANSWERS = (True, True, True, False, False, None, None, None, None, None)
EXPECTED, CONFIRMED, DECLINED = 8, 3, 2
ZH_LINE = f"预计 {EXPECTED} 人（已确认 {CONFIRMED} 人，{DECLINED} 人请假）"
EN_LINE = f"Expected {EXPECTED} ({CONFIRMED} confirmed, {DECLINED} declined)"


def add_choir(community_id: int, actor_id: int, first: date, answers=ANSWERS,
              phone_prefix: str = "1371234") -> dict:
    """Commit a choir of ``len(answers)`` members with accounts, a weekly rehearsal from
    ``first`` (09:00-10:30, three dates) and, on its first date, each member's answer
    (None: no answer). Inside an app context; returns ids."""
    team = Team(name="绿太阳合唱团", kind="troupe", community_id=community_id)
    db.session.add(team)
    db.session.flush()
    accounts = []
    for i in range(len(answers)):
        person = Person(full_name=f"合唱{i}", phone=f"{phone_prefix}{i:04d}",
                        community_id=community_id)
        db.session.add(person)
        db.session.flush()
        db.session.add(TeamMember(team_id=team.id, person_id=person.id))
        account = Account(role="volunteer", person_id=person.id)
        db.session.add(account)
        db.session.flush()
        accounts.append(account.id)
    begin_write(db.session)
    series = create_series(db.session, db.session.get(Account, actor_id), SeriesInput(
        kind="rehearsal", title="合唱排练", community_id=community_id, start_date=first,
        start_time=time(9, 0), duration_minutes=90, rrule="FREQ=WEEKLY",
        until=first + timedelta(days=14), participation="team", team_id=team.id, roles=()),
        NOW, zone=ZONE, horizon_end=NOW + timedelta(weeks=4))
    db.session.commit()
    dates = sorted(series.occurrences, key=lambda o: o.start_at)
    first_id = dates[0].id
    for account_id, answer in zip(accounts, answers):
        if answer is not None:
            begin_write(db.session)
            respond(db.session, db.session.get(Account, account_id), first_id, answer, NOW)
            db.session.commit()
    return {"team": team.id, "series": series.id, "occ": [o.id for o in dates],
            "accounts": accounts, "first_at": db.session.get(Occurrence, first_id).start_at}
