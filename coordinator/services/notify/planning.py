"""Plan the messages that are due: one delivery row per recipient and channel.

Rows are inserted with ``ON CONFLICT (dedup_key) DO NOTHING`` and committed by the caller
*before* anything is sent, so a second scheduler, a restart or a crash can never plan the
same message twice. Everything a message needs to be written is copied into its payload
(the recipient's address and language, the shift's title, time and place), so sending
needs no further queries — except the reminder's check that the shift still stands.
"""
from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import and_, exists, or_, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import aliased

from ...domain.dates import calendar_sequence
from ...domain.notify import channels_for, dedup_key, due_reminder, is_urgent, iso_minute
from ...models import (
    Account,
    Assignment,
    Community,
    Delivery,
    Occurrence,
    OccurrenceRole,
    Person,
    Series,
    Venue,
)
from . import NotifySettings

REMINDERS = ((2, "reminder2"), (24, "reminder24"))
# A care visit's title, place and reason may name the person visited, their ward or their
# illness: only its confirmed visitors (and the community's coordinators) read them.
# Anyone else told about it (waitlisted, removed, swapped out, a cancelled visit's people,
# who are all withdrawn by then) reads "Care visit" and the time.
PRIVATE = {"private": True, "title": None, "venue": None, "reason": None}
NOTICE_REASONS = ("moved", "cancelled", "removed", "promoted", "assigned", "swapped_in",
                  "swapped_out", "changed")


def insert_deliveries(session, rows: list[dict]) -> int:
    """Insert delivery rows, skipping keys that exist; return how many were new."""
    if not rows:
        return 0
    dialect = session.get_bind().dialect.name
    make = pg_insert if dialect == "postgresql" else sqlite_insert
    added = 0
    for i in range(0, len(rows), 500):
        stmt = make(Delivery.__table__).values(rows[i:i + 500]).on_conflict_do_nothing(
            index_elements=["dedup_key"]).returning(Delivery.__table__.c.id)
        # RETURNING, not rowcount: psycopg reports no count for this statement.
        added += len(session.execute(stmt).all())
    return added


def delivery_row(*, kind: str, recipient: str, subject: str, channel: str, now: datetime,
                 due: datetime, payload: dict, account_id: int | None,
                 person_id: int | None, occurrence_id: int | None = None,
                 ref_at: datetime | None = None, expires_at: datetime | None = None,
                 urgent: bool = False) -> dict:
    """Return the column values of one pending delivery."""
    return {"account_id": account_id, "person_id": person_id, "kind": kind,
            "dedup_key": dedup_key(kind, recipient, subject, channel), "channel": channel,
            "status": "pending", "attempts": 0, "next_attempt_at": due, "sent_at": None,
            "last_error": None, "payload": payload, "created_at": now,
            "occurrence_id": occurrence_id, "ref_at": ref_at, "expires_at": expires_at,
            "urgent": urgent, "claim_token": None, "claimed_at": None}


def _shift_columns():
    return (Occurrence.id, Occurrence.start_at, Occurrence.end_at, Occurrence.shown_at,
            Occurrence.shown_at, Occurrence.status, Occurrence.reason, Series.kind,
            Series.title, OccurrenceRole.name, Venue.name, Community.name, Person.id,
            Person.email, Person.phone, Account.id, Account.is_enabled,
            Account.notify_email, Account.notify_sms, Account.locale, Account.remind_24h,
            Account.remind_2h)


def _joined(query):
    return (query.join(OccurrenceRole, Assignment.occurrence_role_id == OccurrenceRole.id)
            .join(Occurrence, OccurrenceRole.occurrence_id == Occurrence.id)
            .join(Series, Occurrence.series_id == Series.id)
            .join(Person, Assignment.person_id == Person.id)
            .outerjoin(Account, Account.person_id == Person.id)
            .outerjoin(Venue, Occurrence.venue_id == Venue.id)
            .outerjoin(Community, Series.community_id == Community.id))


def _shift_payload(row, settings: NotifySettings) -> dict:
    (occ_id, start, end, shown, updated, _status, reason, kind, title, role, venue, community,
     _pid, email, phone, _aid, _enabled, _ne, _ns, locale, _r24, _r2) = row
    # The attached event counts SEQUENCE as the feeds do: seconds since 2000 of the last
    # change the event shows (feeds/content.py), so a calendar holding both agrees.
    seq = calendar_sequence(shown or start)
    return {"occurrence_id": occ_id, "start": start.isoformat(), "end": end.isoformat(),
            "seq": seq, "updated": (updated or start).isoformat(), "kind": kind,
            "title": title, "role": role, "venue": venue, "community": community,
            "reason": reason, "email": email, "phone": phone,
            "locale": locale or settings.default_locale}


def _channels(row) -> tuple[str, ...]:
    account_id, enabled = row[15], row[16]
    return channels_for(has_account=account_id is not None and bool(enabled), email=row[13],
                        phone=row[14], notify_email=row[17], notify_sms=row[18])


def plan_reminders(session, now: datetime, settings: NotifySettings) -> int:
    """Plan the shift reminders that are due; return how many deliveries were added.

    For each confirmed assignment whose shift is still ahead, the reminder due now is the
    smallest of the volunteer's chosen offsets (24 h, 2 h) whose time has come; after
    downtime that is the one still worth sending. People without an account get the
    default offsets on e-mail/SMS. A longer reminder of the same shift still waiting
    (held by quiet hours, or retrying) is skipped once the shorter one is planned.
    """
    rows: list[dict] = []
    planned_short = False
    for hours, kind in REMINDERS:
        flag = Account.remind_2h if hours == 2 else Account.remind_24h
        planned = exists().where(Delivery.person_id == Assignment.person_id,
                                 Delivery.occurrence_id == Occurrence.id,
                                 Delivery.kind == kind, Delivery.ref_at == Occurrence.start_at)
        query = _joined(select(*_shift_columns()).select_from(Assignment)).where(
            Assignment.status == "confirmed", Occurrence.status == "scheduled",
            Occurrence.start_at > now, Occurrence.start_at <= now + timedelta(hours=hours),
            or_(Account.id.is_(None), flag.is_(True)), ~planned)
        seen: set[tuple[int, int]] = set()
        for row in session.execute(query):
            occ_id, start, person_id, account_id = row[0], row[1], row[12], row[15]
            chosen = tuple(h for h, on in ((24, row[20]), (2, row[21]))
                           if on or account_id is None)
            if due_reminder(start, now, chosen) != hours or (person_id, occ_id) in seen:
                continue
            seen.add((person_id, occ_id))
            planned_short = planned_short or hours == 2
            payload = _shift_payload(row, settings) | {"hours": hours}
            for channel in _channels(row):
                rows.append(delivery_row(
                    kind=kind, recipient=f"p{person_id}",
                    subject=f"o{occ_id}@{iso_minute(start)}", channel=channel, now=now,
                    due=start - timedelta(hours=hours), payload=payload,
                    account_id=account_id,
                    person_id=person_id, occurrence_id=occ_id, ref_at=start,
                    expires_at=start))
    added = insert_deliveries(session, rows)
    if planned_short:
        _skip_superseded(session)
    return added


def _skip_superseded(session) -> int:
    """Skip the pending 24 h reminders of shifts whose 2 h reminder is planned: never two
    reminders of one shift in one go, nor "tomorrow" after "in 2 hours".

    One set-based UPDATE over the (few) pending 24 h reminders, each checked against the
    subject index; conditional on ``status = 'pending'``, like a claim: a row already
    claimed is being sent now, before the new one (planning precedes sending in the one
    scheduler).
    """
    two = aliased(Delivery)
    superseded = exists().where(two.person_id == Delivery.person_id,
                                two.occurrence_id == Delivery.occurrence_id,
                                two.kind == "reminder2", two.ref_at == Delivery.ref_at)
    return session.execute(
        update(Delivery).where(Delivery.kind == "reminder24", Delivery.status == "pending",
                               superseded)
        .values(status="skipped",
                last_error="superseded by the 2-hour reminder of the same shift")
        .execution_options(synchronize_session=False)).rowcount or 0


def plan_notices(session, now: datetime, settings: NotifySettings) -> int:
    """Turn every ``needs_notice`` flag into change notices and clear the flag, in the
    same transaction (the flag rows are locked on PostgreSQL; SQLite's write transaction
    is already exclusive). Returns how many deliveries were added."""
    query = _joined(select(Assignment.id, Assignment.status, Assignment.notice_reason,
                           Assignment.updated_at, *_shift_columns())
                    .select_from(Assignment)).where(Assignment.needs_notice.is_(True))
    if session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(of=Assignment)
    rows: list[dict] = []
    flagged: list[int] = []
    for row in session.execute(query):
        assignment_id, status, reason, changed_at = row[0], row[1], row[2], row[3]
        shift = row[4:]
        flagged.append(assignment_id)
        start = shift[1]
        if start <= now:
            continue  # the shift has started: too late for a notice
        # Confirmed now, or until a cancellation withdrew them ("cancelled_w": waiting).
        was_on_it = status == "confirmed" or (status == "withdrawn" and reason == "cancelled")
        if reason not in NOTICE_REASONS:
            reason = ("cancelled" if shift[5] == "cancelled"
                      else "removed" if status == "withdrawn" else "changed")
        payload = _shift_payload(shift, settings) | {"change": reason, "status": status}
        if shift[7] == "care" and not was_on_it:
            payload |= PRIVATE
        subject = f"a{assignment_id}:{reason}:{shift[3]}:{iso_minute(start)}:" + (
            changed_at.isoformat() if changed_at else "")
        person_id, account_id = shift[12], shift[15]
        for channel in _channels(shift):
            rows.append(delivery_row(
                kind="notice", recipient=f"p{person_id}", subject=subject, channel=channel,
                now=now, due=now, payload=payload, account_id=account_id,
                person_id=person_id, occurrence_id=shift[0], ref_at=start, expires_at=start,
                urgent=is_urgent(start, now, settings.zone, settings.quiet_start,
                                 settings.quiet_end, settings.urgent_margin)))
    added = insert_deliveries(session, rows)
    if flagged:
        for i in range(0, len(flagged), 500):
            session.execute(update(Assignment).where(Assignment.id.in_(flagged[i:i + 500]))
                            .values(needs_notice=False, notice_reason=None)
                            .execution_options(synchronize_session=False))
    return added


def account_recipients(session, role: str) -> list[tuple]:
    """Return (account id, person id, e-mail, phone, notify_email, notify_sms, locale) of
    the enabled accounts holding ``role`` (for "leader": coordinators who are also
    leaders too)."""
    holds = Account.role == role
    if role == "leader":
        holds = or_(holds, and_(Account.role == "coordinator", Account.is_also_leader))
    return list(session.execute(
        select(Account.id, Person.id, Person.email, Person.phone, Account.notify_email,
               Account.notify_sms, Account.locale)
        .outerjoin(Person, Account.person_id == Person.id)
        .where(holds, Account.is_enabled.is_(True)).order_by(Account.id)))


def staff_rows(kind: str, recipient, period: str, payload: dict, now: datetime,
               settings: NotifySettings, expires_at: datetime | None = None) -> list[dict]:
    """Return the delivery rows of a digest or summary for one staff account."""
    account_id, person_id, email, phone, notify_email, notify_sms, locale = recipient
    payload = payload | {"email": email, "phone": phone,
                         "locale": locale or settings.default_locale, "period": period}
    channels = channels_for(has_account=True, email=email, phone=phone,
                            notify_email=notify_email, notify_sms=notify_sms)
    return [delivery_row(kind=kind, recipient=f"a{account_id}", subject=period,
                         channel=channel, now=now, due=now, payload=payload,
                         account_id=account_id, person_id=person_id, expires_at=expires_at)
            for channel in channels]
