"""Self check-in: each occurrence's six-digit code, shown as a QR on the lead's phone and
printed on the sign-in sheet; a volunteer scans it or types it within the window.

The code row carries its window (from the roll's opening to the scheduled end) and the
lookup asks for it in SQL, so a code is usable only for its occurrence and window. A move
of the occurrence moves the window the next time the code is shown or used. Scanning
twice changes nothing.
"""
from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from ...domain.attendance import SERVED
from ...domain.errors import DomainError, Forbidden, NotFound
from ...domain.text import normalise
from ...models import Account, AttendanceEntry, CheckinCode, Occurrence, Series
from .. import audit
from ..locks import lock
from . import AttendanceSettings
from .roll import expected_ids, write_entry


@dataclass(frozen=True)
class CheckinResult:
    occurrence: Occurrence
    series: Series
    status: str  # present | late
    already: bool  # they had checked in (or been marked) before: nothing changed
    at: datetime


def _window(occurrence: Occurrence, settings: AttendanceSettings) -> tuple[datetime, datetime]:
    return settings.window.opens_at(occurrence.start_at), occurrence.end_at


def code_for(session, occurrence: Occurrence, settings: AttendanceSettings) -> CheckinCode:
    """The occurrence's code, made on first use; its window follows the occurrence."""
    opens, closes = _window(occurrence, settings)
    row = session.scalar(select(CheckinCode).where(CheckinCode.occurrence_id == occurrence.id))
    if row is None:
        # Two first uses at once (the lead's phone and the sheet): the second waits for
        # the occurrence row, then finds the first one's code instead of a unique error.
        lock(session, Occurrence, occurrence.id)
        row = session.scalar(select(CheckinCode).where(
            CheckinCode.occurrence_id == occurrence.id)
            .execution_options(populate_existing=True))
    if row is None:
        for _ in range(20):
            code = f"{secrets.randbelow(10 ** 6):06d}"
            if session.scalar(select(CheckinCode.id).where(CheckinCode.code == code)) is not None:
                continue
            row = CheckinCode(occurrence_id=occurrence.id, code=code, opens_at=opens,
                              closes_at=closes)
            try:
                with session.begin_nested():  # the same six digits taken meanwhile: retry
                    session.add(row)
            except IntegrityError:
                continue
            return row
        raise DomainError("No check-in code is free; try again later.")  # pragma: no cover
    if (row.opens_at, row.closes_at) != (opens, closes):
        row.opens_at, row.closes_at = opens, closes
        session.flush()
    return row


def existing_code(session, occurrence_id: int) -> str | None:
    """The occurrence's code when one was made (a read: pages that only show it)."""
    return session.scalar(select(CheckinCode.code).where(
        CheckinCode.occurrence_id == occurrence_id))


def read_code(text: str | None) -> str:
    """The six digits a person typed (full-width digits and spaces allowed), or raise."""
    typed = "".join(normalise(text or "").split())
    if not typed:
        raise DomainError("Type the six digits of the check-in code.", field="code")
    if not (typed.isdigit() and len(typed) == 6):
        raise DomainError("A check-in code has six digits: check it on the sheet.",
                          field="code")
    return typed


def usable(session, text: str | None, now: datetime, settings: AttendanceSettings, *,
           for_update: bool = False) -> tuple[Occurrence, Series]:
    """The occurrence a typed or scanned code opens now, or raise saying why not
    (unknown, cancelled, not open yet, expired). ``for_update`` locks the occurrence."""
    code = read_code(text)
    row = session.scalar(select(CheckinCode).where(CheckinCode.code == code))
    if row is None:
        raise DomainError("This check-in code is not known: check the six digits on the "
                          "sheet.", field="code")
    occurrence = (lock(session, Occurrence, row.occurrence_id) if for_update
                  else session.get(Occurrence, row.occurrence_id))
    series = session.get(Series, occurrence.series_id)
    opens, closes = _window(occurrence, settings)
    if occurrence.status != "scheduled":
        raise DomainError("This date was cancelled.", field="code")
    if now < opens:
        raise DomainError("Check-in opens %(minutes)s minutes before the start.",
                          field="code", minutes=int(
                              settings.window.opens_before.total_seconds() // 60))
    if now > closes:
        raise DomainError("This check-in code has expired: the activity is over. Ask the "
                          "team lead to mark you.", field="code")
    return occurrence, series


def own_entry(session, person_id: int | None, occurrence_id: int) -> AttendanceEntry | None:
    """The person's own row at an occurrence, if any (a read)."""
    if person_id is None:
        return None
    return session.scalar(select(AttendanceEntry).where(
        AttendanceEntry.occurrence_id == occurrence_id,
        AttendanceEntry.person_id == person_id))


def check_in(session, actor: Account, text: str | None, now: datetime,
             settings: AttendanceSettings) -> CheckinResult:
    """Mark the actor present at ``now`` at the occurrence of this code."""
    if actor.person_id is None:
        raise Forbidden("Only volunteers check in.")
    occurrence, series = usable(session, text, now, settings, for_update=True)
    entry = session.scalar(select(AttendanceEntry).where(
        AttendanceEntry.occurrence_id == occurrence.id,
        AttendanceEntry.person_id == actor.person_id)
        .execution_options(populate_existing=True))
    if entry is not None and entry.status in SERVED:
        return CheckinResult(occurrence, series, entry.status, True,
                             entry.checked_in_at or entry.marked_at)
    late = now > occurrence.start_at + settings.late_after
    status = "late" if late else "present"
    expected = actor.person_id in set(expected_ids(session, occurrence, series))
    entry = write_entry(session, occurrence, series, actor.person_id, status=status,
                        actual_start=max(now, occurrence.start_at), actual_end=None,
                        source="checkin", actor=actor, now=now, settings=settings,
                        entry=entry, is_walk_in=not expected and entry is None)
    entry.checked_in_at = now
    session.flush()
    audit.record(session, actor, "attendance.checkin", "attendance", entry.id, now,
                 occurrence_id=occurrence.id, person_id=actor.person_id, status=status)
    return CheckinResult(occurrence, series, status, False, now)


def check_out(session, actor: Account, occurrence_id: int, now: datetime,
              settings: AttendanceSettings) -> AttendanceEntry:
    """Optional: the actor leaves; before the scheduled end (less the late margin) they
    are marked as having left early. Without a check-out the scheduled end counts."""
    occurrence = lock(session, Occurrence, occurrence_id)
    if occurrence is None:
        raise NotFound("No such date.")
    series = session.get(Series, occurrence.series_id)
    entry = session.scalar(select(AttendanceEntry).where(
        AttendanceEntry.occurrence_id == occurrence_id,
        AttendanceEntry.person_id == actor.person_id))
    if entry is None or entry.status not in SERVED:
        raise DomainError("You have not checked in to this activity.")
    if entry.checked_out_at is not None:
        return entry
    if now > occurrence.end_at + settings.grace:
        raise DomainError("The activity is over: the scheduled end counts.")
    early = now < occurrence.end_at - settings.late_after
    status = "left_early" if early and entry.status == "present" else entry.status
    write_entry(session, occurrence, series, actor.person_id, status=status,
                actual_start=entry.actual_start, actual_end=max(now, entry.actual_start),
                source=entry.source, actor=actor, now=now, settings=settings, entry=entry,
                is_walk_in=entry.is_walk_in)
    entry.checked_out_at = now
    session.flush()
    audit.record(session, actor, "attendance.checkout", "attendance", entry.id, now,
                 occurrence_id=occurrence_id, person_id=actor.person_id, status=status)
    return entry
