"""Calendar feeds: size, cold render, and what a poll costs through gunicorn.

For each feed (``--feeds``; by default the township's organisation feed at ``--scale 1``,
a community feed and a typical personal feed at any scale):

1. bytes and events, and the cold render time, median of ``--feed-cold-runs``: every
   cache emptied before each run (the process-local bodies, validators and per-event
   bytes, and the shared ``feed_cache`` table), rendered through the app in-process;
2. gunicorn (sync workers, loopback; ``bench.feeds_app``) serving the feed: requests per
   second and latency median / p99 of a 304 (matching If-None-Match), of a cached 200,
   and of a static file of the same bytes (200 and 304, same kind of ETag) served by the
   same gunicorn and app, the ceiling; then one poll at a time, with and without an
   unrelated write (the data version bumped) before each. See ``bench.feeds_load``.
"""
from __future__ import annotations

import statistics
import tempfile
import time

from sqlalchemy import delete, select, text

from coordinator import create_app
from coordinator.extensions import db
from coordinator.models import Account, Community, FeedCache
from coordinator.services.feeds import tokens as feed_tokens

from . import feeds_load
from .feeds_app import bench_config
from .report import fmt

NAME = "feeds"
FEEDS = ("organisation", "community", "personal")
COLUMNS = [
    ("feed", fmt("feed_names", "{}")),
    ("KB", fmt("feed_kb", "{}")),
    ("cold s", fmt("feed_cold_s", "{}")),
    ("304/s", fmt("feed_304_rps", "{}")),
    ("304 ms", fmt("feed_304_p50_ms", "{}")),
    ("200/s", fmt("feed_200_rps", "{}")),
    ("static304/s", fmt("feed_static_304_rps", "{}")),
    ("static200/s", fmt("feed_static_200_rps", "{}")),
]


def add_arguments(parser) -> None:
    parser.add_argument("--feed-seconds", type=float, default=5,
                        help="seconds of load per measurement and round (default 5)")
    parser.add_argument("--feed-cold-runs", type=int, default=5,
                        help="cold renders per feed, median reported (default 5)")
    parser.add_argument("--feeds", default=None,
                        help="comma-separated: organisation,community,personal (default: "
                        "all three at --scale 1, community and personal above)")
    parser.add_argument("--feed-workers", type=int, default=None,
                        help="gunicorn sync workers (default: the cores, at least 2)")
    parser.add_argument("--feed-connections", type=int, default=4,
                        help="wrk connections (default 4)")
    parser.add_argument("--feed-rounds", type=int, default=3,
                        help="rounds of the four load measurements, interleaved; medians "
                        "reported (default 3)")
    parser.add_argument("--feed-write-runs", type=int, default=40,
                        help="single polls timed with and without a write before each "
                        "(default 40)")


def run(ctx) -> dict:
    options = ctx.options
    names = options.feeds.split(",") if options.feeds else [
        f for f in FEEDS if ctx.scale == 1 or f != "organisation"]
    unknown = [n for n in names if n not in FEEDS]
    if unknown:
        raise ValueError(f"unknown feed(s) {', '.join(unknown)}; known: {', '.join(FEEDS)}")
    feeds = _tokens(ctx, names)
    static_dir = tempfile.mkdtemp(prefix="static-", dir=ctx.app.instance_path)
    config = ctx.app.config
    server = feeds_load.Gunicorn(config["SQLALCHEMY_DATABASE_URI"], config["SECRET_KEY"],
                                 ctx.app.instance_path, static_dir, options.feed_workers)
    # The in-process app has the same PUBLIC_URL as gunicorn's: the same feed bytes.
    app = create_app(bench_config(config["SQLALCHEMY_DATABASE_URI"], config["SECRET_KEY"],
                                  ctx.app.instance_path, server.public_url))
    rows = []
    try:
        for label, token in feeds:
            rows.append(_cold(ctx, app, label, token, options.feed_cold_runs))
    finally:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()

    def bump():
        with ctx.app.app_context():
            db.session.execute(text(
                "UPDATE data_versions SET version = version + 1 WHERE name = 'schedule'"))
            db.session.commit()

    with server:
        for row, (label, token) in zip(rows, feeds):
            row["load"] = feeds_load.poll_costs(
                server, f"/feeds/{token}.ics", f"{ctx.backend}-{label}", options.feed_seconds,
                options.feed_connections, bump=bump, write_runs=options.feed_write_runs,
                rounds=options.feed_rounds)
            ctx.say("feeds: " + feeds_load.table(label, row["load"]))
            _check(ctx, label, row)
    for r in rows:
        ctx.say(f"feeds: {r['names']}: {r['kb']} KB, {r['events']} events, cold "
                f"{r['cold_s']} s (median of {len(r['cold_runs_s'])}: "
                f"{', '.join(str(s) for s in r['cold_runs_s'])}; {r['events_per_s']} ev/s)")
    result = {f"feed_{k}": " / ".join(str(r[k]) for r in rows)
              for k in ("names", "kb", "events", "cold_s", "events_per_s")}
    for key in ("feed_304", "feed_200", "static_304", "static_200"):
        short = key.removeprefix("feed_")
        result[f"feed_{short}_rps"] = " / ".join(str(r["load"][key]["rps"]) for r in rows)
        result[f"feed_{short}_p50_ms"] = " / ".join(str(r["load"][key]["p50_ms"])
                                                    for r in rows)
    result["feeds_detail"] = rows
    return result


def _tokens(ctx, names):
    secret = ctx.app.config["SECRET_KEY"]
    with ctx.app.app_context():
        at = ctx.now

        def account(username):
            return db.session.scalar(select(Account).where(Account.username == username))
        first = db.session.scalar(select(Community).order_by(Community.id))
        issue = {"organisation": lambda: feed_tokens.issue(
                     db.session, account("leader"), "organisation", None, secret, at),
                 "community": lambda: feed_tokens.issue(
                     db.session, account("coordinator"), "community", first.id, secret, at),
                 "personal": lambda: feed_tokens.issue(
                     db.session, account("volunteer"), "mine", None, secret, at)}
        feeds = [(name, issue[name]()) for name in names]
        db.session.commit()
    return feeds


def _cold(ctx, app, label, token, runs) -> dict:
    """Render the feed ``runs`` times with every cache emptied first."""
    ctx.say(f"feeds: {label}: cold render x{runs}")
    client = app.test_client()
    times, body = [], b""
    for _ in range(max(1, runs)):
        with app.app_context():
            db.session.execute(delete(FeedCache))
            db.session.commit()
        app.extensions["feed_caches"].clear()
        started = time.perf_counter()
        response = client.get(f"/feeds/{token}.ics")
        times.append(time.perf_counter() - started)
        if response.status_code != 200:
            raise RuntimeError(f"{label}: the feed answered {response.status_code}")
        body = response.get_data()
    cold = statistics.median(times)
    events = body.count(b"BEGIN:VEVENT")
    warm_started = time.perf_counter()
    client.get(f"/feeds/{token}.ics")
    warm = time.perf_counter() - warm_started
    return {"names": label, "bytes": len(body), "kb": round(len(body) / 1024, 1),
            "events": events,
            "cold_s": round(cold, 3), "cold_runs_s": [round(t, 3) for t in times],
            "events_per_s": round(events / cold) if cold else 0,
            "warm_in_process_ms": round(warm * 1000, 1)}


def _check(ctx, label, row) -> None:
    load = row["load"]
    if load["bytes"] != row["bytes"]:
        ctx.failed(f"feeds: {label}: gunicorn served {load['bytes']} bytes, the in-process "
                   f"render {row['bytes']}")
