"""Star levels (星级志愿者): tell a volunteer and their community's coordinators, exactly
once, when their recorded service hours pass a threshold.

Run by the scheduler (``jobs.tasks.stars``), never by a write path: a roll, a check-in or
a correction changes nothing here. Each pass looks only at people whose rows were written
since the previous pass (an overlap of ``OVERLAP`` covers transactions that committed late
with an earlier ``marked_at``), sums their service minutes in one grouped query, and
inserts one ``StarAward`` per (person, level) reached with ``ON CONFLICT DO NOTHING``.
Only the pass whose insert returned the row plans the messages, and their dedup keys are
unique too, so two passes at once, a crash or a re-run never tell anyone twice.
"""
from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from ...domain.attendance import star_level
from ...domain.notify import channels_for
from ...models import Account, AttendanceEntry, CoordinatorScope, Person, StarAward
from ..attendance import AttendanceSettings
from ..notify import NotifySettings
from ..notify.planning import delivery_row, insert_deliveries

OVERLAP = timedelta(minutes=15)


def service_minutes(session, person_ids=None) -> dict[int, int]:
    """Total recorded service minutes per person (all of them, or ``person_ids``)."""
    query = (select(AttendanceEntry.person_id, func.sum(AttendanceEntry.minutes))
             .where(AttendanceEntry.is_service.is_(True))
             .group_by(AttendanceEntry.person_id))
    if person_ids is not None:
        query = query.where(AttendanceEntry.person_id.in_(person_ids))
    return {pid: int(total or 0) for pid, total in session.execute(query)}


def _touched(session, since: datetime | None) -> list[int] | None:
    if since is None:
        return None  # the first pass reads everyone
    return list(session.scalars(select(AttendanceEntry.person_id).distinct().where(
        AttendanceEntry.marked_at >= since - OVERLAP, AttendanceEntry.is_service.is_(True))))


def _insert_awards(session, rows: list[dict]) -> list[tuple[int, int]]:
    """Insert awards, skipping (person, level) pairs that exist; return the new pairs."""
    if not rows:
        return []
    make = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    table = StarAward.__table__
    added: list[tuple[int, int]] = []
    for i in range(0, len(rows), 500):
        stmt = (make(table).values(rows[i:i + 500])
                .on_conflict_do_nothing(index_elements=["person_id", "level"])
                .returning(table.c.person_id, table.c.level))
        added += [tuple(r) for r in session.execute(stmt)]
    return added


def award_stars(session, now: datetime, settings: AttendanceSettings,
                notify: NotifySettings, since: datetime | None = None) -> int:
    """Write the star levels reached by people with rows written since ``since`` (None:
    everyone) and plan their messages; return how many levels were newly reached."""
    thresholds = settings.star_hours
    if not thresholds:
        return 0
    touched = _touched(session, since)
    if touched == []:
        return 0
    totals = {pid: minutes for pid, minutes in service_minutes(session, touched).items()
              if minutes >= thresholds[0] * 60}
    if not totals:
        return 0
    have: dict[int, int] = dict(session.execute(
        select(StarAward.person_id, func.max(StarAward.level))
        .where(StarAward.person_id.in_(totals)).group_by(StarAward.person_id)).all())
    rows = []
    for pid, minutes in totals.items():
        level = star_level(minutes / 60, thresholds)
        for lv in range(have.get(pid, 0) + 1, level + 1):
            rows.append({"person_id": pid, "level": lv, "hours": thresholds[lv - 1],
                         "reached_at": now})
    added = _insert_awards(session, rows)
    if added:
        _plan_messages(session, added, totals, now, settings, notify)
    session.flush()
    return len(added)


def _plan_messages(session, added, totals, now, settings, notify: NotifySettings) -> None:
    """One delivery per recipient and channel for the highest level each person reached
    in this pass (passing two levels at once is one message, not two)."""
    best: dict[int, int] = {}
    for pid, level in added:
        best[pid] = max(best.get(pid, 0), level)
    people = {p.id: p for p in session.scalars(select(Person).where(Person.id.in_(best)))}
    accounts = {a.person_id: a for a in session.scalars(select(Account).where(
        Account.person_id.in_(best), Account.is_enabled.is_(True)))}
    communities = {p.community_id for p in people.values() if p.community_id}
    coordinators: dict[int, list[tuple]] = {}
    for scope_community, account, person in session.execute(
            select(CoordinatorScope.community_id, Account, Person)
            .join(Account, Account.id == CoordinatorScope.account_id)
            .outerjoin(Person, Person.id == Account.person_id)
            .where(CoordinatorScope.community_id.in_(communities or {-1}),
                   Account.is_enabled.is_(True), Account.role == "coordinator")):
        coordinators.setdefault(scope_community, []).append((account, person))
    rows: list[dict] = []
    for pid, level in sorted(best.items()):
        person = people[pid]
        base = {"name": person.full_name, "level": level,
                "threshold": settings.star_hours[level - 1],
                "hours": round(totals[pid] / 60, 1)}
        recipients = []
        if pid in accounts:
            recipients.append((accounts[pid], person, True))
        recipients += [(a, p, False) for a, p in coordinators.get(person.community_id, ())
                       if a.person_id != pid]
        for account, reader, is_self in recipients:
            email = reader.email if reader else None
            phone = reader.phone if reader else None
            payload = base | {"self": is_self, "email": email, "phone": phone,
                              "locale": account.locale or notify.default_locale}
            for channel in channels_for(has_account=True, email=email, phone=phone,
                                        notify_email=account.notify_email,
                                        notify_sms=account.notify_sms):
                rows.append(delivery_row(
                    kind="star", recipient=f"a{account.id}", subject=f"p{pid}-l{level}",
                    channel=channel, now=now, due=now, payload=payload,
                    account_id=account.id, person_id=pid))
    insert_deliveries(session, rows)
