"""Attendance at scale: a year of history written in bulk (``bench.attendance_history``),
then the participation report of one community, the all-communities summary and one
volunteer's service record, each the median of several runs. Targets (issue 14): under
1 s for the reports, under 100 ms for the record. The report functions are built on other
branches: a function that cannot be imported yet is reported as "not built yet"."""
from __future__ import annotations

import statistics
import time

from sqlalchemy import func, select

from coordinator.extensions import db
from coordinator.models import Account, AttendanceEntry, Community

from .report import fmt

NAME = "attendance"
COLUMNS = [
    ("history s", fmt("attendance_history_s", "{:.1f}")),
    ("entries", fmt("attendance_entries", "{:,}")),
    ("community ms", fmt("attendance_community_ms", "{:.0f}")),
    ("summary ms", fmt("attendance_summary_ms", "{:.0f}")),
    ("record ms", fmt("attendance_record_ms", "{:.1f}")),
]
TARGETS_MS = {"community": 1000, "summary": 1000, "record": 100}


def add_arguments(parser) -> None:
    parser.add_argument("--attendance-runs", type=int, default=5,
                        help="timed runs per attendance figure, median (default 5)")


def _timed(ctx, label, call) -> float | None:
    times = []
    for _ in range(max(1, ctx.options.attendance_runs)):
        with ctx.app.app_context():
            started = time.perf_counter()
            try:
                call(db.session)
            except ImportError:
                ctx.say(f"attendance: {label}: not built yet")
                return None
            times.append((time.perf_counter() - started) * 1000)
            db.session.remove()
    median = statistics.median(times)
    ctx.say(f"attendance: {label}: median {median:.1f} ms of {len(times)} runs")
    if median > TARGETS_MS[label]:
        ctx.failed(f"attendance {label}: median {median:.0f} ms over {TARGETS_MS[label]} ms")
    return median


def run(ctx) -> dict:
    from coordinator.services.attendance import settings_from

    from .attendance_history import add_year

    app = ctx.app
    settings = settings_from(app.config)
    with app.app_context():
        started = time.perf_counter()
        made = add_year(db.session, ctx.now, settings)
        db.session.commit()
        history_s = time.perf_counter() - started
        total = db.session.scalar(select(func.count()).select_from(AttendanceEntry))
        community_id = db.session.scalar(select(Community.id).order_by(Community.id))
        person_id = db.session.scalar(
            select(AttendanceEntry.person_id).group_by(AttendanceEntry.person_id)
            .order_by(func.count().desc()).limit(1))
        leader_id = db.session.scalar(select(Account.id).where(Account.username == "leader"))
        db.session.remove()
    ctx.say(f"attendance: a year of history: {made['occurrences']:,} occurrences, "
            f"{made['entries']:,} rows in {history_s:.1f} s ({total:,} rows in all)")

    def leader(session):
        return session.get(Account, leader_id)

    def community(session):
        from coordinator.services.reports.participation import community_report
        community_report(session, leader(session), community_id, ctx.now, settings)

    def summary(session):
        from coordinator.services.reports.participation import summary
        summary(session, leader(session), ctx.now, settings)

    def record(session):
        from coordinator.services.attendance.records import service_record
        service_record(session, person_id, ctx.now, settings)

    return {"attendance_history_s": history_s, "attendance_entries": total,
            "attendance_community_ms": _timed(ctx, "community", community),
            "attendance_summary_ms": _timed(ctx, "summary", summary),
            "attendance_record_ms": _timed(ctx, "record", record)}
