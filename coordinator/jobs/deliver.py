"""The delivery loop: claim due messages, send each, commit each outcome before the next
send (see ``services.notify.deliveries`` for why that ordering gives exactly-once)."""
from __future__ import annotations

import logging
import threading
from collections import Counter
from datetime import datetime

from ..database import begin_write
from ..domain.notify import quiet_until
from ..extensions import db
from ..services.notify import NotifySettings
from ..services.notify import deliveries as store
from ..services.notify.channels import ChannelError, SendError
from . import clock
from .messages import compose

log = logging.getLogger("coordinator.scheduler")
CHANNELS = ("app", "email", "sms")


def record_channel(session, channel: str, now: datetime, error: ChannelError | None) -> bool:
    """Store the channel's health for the admin page; return whether it changed."""
    key = f"channel:{channel}"
    value = {"ok": error is None, "code": error.code if error else None,
             "detail": error.detail if error else None, "at": now.isoformat()}
    old = store.get_status(session, key)
    if old is None or (old.get("ok"), old.get("code"), old.get("detail")) != (
            value["ok"], value["code"], value["detail"]):
        store.set_status(session, key, value)
        return True
    return False


def deliver_due(app, senders: dict, stop: threading.Event | None = None,
                max_messages: int | None = None) -> Counter:
    """Send every due message (in-app, e-mail, SMS) until none is left; return counts.

    A channel whose settings fail (``ChannelError``) is left alone for the rest of the
    run: its messages stay pending, uncharged, and the problem is recorded.
    """
    from . import notify_settings

    settings: NotifySettings = notify_settings(app)
    session = db.session
    report: Counter = Counter()
    blocked: set[str] = set()
    ok: set[str] = set()
    try:
        while not (stop and stop.is_set()):
            if max_messages is not None and report["handled"] >= max_messages:
                break
            now = clock(app)
            quiet = quiet_until(now, settings.zone, settings.quiet_start,
                                settings.quiet_end) != now
            begin_write(session)
            token, rows = store.claim(session, now, [c for c in CHANNELS if c not in blocked],
                                      urgent_only=quiet, limit=settings.batch)
            session.commit()
            if not rows:
                break
            try:
                valid = store.reminders_still_valid(session, rows)
                messages = compose(rows, settings)
                session.commit()
            except Exception:
                # Nothing of this claim has gone out: hand it back instead of leaving it
                # to the stale-claim recovery (which would put one row in doubt).
                session.rollback()
                _release(session, [r.id for r in rows], token)
                raise
            now = clock(app)
            stale = {r.id for r in rows if (r.kind.startswith("reminder") and r.id not in valid)
                     or (r.ref_at is not None and r.ref_at <= now)}
            # In-app notices and skips touch only the database: one transaction for all.
            local = [r for r in rows if r.id in stale or r.channel == "app"]
            if local:
                begin_write(session)
                for row in local:
                    if row.id in stale:
                        store.mark_skipped(session, row, token, _why(row, now))
                        report["skipped"] += 1
                    else:
                        message = messages[row.id]
                        store.deliver_in_app(session, row, token, message.title, message.body,
                                             message.url_path, now)
                        report["sent"] += 1
                    report["handled"] += 1
                session.commit()
            # Outgoing ones one by one, in id order, each outcome committed before the next
            # send: after a crash only the first still-claimed one can be in doubt.
            outgoing = [r for r in rows if r.id not in stale and r.channel != "app"]
            for index, row in enumerate(outgoing):
                if (stop and stop.is_set()) or row.channel in blocked:
                    _release(session, [row.id], token)
                    continue
                outcome = _deliver_one(app, session, senders, row, token, messages[row.id],
                                       settings)
                report[outcome] += 1
                report["handled"] += 1
                if outcome.startswith("blocked:"):
                    blocked.add(row.channel)
                    rest = [r.id for r in outgoing[index + 1:] if r.channel == row.channel]
                    _release(session, rest, token)
                elif outcome == "sent":
                    ok.add(row.channel)
        begin_write(session)
        for channel in ok - blocked:
            record_channel(session, channel, clock(app), None)
        session.commit()
    finally:
        session.rollback()
        for sender in senders.values():
            sender.close()
    report.pop("handled", None)
    return report


def _release(session, ids: list[int], token: str) -> None:
    if ids:
        begin_write(session)
        store.release(session, ids, token)
        session.commit()


def _why(row, now) -> str:
    if row.ref_at is not None and row.ref_at <= now:
        return "too late: the shift has started"
    return "the shift changed or the person left it"


def _deliver_one(app, session, senders, row, token, message, settings) -> str:
    outgoing = message.email if row.channel == "email" else message.sms
    try:
        if not (outgoing.to or "").strip():
            raise SendError("no address")
        senders[row.channel].send(outgoing)
    except ChannelError as exc:
        begin_write(session)
        store.release(session, [row.id], token)
        changed = record_channel(session, row.channel, clock(app), exc)
        session.commit()
        if changed:  # once per change, not every sweep
            log.error("%s channel unusable (%s): %s; its messages wait", row.channel,
                      exc.code, exc.detail)
        return f"blocked:{row.channel}"
    except SendError as exc:
        begin_write(session)
        outcome = store.mark_failure(session, row, token, clock(app), str(exc), settings)
        session.commit()
        log.warning("delivery %s (%s) failed: %s -> %s", row.id, row.channel, exc, outcome)
        return outcome
    begin_write(session)
    store.mark_sent(session, row, token, clock(app))
    session.commit()
    return "sent"


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
