"""Who could fill this slot? Ranked: eligible, free then, fewest recent hours, same community."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select

from ..domain.eligibility import SlotFacts, refusals
from ..models import Account, Assignment, Occurrence, OccurrenceRole, Person, Series, TeamMember
from .facts import hours_served, person_facts
from .scope import managed_community_ids


@dataclass(frozen=True)
class Suggestion:
    person_id: int
    full_name: str
    community_id: int
    hours_30d: float
    same_community: bool
    problems: tuple[str, ...]  # soft problems a coordinator may override; empty: fine

    @property
    def is_free(self) -> bool:
        return not self.problems


def suggest(session, actor: Account, role_id: int, now: datetime, limit: int = 10
            ) -> list[Suggestion]:
    """Return the best candidates for a slot among people the actor may assign."""
    role = session.get(OccurrenceRole, role_id)
    occurrence = session.get(Occurrence, role.occurrence_id)
    series = session.get(Series, occurrence.series_id)
    managed = managed_community_ids(session, actor)
    query = select(Person).where(Person.status != "inactive")
    if role.required_team_id is not None:
        query = query.join(TeamMember, TeamMember.person_id == Person.id).where(
            TeamMember.team_id == role.required_team_id)
    elif series.community_id is not None:
        query = query.where(Person.community_id == series.community_id)
    if managed is not None:
        query = query.where(Person.community_id.in_(managed))
    taken = select(Assignment.person_id).where(Assignment.occurrence_role_id == role_id,
                                               Assignment.status != "withdrawn")
    people = list(session.scalars(query.where(Person.id.not_in(taken)).limit(500)))
    hours = hours_served(session, [p.id for p in people], now - timedelta(days=30), now)
    slot = SlotFacts(role.id, occurrence.start_at, occurrence.end_at, occurrence.status,
                     role.required_team_id, None, series.timezone, is_staff_action=True,
                     is_lead=role.is_lead)
    out = []
    for person in people:
        facts = person_facts(session, person, occurrence.start_at, occurrence.end_at,
                             series.timezone)
        problems = refusals(facts, slot, now)
        if any(not p.is_soft for p in problems if p.code not in ("past",)):
            continue  # not eligible, or busy at that time
        out.append(Suggestion(person.id, person.full_name, person.community_id,
                              round(hours.get(person.id, 0.0), 1),
                              person.community_id == series.community_id,
                              tuple(p.code for p in problems)))
    out.sort(key=lambda s: (bool(s.problems), s.hours_30d, not s.same_community, s.full_name))
    return out[:limit]
