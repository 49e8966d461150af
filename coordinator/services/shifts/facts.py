"""Gather the facts the eligibility rules need, in few queries."""
from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from sqlalchemy import func, select

from ...domain.attendance import SERVED
from ...domain.eligibility import Busy, PersonFacts, WeeklyWindow, week_bounds
from ...models import (
    Assignment,
    AttendanceEntry,
    Occurrence,
    OccurrenceRole,
    Person,
    Series,
    TeamMember,
    Unavailability,
)

LIVE = ("confirmed", "waitlisted")


def busy_intervals(session, person_id: int, start: datetime, end: datetime,
                   exclude_occurrence_id: int | None = None) -> list[Busy]:
    """Return the person's live assignments whose interval meets ``[start, end)``."""
    query = (select(Series.title, Occurrence.start_at, Occurrence.end_at)
             .select_from(Assignment)
             .join(OccurrenceRole, Assignment.occurrence_role_id == OccurrenceRole.id)
             .join(Occurrence, OccurrenceRole.occurrence_id == Occurrence.id)
             .join(Series, Occurrence.series_id == Series.id)
             .where(Assignment.person_id == person_id, Assignment.status.in_(LIVE),
                    Occurrence.status == "scheduled", Occurrence.start_at < end,
                    Occurrence.end_at > start))
    if exclude_occurrence_id is not None:
        query = query.where(Occurrence.id != exclude_occurrence_id)
    return [Busy(*row) for row in session.execute(query)]


def shifts_in_week(session, person_id: int, moment: datetime, zone: str) -> int:
    """Count the person's confirmed shifts in the local week of ``moment``."""
    lo, hi = week_bounds(moment, zone)
    return session.scalar(
        select(func.count()).select_from(Assignment)
        .join(OccurrenceRole, Assignment.occurrence_role_id == OccurrenceRole.id)
        .join(Occurrence, OccurrenceRole.occurrence_id == Occurrence.id)
        .where(Assignment.person_id == person_id, Assignment.status == "confirmed",
               Occurrence.status == "scheduled", Occurrence.start_at >= lo,
               Occurrence.start_at < hi)) or 0


def person_facts(session, person: Person, start: datetime, end: datetime, zone: str,
                 exclude_occurrence_id: int | None = None) -> PersonFacts:
    """Return what the rules need to know about ``person`` for a slot ``[start, end)``."""
    base = person_facts_base(session, person)
    count = (shifts_in_week(session, person.id, start, zone)
             if person.max_shifts_per_week is not None else 0)
    busy = busy_intervals(session, person.id, start, end, exclude_occurrence_id)
    return replace(base, busy=tuple(busy), shifts_that_week=count)


def hours_served(session, person_ids: list[int], since: datetime, until: datetime
                 ) -> dict[int, float]:
    """Return recorded volunteer service hours per person of occurrences that started in
    ``[since, until)``: the minutes of the attendance roll (a no-show, leave or a date
    nobody recorded gives none; organisational life is attendance, not service)."""
    if not person_ids:
        return {}
    rows = session.execute(
        select(AttendanceEntry.person_id, func.sum(AttendanceEntry.minutes))
        .where(AttendanceEntry.person_id.in_(person_ids),
               AttendanceEntry.is_service.is_(True),
               AttendanceEntry.status.in_(SERVED),
               AttendanceEntry.start_at >= since, AttendanceEntry.start_at < until)
        .group_by(AttendanceEntry.person_id))
    return {person_id: (minutes or 0) / 60 for person_id, minutes in rows}


@dataclass(frozen=True)
class PersonWindow:
    """What the rules need about one person over a stretch of time, gathered once, so a
    listing can ask ``refusals()`` for each of its slots without a query per slot."""

    base: PersonFacts  # no busy intervals, no weekly count: ``for_slot`` adds them
    shifts: tuple[tuple[str, datetime, datetime, bool], ...]  # (title, start, end, confirmed)

    def for_slot(self, start: datetime, end: datetime, zone: str) -> PersonFacts:
        """Return the facts for a slot ``[start, end)``, as ``person_facts`` would."""
        busy = tuple(Busy(title, s, e) for title, s, e, _ in self.shifts
                     if s < end and e > start)
        count = 0
        if self.base.max_per_week is not None:
            lo, hi = week_bounds(start, zone)
            count = sum(1 for _t, s, _e, confirmed in self.shifts if confirmed and lo <= s < hi)
        return replace(self.base, busy=busy, shifts_that_week=count)


def person_window(session, person: Person, start: datetime, end: datetime) -> PersonWindow:
    """Gather the person's facts for slots meeting ``[start, end)`` (and their weeks) in a
    fixed number of queries; the caller widens the stretch to cover whole weeks."""
    base = person_facts_base(session, person)
    rows = session.execute(
        select(Series.title, Occurrence.start_at, Occurrence.end_at, Assignment.status)
        .select_from(Assignment)
        .join(OccurrenceRole, Assignment.occurrence_role_id == OccurrenceRole.id)
        .join(Occurrence, OccurrenceRole.occurrence_id == Occurrence.id)
        .join(Series, Occurrence.series_id == Series.id)
        .where(Assignment.person_id == person.id, Assignment.status.in_(LIVE),
               Occurrence.status == "scheduled", Occurrence.start_at < end,
               Occurrence.end_at > start))
    return PersonWindow(base, tuple((t, s, e, status == "confirmed")
                                    for t, s, e, status in rows))


def person_facts_base(session, person: Person) -> PersonFacts:
    """Return the person's standing facts (teams, leads, availability), no shifts."""
    memberships = session.execute(select(TeamMember.team_id, TeamMember.is_lead).where(
        TeamMember.person_id == person.id)).all()
    windows = list(session.scalars(select(Unavailability).where(
        Unavailability.person_id == person.id)))
    return PersonFacts(
        person_id=person.id, status=person.status, away_from=person.away_from,
        away_until=person.away_until, team_ids=frozenset(t for t, _ in memberships),
        lead_team_ids=frozenset(t for t, is_lead in memberships if is_lead),
        community_id=person.community_id,
        weekly=tuple(WeeklyWindow(w.weekday, w.start_time, w.end_time) for w in windows
                     if w.weekday is not None),
        ranges=tuple((w.start_date, w.end_date) for w in windows if w.weekday is None),
        max_per_week=person.max_shifts_per_week)
