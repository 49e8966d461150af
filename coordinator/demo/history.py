"""Demo step "history": the demo township's last six months, so that every page about
what happened has something to show after ``make run``.

The recurring series of copy 1 began ``WEEKS`` weeks ago (step ``series``), so their past
occurrences exist; this step fills their slots as step ``fill`` does (members who drift
away stop signing up three months back), takes the roll of most of them (some no-shows,
leaves with their reasons, late arrivals, a few leaving early), lets the coordinator
correct a few closed rolls through ``services.attendance.corrections`` (recorded as added
by staff), records the star levels the busiest reached and a few certificates.

Roll rows are written in bulk with the same rules ``roll.write_entry`` applies
(``domain.attendance``: actual times, capped minutes, service or organisational life):
about 15,000 rows one flush at a time would triple ``flask seed-demo``. Star levels reached
in the past are history, not news: no messages are planned for them. Certificates are
written in the shape the certificate service will write them (it is not on main yet).
"""
from __future__ import annotations

import random
from collections import defaultdict
from datetime import time, timedelta

from sqlalchemy import select

from ..domain.attendance import actual_times, local_day, served_minutes, star_level
from ..models import (
    Account,
    Assignment,
    AttendanceEntry,
    Occurrence,
    OccurrenceRole,
    Person,
    Series,
    StarAward,
    TeamMember,
)
from ..services.attendance import AttendanceSettings
from ..services.attendance.corrections import correct
from ..vocab import LEAVE_REASONS
from . import fill
from .common import Context, insert_rows

WEEKS = 26                 # six months of history
DRIFT_WEEKS_AGO = 14       # members who drift away stop taking part from then on
DRIFT_SHARE = 0.06
ROLL_TAKEN = 0.94          # the share of past rolls that were taken at all
STATUSES = ("present", "late", "left_early", "absent", "excused")
WEIGHTS = (83, 6, 2, 5, 4)
LEAVE_NOTES = {"illness": "感冒发烧", "away": "去乌鲁木齐看孙子", "family": "家里有事",
               "other": "参加老年大学考试"}
CORRECTIONS = 6


def add_history(session, ctx: Context, rng: random.Random, *, series_ids: list[int],
                with_slots: list[int], kinds: dict[int, str], pools: dict,
                caps: dict[int, int], active: list[int], keep: set[int],
                coordinator_account_id: int, community_id: int,
                settings: AttendanceSettings) -> dict[str, int]:
    """Fill, roll and correct the past ``WEEKS`` weeks of ``series_ids``; return counts."""
    begin = ctx.local_utc(ctx.start_date - timedelta(weeks=WEEKS), time(0))
    cutoff = ctx.local_utc(ctx.start_date - timedelta(weeks=DRIFT_WEEKS_AGO), time(0))
    end = ctx.local_utc(ctx.start_date, time(0))
    candidates = [p for p in active if p not in keep]
    drifted = set(rng.sample(candidates, int(len(candidates) * DRIFT_SHARE)))
    staying = {key: [p for p in pool if p not in drifted] for key, pool in pools.items()}
    assigned = fill.fill(session, ctx, rng, with_slots, kinds, pools, caps, {},
                         window=(begin, cutoff))
    assigned += fill.fill(session, ctx, rng, with_slots, kinds, staying, caps, {},
                          window=(cutoff, end))
    occurrences = session.execute(
        select(Occurrence.id, Occurrence.start_at, Occurrence.end_at, Series.kind,
               Series.community_id, Series.participation, Series.team_id)
        .join(Series, Occurrence.series_id == Series.id)
        .where(Occurrence.series_id.in_(series_ids), Occurrence.status == "scheduled",
               Occurrence.start_at >= begin, Occurrence.start_at < end)
        .order_by(Occurrence.start_at, Occurrence.id)).all()
    confirmed: dict[int, list[int]] = defaultdict(list)
    for occurrence_id, person_id in session.execute(
            select(OccurrenceRole.occurrence_id, Assignment.person_id)
            .join(Assignment, Assignment.occurrence_role_id == OccurrenceRole.id)
            .join(Occurrence, OccurrenceRole.occurrence_id == Occurrence.id)
            .where(Occurrence.series_id.in_(series_ids), Occurrence.start_at >= begin,
                   Occurrence.start_at < end, Assignment.status == "confirmed")
            .order_by(Assignment.id)):
        confirmed[occurrence_id].append(person_id)
    team_ids = {o.team_id for o in occurrences if o.participation == "team"}
    members: dict[int, list[int]] = defaultdict(list)
    for team_id, person_id in session.execute(
            select(TeamMember.team_id, TeamMember.person_id)
            .where(TeamMember.team_id.in_(team_ids)).order_by(TeamMember.id)):
        members[team_id].append(person_id)
    rows = []
    for o in occurrences:
        if rng.random() > ROLL_TAKEN:
            continue  # nobody took this roll: everyone on it stays "not recorded"
        people = confirmed.get(o.id, ()) if o.participation == "slots" else \
            members.get(o.team_id, ())
        for person_id in dict.fromkeys(people):
            gone = person_id in drifted and o.start_at >= cutoff
            status = "absent" if gone else rng.choices(STATUSES, WEIGHTS)[0]
            rows.append(_row(rng, o, person_id, status, coordinator_account_id, settings))
    insert_rows(session, AttendanceEntry, rows)
    corrected = _corrections(session, ctx, rng, coordinator_account_id, community_id,
                             settings)
    session.flush()
    stars = _stars(session, ctx, settings)
    certificates = _certificates(session, ctx, rng, community_id, coordinator_account_id,
                                 begin, end, settings)
    return {"history_assignments": assigned, "attendance_entries": len(rows),
            "corrections": corrected, "drifted": len(drifted), "star_awards": stars,
            "certificates": certificates}


def _row(rng, o, person_id, status, marked_by, settings) -> dict:
    """One roll row, computed as ``roll.write_entry`` computes it."""
    start = end = None
    if status == "late":
        start = o.start_at + timedelta(minutes=rng.choice((10, 15, 20, 30, 40)))
    elif status == "left_early":
        end = o.end_at - timedelta(minutes=rng.choice((20, 30, 45)))
    begin, finish = actual_times(status, o.start_at, o.end_at, start, end)
    reason = rng.choice(LEAVE_REASONS.codes) if status == "excused" else None
    return {"occurrence_id": o.id, "person_id": person_id, "community_id": o.community_id,
            "kind": o.kind, "start_at": o.start_at, "status": status,
            "day": local_day(o.start_at, settings.zone),
            "actual_start": begin, "actual_end": finish,
            "minutes": served_minutes(status, o.start_at, o.end_at, begin, finish,
                                      settings.grace),
            "is_service": settings.is_service(o.kind),
            "source": "leave" if status == "excused" else "roll", "is_walk_in": False,
            "leave_reason": reason, "leave_note": LEAVE_NOTES.get(reason),
            "checked_in_at": None, "checked_out_at": None,
            "marked_by_id": None if status == "excused" else marked_by,
            "marked_at": (o.start_at - timedelta(days=1)) if status == "excused"
            else o.end_at + timedelta(minutes=10), "version": 1}


def _corrections(session, ctx, rng, coordinator_account_id, community_id, settings) -> int:
    """The coordinator corrects a few no-shows of their community: the sign-in sheet
    showed them there (补录), through the corrections service."""
    actor = session.get(Account, coordinator_account_id)
    absent = session.execute(
        select(AttendanceEntry.occurrence_id, AttendanceEntry.person_id)
        .where(AttendanceEntry.community_id == community_id,
               AttendanceEntry.status == "absent",
               AttendanceEntry.start_at < ctx.now - timedelta(days=7))
        .order_by(AttendanceEntry.id)).all()
    done = 0
    for occurrence_id, person_id in rng.sample(absent, min(CORRECTIONS, len(absent))):
        correct(session, actor, occurrence_id, session.get(Person, person_id), "present",
                None, None, "签到表上有本人签名，补录", ctx.now, settings)
        done += 1
    return done


def _service_totals(session) -> dict[int, tuple[int, int]]:
    from sqlalchemy import func
    return {pid: (int(m or 0), int(n)) for pid, m, n in session.execute(
        select(AttendanceEntry.person_id, func.sum(AttendanceEntry.minutes), func.count())
        .where(AttendanceEntry.is_service.is_(True), AttendanceEntry.minutes > 0)
        .group_by(AttendanceEntry.person_id))}


def _stars(session, ctx, settings) -> int:
    rows = []
    for pid, (minutes, _n) in _service_totals(session).items():
        for level in range(1, star_level(minutes / 60, settings.star_hours) + 1):
            rows.append({"person_id": pid, "level": level,
                         "hours": settings.star_hours[level - 1], "reached_at": ctx.now})
    insert_rows(session, StarAward, rows)
    return len(rows)


def _certificates(session, ctx, rng, community_id, issued_by, begin, end, settings) -> int:
    """Certificates issued by the coordinator to the three busiest volunteers of the first
    community, through the certificate service (numbered, audited, figures frozen)."""
    from sqlalchemy import func

    from ..services.attendance import certificates
    e = AttendanceEntry
    top = session.scalars(
        select(e.person_id).where(e.is_service.is_(True), e.minutes > 0,
                                  e.community_id == community_id)
        .group_by(e.person_id).order_by(func.sum(e.minutes).desc(), e.person_id)
        .limit(3)).all()
    actor = session.get(Account, issued_by)
    first = begin.astimezone(ctx.zone).date()
    last = (end - timedelta(days=1)).astimezone(ctx.zone).date()
    for pid in top:
        certificates.issue(session, actor, pid, first, last, ctx.now, settings)
    return len(top)

