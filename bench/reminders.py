"""Reminders: N reminders due within one hour, delivered to a local SMTP sink, exactly once.

1. On the seeded township, add N confirmed assignments (default 100,000 at scale 170;
   600 per scale below) to bench shifts starting two to three hours from now, spread
   over the volunteers (each gets an e-mail address; a volunteer may hold several bench
   shifts). Their two-hour reminders fall due within the coming hour.
2. With the clock one hour on, time the planning sweep (``plan_reminders``: one
   delivery row per reminder and channel — e-mail and in-app — inserted and committed
   before anything is sent).
3. Time the delivery loop (``jobs.deliver.deliver_due``: claim, write, send over one
   SMTP connection, commit each outcome) against aiosmtpd running in its own process.
4. Prove zero duplicates and zero missing: the sink's Message-IDs against the delivery
   rows marked sent, one for one; and each of the N bench assignments has exactly one
   e-mail and one in-app reminder, sent. Demo assignments that are also due (24 h
   reminders) go through the same path and are counted with the rest.
"""
from __future__ import annotations

import io
import socket
import subprocess
import sys
import tempfile
import time
from collections import Counter
from datetime import date, timedelta
from pathlib import Path

from sqlalchemy import String, cast, insert, literal, select, update

from coordinator.database import begin_write
from coordinator.extensions import db
from coordinator.jobs import mail_settings, notify_settings
from coordinator.jobs.deliver import deliver_parallel
from coordinator.models import (
    Account,
    Assignment,
    Delivery,
    Occurrence,
    OccurrenceRole,
    Person,
    Series,
)
from coordinator.services.notify.channels import ConsoleSender, SmtpSender
from coordinator.services.notify.deliveries import message_id
from coordinator.services.notify.planning import plan_reminders

from .report import fmt

NAME = "reminders"
ROOT = Path(__file__).resolve().parent.parent
PER_SHIFT = 100
COLUMNS = [
    ("reminders", fmt("reminders_n", "{:,}")),
    ("plan s", fmt("reminders_plan_s", "{:.1f}")),
    ("mails", fmt("reminders_mails", "{:,}")),
    ("mails/s", fmt("reminders_mails_per_s", "{:,.0f}")),
    ("deliveries/s", fmt("reminders_deliveries_per_s", "{:,.0f}")),
    ("dup/missing", fmt("reminders_dup_missing", "{}")),
]


def add_arguments(parser) -> None:
    """Add this section's options."""
    parser.add_argument("--reminders", type=int, default=None, metavar="N",
                        help="reminders due within the hour (default 100,000 at --scale "
                        "170 and above, else 600 per scale)")
    parser.add_argument("--reminder-threads", type=int, default=4, metavar="N",
                        help="parallel senders, each with its own SMTP connection "
                        "(default 4)")


def run(ctx) -> dict:
    """Build the due reminders, plan and deliver them, check the sink; return figures."""
    n = ctx.options.reminders or (100_000 if ctx.scale >= 170 else 600 * ctx.scale)
    app = ctx.app
    saved = {k: app.config.get(k) for k in ("NOW", "QUIET_HOURS_START", "QUIET_HOURS_END",
                                           "MAIL_SERVER", "MAIL_PORT", "NOTIFY_BATCH")}
    start = ctx.now.replace(second=0, microsecond=0)
    try:
        with app.app_context():
            made, series_id = _make_shifts(ctx, start, n)
        # Quiet hours off: the benchmark runs at any hour of the day.
        app.config.update(NOW=start + timedelta(hours=1), QUIET_HOURS_START="00:00",
                          QUIET_HOURS_END="00:00", NOTIFY_BATCH=500)
        with app.app_context():
            planned, plan_s = _plan(ctx)
        with _Sink() as sink:
            app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=sink.port)
            with app.app_context():
                report, send_s = _deliver(ctx)
            ids = sink.stop()
        with app.app_context():
            out = _check(ctx, ids, report, send_s)
            out.update(_check_bench(ctx, series_id, made, planned))
    finally:
        app.config.update(saved)
    out.update({"reminders_n": made, "reminders_planned": planned,
                "reminders_plan_s": plan_s})
    return out


def _make_shifts(ctx, start, n: int) -> int:
    session = db.session
    people = list(session.scalars(
        select(Person.id).join(Account, Account.person_id == Person.id)
        .where(Account.role == "volunteer").order_by(Person.id)))
    if not people:
        raise RuntimeError("the seed has no volunteers")
    begin_write(session)
    for i in range(0, len(people), 5000):
        chunk = people[i:i + 5000]
        session.execute(update(Person).where(Person.id.in_(chunk)).values(
            email=literal("p") + cast(Person.id, String) + literal("@bench.invalid")))
        session.execute(update(Account).where(Account.person_id.in_(chunk)).values(
            notify_email=True, notify_sms=False, remind_2h=True))
    series = Series(kind="patrol", title="基准巡逻", community_id=None, timezone="UTC",
                    start_date=date.today(), start_time=start.time(), duration_minutes=60,
                    rrule=None, materialized_until=start + timedelta(weeks=520))
    session.add(series)
    session.flush()
    shifts = -(-n // PER_SHIFT)
    step = 3600 / shifts
    occ_rows = [{"series_id": series.id, "recurrence_id": at, "start_at": at,
                 "end_at": at + timedelta(hours=1), "venue_id": None, "status": "scheduled",
                 "sequence": 0, "is_detached": False, "updated_at": start}
                for at in (start + timedelta(hours=2, seconds=i * step)
                           for i in range(shifts))]
    session.execute(insert(Occurrence.__table__), occ_rows)
    occ_ids = list(session.scalars(select(Occurrence.id).where(
        Occurrence.series_id == series.id).order_by(Occurrence.start_at)))
    session.execute(insert(OccurrenceRole.__table__), [
        {"occurrence_id": oid, "series_role_id": None, "name": "队员", "needed": PER_SHIFT,
         "maximum": PER_SHIFT, "filled": min(PER_SHIFT, n - i * PER_SHIFT),
         "required_team_id": None, "is_lead": False} for i, oid in enumerate(occ_ids)])
    role_ids = list(session.scalars(select(OccurrenceRole.id).where(
        OccurrenceRole.occurrence_id.in_(occ_ids)).order_by(OccurrenceRole.occurrence_id)))
    rows = [{"occurrence_role_id": role_ids[i // PER_SHIFT],
             "person_id": people[i % len(people)], "status": "confirmed",
             "waitlist_position": None, "assigned_by_id": None, "needs_notice": False,
             "created_at": start, "updated_at": start} for i in range(n)]
    for i in range(0, n, 10_000):
        session.execute(insert(Assignment.__table__), rows[i:i + 10_000])
    session.commit()
    ctx.say(f"reminders: {n:,} bench assignments in {shifts:,} shifts starting "
            f"{occ_rows[0]['start_at']:%H:%M}–{occ_rows[-1]['start_at']:%H:%M} UTC, over "
            f"{min(n, len(people)):,} volunteers")
    return n, series.id


def _plan(ctx) -> tuple[int, float]:
    settings = notify_settings(ctx.app)
    session = db.session
    started = time.perf_counter()
    begin_write(session)
    planned = plan_reminders(session, ctx.app.config["NOW"], settings)
    session.commit()
    elapsed = time.perf_counter() - started
    ctx.say(f"reminders: planned {planned:,} deliveries in {elapsed:.1f} s "
            f"({planned / elapsed:,.0f}/s)")
    return planned, elapsed


def _deliver(ctx) -> tuple[Counter, float]:
    def senders():
        return {"email": SmtpSender(mail_settings(ctx.app)),
                "sms": ConsoleSender("sms", io.StringIO())}

    threads = ctx.options.reminder_threads
    started = time.perf_counter()
    report = deliver_parallel(ctx.app, threads, make_senders=senders)
    elapsed = time.perf_counter() - started
    return report, elapsed


def _check(ctx, ids: list[str], report: Counter, seconds: float) -> dict:
    settings = notify_settings(ctx.app)
    rows = db.session.execute(select(Delivery.id, Delivery.dedup_key, Delivery.status,
                                     Delivery.channel, Delivery.kind)).all()
    sent_mail = {message_id(i, key, settings.uid_domain)
                 for i, key, status, channel, _ in rows
                 if channel == "email" and status == "sent"}
    statuses = Counter((channel, status) for _, _, status, channel, _ in rows)
    got = Counter(ids)
    duplicates = sum(c - 1 for c in got.values() if c > 1)
    missing = len(sent_mail - set(got))
    unexpected = len(set(got) - sent_mail)
    unsent = sum(v for (channel, status), v in statuses.items()
                 if channel in ("email", "app") and status != "sent")
    mails = len(ids)
    total = statuses[("email", "sent")] + statuses[("app", "sent")]
    ctx.say(f"reminders: delivered {total:,} ({mails:,} e-mails at the sink, "
            f"{statuses[('app', 'sent')]:,} in-app) in {seconds:.1f} s: "
            f"{mails / seconds:,.0f} e-mails/s, {total / seconds:,.0f} deliveries/s "
            f"({ctx.options.reminder_threads} sender threads)")
    ctx.say(f"reminders: duplicates {duplicates}, missing {missing}, unexpected "
            f"{unexpected}, e-mail/in-app rows not sent {unsent}; by status "
            + ", ".join(f"{c}/{s} {v:,}" for (c, s), v in sorted(statuses.items())))
    if duplicates or missing or unexpected or unsent:
        ctx.failed(f"reminders: duplicates={duplicates} missing={missing} "
                   f"unexpected={unexpected} unsent={unsent}")
    return {"reminders_mails": mails, "reminders_send_s": seconds,
            "reminders_mails_per_s": mails / seconds if seconds else None,
            "reminders_deliveries_per_s": total / seconds if seconds else None,
            "reminders_duplicates": duplicates, "reminders_missing": missing,
            "reminders_dup_missing": f"{duplicates}/{missing}",
            "reminders_report": dict(report)}


def _check_bench(ctx, series_id: int, n: int, planned: int) -> dict:
    """Against the bench assignments themselves (not only the rows marked sent): each of
    the N has exactly one e-mail and one in-app reminder, sent."""
    bench = select(Occurrence.id).where(Occurrence.series_id == series_id)
    sent = Counter(db.session.execute(
        select(Delivery.channel, Delivery.status).where(Delivery.occurrence_id.in_(bench),
                                                        Delivery.kind == "reminder2")).all())
    short = {channel: n - sent[(channel, "sent")] for channel in ("email", "app")}
    ctx.say(f"reminders: of the {n:,} bench assignments, e-mail reminders sent "
            f"{sent[('email', 'sent')]:,}, in-app {sent[('app', 'sent')]:,}; planned rows "
            f"{planned:,} (at least {2 * n:,} expected)")
    if any(short.values()) or planned < 2 * n or sum(sent.values()) != 2 * n:
        ctx.failed(f"reminders: bench assignments short of a reminder: {short}, "
                   f"rows {dict(sent)}, planned {planned}")
    return {"reminders_bench_missing": sum(short.values())}


class _Sink:
    """aiosmtpd in its own process (``bench.smtp_sink``) on a free port."""

    def __enter__(self):
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        self.out = Path(tempfile.mkstemp(prefix="sink-", suffix=".txt")[1])
        self.proc = subprocess.Popen([sys.executable, "-m", "bench.smtp_sink", "--port",
                                      str(self.port), "--out", str(self.out)], cwd=ROOT,
                                     stdout=subprocess.PIPE, text=True)
        if self.proc.stdout.readline().strip() != "ready":
            raise RuntimeError("the SMTP sink did not start")
        return self

    def stop(self) -> list[str]:
        if self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(60)
        return [line for line in self.out.read_text().splitlines() if line]

    def __exit__(self, *exc):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(10)
        self.out.unlink(missing_ok=True)
