"""Scheduling: expand 12 more weeks of occurrences; sign-ups per second; integrity.

1. After the seed (which stored ``HORIZON_WEEKS`` of occurrences), time
   ``materialize(session, None, now + 2 × horizon, now)`` and its commit: the next
   12 weeks of every series. Patrols end after 8 weeks, so they add none.
2. Sign-ups through ``services.shifts.signups.sign_up``, each in its own write transaction as
   a request would run it (load the actor, ``begin_write``, ``sign_up``, commit): first
   one after another, then from ``THREADS`` threads, each with its own app context.
3. Check that no slot holds more than its maximum and that every ``filled`` counter
   equals its confirmed assignments, and that nobody is in two overlapping occurrences.
"""
from __future__ import annotations

import cProfile
import io
import pstats
import statistics
import threading
import time
from collections import Counter
from datetime import timedelta

from sqlalchemy import and_, func, select
from sqlalchemy.orm import aliased

from coordinator.database import begin_write
from coordinator.domain.errors import DomainError
from coordinator.extensions import db
from coordinator.models import Account, Assignment, Occurrence, OccurrenceRole, Series
from coordinator.services.schedule.horizon import materialize
from coordinator.services.shifts.signups import sign_up

from .pairs import plan_pairs
from .report import fmt, fmt_pair

NAME = "scheduling"
THREADS = 4
DEFAULT_SIGNUPS = 2000
SIGNUPS_PER_SCALE = 200  # a small township has few open slots and few people
COLUMNS = [
    ("expand s", fmt("expand_s", "{:.2f}")),
    ("+occ", fmt("expand_created", "{:,}")),
    ("occ/s", fmt("expand_per_s", "{:,.0f}")),
    ("signups/s 1t", fmt("signups_per_s_1", "{:,.0f}")),
    (f"signups/s {THREADS}t", fmt("signups_per_s_n", "{:,.0f}")),
    (f"p50 ms 1t/{THREADS}t", fmt_pair("p50_ms_1", "p50_ms_n", "{:.1f}")),
    (f"p95 ms 1t/{THREADS}t", fmt_pair("p95_ms_1", "p95_ms_n", "{:.1f}")),
    ("integrity", fmt("integrity", "{}")),
]


def add_arguments(parser) -> None:
    """Add this section's options."""
    parser.add_argument("--signups", type=int, default=None, metavar="N",
                        help=f"sign-ups per run (one thread, then {THREADS} threads); default "
                        f"{DEFAULT_SIGNUPS}, at most {SIGNUPS_PER_SCALE} x scale so that "
                        "--scale 1 stays quick")
    parser.add_argument("--warmup", type=int, default=100, metavar="N",
                        help="untimed sign-ups first, so that both timed runs start with "
                        "warm caches; default 100")
    parser.add_argument("--profile", action="store_true",
                        help="run the expansion and the one-thread sign-ups under cProfile "
                        "and print the top functions (timings are then inflated)")


def run(ctx) -> dict:
    """Run the scheduling benchmark on ``ctx.app``; print and return the figures."""
    out = _expand(ctx)
    out.update(_signups(ctx))
    out.update(_integrity(ctx))
    return out


# -- 1. expansion ----------------------------------------------------------------------

def _by_kind(session) -> Counter:
    return Counter(dict(session.execute(
        select(Series.kind, func.count(Occurrence.id))
        .join(Occurrence, Occurrence.series_id == Series.id).group_by(Series.kind)).all()))


def _expand(ctx) -> dict:
    weeks = ctx.app.config["HORIZON_WEEKS"]
    with ctx.app.app_context():
        session = db.session
        before = _by_kind(session)
        with _profiled(ctx, "expand"):
            started = time.perf_counter()
            begin_write(session)
            created = materialize(session, None, ctx.now + timedelta(weeks=2 * weeks), ctx.now)
            session.commit()
            seconds = time.perf_counter() - started
        added = _by_kind(session) - before
        session.remove()
    per_kind = ", ".join(f"{k} +{added.get(k, 0):,}" for k in sorted(before))
    ctx.say(f"expand: the next {weeks} weeks of every series: {created:,} occurrences in "
            f"{seconds:.2f} s = {created / seconds:,.0f}/s ({per_kind}; patrols end after "
            f"8 weeks, so they add none)")
    return {"expand_s": seconds, "expand_created": created,
            "expand_per_s": created / seconds if seconds else None,
            "expand_by_kind": dict(added)}


# -- 2. sign-ups -----------------------------------------------------------------------

def _signups(ctx) -> dict:
    wanted = ctx.options.signups
    if wanted is None:
        wanted = min(DEFAULT_SIGNUPS, SIGNUPS_PER_SCALE * ctx.scale)
    warmup = max(0, ctx.options.warmup)
    zone = ctx.app.config["TIMEZONE"]
    with ctx.app.app_context():
        started = time.perf_counter()
        pairs, stats = plan_pairs(db.session, ctx.now, warmup + 2 * wanted, zone)
        db.session.remove()
    ctx.say(f"sign-ups: chose {len(pairs):,} valid pairs in {time.perf_counter() - started:.1f} s"
            f" ({stats['open_slots']:,} open slots after the filled weeks; "
            f"{stats['people']:,} people, at most {stats['max_per_person']} each)")
    if len(pairs) < warmup + 2 * wanted:
        ctx.say(f"  note: only {len(pairs):,} of the {warmup + 2 * wanted:,} wanted fit "
                f"this database")
    warm = min(warmup, len(pairs) // 10)  # a small database keeps most pairs for timing
    if warm:
        done = _run_sequential(ctx.app, pairs[:warm], ctx.now, zone)
        ctx.say(f"  warm-up: {warm} sign-ups, not counted ({_brief(done['outcomes'])})")
        if done["errors"]:
            ctx.failed(f"warm-up sign-ups crashed: {done['errors'][0]}")
    timed = pairs[warm:warm + 2 * wanted]
    sequential, threaded = timed[0::2], timed[1::2]
    out = {"signups_wanted": wanted, "signups_planned": len(pairs), "warmup": warm}
    with _profiled(ctx, "sign-ups, one thread"):
        one = _run_sequential(ctx.app, sequential, ctx.now, zone)
    out.update(_summarise(ctx, "1 thread", one, "1"))
    many = _run_threaded(ctx.app, threaded, ctx.now, zone, THREADS)
    out.update(_summarise(ctx, f"{THREADS} threads", many, "n"))
    return out


def _attempt(pair, now, zone, outcomes: Counter, latencies: list, errors: list) -> None:
    """Run one sign-up as a request would: its own transaction, timed end to end."""
    started = time.perf_counter()
    try:
        actor = db.session.get(Account, pair.account_id)  # what the login loader does
        begin_write(db.session)
        result = sign_up(db.session, actor, pair.role_id, now, zone=zone)
        db.session.commit()
        outcomes[result.status] += 1
    except DomainError as exc:
        db.session.rollback()
        outcomes["refused: " + getattr(exc, "code", exc.__class__.__name__)] += 1
    except Exception as exc:  # noqa: BLE001 — reported, and fails the run
        db.session.rollback()
        errors.append(repr(exc))
    latencies.append(time.perf_counter() - started)


def _run_sequential(app, pairs, now, zone) -> dict:
    outcomes, latencies, errors = Counter(), [], []
    with app.app_context():
        started = time.perf_counter()
        for pair in pairs:
            _attempt(pair, now, zone, outcomes, latencies, errors)
        wall = time.perf_counter() - started
        db.session.remove()
    return {"outcomes": outcomes, "latencies": latencies, "errors": errors, "wall": wall}


def _run_threaded(app, pairs, now, zone, n: int) -> dict:
    outcomes, latencies, errors = Counter(), [], []
    lock = threading.Lock()
    barrier = threading.Barrier(n + 1)

    def work(share):
        mine, lat, err = Counter(), [], []
        with app.app_context():
            barrier.wait()
            for pair in share:
                _attempt(pair, now, zone, mine, lat, err)
            db.session.remove()
        with lock:
            outcomes.update(mine)
            latencies.extend(lat)
            errors.extend(err)

    threads = [threading.Thread(target=work, args=(pairs[i::n],)) for i in range(n)]
    for t in threads:
        t.start()
    barrier.wait()
    started = time.perf_counter()
    for t in threads:
        t.join()
    wall = time.perf_counter() - started
    return {"outcomes": outcomes, "latencies": latencies, "errors": errors, "wall": wall}


def _brief(outcomes: Counter) -> str:
    return ", ".join(f"{k} {v}" for k, v in sorted(outcomes.items()))


def _percentile(values: list[float], p: int) -> float | None:
    if len(values) < 2:
        return values[0] * 1000 if values else None
    return statistics.quantiles(values, n=100, method="inclusive")[p - 1] * 1000


def _summarise(ctx, label: str, run: dict, suffix: str) -> dict:
    outcomes, wall = run["outcomes"], run["wall"]
    done = outcomes["confirmed"] + outcomes["waitlisted"]
    refused = sum(v for k, v in outcomes.items() if k.startswith("refused"))
    p50, p95 = _percentile(run["latencies"], 50), _percentile(run["latencies"], 95)
    rate = done / wall if wall and not run["errors"] else None  # a crash voids the figure
    reasons = ", ".join(f"{k[9:]} {v}" for k, v in sorted(outcomes.items())
                        if k.startswith("refused"))
    shown = done / wall if wall else 0
    ctx.say(f"  {label}: {done:,} signed up ({outcomes['confirmed']:,} confirmed, "
            f"{outcomes['waitlisted']:,} waitlisted) in {wall:.2f} s = {shown:,.0f}/s; "
            f"refused {refused}{f' ({reasons})' if reasons else ''}; "
            f"latency p50 {p50 or 0:.1f} ms, p95 {p95 or 0:.1f} ms")
    for error in run["errors"][:5]:
        ctx.say(f"  ERROR {error}")
    if run["errors"]:
        ctx.failed(f"{len(run['errors'])} sign-ups crashed ({label})")
    return {f"signups_per_s_{suffix}": rate, f"signups_done_{suffix}": done,
            f"confirmed_{suffix}": outcomes["confirmed"],
            f"waitlisted_{suffix}": outcomes["waitlisted"], f"refused_{suffix}": refused,
            f"errors_{suffix}": len(run["errors"]), f"wall_s_{suffix}": wall,
            f"p50_ms_{suffix}": p50, f"p95_ms_{suffix}": p95}


# -- 3. integrity ----------------------------------------------------------------------

def _integrity(ctx) -> dict:
    with ctx.app.app_context():
        session = db.session
        confirmed = (select(Assignment.occurrence_role_id.label("role_id"),
                            func.count().label("n"))
                     .where(Assignment.status == "confirmed")
                     .group_by(Assignment.occurrence_role_id).subquery())
        joined = select(func.count()).select_from(OccurrenceRole).outerjoin(
            confirmed, confirmed.c.role_id == OccurrenceRole.id)
        over = session.scalar(joined.where(OccurrenceRole.filled > OccurrenceRole.maximum))
        drift = session.scalar(joined.where(
            OccurrenceRole.filled != func.coalesce(confirmed.c.n, 0)))
        overlaps = session.scalar(_overlap_count())
        roles = session.scalar(select(func.count()).select_from(OccurrenceRole))
        session.remove()
    ok = over == 0 and drift == 0 and overlaps == 0
    verdict = "OK" if ok else "FAIL"
    ctx.say(f"integrity: {verdict} — {roles:,} slots: {over} over maximum, {drift} with "
            f"filled != confirmed assignments; {overlaps} people in overlapping occurrences")
    if not ok:
        ctx.failed("integrity check failed")
    return {"integrity": verdict, "over_maximum": over, "filled_mismatch": drift,
            "overlapping": overlaps}


def _overlap_count():
    """Count pairs of one person's live assignments whose occurrences overlap."""
    a1, a2 = aliased(Assignment), aliased(Assignment)
    r1, r2 = aliased(OccurrenceRole), aliased(OccurrenceRole)
    o1, o2 = aliased(Occurrence), aliased(Occurrence)
    live = ("confirmed", "waitlisted")
    return (select(func.count()).select_from(a1)
            .join(a2, and_(a2.person_id == a1.person_id, a2.id > a1.id))
            .join(r1, a1.occurrence_role_id == r1.id).join(o1, r1.occurrence_id == o1.id)
            .join(r2, a2.occurrence_role_id == r2.id).join(o2, r2.occurrence_id == o2.id)
            .where(a1.status.in_(live), a2.status.in_(live), o1.status == "scheduled",
                   o2.status == "scheduled", o1.start_at < o2.end_at,
                   o2.start_at < o1.end_at))


class _profiled:
    """Run the block under cProfile when ``--profile`` is given; print the top lines."""

    def __init__(self, ctx, label: str):
        self.ctx, self.label = ctx, label
        self.profile = cProfile.Profile() if ctx.options.profile else None

    def __enter__(self):
        if self.profile:
            self.profile.enable()

    def __exit__(self, *exc):
        if self.profile:
            self.profile.disable()
            buffer = io.StringIO()
            stats = pstats.Stats(self.profile, stream=buffer).sort_stats("cumulative")
            stats.print_stats(30)
            self.ctx.say(f"--- profile: {self.label} ---\n{buffer.getvalue()}")
        return False
