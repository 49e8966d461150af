"""What each role sees first: next shifts, open shifts, unfilled slots."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import and_, exists, or_, select

from ..models import (Account, Assignment, Community, Occurrence, OccurrenceRole, Series,
                      TeamMember, Venue)
from .scope import managed_community_ids


@dataclass(frozen=True)
class SlotView:
    """One slot of one occurrence, ready for a template (no lazy loading)."""

    occurrence_id: int
    role_id: int
    kind: str
    title: str
    role_name: str
    start_at: datetime
    end_at: datetime
    venue: str | None
    community: str | None
    filled: int
    needed: int
    maximum: int
    status: str | None = None  # the viewer's assignment status, when they have one


def _slot_query():
    return (select(Occurrence.id, OccurrenceRole.id, Series.kind, Series.title,
                   OccurrenceRole.name, Occurrence.start_at, Occurrence.end_at, Venue.name,
                   Community.name, OccurrenceRole.filled, OccurrenceRole.needed,
                   OccurrenceRole.maximum)
            .join(Occurrence, OccurrenceRole.occurrence_id == Occurrence.id)
            .join(Series, Occurrence.series_id == Series.id)
            .outerjoin(Venue, Occurrence.venue_id == Venue.id)
            .outerjoin(Community, Series.community_id == Community.id))


def _views(rows) -> list[SlotView]:
    return [SlotView(*row[:12]) for row in rows]


def my_next_shifts(session, person_id: int, now: datetime, limit: int = 10) -> list[SlotView]:
    """Return the person's coming confirmed and waitlisted slots, soonest first."""
    query = (_slot_query().add_columns(Assignment.status)
             .join(Assignment, Assignment.occurrence_role_id == OccurrenceRole.id)
             .where(Assignment.person_id == person_id,
                    Assignment.status.in_(("confirmed", "waitlisted")),
                    Occurrence.end_at > now, Occurrence.status == "scheduled")
             .order_by(Occurrence.start_at).limit(limit))
    return [SlotView(*row[:12], status=row[12]) for row in session.execute(query)]


def open_shifts_for(session, person_id: int, community_id: int, now: datetime,
                    days: int = 14, limit: int = 10) -> list[SlotView]:
    """Return slots with free places the person could take in the coming ``days``."""
    my_teams = select(TeamMember.team_id).where(TeamMember.person_id == person_id)
    already = exists().where(Assignment.occurrence_role_id == OccurrenceRole.id,
                             Assignment.person_id == person_id,
                             Assignment.status != "withdrawn")
    query = (_slot_query()
             .where(Occurrence.start_at > now, Occurrence.start_at < now + timedelta(days=days),
                    Occurrence.status == "scheduled", Series.participation == "slots",
                    OccurrenceRole.filled < OccurrenceRole.maximum,
                    or_(Series.community_id == community_id, Series.community_id.is_(None)),
                    or_(OccurrenceRole.required_team_id.is_(None),
                        OccurrenceRole.required_team_id.in_(my_teams)),
                    ~already)
             .add_columns(Series.signup_opens_days)
             .order_by(Occurrence.start_at).limit(limit * 4))
    # The opening window is per series ("sign-up opens N days ahead"); checked here
    # rather than in SQL because interval arithmetic differs between backends.
    rows = [row for row in session.execute(query)
            if row[12] is None or row[5] <= now + timedelta(days=row[12])]
    return _views(row[:12] for row in rows[:limit])


def unfilled_slots(session, actor: Account, now: datetime, days: int = 14,
                   limit: int = 50) -> list[SlotView]:
    """Return under-filled slots of the actor's communities, soonest first."""
    ids = managed_community_ids(session, actor)
    query = (_slot_query()
             .where(Occurrence.start_at > now, Occurrence.start_at < now + timedelta(days=days),
                    Occurrence.status == "scheduled",
                    OccurrenceRole.filled < OccurrenceRole.needed)
             .order_by(Occurrence.start_at).limit(limit))
    if ids is not None:
        query = query.where(and_(Series.community_id.in_(ids)))
    return _views(session.execute(query))
