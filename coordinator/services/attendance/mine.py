"""What My shifts shows of attendance: the rolls a team lead may take now, and the
activities the person checked in to and may still check out of."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import exists, or_, select

from ...domain.attendance import SERVED
from ...models import (
    Account,
    Assignment,
    AttendanceEntry,
    Occurrence,
    OccurrenceRole,
    Series,
    TeamMember,
)
from . import AttendanceSettings


@dataclass(frozen=True)
class RollLink:
    """An occurrence whose roll the person may take, ready for a template."""

    occurrence_id: int
    title: str
    kind: str
    start_at: datetime
    end_at: datetime


def lead_rolls(session, actor: Account, now: datetime, settings: AttendanceSettings,
               limit: int = 20) -> list[RollLink]:
    """The scheduled occurrences the actor leads (``roll.is_lead``, as one query) whose
    roll is open now, soonest first."""
    if actor.person_id is None:
        return []
    led = select(TeamMember.team_id).where(TeamMember.person_id == actor.person_id,
                                           TeamMember.is_lead.is_(True))
    team_slot = exists().where(OccurrenceRole.occurrence_id == Occurrence.id,
                               OccurrenceRole.required_team_id.in_(led))
    lead_slot = exists().where(
        Assignment.occurrence_role_id == OccurrenceRole.id,
        OccurrenceRole.occurrence_id == Occurrence.id, OccurrenceRole.is_lead.is_(True),
        Assignment.person_id == actor.person_id, Assignment.status == "confirmed")
    window = settings.window
    query = (select(Occurrence.id, Series.title, Series.kind, Occurrence.start_at,
                    Occurrence.end_at)
             .join(Series, Occurrence.series_id == Series.id)
             .where(Occurrence.status == "scheduled",
                    Occurrence.start_at <= now + window.opens_before,
                    Occurrence.end_at >= now - window.closes_after,
                    or_(Series.team_id.in_(led), team_slot, lead_slot))
             .order_by(Occurrence.start_at, Occurrence.id).limit(limit))
    return [RollLink(*row) for row in session.execute(query)]


def open_checkins(session, person_id: int | None, now: datetime,
                  settings: AttendanceSettings) -> list[RollLink]:
    """The activities the person checked in to, not yet checked out of, that a check-out
    still changes (until the scheduled end plus the grace)."""
    if person_id is None:
        return []
    query = (select(Occurrence.id, Series.title, Series.kind, Occurrence.start_at,
                    Occurrence.end_at)
             .join(AttendanceEntry, AttendanceEntry.occurrence_id == Occurrence.id)
             .join(Series, Occurrence.series_id == Series.id)
             .where(AttendanceEntry.person_id == person_id,
                    AttendanceEntry.checked_in_at.is_not(None),
                    AttendanceEntry.checked_out_at.is_(None),
                    AttendanceEntry.status.in_(sorted(SERVED)),
                    Occurrence.end_at >= now - settings.grace)
             .order_by(Occurrence.start_at))
    return [RollLink(*row) for row in session.execute(query)]
