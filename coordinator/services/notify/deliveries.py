"""Claim, record and recover deliveries; the admin's view of them. Flush, never commit:
the job runner (``coordinator.jobs.deliver``) commits after every step, so that before any
message is handed to a channel every earlier outcome is already durable.

Exactly once, as far as it can be had: a row is claimed by a conditional
``UPDATE … SET status = 'claimed', claim_token = :t WHERE id IN (…) AND status = 'pending'``
(on PostgreSQL the UPDATE re-checks the condition after waiting for a competing claim;
on SQLite writers are serialised), so two schedulers never both hold a row. Rows of one
claim are sent in id order and each outcome is committed before the next send; the same
transaction refreshes ``claimed_at`` of the claim's other rows and returns which are still
held (``still_held``), and the sender sends a row only if it still holds it. So a claim
goes stale only when its sender has recorded nothing for ``NOTIFY_STALE_CLAIM_SECONDS``
(it died, or one send hung that long), and then the smallest still-claimed row is the
only one that may have gone out unrecorded. ``recover_stale`` marks that one failed ("may
have been delivered", for an admin to judge) and puts the others back to pending; a
sender that was alive after all learns it at its next outcome and sends none of them, and
its late "sent" settles the row in doubt. Never a duplicate; at most one message per
sender thread and crash left for a human.
"""
from __future__ import annotations

import hashlib
import json
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm.util import identity_key

from ...domain.notify import backoff
from ...models import (
    Account,
    AppSetting,
    Assignment,
    Delivery,
    Notification,
    Occurrence,
    OccurrenceRole,
    Person,
)
from . import NotifySettings

UNCERTAIN = "interrupted while sending: it may have been delivered; not sent again " \
            "automatically"


@dataclass(frozen=True)
class Claimed:
    """A claimed delivery, as plain values (no ORM object that a commit would expire)."""

    id: int
    kind: str
    channel: str
    dedup_key: str
    payload: dict
    account_id: int | None
    person_id: int | None
    occurrence_id: int | None
    ref_at: datetime | None
    attempts: int


def message_id(delivery_id: int, key: str, domain: str) -> str:
    """Return the stable Message-ID of a delivery (the same on every try)."""
    digest = hashlib.sha256(key.encode()).hexdigest()[:16]
    return f"<d{delivery_id}.{digest}@{domain}>"


def skip_expired(session, now: datetime) -> int:
    """Mark pending messages whose moment has passed (a reminder once its shift has
    started) as skipped: they are not sent late."""
    result = session.execute(
        update(Delivery).where(Delivery.status == "pending", Delivery.expires_at.is_not(None),
                               Delivery.expires_at <= now)
        .values(status="skipped", last_error="too late: the moment for it had passed")
        .execution_options(synchronize_session=False))
    return result.rowcount or 0


def recover_stale(session, now: datetime, stale_seconds: float) -> tuple[int, int]:
    """Handle claims older than ``stale_seconds`` (their scheduler died); returns
    (rows put back to pending, rows marked failed as possibly delivered)."""
    rows = session.execute(
        select(Delivery.id, Delivery.claim_token, Delivery.channel)
        .where(Delivery.status == "claimed",
               Delivery.claimed_at < now - timedelta(seconds=stale_seconds))
        .order_by(Delivery.claim_token, Delivery.id)).all()
    requeue, uncertain, seen = [], [], set()
    for delivery_id, token, channel in rows:
        # In-app rows are written in the same transaction as their "sent": never in
        # doubt. Of the outgoing ones, only the first still claimed may have gone out.
        first = channel != "app" and token not in seen
        if first:
            seen.add(token)
        (uncertain if first else requeue).append(delivery_id)
    for ids, values in ((requeue, {"status": "pending", "claim_token": None}),
                        (uncertain, {"status": "failed", "last_error": UNCERTAIN})):
        if ids:
            session.execute(update(Delivery).where(Delivery.id.in_(ids),
                                                   Delivery.status == "claimed")
                            .values(**values).execution_options(synchronize_session=False))
    return len(requeue), len(uncertain)


def claim(session, now: datetime, channels: list[str], *, urgent_only: bool,
          limit: int) -> tuple[str, list[Claimed]]:
    """Claim up to ``limit`` due pending deliveries on ``channels``; return the claim
    token and the rows won, in id order (the order they must be sent in)."""
    token = secrets.token_hex(16)
    if not channels:
        return token, []
    query = (select(Delivery.id).where(
        Delivery.status == "pending", Delivery.channel.in_(channels),
        or_(Delivery.next_attempt_at.is_(None), Delivery.next_attempt_at <= now))
        .order_by(Delivery.next_attempt_at, Delivery.id).limit(limit))
    if urgent_only:  # quiet hours: in-app notices wake nobody, so they go in too
        query = query.where(or_(Delivery.urgent.is_(True), Delivery.channel == "app"))
    if session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    ids = list(session.scalars(query))
    if not ids:
        return token, []
    session.execute(update(Delivery).where(Delivery.id.in_(ids), Delivery.status == "pending")
                    .values(status="claimed", claim_token=token, claimed_at=now)
                    .execution_options(synchronize_session=False))
    won = session.execute(
        select(Delivery.id, Delivery.kind, Delivery.channel, Delivery.dedup_key,
               Delivery.payload, Delivery.account_id, Delivery.person_id,
               Delivery.occurrence_id, Delivery.ref_at, Delivery.attempts)
        .where(Delivery.claim_token == token, Delivery.status == "claimed")
        .order_by(Delivery.id)).all()
    return token, [Claimed(*row) for row in won]


def reminders_still_valid(session, rows: list[Claimed]) -> set[int]:
    """Return the ids of reminder rows whose shift still stands as planned (the person
    still confirmed, the occurrence scheduled at the same start)."""
    wanted = [r for r in rows if r.kind.startswith("reminder")]
    if not wanted:
        return set()
    live = set(session.execute(
        select(Assignment.person_id, Occurrence.id, Occurrence.start_at)
        .join(OccurrenceRole, Assignment.occurrence_role_id == OccurrenceRole.id)
        .join(Occurrence, OccurrenceRole.occurrence_id == Occurrence.id)
        .where(Occurrence.id.in_({r.occurrence_id for r in wanted}),
               Assignment.status == "confirmed", Occurrence.status == "scheduled")).all())
    return {r.id for r in wanted if (r.person_id, r.occurrence_id, r.ref_at) in live}


def still_held(session, token: str, now: datetime) -> set[int]:
    """Keep the claim alive (``claimed_at = now`` on its still-claimed rows) and return
    their ids: the rows this sender may still send."""
    return set(session.scalars(
        update(Delivery).where(Delivery.claim_token == token, Delivery.status == "claimed")
        .values(claimed_at=now).returning(Delivery.id)
        .execution_options(synchronize_session=False)))


def _finish(session, row: Claimed, token: str, *, settles_doubt: bool = False,
            **values) -> bool:
    held = Delivery.status == "claimed"
    if settles_doubt:
        # Recovered as stale while this sender, alive after all, was sending it: the
        # token is still ours (an admin's "Send again" clears it), and now it is known.
        held = or_(held, and_(Delivery.status == "failed", Delivery.last_error == UNCERTAIN))
    result = session.execute(update(Delivery).where(
        Delivery.id == row.id, Delivery.claim_token == token, held)
        .values(**values).execution_options(synchronize_session=False))
    return result.rowcount == 1


def mark_sent(session, row: Claimed, token: str, now: datetime) -> bool:
    """Record that the message went out (only while the claim ``token`` holds it)."""
    return _finish(session, row, token, settles_doubt=True, status="sent", sent_at=now,
                   attempts=row.attempts + 1, last_error=None)


def mark_skipped(session, row: Claimed, token: str, reason: str) -> bool:
    """Record that the message is no longer worth sending."""
    return _finish(session, row, token, status="skipped", last_error=reason)


def mark_failure(session, row: Claimed, token: str, now: datetime, error: str,
                 settings: NotifySettings) -> str:
    """Count a failed try: retry later with exponential back-off, or give up (failed)."""
    attempts = row.attempts + 1
    if attempts >= settings.max_attempts:
        _finish(session, row, token, status="failed", attempts=attempts, last_error=error)
        return "failed"
    _finish(session, row, token, status="pending", attempts=attempts, last_error=error,
            claim_token=None, next_attempt_at=now + backoff(attempts, settings.retry_seconds))
    return "retry"


def release(session, ids: list[int], token: str) -> None:
    """Put claimed rows back to pending without charging a try (the channel is down)."""
    if ids:
        session.execute(update(Delivery).where(Delivery.id.in_(ids),
                                               Delivery.claim_token == token,
                                               Delivery.status == "claimed")
                        .values(status="pending", claim_token=None)
                        .execution_options(synchronize_session=False))


def deliver_in_app(session, row: Claimed, token: str, title: str, body: str,
                   url_path: str | None, now: datetime) -> bool:
    """Write the in-app notification and mark the row sent, in one transaction."""
    if row.account_id is None or not mark_sent(session, row, token, now):
        return False
    session.add(Notification(account_id=row.account_id, delivery_id=row.id, kind=row.kind,
                             title=title[:200], body=body, url_path=url_path, created_at=now))
    session.flush()
    return True


# --- status for the admin page ---------------------------------------------------------

def set_status(session, key: str, value: dict) -> None:
    """Store a small status record (channel health, scheduler heartbeat).

    An upsert, never check-then-insert: parallel sender threads (and a second
    scheduler) record the same channel's health at the same moment.
    """
    text = json.dumps(value, ensure_ascii=False, default=str)[:500]
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    session.execute(insert(AppSetting).values(key=key, value=text).on_conflict_do_update(
        index_elements=[AppSetting.key], set_={"value": text}))
    cached = session.identity_map.get(identity_key(AppSetting, key))
    if cached is not None:
        session.expire(cached)  # the next read sees what was just written


def lock_status(session, key: str) -> dict | None:
    """Read a status record locked for this transaction (created empty when missing), so
    that of parallel writers comparing it with what they would write, one at a time
    decides (on SQLite ``BEGIN IMMEDIATE`` already serialises them)."""
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    session.execute(insert(AppSetting).values(key=key, value="null")
                    .on_conflict_do_nothing(index_elements=[AppSetting.key]))
    row = session.scalar(select(AppSetting).where(AppSetting.key == key).with_for_update()
                         .execution_options(populate_existing=True))
    try:
        return json.loads(row.value)
    except ValueError:
        return None


def get_status(session, key: str) -> dict | None:
    row = session.get(AppSetting, key)
    if row is None:
        return None
    try:
        return json.loads(row.value)
    except ValueError:
        return None


def counts(session) -> dict[tuple[str, str], int]:
    """Return the number of deliveries per (channel, status)."""
    return {(channel, status): n for channel, status, n in session.execute(
        select(Delivery.channel, Delivery.status, func.count())
        .group_by(Delivery.channel, Delivery.status))}


def problems(session, now: datetime, stale_seconds: float, limit: int = 100) -> list:
    """Return failed deliveries and claims stuck for long, newest first, each as
    (delivery, the recipient's name or None) in one query."""
    return list(session.execute(
        select(Delivery, func.coalesce(Person.full_name, Account.username))
        .outerjoin(Person, Delivery.person_id == Person.id)
        .outerjoin(Account, Delivery.account_id == Account.id)
        .where(or_(
            Delivery.status == "failed",
            and_(Delivery.status == "claimed",
                 Delivery.claimed_at < now - timedelta(seconds=stale_seconds))))
        .order_by(Delivery.id.desc()).limit(limit)))


def requeue(session, delivery_id: int, now: datetime) -> bool:
    """Send a failed delivery again (an admin's decision): back to pending, tries reset."""
    result = session.execute(update(Delivery).where(Delivery.id == delivery_id,
                                                    Delivery.status == "failed")
                             .values(status="pending", attempts=0, next_attempt_at=now,
                                     claim_token=None)
                             .execution_options(synchronize_session=False))
    return result.rowcount == 1
