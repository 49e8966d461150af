"""The coordinators' daily digest and the leaders' weekly summary: what they say, and the
delivery rows that carry them (one per account and channel, keyed by the period)."""
from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from ...models import (
    Account,
    Assignment,
    AuditEntry,
    Community,
    CoordinatorScope,
    Occurrence,
    OccurrenceRole,
    Person,
    Series,
    SwapOffer,
)
from ..attendance import AttendanceSettings
from ..attendance.outcome import week_outcome
from ..attendance.roll import pending_rolls
from . import NotifySettings
from .planning import account_recipients, insert_deliveries, staff_rows

DIGEST_DAYS = 3
LIST_LIMIT = 15
GAPS_LIMIT = 5


def _line(title, start: datetime, community, extra: dict) -> dict:
    return {"title": title, "start": start.isoformat(), "community": community, **extra}


def digest_contents(session, now: datetime, attendance: AttendanceSettings | None = None
                    ) -> dict[int | None, dict]:
    """Return, per community id, the unfilled places of the next three days, the new
    swap offers and withdrawals of the last 24 hours, and the rolls not taken yet."""
    since = now - timedelta(days=1)
    out: dict[int | None, dict] = defaultdict(lambda: {"unfilled": [], "swaps": [],
                                                       "withdrawals": [], "rolls": []})
    gaps = session.execute(
        select(Series.community_id, Series.title, Occurrence.start_at, Community.name,
               OccurrenceRole.name, OccurrenceRole.needed - OccurrenceRole.filled,
               Occurrence.id)
        .join(Occurrence, OccurrenceRole.occurrence_id == Occurrence.id)
        .join(Series, Occurrence.series_id == Series.id)
        .outerjoin(Community, Series.community_id == Community.id)
        .where(Occurrence.status == "scheduled", Occurrence.start_at >= now,
               Occurrence.start_at < now + timedelta(days=DIGEST_DAYS),
               OccurrenceRole.filled < OccurrenceRole.needed)
        .order_by(Occurrence.start_at, OccurrenceRole.id))
    for cid, title, start, cname, role, missing, occ_id in gaps:
        out[cid]["unfilled"].append(_line(title, start, cname, {
            "role": role, "missing": int(missing), "occurrence_id": occ_id}))
    swaps = session.execute(
        select(Series.community_id, Series.title, Occurrence.start_at, Community.name,
               Person.full_name, SwapOffer.status)
        .join(Assignment, SwapOffer.assignment_id == Assignment.id)
        .join(OccurrenceRole, Assignment.occurrence_role_id == OccurrenceRole.id)
        .join(Occurrence, OccurrenceRole.occurrence_id == Occurrence.id)
        .join(Series, Occurrence.series_id == Series.id)
        .join(Person, Assignment.person_id == Person.id)
        .outerjoin(Community, Series.community_id == Community.id)
        .where(SwapOffer.offered_at >= since, SwapOffer.offered_at < now,
               SwapOffer.status.in_(("open", "pending")))
        .order_by(Occurrence.start_at))
    for cid, title, start, cname, name, status in swaps:
        out[cid]["swaps"].append(_line(title, start, cname, {"person": name,
                                                              "status": status}))
    withdrawn = session.execute(
        select(Series.community_id, Series.title, Occurrence.start_at, Community.name,
               Person.full_name)
        .select_from(AuditEntry)
        .join(Assignment, Assignment.id == AuditEntry.entity_id)
        .join(OccurrenceRole, Assignment.occurrence_role_id == OccurrenceRole.id)
        .join(Occurrence, OccurrenceRole.occurrence_id == Occurrence.id)
        .join(Series, Occurrence.series_id == Series.id)
        .join(Person, Assignment.person_id == Person.id)
        .outerjoin(Community, Series.community_id == Community.id)
        .where(AuditEntry.action == "assignment.withdraw", AuditEntry.entity == "assignment",
               AuditEntry.at >= since, AuditEntry.at < now)
        .order_by(Occurrence.start_at))
    for cid, title, start, cname, name in withdrawn:
        out[cid]["withdrawals"].append(_line(title, start, cname, {"person": name}))
    names = dict(session.execute(select(Community.id, Community.name)).all())
    for occurrence, series in pending_rolls(session, None, now,
                                            attendance or AttendanceSettings(), limit=500):
        out[series.community_id]["rolls"].append(_line(
            series.title, occurrence.start_at, names.get(series.community_id),
            {"kind": series.kind, "occurrence_id": occurrence.id}))
    return out


def _merge(contents: dict, community_ids: list[int]) -> dict:
    merged = {"unfilled": [], "swaps": [], "withdrawals": [], "rolls": []}
    for cid in community_ids:
        for key in merged:
            merged[key] += contents.get(cid, {}).get(key, [])
    counts = {f"{key}_total": len(value) for key, value in merged.items()}
    counts["missing_total"] = sum(line["missing"] for line in merged["unfilled"])
    for key, value in merged.items():
        value.sort(key=lambda line: line["start"])
        merged[key] = value[:LIST_LIMIT]
    return merged | counts


def plan_digests(session, now: datetime, settings: NotifySettings,
                 attendance: AttendanceSettings | None = None) -> int:
    """Plan today's digest for every coordinator who has something to read; returns how
    many deliveries were added. The period is the local date: once per day."""
    day = now.astimezone(ZoneInfo(settings.zone)).date()
    contents = digest_contents(session, now, attendance)
    scopes: dict[int, list[int]] = defaultdict(list)
    for account_id, community_id in session.execute(
            select(CoordinatorScope.account_id, CoordinatorScope.community_id)
            .join(Account, Account.id == CoordinatorScope.account_id)
            .order_by(CoordinatorScope.community_id)):
        scopes[account_id].append(community_id)
    rows: list[dict] = []
    for recipient in account_recipients(session, "coordinator"):
        communities = scopes.get(recipient[0], [])
        body = _merge(contents, communities)
        if not (body["unfilled_total"] or body["swaps_total"] or body["withdrawals_total"]
                or body["rolls_total"]):
            continue  # nothing to report: no message
        rows += staff_rows("digest", recipient, day.isoformat(), body, now, settings,
                           expires_at=now + timedelta(hours=14))
    return insert_deliveries(session, rows)


def weekly_contents(session, monday: date, zone: str, now: datetime | None = None) -> dict:
    """Return the weekly plan's figures of the week starting ``monday`` and its biggest
    gaps (from ``services.plan``, the plan page's own numbers)."""
    from ..plan import biggest_gaps, week_figures

    figures = week_figures(session, None, monday, zone)
    tz = ZoneInfo(zone)
    start = datetime.combine(monday, datetime.min.time(), tzinfo=tz)
    gaps = biggest_gaps(session, None, start, start + timedelta(days=7), GAPS_LIMIT)
    coverage = figures.coverage
    last = week_outcome(session, monday - timedelta(days=7), zone, now or start)
    return {"monday": monday.isoformat(),
            # Last week's outcome: what happened, next to what is planned.
            "outcome": {"monday": last.monday.isoformat(), "rate": last.rate,
                        "served": last.served, "absent": last.absent,
                        "excused": last.excused, "hours": last.service_hours,
                        "rolls_not_taken": last.rolls_not_taken}, "by_kind": dict(figures.by_kind),
            "occurrences": sum(figures.by_kind.values()), "cancelled": figures.cancelled,
            "needed": figures.needed, "filled": figures.filled,
            "coverage": None if coverage is None else round(coverage * 100),
            "volunteers": figures.volunteers,
            "planned_hours": round(float(figures.planned_hours), 1),
            "open_places": figures.needed - figures.filled,
            "top_open": [[name, int(n)] for name, n in figures.top_open],
            # Leaders do not read care visits' titles (they may name the person visited).
            "gaps": [{"title": None if g.kind == "care" else g.title, "kind": g.kind,
                      "community": g.community_name,
                      "start": g.start_at.isoformat(), "missing": int(g.missing),
                      "occurrence_id": g.occurrence_id} for g in gaps]}


def plan_weekly(session, now: datetime, settings: NotifySettings) -> int:
    """Plan this week's summary for every leader; returns how many deliveries were added.
    The period is the week's Monday: once per week."""
    today = now.astimezone(ZoneInfo(settings.zone)).date()
    monday = today - timedelta(days=today.weekday())
    body = weekly_contents(session, monday, settings.zone, now)
    rows: list[dict] = []
    for recipient in account_recipients(session, "leader"):
        rows += staff_rows("weekly", recipient, monday.isoformat(), body, now, settings,
                           expires_at=now + timedelta(days=2))
    return insert_deliveries(session, rows)
