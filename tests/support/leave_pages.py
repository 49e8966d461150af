"""The world of the leave / correction / sign-in sheet tests: the shift pages' world (a
community with a patrol team of eight, a coordinator with a phone, a second community's
coordinator, an admin, an outsider) plus a leader, a team lead, and helpers to mark rolls
and move the clock."""
from __future__ import annotations

from datetime import timedelta

from coordinator.database import begin_write
from coordinator.extensions import db
from coordinator.models import Account, Occurrence, OccurrenceRole, TeamMember
from coordinator.services.attendance import AttendanceSettings
from coordinator.services.attendance.roll import write_entry
from coordinator.services.people.accounts import hash_password
from tests.support.database import TEST_PASSWORD
from tests.support.scheduling import NOW
from tests.support.shift_pages import client_for, phone, shift_pages_world

LEAD = 7  # the world's volunteer 7 leads the patrol team


def leave_world(app) -> dict:
    """shift_pages_world plus a leader account and a team lead; no context stays pushed."""
    w = shift_pages_world(app)
    with app.app_context():
        leader = Account(role="leader", username="leader1",
                         password_hash=hash_password(TEST_PASSWORD))
        db.session.add(leader)
        lead = db.session.scalar(db.select(TeamMember).where(
            TeamMember.person_id == w["people"][LEAD]))
        lead.is_lead = True
        db.session.commit()
        w["leader"] = leader.id
    return w


def occurrence_of(role_id: int) -> int:
    return db.session.get(OccurrenceRole, role_id).occurrence_id


def mark(occurrence_id: int, person_id: int, status: str, source: str = "roll") -> None:
    """Write one roll row as the marking services do (through ``write_entry``)."""
    occurrence = db.session.get(Occurrence, occurrence_id)
    begin_write(db.session)
    write_entry(db.session, occurrence, occurrence.series, person_id, status=status,
                actual_start=None, actual_end=None, source=source, actor=None, now=NOW,
                settings=AttendanceSettings(),
                leave_reason="illness" if status == "excused" else None)
    db.session.commit()


def at(app, days: float) -> None:
    """Move the app's clock ``days`` after NOW."""
    app.config["NOW"] = lambda: NOW + timedelta(days=days)


ACTORS = ("anonymous", "volunteer", "on_shift", "coordinator", "other_coordinator",
          "leader", "admin")


def actor_client(app, actor: str, on_shift_index: int = 0):
    """A client logged in as one of ``ACTORS`` (``on_shift``: the world's volunteer
    ``on_shift_index``; ``volunteer``: the outsider, on nothing)."""
    if actor == "anonymous":
        return app.test_client()
    identifier = {"volunteer": "13911112222", "on_shift": phone(on_shift_index),
                  "coordinator": "coord", "other_coordinator": "coord2",
                  "leader": "leader1", "admin": "admin"}[actor]
    return client_for(app, identifier)
