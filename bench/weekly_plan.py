"""Weekly plan: page times at scale, queries per page, the files.

Through the whole app (Flask test client: routing, session, login, queries, template):

1. the leader's all-communities week (next week, every community: at ``--scale 170``
   over 20,000 occurrences, so the grid collapses to counts per community and day);
   target: median under 500 ms;
2. a one-community week, each run another community; target: median under 100 ms;
3. the demo coordinator's gap list (14 days, suggestions for 20 slots);
4. the one-community PDF (WeasyPrint) and the all-communities CSV and Excel exports.

Each page is fetched once to warm up, then ``--plan-runs`` times; the SQL statements of
one fetch are counted too (they must not grow with ``--scale``).
"""
from __future__ import annotations

import random
import statistics
import time
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import event, func, select

from coordinator.extensions import db
from coordinator.models import Community, Occurrence

from .report import fmt

NAME = "weekly_plan"
ALL_TARGET_MS = 500
ONE_TARGET_MS = 100
# The targets hold on PostgreSQL at any scale, and on SQLite up to this many townships;
# beyond it SQLite's figures are printed for comparison (a province runs on PostgreSQL).
TOWNSHIPS_ON_SQLITE = 10
COLUMNS = [
    ("week occ", fmt("plan_week_occurrences", "{:,}")),
    ("all p50 ms", fmt("plan_all_p50_ms", "{:.0f}")),
    ("one p50 ms", fmt("plan_one_p50_ms", "{:.1f}")),
    ("gaps p50 ms", fmt("plan_gaps_p50_ms", "{:.0f}")),
    ("q all/one/gaps", fmt("plan_queries", "{}")),
    ("pdf s", fmt("plan_pdf_s", "{:.2f}")),
    ("csv/xlsx s", fmt("plan_exports_s", "{}")),
]


def add_arguments(parser) -> None:
    parser.add_argument("--plan-runs", type=int, default=21,
                        help="timed fetches per weekly-plan page (default 21)")


def run(ctx) -> dict:
    app = ctx.app
    zone = ZoneInfo(app.config["TIMEZONE"])
    local = (ctx.now + timedelta(days=7)).astimezone(zone).date()
    monday = local - timedelta(days=local.weekday())
    lo = datetime.combine(monday, datetime.min.time(), zone)
    with app.app_context():
        week_occ = db.session.scalar(select(func.count()).select_from(Occurrence).where(
            Occurrence.start_at >= lo, Occurrence.start_at < lo + timedelta(days=7)))
        communities = list(db.session.scalars(select(Community.id)))
    ctx.say(f"weekly plan: week of {monday}, {week_occ:,} occurrences, "
            f"{len(communities):,} communities")
    leader, coordinator = _client(app, "leader"), _client(app, "coordinator")
    runs = ctx.options.plan_runs
    rng = random.Random(7)

    all_path = f"/plan?date={monday}"
    all_ms, all_q = _measure(app, leader, lambda: all_path, runs)
    one_ms, one_q = _measure(app, leader, lambda: f"/plan?date={monday}&community="
                             f"{rng.choice(communities)}", runs)
    gaps_ms, gaps_q = _measure(app, coordinator, lambda: "/plan/gaps", runs)
    one = f"date={monday}&community={communities[0]}"
    pdf_s = _once(leader, f"/plan/print.pdf?{one}")
    csv_s = _once(leader, f"/plan/week.csv?date={monday}")
    xlsx_s = _once(leader, f"/plan/week.xlsx?date={monday}")
    figures = {
        "plan_week_occurrences": week_occ,
        "plan_all_p50_ms": statistics.median(all_ms), "plan_all_p95_ms": _p95(all_ms),
        "plan_one_p50_ms": statistics.median(one_ms), "plan_one_p95_ms": _p95(one_ms),
        "plan_gaps_p50_ms": statistics.median(gaps_ms), "plan_gaps_p95_ms": _p95(gaps_ms),
        "plan_queries": f"{all_q}/{one_q}/{gaps_q}",
        "plan_pdf_s": pdf_s, "plan_exports_s": f"{csv_s:.1f}/{xlsx_s:.1f}",
    }
    ctx.say("weekly plan: all communities p50 {plan_all_p50_ms:.0f} ms (p95 "
            "{plan_all_p95_ms:.0f}); one community p50 {plan_one_p50_ms:.1f} ms (p95 "
            "{plan_one_p95_ms:.1f}); gap list p50 {plan_gaps_p50_ms:.0f} ms; queries "
            "{plan_queries}; PDF {plan_pdf_s:.2f} s; CSV/Excel {plan_exports_s} s"
            .format(**figures))
    missed = []
    if figures["plan_all_p50_ms"] >= ALL_TARGET_MS:
        missed.append(f"all-communities week median {figures['plan_all_p50_ms']:.0f} ms "
                      f">= {ALL_TARGET_MS} ms")
    if figures["plan_one_p50_ms"] >= ONE_TARGET_MS:
        missed.append(f"one-community week median {figures['plan_one_p50_ms']:.1f} ms "
                      f">= {ONE_TARGET_MS} ms")
    for problem in missed:
        if ctx.backend == "postgresql" or ctx.scale <= TOWNSHIPS_ON_SQLITE:
            ctx.failed(problem)
        else:  # a province is served from PostgreSQL (README, "A province-size week")
            ctx.say(f"weekly plan: note: {problem} on SQLite at scale {ctx.scale}")
    return figures


def _client(app, username: str):
    client = app.test_client()
    page = client.get("/login").get_data(as_text=True)
    token = page.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
    response = client.post("/login", data={"identifier": username, "password": "demo",
                                           "csrf_token": token})
    if response.status_code != 302:
        raise RuntimeError(f"demo login {username} failed: {response.status_code}")
    return client


def _measure(app, client, path_of, runs: int) -> tuple[list[float], int]:
    """Milliseconds of ``runs`` fetches (after one warm-up) and the queries of one fetch."""
    with app.app_context():
        engine = db.engine
    counter = [0]

    def count(*_args):
        counter[0] += 1

    event.listen(engine, "before_cursor_execute", count)
    try:
        _get(client, path_of())
    finally:
        event.remove(engine, "before_cursor_execute", count)
    times = []
    for _ in range(runs):
        path = path_of()
        started = time.perf_counter()
        _get(client, path)
        times.append((time.perf_counter() - started) * 1000)
    return times, counter[0]


def _once(client, path: str) -> float:
    started = time.perf_counter()
    _get(client, path)
    return time.perf_counter() - started


def _get(client, path: str) -> bytes:
    response = client.get(path)
    if response.status_code != 200:
        raise RuntimeError(f"{path}: HTTP {response.status_code}")
    return response.data


def _p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(0.95 * (len(ordered) - 1))))]
