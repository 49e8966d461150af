"""The delivery loop: claim due messages, send each, commit each outcome before the next
send, and send a row only while this claim still holds it (see
``services.notify.deliveries`` for why that gives exactly-once)."""
from __future__ import annotations

import logging
import threading
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime

from ..clock import now as clock
from ..database import begin_write
from ..domain.notify import quiet_until
from ..extensions import db
from ..services.notify import NotifySettings, preferences
from ..services.notify import deliveries as store
from ..services.notify.channels import ChannelError, SendError
from ..vocab import CHANNELS
from .messages import compose

log = logging.getLogger("coordinator.scheduler")


def record_channel(session, channel: str, now: datetime, error: ChannelError | None) -> bool:
    """Store the channel's health for the admin page; return whether it changed (to one
    of parallel sender threads only: the record is locked while compared)."""
    key = f"channel:{channel}"
    value = {"ok": error is None, "code": error.code if error else None,
             "detail": error.detail if error else None, "at": now.isoformat()}
    old = store.lock_status(session, key)
    if old is None or (old.get("ok"), old.get("code"), old.get("detail")) != (
            value["ok"], value["code"], value["detail"]):
        store.set_status(session, key, value)
        return True
    return False


@dataclass
class _Run:
    """One sweep's state: what it did, and which channels broke or worked."""

    app: object
    session: object
    senders: dict
    settings: NotifySettings
    stop: threading.Event | None
    report: Counter = field(default_factory=Counter)
    blocked: set[str] = field(default_factory=set)
    ok: set[str] = field(default_factory=set)

    def now(self) -> datetime:
        return clock(self.app)

    def stopped(self) -> bool:
        return bool(self.stop and self.stop.is_set())


def deliver_due(app, senders: dict, stop: threading.Event | None = None,
                max_messages: int | None = None) -> Counter:
    """Send every due message (in-app, e-mail, SMS) until none is left; return counts.

    A channel whose settings fail (``ChannelError``) is left alone for the rest of the
    run: its messages stay pending, uncharged, and the problem is recorded.
    """
    from . import notify_settings

    run = _Run(app, db.session, senders, notify_settings(app), stop)
    try:
        while not run.stopped():
            if max_messages is not None and run.report["handled"] >= max_messages:
                break
            token, rows = _claim(run)
            if not rows:
                break
            valid, off, messages = _prepare(run, token, rows)
            now = run.now()
            skips = _skips(rows, valid, off, now)
            lease, held = _deliver_local(run, token, rows, skips, messages, now)
            outgoing = [r for r in rows if r.id not in skips and r.channel != "app"]
            _deliver_outgoing(run, token, outgoing, messages, lease, held)
        _record_working_channels(run)
    finally:
        run.session.rollback()
        for sender in senders.values():
            sender.close()
    run.report.pop("handled", None)
    return run.report


def _claim(run: _Run) -> tuple[str, list]:
    """Claim a batch on the channels not blocked (only urgent ones in quiet hours)."""
    settings, now = run.settings, run.now()
    quiet = quiet_until(now, settings.zone, settings.quiet_start, settings.quiet_end) != now
    begin_write(run.session)
    token, rows = store.claim(run.session, now,
                              [c for c in CHANNELS if c not in run.blocked],
                              urgent_only=quiet, limit=settings.batch)
    run.session.commit()
    return token, rows


def _prepare(run: _Run, token: str, rows) -> tuple[set[int], set[int], dict]:
    """Return which reminders still hold, who turned the message off, and the messages."""
    session = run.session
    try:
        valid = store.reminders_still_valid(session, rows)
        off = preferences.turned_off(session, rows)
        messages = compose([r for r in rows if r.id not in off], run.settings)
        session.commit()
    except Exception:
        # Nothing of this claim has gone out: hand it back instead of leaving it
        # to the stale-claim recovery (which would put one row in doubt).
        session.rollback()
        _release(session, [r.id for r in rows], token, run.now())
        raise
    return valid, off, messages


def _deliver_local(run: _Run, token: str, rows, skips: dict[int, str], messages,
                   now: datetime) -> tuple[Lease, set[int]]:
    """Write the in-app notices and the skips; return the lease and the rows still held.

    They touch only the database: one transaction for all, which also keeps the claim
    alive and says which rows it still holds."""
    session, report = run.session, run.report
    begin_write(session)
    for row in rows:
        if row.id in skips:
            store.mark_skipped(session, row, token, skips[row.id])
            report["skipped"] += 1
        elif row.channel == "app":
            message = messages[row.id]
            store.deliver_in_app(session, row, token, message.title, message.body,
                                 message.url_path, now)
            report["sent"] += 1
        else:
            continue
        report["handled"] += 1
    lease = Lease(token, run.settings.stale_claim_seconds)
    held = lease.refresh(session, now, force=True)
    session.commit()
    return lease, held


def _deliver_outgoing(run: _Run, token: str, outgoing, messages, lease: Lease,
                      held: set[int]) -> None:
    """Send e-mail and SMS one by one, in id order, each outcome committed before the next
    send: after a crash only the first still-claimed one can be in doubt. A row no longer
    held was recovered as stale meanwhile: someone else owns it now."""
    report = run.report
    for index, row in enumerate(outgoing):
        if run.stopped():
            _release(run.session, [r.id for r in outgoing[index:]], token, run.now(), lease)
            return
        if row.channel in run.blocked:
            continue  # released with the rest of its channel when it broke
        if row.id not in held:
            report["taken_over"] += 1
            continue
        outcome, held = _deliver_one(run.app, run.session, run.senders, row, token,
                                     messages[row.id], run.settings, lease)
        report[outcome] += 1
        report["handled"] += 1
        if outcome.startswith("blocked:"):
            run.blocked.add(row.channel)
            rest = [r.id for r in outgoing[index + 1:] if r.channel == row.channel]
            held = _release(run.session, rest, token, run.now(), lease) if rest else held
        elif outcome == "sent":
            run.ok.add(row.channel)


def _record_working_channels(run: _Run) -> None:
    """Mark the channels that sent something (and did not break) as healthy."""
    begin_write(run.session)
    for channel in run.ok - run.blocked:
        record_channel(run.session, channel, run.now(), None)
    run.session.commit()


def _release(session, ids: list[int], token: str, now: datetime,
             lease: Lease | None = None) -> set[int]:
    """Hand rows back (uncharged); return the ids the claim still holds."""
    begin_write(session)
    store.release(session, ids, token)
    held = lease.refresh(session, now) if lease else set()
    session.commit()
    return held


class Lease:
    """What a claim still holds, kept alive cheaply.

    ``recover_stale`` takes only rows whose ``claimed_at`` is older than the stale
    window, so after a refresh (``claimed_at = now`` on the rest of the claim, returning
    their ids) nothing can be taken for that long. Refreshing on every message would
    rewrite every remaining row of the claim per message (a batch squared); once a
    quarter of the window has passed is enough, and it always happens before the next
    send once it is due — also when the clock jumped.
    """

    def __init__(self, token: str, stale_seconds: float):
        self.token = token
        self.every = stale_seconds / 4
        self.at: datetime | None = None
        self.held: set[int] = set()

    def refresh(self, session, now: datetime, force: bool = False) -> set[int]:
        """Refresh when due (or forced); return the rows the claim still holds."""
        if (force or self.at is None or now < self.at
                or (now - self.at).total_seconds() >= self.every):
            self.held = store.still_held(session, self.token, now)
            self.at = now
        return self.held


def _skips(rows, valid: set[int], off: set[int], now: datetime) -> dict[int, str]:
    """Return why each row no longer worth sending is skipped, by id."""
    reasons = {}
    for row in rows:
        if row.ref_at is not None and row.ref_at <= now:
            reasons[row.id] = "too late: the shift has started"
        elif row.kind.startswith("reminder") and row.id not in valid:
            reasons[row.id] = "the shift changed or the person left it"
        elif row.id in off:
            reasons[row.id] = preferences.TURNED_OFF
    return reasons


def _deliver_one(app, session, senders, row, token, message, settings,
                 lease: Lease) -> tuple[str, set[int]]:
    """Send one row and record the outcome; return it with the rows the claim still holds
    (refreshed, when due, in the same transaction: one commit per message)."""
    outgoing = message.email if row.channel == "email" else message.sms
    try:
        if not (outgoing.to or "").strip():
            raise SendError("no address")
        senders[row.channel].send(outgoing)
    except ChannelError as exc:
        now = clock(app)
        begin_write(session)
        store.release(session, [row.id], token)
        changed = record_channel(session, row.channel, now, exc)
        held = lease.refresh(session, now)
        session.commit()
        if changed:  # once per change, not every sweep
            log.error("%s channel unusable (%s): %s; its messages wait", row.channel,
                      exc.code, exc.detail)
        return f"blocked:{row.channel}", held
    except SendError as exc:
        now = clock(app)
        begin_write(session)
        outcome = store.mark_failure(session, row, token, now, str(exc), settings)
        held = lease.refresh(session, now)
        session.commit()
        log.warning("delivery %s (%s) failed: %s -> %s", row.id, row.channel, exc, outcome)
        return outcome, held
    now = clock(app)
    begin_write(session)
    recorded = store.mark_sent(session, row, token, now)
    held = lease.refresh(session, now)
    session.commit()
    if not recorded:
        log.warning("delivery %s (%s) went out after its claim was taken from this sender "
                    "(an admin sent it again?)", row.id, row.channel)
    return "sent", held


def deliver_parallel(app, threads: int, stop: threading.Event | None = None,
                     make_senders=None) -> Counter:
    """Run ``deliver_due`` in ``threads`` threads, each with its own app context, session
    and SMTP connection: database commits and network round trips overlap. The claims
    keep them apart (the same guarantee as two schedulers)."""
    from . import senders as default_senders

    make_senders = make_senders or (lambda: default_senders(app))
    if threads <= 1:
        return deliver_due(app, make_senders(), stop)
    results: list[Counter] = []
    errors: list[BaseException] = []

    def work():
        try:
            with app.app_context():
                try:
                    results.append(deliver_due(app, make_senders(), stop))
                finally:
                    db.session.remove()
        except BaseException as exc:  # noqa: BLE001 — re-raised below in the caller
            errors.append(exc)

    workers = [threading.Thread(target=work, name=f"deliver-{i}") for i in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    if errors:
        raise errors[0]
    return sum(results, Counter())
