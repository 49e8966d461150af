"""``flask scheduler``: the one process that runs the jobs (APScheduler 3, BlockingScheduler).

Never started by ``create_app``: web workers and the reloader would each run it. Job
definitions live here with explicit ids; nothing is kept in a job store (the default
memory store): what is due and what was sent lives in our own tables, read by the sweep.
Interval job in UTC; cron jobs in the organisation's ``zoneinfo`` zone; coalescing, one
instance per job, generous misfire grace. Cron jobs missed while the process was down are
caught up at start (their dedup keys make a second run harmless).
"""
from __future__ import annotations

import logging
import signal
import sys
import threading
from datetime import datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import click
from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger
from flask import current_app

from ..clock import now as clock
from ..services.notify import parse_time
from ..services.notify.channels import ChannelError
from . import mail_settings, senders, sms_settings, tasks
from .lock import SingleInstance

log = logging.getLogger("coordinator.scheduler")


def check_channels(app) -> dict[str, ChannelError | None]:
    """Try each outgoing channel's settings once (SMTP: connect and log in); log and
    record the result for the admin page. Messages of a failing channel wait."""
    from ..database import begin_write
    from ..extensions import db
    from .deliver import record_channel

    found: dict[str, ChannelError | None] = {}
    described = {"email": mail_settings(app), "sms": sms_settings(app)}
    for channel, sender in senders(app).items():
        try:
            sender.check()
            found[channel] = None
            log.info("%s channel ready (%s)", channel, described[channel].backend)
        except ChannelError as exc:
            found[channel] = exc
            log.error("%s channel NOT usable: %s (%s). Its messages wait, pending, until "
                      "the settings are fixed.", channel, exc.code, exc.detail)
        finally:
            sender.close()
    with app.app_context():
        begin_write(db.session)
        for channel, error in found.items():
            record_channel(db.session, channel, clock(app), error)
        db.session.commit()
        db.session.remove()
    return found


def build_scheduler(app, stop: threading.Event, lock: SingleInstance) -> BlockingScheduler:
    """Return the scheduler with the fixed jobs (explicit ids)."""
    zone = ZoneInfo(app.config["TIMEZONE"])
    scheduler = BlockingScheduler(
        timezone=timezone.utc, executors={"default": ThreadPoolExecutor(4)},
        job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": 3600})

    def add(func, trigger, job_id: str, name: str, grace: int, **kw) -> None:
        # Every option on the job itself, not only in job_defaults (which APScheduler
        # applies only once started): what is built is what runs.
        scheduler.add_job(func, trigger, id=job_id, name=name, coalesce=True,
                          max_instances=1, misfire_grace_time=grace, **kw)

    def daily(setting: str, default: time, **days) -> CronTrigger:
        at = parse_time(app.config[setting], default)
        return CronTrigger(hour=at.hour, minute=at.minute, timezone=zone, **days)

    every = max(float(app.config["NOTIFY_SWEEP_SECONDS"]), 1.0)
    add(tasks.sweep, IntervalTrigger(seconds=every, timezone=timezone.utc), "sweep",
        "plan and send due messages", 600, args=[app, stop],
        next_run_time=datetime.now(timezone.utc))
    add(tasks.digest, daily("DIGEST_TIME", time(7, 30)), "digest",
        "coordinators' daily digest", 4 * 3600, args=[app])
    add(tasks.weekly, daily("WEEKLY_SUMMARY_TIME", time(7, 0), day_of_week="mon"), "weekly",
        "leaders' weekly summary", 12 * 3600, args=[app])
    add(tasks.horizon, daily("HORIZON_TIME", time(2, 30)), "horizon",
        "extend series horizons", 12 * 3600, args=[app])

    add(tasks.stars, IntervalTrigger(minutes=5, timezone=timezone.utc), "stars",
        "star levels reached", 600, args=[app])
    add(tasks.care_erasure, daily("CARE_ERASURE_TIME", time(3, 0)), "care_erasure",
        "erase ended care records' details", 12 * 3600, args=[app])

    def watch_lock():
        if not lock.alive():
            log.error("lost the scheduler lock (database connection gone); stopping")
            stop.set()
            scheduler.shutdown(wait=False)

    add(watch_lock, IntervalTrigger(seconds=30, timezone=timezone.utc), "lock-watch",
        "check the single-instance lock", 60)
    return scheduler


def horizon_stale(app, now: datetime) -> bool:
    """Tell whether the horizon job last ran (as recorded by ``tasks.horizon``) more than
    a day before ``now``, or never."""
    from ..extensions import db
    from ..services.notify.deliveries import get_status

    with app.app_context():
        try:
            last = (get_status(db.session, tasks.HORIZON_STATUS) or {}).get("at")
        finally:
            db.session.remove()
    try:
        return last is None or datetime.fromisoformat(last) < now - timedelta(hours=24)
    except (TypeError, ValueError):
        return True


def catch_up(app, now: datetime) -> list[str]:
    """Return the cron jobs missed while no scheduler ran (run them at start): today's
    digest or summary before noon, and the horizon when it has not run for a day."""
    local = now.astimezone(ZoneInfo(app.config["TIMEZONE"]))
    missed = []
    digest_at = parse_time(app.config["DIGEST_TIME"], time(7, 30))
    noon = time(12, 0)
    if digest_at <= local.time().replace(tzinfo=None) < noon:
        missed.append("digest")
    weekly_at = parse_time(app.config["WEEKLY_SUMMARY_TIME"], time(7, 0))
    if local.weekday() == 0 and weekly_at <= local.time().replace(tzinfo=None) < noon:
        missed.append("weekly")
    if horizon_stale(app, now):
        missed.append("horizon")
    return missed


def _logging() -> None:
    """Log the scheduler's lines once each to stderr (Flask's own handler sits on the
    parent "coordinator" logger, so ours does not propagate)."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    for name, level in (("coordinator.scheduler", logging.INFO),
                        ("apscheduler", logging.WARNING)):
        logger = logging.getLogger(name)
        if not logger.handlers:
            logger.addHandler(handler)
        logger.setLevel(level)
        logger.propagate = False


@click.command("scheduler")
@click.option("--once", type=click.Choice(sorted(tasks.JOBS)), default=None,
              help="Run one job now and exit (e.g. from cron) instead of scheduling.")
@click.option("--no-wait", is_flag=True,
              help="Exit with status 3 when another scheduler holds the lock.")
def scheduler_command(once: str | None, no_wait: bool) -> None:
    """Run the reminder and digest scheduler (one per installation)."""
    _logging()
    app = current_app._get_current_object()
    stop = threading.Event()
    lock = SingleInstance(app)

    def on_signal(signum, _frame):
        log.info("signal %s: stopping after the current message", signum)
        stop.set()
        if scheduler is not None and scheduler.running:
            scheduler.shutdown(wait=False)
        elif lock_wait:
            raise SystemExit(0)

    scheduler = None
    lock_wait = True
    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    if not lock.acquire(wait=not no_wait, stop=stop):
        log.warning("another scheduler is running; exiting")
        sys.exit(3)
    lock_wait = False
    try:
        check_channels(app)
        if once:
            result = tasks.JOBS[once](app)
            click.echo(f"{once}: {dict(result) if isinstance(result, dict) else result}")
            return
        for name in catch_up(app, clock(app)):
            log.info("catching up the %s missed while no scheduler ran", name)
            tasks.JOBS[name](app)
        scheduler = build_scheduler(app, stop, lock)
        log.info("scheduler started (%s); jobs: %s", lock.describe(),
                 ", ".join(job.id for job in scheduler.get_jobs()))
        scheduler.start()
    finally:
        stop.set()
        lock.release()
        log.info("scheduler stopped")


__all__ = ["scheduler_command", "build_scheduler", "check_channels", "catch_up",
           "horizon_stale"]
