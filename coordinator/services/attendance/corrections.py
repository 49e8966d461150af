"""Changes to a roll after it closed (补录, corrections): a coordinator's, with a reason.

A correction is kept as its own row with the values proposed and the reason. When the
setting ``CORRECTIONS_NEED_APPROVAL`` is on, it waits for a second person (a leader or an
admin, never the one who asked); otherwise it is applied at once. Applying writes the
entry with the source "staff": its minutes are then counted as added by staff, apart from
those recorded at the time. The audit log keeps what the entry was before.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from ...domain.attendance import actual_times, check_times
from ...domain.errors import DomainError, Forbidden, NotFound
from ...domain.text import normalise
from ...models import Account, AttendanceCorrection, AttendanceEntry, Occurrence, Person, Series
from ...vocab import ATTENDANCE_STATUSES
from .. import audit
from ..access import reads_every_community
from ..locks import lock
from . import AttendanceSettings
from .roll import may_correct, write_entry


def correct(session, actor: Account, occurrence_id: int, person: Person, status: str,
            actual_start: datetime | None, actual_end: datetime | None, reason: str | None,
            now: datetime, settings: AttendanceSettings) -> AttendanceCorrection:
    """Ask for (or make) a change to a closed roll; returns the correction row, applied or
    pending."""
    occurrence = lock(session, Occurrence, occurrence_id)
    if occurrence is None:
        raise NotFound("No such date.")
    series = session.get(Series, occurrence.series_id)
    if not may_correct(session, actor, series):
        raise Forbidden("Only the community's coordinators correct a roll.")
    if settings.window.state(occurrence.start_at, occurrence.end_at, now) != "closed":
        raise DomainError("The roll is still open: mark it on the roll.")
    if occurrence.status != "scheduled":
        raise DomainError("This date was cancelled: it has no roll.")
    if status not in ATTENDANCE_STATUSES:
        raise DomainError("Choose how they took part.", field="status")
    if status == "excused":
        raise DomainError("Leave is asked before the start: mark them absent.",
                          field="status")
    reason = normalise(reason or "")
    if not reason:
        raise DomainError("Say why the roll is changed after it closed.", field="reason")
    if len(reason) > 300:
        raise DomainError("Keep the reason under 300 characters.", field="reason")
    check_times(actual_start, actual_end, now)
    begin, finish = actual_times(status, occurrence.start_at, occurrence.end_at,
                                 actual_start, actual_end)
    if begin is not None and (finish - begin).total_seconds() > 24 * 3600:
        raise DomainError("More than 24 hours in one go cannot be right: check the times.",
                          field="actual_end")
    row = AttendanceCorrection(occurrence_id=occurrence.id, person_id=person.id,
                               community_id=series.community_id, status=status,
                               actual_start=begin, actual_end=finish, reason=reason,
                               state="pending", requested_by_id=actor.id, requested_at=now)
    session.add(row)
    session.flush()
    audit.record(session, actor, "attendance.correct", "attendance", row.id, now,
                 occurrence_id=occurrence.id, person_id=person.id, status=status,
                 reason=reason, pending=settings.corrections_need_approval)
    if not settings.corrections_need_approval:
        _apply(session, row, occurrence, series, actor, now, settings)
    return row


def _apply(session, row: AttendanceCorrection, occurrence, series, actor, now, settings):
    entry = session.scalar(select(AttendanceEntry).where(
        AttendanceEntry.occurrence_id == row.occurrence_id,
        AttendanceEntry.person_id == row.person_id))
    write_entry(session, occurrence, series, row.person_id, status=row.status,
                actual_start=row.actual_start, actual_end=row.actual_end, source="staff",
                actor=actor, now=now, settings=settings, entry=entry,
                is_walk_in=bool(entry and entry.is_walk_in))
    row.state = "applied"
    row.decided_at = now
    if row.decided_by_id is None and settings.corrections_need_approval:
        row.decided_by_id = actor.id
    session.flush()


def may_approve(actor: Account) -> bool:
    """Leaders, admins and coordinators who are also leaders approve corrections."""
    return reads_every_community(actor)


def decide(session, actor: Account, correction_id: int, approve: bool, now: datetime,
           settings: AttendanceSettings) -> AttendanceCorrection:
    """Approve (apply) or reject a pending correction: a second person only."""
    row = lock(session, AttendanceCorrection, correction_id)
    if row is None:
        raise NotFound("No such correction.")
    if not may_approve(actor):
        raise Forbidden("Only a leader or an administrator approves corrections.")
    if row.requested_by_id == actor.id:
        raise DomainError("A second person approves a correction: ask a colleague.")
    if row.state != "pending":
        raise DomainError("This correction was already decided.")
    occurrence = lock(session, Occurrence, row.occurrence_id)
    series = session.get(Series, occurrence.series_id)
    row.decided_by_id = actor.id
    row.decided_at = now
    if approve:
        _apply(session, row, occurrence, series, actor, now, settings)
    else:
        row.state = "rejected"
        session.flush()
    audit.record(session, actor, "attendance.approve" if approve else "attendance.reject",
                 "attendance", row.id, now, occurrence_id=row.occurrence_id,
                 person_id=row.person_id, correction_id=row.id)
    return row


def pending_corrections(session, community_ids: set[int] | None, limit: int = 100
                        ) -> list[AttendanceCorrection]:
    """Corrections waiting for approval, oldest first (``community_ids`` None: all)."""
    query = (select(AttendanceCorrection).where(AttendanceCorrection.state == "pending")
             .order_by(AttendanceCorrection.requested_at, AttendanceCorrection.id)
             .limit(limit))
    if community_ids is not None:
        query = query.where(AttendanceCorrection.community_id.in_(community_ids or {-1}))
    return list(session.scalars(query))
