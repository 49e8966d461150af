"""Leave (请假): before the start a volunteer says they cannot come, with a reason.

For a shift it also withdraws them, whatever the withdrawal cut-off (an illness does not
wait for it), and promotes the waitlist as a withdrawal does; for a team event it answers
no. The roll shows them on leave with the reason; the coordinators see it on the roll and
on their home page.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from ...domain.errors import DomainError, Forbidden
from ...domain.text import normalise
from ...models import (
    Account,
    Assignment,
    AttendanceEntry,
    OccurrenceRole,
    Response,
    TeamMember,
)
from ...vocab import LEAVE_REASONS
from .. import audit
from ..locks import lock
from ..shifts.signups import withdraw
from . import AttendanceSettings
from .roll import load, write_entry


def ask_leave(session, actor: Account, occurrence_id: int, reason: str | None,
              note: str | None, now: datetime, settings: AttendanceSettings) -> AttendanceEntry:
    """Record the actor's leave from one occurrence (and withdraw them from its slots)."""
    if actor.person_id is None:
        raise Forbidden("Only volunteers ask for leave.")
    occurrence, series = load(session, occurrence_id)
    note = normalise(note or "") or None
    if reason not in LEAVE_REASONS:
        raise DomainError("Choose why you cannot come.", field="reason")
    if reason == "other" and not note:
        raise DomainError("Say in a few words why you cannot come.", field="note")
    if note and len(note) > 200:
        raise DomainError("Keep the reason under 200 characters.", field="note")
    mine = _on_it(session, occurrence, series, actor.person_id, now)
    person_id = actor.person_id
    for assignment_id in mine:  # each withdrawal locks occurrence → slot → assignment
        withdraw(session, actor, assignment_id, now, on_leave=True)
    occurrence = lock(session, type(occurrence), occurrence.id)
    if series.participation == "team":
        answer = session.scalar(select(Response).where(Response.occurrence_id == occurrence.id,
                                                       Response.person_id == person_id))
        if answer is None:
            answer = Response(occurrence_id=occurrence.id, person_id=person_id)
            session.add(answer)
        answer.is_attending = False
        answer.updated_at = now
    entry = session.scalar(select(AttendanceEntry).where(
        AttendanceEntry.occurrence_id == occurrence.id, AttendanceEntry.person_id == person_id))
    entry = write_entry(session, occurrence, series, person_id, status="excused",
                        actual_start=None, actual_end=None, source="leave", actor=actor,
                        now=now, settings=settings, entry=entry, leave_reason=reason,
                        leave_note=note)
    audit.record(session, actor, "attendance.leave", "attendance", entry.id, now,
                 occurrence_id=occurrence.id, person_id=person_id, leave_reason=reason)
    return entry


def _on_it(session, occurrence, series, person_id: int, now: datetime) -> list[int]:
    """Refuse leave that cannot be asked; return the person's live assignment ids (none
    for a team event)."""
    if occurrence.status != "scheduled":
        raise DomainError("This date was cancelled: no leave is needed.")
    if now >= occurrence.start_at:
        raise DomainError("It has already started: please tell the team lead or the "
                          "coordinator.")
    if series.participation == "team":
        member = session.scalar(select(TeamMember.id).where(
            TeamMember.team_id == series.team_id, TeamMember.person_id == person_id))
        if member is None:
            raise Forbidden("Only members of the invited team ask leave from it.")
        return []
    mine = list(session.scalars(
        select(Assignment.id)
        .join(OccurrenceRole, Assignment.occurrence_role_id == OccurrenceRole.id)
        .where(OccurrenceRole.occurrence_id == occurrence.id,
               Assignment.person_id == person_id, Assignment.status != "withdrawn")
        .order_by(Assignment.id)))
    if not mine:
        raise DomainError("You are not on this shift.")
    return mine


def leave_refusal(session, actor: Account, occurrence_id: int, now: datetime
                  ) -> DomainError | None:
    """Why the actor may not ask leave from this occurrence now (None: they may); the
    leave form is shown only when it could be saved."""
    if actor.person_id is None:
        return Forbidden("Only volunteers ask for leave.")
    occurrence, series = load(session, occurrence_id)
    try:
        _on_it(session, occurrence, series, actor.person_id, now)
    except DomainError as refusal:
        return refusal
    return None
