"""Calendar feeds: size, cold render, and requests per second through gunicorn.

For each feed (the organisation feed of the township at ``--scale 1``; a community feed
and a typical personal feed at any scale):

1. bytes and events, and the cold render time (every cache emptied: the process-local
   bodies, the shared ``feed_cache`` table and the per-event bytes), through the app;
2. gunicorn (2 workers, loopback) serving the feed: requests per second for a cached
   200 (no validator sent) and for a 304 (matching If-None-Match), next to a static
   file of the same bytes served by the same gunicorn and app (the ceiling). Load comes
   from ``wrk`` when installed (Debian package ``wrk``), else from a Python keep-alive
   client (slower; the table says which).
"""
from __future__ import annotations

import http.client
import os
import re
import shutil
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

from sqlalchemy import delete, select

from coordinator.extensions import db
from coordinator.models import Account, Community, FeedCache
from coordinator.services.feeds import tokens as feed_tokens

from .report import fmt

NAME = "feeds"
ROOT = Path(__file__).resolve().parent.parent
STATIC = ROOT / "coordinator" / "static"
COLUMNS = [
    ("feed", fmt("feed_names", "{}")),
    ("KB", fmt("feed_kb", "{}")),
    ("events", fmt("feed_events", "{}")),
    ("cold s", fmt("feed_cold_s", "{}")),
    ("ev/s", fmt("feed_events_per_s", "{}")),
    ("200/s", fmt("feed_200_rps", "{}")),
    ("304/s", fmt("feed_304_rps", "{}")),
    ("static/s", fmt("feed_static_rps", "{}")),
]


def add_arguments(parser) -> None:
    parser.add_argument("--feed-seconds", type=int, default=8,
                        help="seconds of load per measurement (default 8)")


def run(ctx) -> dict:
    feeds = _choose(ctx)
    rows = []
    for label, token in feeds:
        ctx.say(f"feeds: {label}")
        rows.append(_cold(ctx, label, token))
    server = _Gunicorn(ctx)
    try:
        server.start()
        for row, (_label, token) in zip(rows, feeds):
            row.update(_load(ctx, server, token, row))
    finally:
        server.stop()
    result = {f"feed_{k}": " / ".join(str(r[k]) for r in rows)
              for k in ("names", "kb", "events", "cold_s", "events_per_s", "200_rps",
                        "304_rps", "static_rps")}
    result["feeds_detail"] = rows
    for r in rows:
        ratio = min(r["200_rps"], r["304_rps"]) / r["static_rps"] if r["static_rps"] else 0
        ctx.say(f"feeds: {r['names']}: {r['kb']} KB, {r['events']} events, cold "
                f"{r['cold_s']} s ({r['events_per_s']} ev/s); 200 {r['200_rps']}/s, "
                f"304 {r['304_rps']}/s, static {r['static_rps']}/s "
                f"(worst/static = {ratio:.2f}; {r['tool']})")
    return result


def _choose(ctx):
    secret = ctx.app.config["SECRET_KEY"]
    with ctx.app.app_context():
        at = ctx.now
        volunteer = db.session.scalar(select(Account).where(Account.username == "volunteer"))
        coordinator = db.session.scalar(select(Account).where(
            Account.username == "coordinator"))
        leader = db.session.scalar(select(Account).where(Account.username == "leader"))
        first = db.session.scalar(select(Community).order_by(Community.id))
        feeds = []
        if ctx.scale == 1:
            feeds.append(("organisation", feed_tokens.issue(
                db.session, leader, "organisation", None, secret, at)))
        feeds.append(("community", feed_tokens.issue(
            db.session, coordinator, "community", first.id, secret, at)))
        feeds.append(("personal", feed_tokens.issue(
            db.session, volunteer, "mine", None, secret, at)))
        db.session.commit()
    return feeds


def _cold(ctx, label, token) -> dict:
    client = ctx.app.test_client()
    with ctx.app.app_context():
        db.session.execute(delete(FeedCache))
        db.session.commit()
    ctx.app.extensions["feed_caches"].clear()
    started = time.perf_counter()
    response = client.get(f"/feeds/{token}.ics")
    cold = time.perf_counter() - started
    body = response.get_data()
    events = body.count(b"BEGIN:VEVENT")
    warm_started = time.perf_counter()
    client.get(f"/feeds/{token}.ics")
    warm = time.perf_counter() - warm_started
    return {"names": label, "kb": round(len(body) / 1024, 1), "events": events,
            "cold_s": round(cold, 3), "events_per_s": round(events / cold) if cold else 0,
            "warm_in_process_ms": round(warm * 1000, 1), "status": response.status_code,
            "etag": response.headers.get("ETag"), "body": body}


class _Gunicorn:
    def __init__(self, ctx):
        self.ctx = ctx
        self.port = _free_port()
        self.proc = None
        self.static_name = f"_bench_{os.getpid()}.ics"

    def start(self):
        config = self.ctx.app.config
        env = dict(os.environ, DATABASE_URL=config["SQLALCHEMY_DATABASE_URI"],
                   SECRET_KEY=config["SECRET_KEY"],
                   COORDINATOR_INSTANCE_PATH=self.ctx.app.instance_path,
                   COORDINATOR_PUBLIC_URL=config["PUBLIC_URL"])
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-w", "2", "-b", f"127.0.0.1:{self.port}",
             "--logger-class", "coordinator.http.logs.RedactingLogger", "--log-level", "warning",
             "app:app"], cwd=ROOT, env=env)
        deadline = time.time() + 30
        while time.time() < deadline:
            try:
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=2)
                conn.request("GET", "/healthz")
                if conn.getresponse().status == 200:
                    return
            except OSError:
                time.sleep(0.2)
        raise RuntimeError("gunicorn did not start")

    def static(self, body: bytes) -> str:
        (STATIC / self.static_name).write_bytes(body)
        return f"/static/{self.static_name}"

    def stop(self):
        if self.proc is not None:
            self.proc.terminate()
            self.proc.wait(10)
        (STATIC / self.static_name).unlink(missing_ok=True)


def _load(ctx, server, token, row) -> dict:
    seconds = ctx.options.feed_seconds
    path = f"/feeds/{token}.ics"
    _get(server.port, path)  # fill this server's caches
    etag = _get(server.port, path)[1]
    static_path = server.static(row.pop("body"))
    tool = "wrk" if shutil.which("wrk") else "python"
    return {"tool": tool,
            "200_rps": _rate(tool, server.port, path, {}, seconds),
            "304_rps": _rate(tool, server.port, path, {"If-None-Match": etag}, seconds),
            "static_rps": _rate(tool, server.port, static_path, {}, seconds)}


def _get(port, path):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    conn.request("GET", path)
    response = conn.getresponse()
    response.read()
    return response.status, response.getheader("ETag")


def _rate(tool, port, path, headers, seconds) -> int:
    if tool == "wrk":
        args = ["wrk", "-t2", "-c16", f"-d{seconds}s"]
        for name, value in headers.items():
            args += ["-H", f"{name}: {value}"]
        out = subprocess.run(args + [f"http://127.0.0.1:{port}{path}"], capture_output=True,
                             text=True, timeout=seconds + 30).stdout
        match = re.search(r"Requests/sec:\s+([\d.]+)", out)
        bad = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
        if bad:
            raise RuntimeError(f"{bad.group(1)} error responses from {path}")
        return round(float(match.group(1))) if match else 0
    return _python_rate(port, path, headers, seconds)


def _python_rate(port, path, headers, seconds) -> int:
    count = [0]
    stop = time.time() + seconds

    def worker():
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        while time.time() < stop:
            conn.request("GET", path, headers=headers)
            conn.getresponse().read()
            count[0] += 1

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return round(count[0] / seconds)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]
