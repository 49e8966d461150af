"""The demo loader: one township (9 communities, 606 retired members) built N times.

Everything is deterministic (``random.Random`` seeded per copy) and written with bulk
core inserts, so that ``--scale 170`` (about 103,000 people and 86,000 patrol
occurrences) loads in minutes on SQLite. Occurrences are expanded by
``services.schedule.horizon.materialize``; this module only adds the series and then fills
a realistic share of the slots of the first two weeks. Like every service it flushes
and never commits.

This module orchestrates one copy in named steps, each in its own module: ``people``
(members and logins), ``teams`` (who is in which team), ``venues``, ``series`` (with
their roles and care recipients), then the occurrences, then ``fill``, then (copy 1 only:
the demo township) ``history``, its last six months of rolls.
"""
from __future__ import annotations

import random
from datetime import datetime, timedelta, timezone

from sqlalchemy import func, select

from ..domain.errors import DomainError
from ..domain.recurrence import get_zone
from ..models import Account, AppSetting, Community
from ..services.attendance import AttendanceSettings
from ..services.schedule.horizon import materialize
from . import care, fill, history, people, series, teams, venues
from . import data as D
from .common import Context, insert_ids

SEED = 25                 # the study day: any fixed value keeps the demo reproducible


def has_data(session) -> bool:
    """Return True when any community exists (the demo is then not loaded)."""
    return session.scalar(select(Community.id).limit(1)) is not None


def seed_demo(session, *, scale: int = 1, now: datetime, password_hash: str,
              horizon_weeks: int = 12, timezone_name: str = "Asia/Shanghai") -> dict[str, int]:
    """Load the demo township ``scale`` times; return counts of what was created.

    Copy 1 is the township itself (codes C01..C09); copy k > 1 gets names suffixed
    "（第k片区）" and codes C01-k... . The demo logins (admin, leader, coordinator,
    volunteer) are made once; every other member with a phone gets a volunteer login
    by phone number. All logins share ``password_hash``.
    """
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError("now must be an aware datetime")
    if scale < 1:
        raise DomainError("The scale must be at least 1.", field="scale")
    if has_data(session):
        raise DomainError("Data is present: the demo can only be loaded into an empty "
                          "database.")
    teams.check_room_plan()
    zone = get_zone(timezone_name)
    local_today = now.astimezone(zone).date()
    ctx = Context(
        now=now.astimezone(timezone.utc), zone=zone, zone_name=timezone_name,
        start_date=local_today - timedelta(days=local_today.weekday()),
        horizon_end=now + timedelta(weeks=horizon_weeks), password_hash=password_hash,
        taken_usernames={u.lower() for u in session.scalars(
            select(Account.username).where(func.lower(Account.username).in_(people.DEMO_USERNAMES)))
            if u})
    counts = dict.fromkeys(("communities", "people", "accounts", "teams", "venues", "series",
                            "occurrences", "assignments"), 0)
    for copy in range(1, scale + 1):
        for key, value in _build_copy(session, ctx, copy).items():
            counts[key] = counts.get(key, 0) + value
    session.merge(AppSetting(key="demo_loaded", value="1"))
    session.flush()
    return counts


# -- one township copy -----------------------------------------------------------------

def _build_copy(session, ctx: Context, copy: int) -> dict[str, int]:
    """Build copy ``copy`` step by step; return counts of what it created."""
    rng = random.Random(f"demo-{SEED}-{copy}")
    suffix = "" if copy == 1 else f"（第{copy}片区）"
    first_copy = copy == 1

    community_names = [name + suffix for name, _code in D.COMMUNITIES]
    code_suffix = "" if first_copy else f"-{copy}"
    community_ids = insert_ids(session, Community, [
        {"name": name, "code": code + code_suffix, "is_public_feed": False}
        for name, (_n, code) in zip(community_names, D.COMMUNITIES)])

    members = people.make_people(ctx, rng, community_names)
    plan = teams.plan_teams(rng, members, len(community_ids))
    pid = people.insert_people(session, ctx, members, plan.committees,
                               plan.demo_volunteer if first_copy else None, community_ids)
    made_teams = teams.insert_teams(session, plan, pid, community_ids, community_names,
                                    suffix)
    made_venues = venues.insert_venues(session, rng, community_ids, community_names, suffix)
    made_series = series.insert_series(session, ctx, rng, community_ids, community_names,
                                       made_teams, made_venues,
                                       history_weeks=history.WEEKS if first_copy else 0,
                                       care_through_services=0 if first_copy else None)
    session.flush()
    occurrences = materialize(session, made_series.ids, ctx.horizon_end, ctx.now)

    demo_logins = None
    forced: dict[int, list[int]] = {}
    if first_copy:
        volunteer_pid = pid[plan.demo_volunteer]
        demo_logins = {"admin": None, "leader": None,
                       "coordinator": pid[plan.branch[0][0][0]], "volunteer": volunteer_pid}
        forced = fill.volunteer_shift(session, made_series.ids[0], made_teams.patrol[0],
                                      ctx.now, volunteer_pid)
    caps = {pid[i]: (members.max_shifts[i] or fill.DEFAULT_WEEKLY_CAP)
            for i in range(len(pid))}
    pools = fill.slot_pools(made_teams, plan.branch, [s == "active" for s in members.status],
                            pid)
    assignments = fill.fill(session, ctx, rng, made_series.with_slots, made_series.kinds,
                            pools, caps, forced)

    accounts = people.insert_logins(session, ctx, members, pid, demo=demo_logins,
                                    scope_community_id=community_ids[0])
    session.flush()
    past: dict[str, int] = {}
    if first_copy:
        coordinator = session.scalar(select(Account.id).where(
            Account.person_id == demo_logins["coordinator"]))
        past = history.add_history(
            session, ctx, rng, series_ids=made_series.ids, with_slots=made_series.with_slots,
            kinds=made_series.kinds, pools=pools, caps=caps,
            active=[pid[i] for i, s in enumerate(members.status) if s == "active"],
            keep={demo_logins["volunteer"], demo_logins["coordinator"]},
            coordinator_account_id=coordinator, community_id=community_ids[0],
            settings=AttendanceSettings(organisation="街道退休党员志愿服务队"))
        past |= care.add_care(session, ctx, coordinator_account_id=coordinator,
                              community_id=community_ids[0], team_id=made_teams.care[0])
    return past | {"communities": len(community_ids), "people": len(pid), "accounts": accounts,
            "teams": len(made_teams.ids), "venues": len(made_venues.ids),
            "series": len(made_series.ids), "occurrences": occurrences,
            "assignments": assignments}
