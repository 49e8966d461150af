"""Demo step "fill": confirm people into a realistic share of the first weeks' slots."""
from __future__ import annotations

import random
from collections import defaultdict
from datetime import datetime, time, timedelta

from sqlalchemy import select, update

from ..models import Assignment, Occurrence, OccurrenceRole
from .common import Context, insert_rows

FILL_WEEKS = 2            # slots are filled for the first two weeks only
DEFAULT_WEEKLY_CAP = 4    # shifts a week given to anyone without max_shifts_per_week

# How many people a slot gets, by (series kind, role is lead / role name): weights of
# 0, 1, 2, 3 people. Patrols end up about 70 % covered, so the weekly plan shows gaps.
_FILL_WEIGHTS = {
    ("patrol", True): (25, 75),
    ("patrol", False): (7, 23, 50, 20),
    ("care", False): (10, 30, 60),
    ("talk", True): (30, 70),        # the liaison (one person)
    ("talk", False): (20, 50, 30),   # speakers
}


def slot_pools(teams, branch_plan, active: list[bool], pid: list[int]
          ) -> dict[tuple[int | None, bool], list[int]]:
    """Who may fill a slot, by (required team, lead slot): active members (leads)."""
    found: dict[tuple[int | None, bool], list[int]] = {}
    for tid, members in zip(teams.ids, teams.members):
        found[(tid, False)] = [pid[i] for i, _lead in members if active[i]]
        found[(tid, True)] = [pid[i] for i, lead in members if lead and active[i]]
    # Liaison (no required team): the branch committees of the copy arrange transport.
    found[(None, False)] = [pid[i] for branch in branch_plan
                            for i, lead in branch if lead and active[i]]
    return found


def volunteer_shift(session, patrol_series_id: int, patrol_team_id: int, now: datetime,
                    person_id: int) -> dict[int, list[int]]:
    """Pick the demo volunteer's first future patrol (as a team member, not the lead)."""
    role_id = session.scalar(
        select(OccurrenceRole.id).join(Occurrence, OccurrenceRole.occurrence_id == Occurrence.id)
        .where(Occurrence.series_id == patrol_series_id, Occurrence.start_at > now,
               OccurrenceRole.required_team_id == patrol_team_id,
               OccurrenceRole.is_lead.is_(False))
        .order_by(Occurrence.start_at).limit(1))
    return {role_id: [person_id]} if role_id is not None else {}


def fill(session, ctx: Context, rng: random.Random, series_ids: list[int],
         kind_of: dict[int, str], pools: dict, caps: dict[int, int],
         forced: dict[int, list[int]], window: tuple[datetime, datetime] | None = None
         ) -> int:
    """Confirm people into slots of the first weeks (or of ``window``: the past, for step
    ``history``); return the number of assignments.

    Only members of the required team (leads for lead slots), never over ``maximum``,
    never one person in two overlapping occurrences, at most their weekly cap.
    """
    fill_start, fill_end = window or (
        ctx.local_utc(ctx.start_date, time(0)),
        ctx.local_utc(ctx.start_date + timedelta(weeks=FILL_WEEKS), time(0)))
    rows = session.execute(
        select(OccurrenceRole.id, OccurrenceRole.required_team_id, OccurrenceRole.is_lead,
               OccurrenceRole.maximum, Occurrence.series_id, Occurrence.start_at,
               Occurrence.end_at)
        .join(Occurrence, OccurrenceRole.occurrence_id == Occurrence.id)
        .where(Occurrence.series_id.in_(series_ids), Occurrence.status == "scheduled",
               Occurrence.start_at >= fill_start, Occurrence.start_at < fill_end)
        .order_by(Occurrence.start_at, OccurrenceRole.id)).all()
    busy: dict[int, list[tuple[datetime, datetime]]] = defaultdict(list)
    week_load: dict[tuple[int, int], int] = defaultdict(int)
    load: dict[int, int] = defaultdict(int)

    def week_of(start: datetime) -> int:  # weeks counted on the local calendar
        return (start.astimezone(ctx.zone).date() - ctx.start_date).days // 7

    def free(person, start, end, week):
        return (week_load[(person, week)] < caps[person]
                and not any(s < end and start < e for s, e in busy[person]))

    def take(person, start, end, week):
        busy[person].append((start, end))
        week_load[(person, week)] += 1
        load[person] += 1

    # The forced shifts go first so that nothing else can take their place.
    by_id = {r[0]: r for r in rows}
    for role_id, persons in forced.items():
        row = by_id.get(role_id)
        if row is not None:
            week = week_of(row[5])
            for person in persons:
                take(person, row[5], row[6], week)
    assignments, filled = [], []
    for role_id, team_id, is_lead, maximum, series_id, start, end in rows:
        kind = kind_of[series_id]
        lead_key = is_lead if kind != "talk" else team_id is None
        weights = _FILL_WEIGHTS[(kind, lead_key)]
        wanted = min(maximum, rng.choices(range(len(weights)), weights)[0])
        chosen = list(forced.get(role_id, ()))
        week = week_of(start)
        if len(chosen) < wanted:
            pool = pools.get((team_id, bool(is_lead)), ())
            candidates = rng.sample(pool, len(pool))
            candidates.sort(key=load.__getitem__)  # stable: ties stay shuffled
            for person in candidates:
                if len(chosen) >= wanted:
                    break
                if person not in chosen and free(person, start, end, week):
                    take(person, start, end, week)
                    chosen.append(person)
        for person in chosen:
            assignments.append({
                "occurrence_role_id": role_id, "person_id": person, "status": "confirmed",
                "waitlist_position": None, "assigned_by_id": None, "needs_notice": False,
                "attended": None, "minutes_served": None, "created_at": ctx.now,
                "updated_at": ctx.now})
        if chosen:
            filled.append({"id": role_id, "filled": len(chosen)})
    if assignments:
        insert_rows(session, Assignment, assignments)
        session.execute(update(OccurrenceRole), filled)
    return len(assignments)
