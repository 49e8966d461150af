"""Who could fill these slots? Ranked: eligible, free then, fewest recent hours, same community.

Suggestions for many slots are made together in a fixed number of queries (people, their
teams, unavailabilities, live shifts around the slots, recent hours), so a page of gaps
costs the same whatever its length; the rules themselves are the domain's ``refusals``.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import or_, select

from ...domain.eligibility import (
    Busy,
    PersonFacts,
    Problem,
    SlotFacts,
    WeeklyWindow,
    refusals,
    week_bounds,
)
from ...models import (
    Account,
    Assignment,
    Occurrence,
    OccurrenceRole,
    Person,
    Series,
    TeamMember,
    Unavailability,
)
from ..access import managed_community_ids
from .facts import hours_served

POOL_LIMIT = 500  # candidates looked at per slot


@dataclass(frozen=True)
class Suggestion:
    person_id: int
    full_name: str
    community_id: int
    hours_30d: float
    same_community: bool
    problems: tuple[str, ...]  # soft problems a coordinator may override; empty: fine
    reasons: tuple[Problem, ...] = ()  # the same problems with their numbers, for wording


@dataclass(frozen=True)
class _Slot:
    role_id: int
    required_team_id: int | None
    is_lead: bool
    occurrence_id: int
    start_at: datetime
    end_at: datetime
    status: str
    community_id: int | None
    zone: str


def suggest(session, actor: Account, role_id: int, now: datetime, limit: int = 10
            ) -> list[Suggestion]:
    """Return the best candidates for a slot among people the actor may assign."""
    return suggest_many(session, actor, [role_id], now, limit).get(role_id, [])


def suggest_many(session, actor: Account, role_ids: list[int], now: datetime, limit: int = 3
                 ) -> dict[int, list[Suggestion]]:
    """Return the best candidates for each slot, in a fixed number of queries."""
    if not role_ids:
        return {}
    slots = [_Slot(*row) for row in session.execute(
        select(OccurrenceRole.id, OccurrenceRole.required_team_id, OccurrenceRole.is_lead,
               Occurrence.id, Occurrence.start_at, Occurrence.end_at, Occurrence.status,
               Series.community_id, Series.timezone)
        .join(Occurrence, OccurrenceRole.occurrence_id == Occurrence.id)
        .join(Series, Occurrence.series_id == Series.id)
        .where(OccurrenceRole.id.in_(role_ids)))]
    managed = managed_community_ids(session, actor)
    people = _candidates(session, slots, managed)
    if not people:
        return {s.role_id: [] for s in slots}
    ids = list(people)
    memberships: dict[int, list[tuple[int, bool]]] = defaultdict(list)
    for person_id, team_id, is_lead in session.execute(
            select(TeamMember.person_id, TeamMember.team_id, TeamMember.is_lead)
            .where(TeamMember.person_id.in_(ids))):
        memberships[person_id].append((team_id, is_lead))
    windows: dict[int, list[Unavailability]] = defaultdict(list)
    for window in session.scalars(select(Unavailability).where(
            Unavailability.person_id.in_(ids))):
        windows[window.person_id].append(window)
    lo = min(week_bounds(s.start_at, s.zone)[0] for s in slots)
    hi = max(week_bounds(s.start_at, s.zone)[1] for s in slots)
    shifts: dict[int, list[tuple]] = defaultdict(list)
    for row in session.execute(
            select(Assignment.person_id, Assignment.occurrence_role_id, Assignment.status,
                   Occurrence.id, Occurrence.status, Occurrence.start_at, Occurrence.end_at,
                   Series.title)
            .join(OccurrenceRole, Assignment.occurrence_role_id == OccurrenceRole.id)
            .join(Occurrence, OccurrenceRole.occurrence_id == Occurrence.id)
            .join(Series, Occurrence.series_id == Series.id)
            .where(Assignment.person_id.in_(ids), Assignment.status != "withdrawn",
                   or_(Assignment.occurrence_role_id.in_(role_ids),
                       (Occurrence.start_at < hi) & (Occurrence.end_at > lo)))):
        shifts[row[0]].append(row[1:])
    hours = hours_served(session, ids, now - timedelta(days=30), now)

    out: dict[int, list[Suggestion]] = {}
    for slot in slots:
        facts_slot = SlotFacts(slot.role_id, slot.start_at, slot.end_at, slot.status,
                               slot.required_team_id, None, slot.zone, is_staff_action=True,
                               is_lead=slot.is_lead, community_id=slot.community_id)
        week_lo, week_hi = week_bounds(slot.start_at, slot.zone)
        ranked = []
        for person in people.values():
            if not _in_pool(person, slot, memberships, managed):
                continue
            mine = shifts.get(person.id, ())
            if any(role == slot.role_id for role, *_ in mine):
                continue  # already on this slot or its waitlist
            facts = _facts(person, slot, mine, memberships, windows, week_lo, week_hi)
            problems = refusals(facts, facts_slot, now)
            if any(not p.is_soft for p in problems if p.code != "past"):
                continue  # not eligible, or busy at that time
            ranked.append(Suggestion(person.id, person.full_name, person.community_id,
                                     round(hours.get(person.id, 0.0), 1),
                                     person.community_id == slot.community_id,
                                     tuple(p.code for p in problems),
                                     tuple(p.problem for p in problems)))
        ranked.sort(key=lambda s: (bool(s.problems), s.hours_30d, not s.same_community,
                                   s.full_name, s.person_id))
        out[slot.role_id] = ranked[:limit]
    return out


def _candidates(session, slots: list[_Slot], managed: set[int] | None) -> dict[int, Person]:
    """Active people in the slots' teams or communities (one query, two when township-wide)."""
    teams = {s.required_team_id for s in slots if s.required_team_id is not None}
    communities = {s.community_id for s in slots
                   if s.required_team_id is None and s.community_id is not None}
    anywhere = any(s.required_team_id is None and s.community_id is None for s in slots)
    base = select(Person).where(Person.status != "inactive")
    if managed is not None:
        base = base.where(Person.community_id.in_(sorted(managed)))
    people: dict[int, Person] = {}
    if teams or communities:
        query = base.where(or_(
            Person.community_id.in_(sorted(communities)),
            Person.id.in_(select(TeamMember.person_id).where(
                TeamMember.team_id.in_(sorted(teams))))))
        people.update((p.id, p) for p in session.scalars(
            query.order_by(Person.id).limit(POOL_LIMIT * max(1, len(slots)))))
    if anywhere:
        people.update((p.id, p) for p in session.scalars(
            base.order_by(Person.id).limit(POOL_LIMIT)))
    return people


def _in_pool(person: Person, slot: _Slot, memberships, managed) -> bool:
    if slot.required_team_id is not None:
        return any(team == slot.required_team_id for team, _lead in memberships[person.id])
    if slot.community_id is not None:
        return person.community_id == slot.community_id
    return managed is None or person.community_id in managed


def _facts(person: Person, slot: _Slot, mine, memberships, windows, week_lo, week_hi
           ) -> PersonFacts:
    busy = tuple(Busy(title, start, end) for _role, _status, _occ, occ_status, start, end, title
                 in mine if occ_status == "scheduled" and start < slot.end_at
                 and end > slot.start_at)
    count = sum(1 for _role, status, _occ, occ_status, start, _end, _title in mine
                if status == "confirmed" and occ_status == "scheduled"
                and week_lo <= start < week_hi)
    own = windows.get(person.id, ())
    return PersonFacts(
        person_id=person.id, status=person.status, away_from=person.away_from,
        away_until=person.away_until,
        team_ids=frozenset(t for t, _lead in memberships[person.id]),
        lead_team_ids=frozenset(t for t, lead in memberships[person.id] if lead),
        community_id=person.community_id, busy=busy,
        weekly=tuple(WeeklyWindow(w.weekday, w.start_time, w.end_time) for w in own
                     if w.weekday is not None),
        ranges=tuple((w.start_date, w.end_date) for w in own if w.weekday is None),
        max_per_week=person.max_shifts_per_week, shifts_that_week=count)
