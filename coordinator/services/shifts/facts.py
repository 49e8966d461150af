"""Gather the facts the eligibility rules need, in few queries."""
from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import and_, func, select

from ...domain.eligibility import Busy, PersonFacts, WeeklyWindow, week_bounds
from ...models import (
    Assignment,
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
    memberships = session.execute(select(TeamMember.team_id, TeamMember.is_lead).where(
        TeamMember.person_id == person.id)).all()
    teams = frozenset(t for t, _ in memberships)
    leads = frozenset(t for t, is_lead in memberships if is_lead)
    windows = list(session.scalars(select(Unavailability).where(
        Unavailability.person_id == person.id)))
    weekly = tuple(WeeklyWindow(w.weekday, w.start_time, w.end_time) for w in windows
                   if w.weekday is not None)
    ranges = tuple((w.start_date, w.end_date) for w in windows if w.weekday is None)
    count = (shifts_in_week(session, person.id, start, zone)
             if person.max_shifts_per_week is not None else 0)
    return PersonFacts(person_id=person.id, status=person.status, away_from=person.away_from,
                       away_until=person.away_until, team_ids=teams, lead_team_ids=leads,
                       community_id=person.community_id,
                       busy=tuple(busy_intervals(session, person.id, start, end,
                                                 exclude_occurrence_id)),
                       weekly=weekly, ranges=ranges, max_per_week=person.max_shifts_per_week,
                       shifts_that_week=count)


def hours_served(session, person_ids: list[int], since: datetime, until: datetime
                 ) -> dict[int, float]:
    """Return hours of confirmed shifts per person that started in ``[since, until)``."""
    if not person_ids:
        return {}
    rows = session.execute(
        select(Assignment.person_id, Occurrence.start_at, Occurrence.end_at)
        .join(OccurrenceRole, Assignment.occurrence_role_id == OccurrenceRole.id)
        .join(Occurrence, and_(OccurrenceRole.occurrence_id == Occurrence.id,
                               Occurrence.status == "scheduled"))
        .where(Assignment.person_id.in_(person_ids), Assignment.status == "confirmed",
               Occurrence.start_at >= since, Occurrence.start_at < until))
    hours: dict[int, float] = {}
    for person_id, start, end in rows:
        hours[person_id] = hours.get(person_id, 0.0) + (end - start) / timedelta(hours=1)
    return hours
