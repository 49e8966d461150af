"""The jobs the scheduler runs, each a plain function of the app (one app context per
run, the clock read from the app, one commit per step)."""
from __future__ import annotations

import logging
import threading
from collections import Counter
from datetime import datetime

from ..clock import now as clock
from ..database import begin_write
from ..extensions import db
from ..services.attendance import settings_from
from ..services.notify import deliveries as store
from ..services.notify.digests import plan_digests, plan_weekly
from ..services.notify.planning import plan_notices, plan_reminders
from ..services.schedule.horizon import horizon_end, materialize
from . import notify_settings, senders
from .deliver import deliver_due, deliver_parallel

log = logging.getLogger("coordinator.scheduler")


def _step(app, action):
    """Run ``action(session, now)`` as one write transaction; return its result."""
    session = db.session
    begin_write(session)
    try:
        result = action(session, clock(app))
        session.commit()
        return result
    except Exception:
        session.rollback()
        raise


def sweep(app, stop: threading.Event | None = None, channel_senders: dict | None = None,
          max_messages: int | None = None) -> Counter:
    """Plan due reminders and change notices, skip what came too late, recover dead
    claims, then deliver everything due. Safe to run at any time, any number of times."""
    settings = notify_settings(app)
    report: Counter = Counter()
    with app.app_context():
        try:
            report["reminders_planned"] = _step(
                app, lambda s, now: plan_reminders(s, now, settings))
            report["notices_planned"] = _step(app, lambda s, now: plan_notices(s, now,
                                                                              settings))
            report["expired"] = _step(app, store.skip_expired)
            requeued, uncertain = _step(app, lambda s, now: store.recover_stale(
                s, now, settings.stale_claim_seconds))
            report["requeued"], report["uncertain"] = requeued, uncertain
            if uncertain:
                log.error("%s message(s) were being sent when a scheduler died; marked "
                          "failed (may have been delivered): see /admin/deliveries",
                          uncertain)
            if channel_senders is not None or max_messages is not None:
                report += deliver_due(app, channel_senders or senders(app), stop,
                                      max_messages)
            else:
                report += deliver_parallel(app, int(app.config["NOTIFY_SENDER_THREADS"]),
                                           stop)
            _step(app, lambda s, now: store.set_status(s, "scheduler:heartbeat",
                                                       {"at": now.isoformat()}))
        finally:
            db.session.remove()
    busy = {k: v for k, v in report.items() if v}
    if busy:
        log.info("sweep: %s", ", ".join(f"{k}={v}" for k, v in sorted(busy.items())))
    return report


def digest(app) -> int:
    """Plan today's coordinators' digests (sent by the next sweep)."""
    settings = notify_settings(app)
    with app.app_context():
        try:
            attendance = settings_from(app.config)
            added = _step(app, lambda s, now: plan_digests(s, now, settings, attendance))
        finally:
            db.session.remove()
    log.info("daily digest: %s deliveries planned", added)
    return added


def weekly(app) -> int:
    """Plan this week's leaders' summary (sent by the next sweep)."""
    settings = notify_settings(app)
    with app.app_context():
        try:
            added = _step(app, lambda s, now: plan_weekly(s, now, settings))
        finally:
            db.session.remove()
    log.info("weekly summary: %s deliveries planned", added)
    return added


HORIZON_STATUS = "job:horizon"  # its last run, read at start to catch up after downtime


def horizon(app) -> int:
    """Extend every series' rolling horizon (idempotent) and record the run."""
    weeks = app.config["HORIZON_WEEKS"]

    def extend(session, now):
        created = materialize(session, None, horizon_end(now, weeks), now)
        store.set_status(session, HORIZON_STATUS, {"at": now.isoformat(), "created": created})
        return created

    with app.app_context():
        try:
            created = _step(app, extend)
        finally:
            db.session.remove()
    log.info("horizon: %s occurrences created", created)
    return created


STARS_STATUS = "job:stars"  # the start of its last pass: the next looks at rows since


def stars(app) -> int:
    """Write the star levels reached since the last pass and plan their messages (sent
    by the next sweep). Idempotent: a second pass, or two at once, tell nobody twice."""
    from ..services.attendance import settings_from
    from ..services.reports.recognition import award_stars

    settings = settings_from(app.config)
    notify = notify_settings(app)

    def award(session, now):
        # Locked: a second pass at the same moment waits here, then reads the new mark.
        last = (store.lock_status(session, STARS_STATUS) or {}).get("at")
        since = datetime.fromisoformat(last) if last else None
        added = award_stars(session, now, settings, notify, since)
        store.set_status(session, STARS_STATUS, {"at": now.isoformat(), "added": added})
        return added

    with app.app_context():
        try:
            added = _step(app, award)
        finally:
            db.session.remove()
    if added:
        log.info("stars: %s star levels reached", added)
    return added


def care_erasure(app) -> int:
    """Erase the private details of care records ended longer ago than CARE_KEEP_DAYS."""
    from ..services.care import register, settings_from

    settings = settings_from(app.config)
    zone = app.config["TIMEZONE"]
    with app.app_context():
        try:
            erased = _step(app, lambda session, now: register.erase_expired(
                session, now, settings, zone))
        finally:
            db.session.remove()
    if erased:
        log.info("care: the details of %s ended records erased", erased)
    return erased


JOBS = {"sweep": sweep, "digest": digest, "weekly": weekly, "horizon": horizon,
        "stars": stars, "care_erasure": care_erasure}
