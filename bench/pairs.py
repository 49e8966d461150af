"""Choose (volunteer account, occurrence role) pairs that the sign-up service should accept.

A pair is valid when the person is active, has a volunteer login, is a member of the
role's required team (a lead for lead roles), the slot lies after the weeks the demo
filled and still has room, and taking it breaks neither the person's weekly limit nor
puts them into two overlapping occurrences — counting the pairs chosen before it, so
that the whole list can be run in order (or in parallel) without refusals.
"""
from __future__ import annotations

import random
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from sqlalchemy import exists, select

from coordinator.demo.fill import FILL_WEEKS
from coordinator.models import (
    Account,
    Assignment,
    Occurrence,
    OccurrenceRole,
    Person,
    Series,
    TeamMember,
    Unavailability,
)

CANDIDATES_PER_SLOT = 8  # random team members tried per slot before moving on


@dataclass(frozen=True)
class Pair:
    account_id: int
    role_id: int


@dataclass
class _Member:
    account_id: int
    person_id: int
    max_per_week: int | None


def first_open_week(now: datetime, zone_name: str) -> datetime:
    """Return the UTC start of the first local week the demo left unfilled."""
    zone = ZoneInfo(zone_name)
    today = now.astimezone(zone).date()
    monday = today - timedelta(days=today.weekday())
    start = datetime.combine(monday + timedelta(weeks=FILL_WEEKS), datetime.min.time(), zone)
    return start.astimezone(timezone.utc)


def plan_pairs(session, now: datetime, count: int, zone_name: str,
               seed: int = 170) -> tuple[list[Pair], dict[str, int]]:
    """Return up to ``count`` valid pairs, spread over many people and slots, and stats."""
    rng = random.Random(seed)
    zone = ZoneInfo(zone_name)
    since = max(first_open_week(now, zone_name), now + timedelta(days=1))
    slots = session.execute(
        select(OccurrenceRole.id, OccurrenceRole.required_team_id, OccurrenceRole.is_lead,
               OccurrenceRole.maximum - OccurrenceRole.filled, Occurrence.start_at,
               Occurrence.end_at)
        .join(Occurrence, OccurrenceRole.occurrence_id == Occurrence.id)
        .join(Series, Occurrence.series_id == Series.id)
        .where(Occurrence.status == "scheduled", Occurrence.start_at >= since,
               OccurrenceRole.required_team_id.is_not(None),
               OccurrenceRole.filled < OccurrenceRole.maximum,
               Series.signup_opens_days.is_(None))
        .order_by(OccurrenceRole.id)).all()
    members, leads = _team_pools(session)
    busy, week_load = _existing_load(session, since, zone)
    room = {role_id: free for role_id, _t, _l, free, _s, _e in slots}
    uses: Counter[int] = Counter()
    pairs: list[Pair] = []
    order = list(slots)
    rng.shuffle(order)
    # Passes: one sign-up per slot per pass, so that pairs spread over many slots
    # and a small database (--scale 1) still yields as many as it can hold.
    while len(pairs) < count:
        before = len(pairs)
        for role_id, team_id, is_lead, _free, start, end in order:
            if len(pairs) >= count:
                break
            if room[role_id] <= 0:
                continue
            pool = (leads if is_lead else members).get(team_id, ())
            if not pool:
                continue
            week = _week_of(start, zone)
            tried = rng.sample(pool, min(CANDIDATES_PER_SLOT, len(pool)))
            tried.sort(key=lambda m: uses[m.person_id])  # stable: ties stay shuffled
            for m in tried:
                cap = m.max_per_week
                if cap is not None and week_load[(m.person_id, week)] >= cap:
                    continue
                if any(s < end and start < e for s, e in busy[m.person_id]):
                    continue
                busy[m.person_id].append((start, end))
                week_load[(m.person_id, week)] += 1
                uses[m.person_id] += 1
                room[role_id] -= 1
                pairs.append(Pair(m.account_id, role_id))
                break
        if len(pairs) == before:
            break
    stats = {"open_slots": len(slots), "people": len(uses),
             "max_per_person": max(uses.values(), default=0)}
    return pairs, stats


def _team_pools(session):
    """Return {team: [member]} and {team: [lead]} of active people with a volunteer login."""
    rows = session.execute(
        select(TeamMember.team_id, TeamMember.is_lead, Account.id, Person.id,
               Person.max_shifts_per_week)
        .join(Person, TeamMember.person_id == Person.id)
        .join(Account, Account.person_id == Person.id)
        .where(Person.status == "active", Account.role == "volunteer",
               Account.is_enabled.is_(True),
               ~exists().where(Unavailability.person_id == Person.id))
        .order_by(TeamMember.id))
    members: dict[int, list[_Member]] = defaultdict(list)
    leads: dict[int, list[_Member]] = defaultdict(list)
    for team_id, is_lead, account_id, person_id, cap in rows:
        member = _Member(account_id, person_id, cap)
        members[team_id].append(member)
        if is_lead:
            leads[team_id].append(member)
    return members, leads


def _existing_load(session, since: datetime, zone: ZoneInfo):
    """Return busy intervals and weekly counts of live assignments from ``since`` on."""
    busy: dict[int, list[tuple[datetime, datetime]]] = defaultdict(list)
    week_load: Counter[tuple[int, int]] = Counter()
    for person_id, status, start, end in session.execute(
            select(Assignment.person_id, Assignment.status, Occurrence.start_at,
                   Occurrence.end_at)
            .join(OccurrenceRole, Assignment.occurrence_role_id == OccurrenceRole.id)
            .join(Occurrence, OccurrenceRole.occurrence_id == Occurrence.id)
            .where(Assignment.status.in_(("confirmed", "waitlisted")),
                   Occurrence.status == "scheduled", Occurrence.end_at > since)):
        busy[person_id].append((start, end))
        if status == "confirmed":
            week_load[(person_id, _week_of(start, zone))] += 1
    return busy, week_load


def _week_of(start: datetime, zone: ZoneInfo) -> int:
    """Return a number for the local (Monday-based) week holding ``start``."""
    local = start.astimezone(zone).date()
    return (local - timedelta(days=local.weekday())).toordinal()
