"""What a poll costs: gunicorn (sync workers) on the bench database, loaded by ``wrk``.

For one feed URL, four measurements against the same gunicorn and app:

- feed 304: ``If-None-Match`` with the feed's current ETag (the data-version hot path);
- feed 200: no validator, the body comes from the process's cache;
- static 200 / static 304: the feed's bytes written to ``BENCH_STATIC_DIR`` and served by
  ``bench.feeds_app`` with ``send_file(conditional=True)`` and the same kind of ETag.

Each gives requests per second and the latency median and p99 (``wrk --latency``). Then
"304 after an unrelated write": one request at a time, each right after a write that
bumps the data version without changing what the feed prints, so every poll misses the
hot path and goes through the validator (stamp) before answering 304.

Without ``wrk`` (or with ``BENCH_LOAD_TOOL=python``) a Python client stands in; its
figures say so ("python") and are not comparable with wrk's (the client costs as much as
the server on 2 vCPU).
"""
from __future__ import annotations

import http.client
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from .feeds_app import STATIC_PREFIX

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def default_workers() -> int:
    return max(2, os.cpu_count() or 2)


class Gunicorn:
    """``gunicorn -k sync -w N bench.feeds_app:app`` on a free loopback port."""

    def __init__(self, url: str, secret: str, instance_path: str, static_dir: str,
                 workers: int | None = None, port: int | None = None):
        self.port = port or free_port()
        self.public_url = f"http://127.0.0.1:{self.port}"
        self.url, self.secret, self.instance_path = url, secret, instance_path
        self.static_dir = static_dir
        self.workers = workers or default_workers()
        self.proc: subprocess.Popen | None = None

    def start(self, timeout: float = 60) -> None:
        env = dict(os.environ, BENCH_APP_DATABASE_URL=self.url, BENCH_SECRET_KEY=self.secret,
                   BENCH_INSTANCE_PATH=self.instance_path, BENCH_STATIC_DIR=self.static_dir,
                   BENCH_PUBLIC_URL=self.public_url, PYTHONPATH=str(ROOT))
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-k", "sync", "-w", str(self.workers),
             "-b", f"127.0.0.1:{self.port}", "--logger-class",
             "coordinator.http.logs.RedactingLogger", "--log-level", "warning",
             "bench.feeds_app:app"], cwd=ROOT, env=env)
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"gunicorn exited with status {self.proc.returncode}")
            try:
                if get(self.port, "/healthz", timeout=2)[0] == 200:
                    return
            except OSError:
                time.sleep(0.2)
        raise RuntimeError("gunicorn did not start")

    def write_static(self, name: str, body: bytes) -> str:
        """Write ``body`` as a static file; return its path on this server."""
        Path(self.static_dir, name).write_bytes(body)
        return STATIC_PREFIX + name

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)
        self.proc = None

    def __enter__(self):
        self.start()
        return self

    def __exit__(self, *exc):
        self.stop()


def get(port: int, path: str, headers: dict | None = None, timeout: float = 60):
    """One GET on a new connection: ``(status, headers, body)``."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request("GET", path, headers=headers or {})
        response = conn.getresponse()
        body = response.read()
        return response.status, dict(response.getheaders()), body
    finally:
        conn.close()


@dataclass
class Load:
    """One load measurement."""

    name: str
    status: int
    rps: float
    p50_ms: float
    p99_ms: float
    tool: str
    requests: int = 0

    def as_dict(self) -> dict:
        return {"name": self.name, "status": self.status, "rps": round(self.rps),
                "p50_ms": round(self.p50_ms, 2), "p99_ms": round(self.p99_ms, 2),
                "tool": self.tool, "requests": self.requests}


def tool() -> str:
    """"wrk" when installed, unless BENCH_LOAD_TOOL=python asks for the Python client."""
    if os.environ.get("BENCH_LOAD_TOOL") == "python":
        return "python"
    return "wrk" if shutil.which("wrk") else "python"


def measure(name: str, port: int, path: str, headers: dict, expect: int, seconds: float,
            connections: int = 4) -> Load:
    """Load ``path`` for ``seconds``; the status must be ``expect`` before and after."""
    for _ in range(2):  # warm each worker's caches a little
        status = get(port, path, headers)[0]
    if status != expect:
        raise RuntimeError(f"{name}: {path} answered {status}, expected {expect}")
    if tool() == "wrk":
        result = _wrk(name, port, path, headers, seconds, connections, expect)
    else:
        result = _python(name, port, path, headers, seconds, connections, expect)
    status = get(port, path, headers)[0]
    if status != expect:
        raise RuntimeError(f"{name}: {path} answered {status} after the load")
    return result


_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}


def _ms(text: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text).groups()
    return float(number) * _UNITS[unit]


def parse_wrk(out: str) -> dict:
    """Requests/sec, latency p50 and p99 (ms) and the request count from wrk's output."""
    rps = re.search(r"Requests/sec:\s+([\d.]+)", out)
    p50 = re.search(r"^\s*50%\s+(\S+)", out, re.M)
    p99 = re.search(r"^\s*99%\s+(\S+)", out, re.M)
    count = re.search(r"(\d+) requests in", out)
    if not (rps and p50 and p99):
        raise RuntimeError(f"could not read wrk's output:\n{out}")
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    errors = re.search(r"Socket errors: (.*)", out)
    return {"rps": float(rps.group(1)), "p50_ms": _ms(p50.group(1)),
            "p99_ms": _ms(p99.group(1)), "requests": int(count.group(1)) if count else 0,
            "bad": int(bad.group(1)) if bad else 0,
            "socket_errors": errors.group(1) if errors else None}


def _wrk(name, port, path, headers, seconds, connections, expect) -> Load:
    args = ["wrk", "-t1", f"-c{connections}", f"-d{max(1, round(seconds))}s", "--latency"]
    for key, value in headers.items():
        args += ["-H", f"{key}: {value}"]
    out = subprocess.run(args + [f"http://127.0.0.1:{port}{path}"], capture_output=True,
                         text=True, timeout=seconds + 60).stdout
    figures = parse_wrk(out)
    if figures["bad"]:
        raise RuntimeError(f"{name}: {figures['bad']} error responses from {path}")
    return Load(name, expect, figures["rps"], figures["p50_ms"], figures["p99_ms"], "wrk",
                figures["requests"])


def _python(name, port, path, headers, seconds, connections, expect) -> Load:
    latencies: list[float] = []
    wrong = [0]
    stop = time.perf_counter() + seconds

    def worker():
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        mine = []
        while time.perf_counter() < stop:
            started = time.perf_counter()
            conn.request("GET", path, headers=headers)
            response = conn.getresponse()
            response.read()
            mine.append(time.perf_counter() - started)
            if response.status != expect:
                wrong[0] += 1
        conn.close()
        latencies.extend(mine)

    started = time.perf_counter()
    threads = [threading.Thread(target=worker) for _ in range(connections)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - started
    if wrong[0]:
        raise RuntimeError(f"{name}: {wrong[0]} answers other than {expect} from {path}")
    p50, p99 = percentiles(latencies)
    return Load(name, expect, len(latencies) / elapsed, p50, p99, "python", len(latencies))


def percentiles(seconds: list[float]) -> tuple[float, float]:
    """Median and p99 of ``seconds``, in milliseconds."""
    if not seconds:
        return 0.0, 0.0
    ordered = sorted(seconds)
    p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
    return statistics.median(ordered) * 1000, p99 * 1000


def sequential(port: int, path: str, headers: dict, expect: int, runs: int,
               before=None) -> tuple[float, float]:
    """Median and p99 (ms) of ``runs`` single requests, each after ``before()`` if given
    (not timed). One request at a time on a new connection, as a poll comes."""
    times = []
    for _ in range(runs):
        if before is not None:
            before()
        started = time.perf_counter()
        status = get(port, path, headers)[0]
        times.append(time.perf_counter() - started)
        if status != expect:
            raise RuntimeError(f"{path} answered {status}, expected {expect}")
    return percentiles(times)


def poll_costs(server: Gunicorn, feed_path: str, name: str, seconds: float,
               connections: int = 4, bump=None, write_runs: int = 40,
               rounds: int = 1) -> dict:
    """Measure one feed the four ways (and after unrelated writes when ``bump`` is given);
    return the figures by measurement name."""
    status, headers, body = get(server.port, feed_path)
    if status != 200:
        raise RuntimeError(f"{feed_path} answered {status}")
    etag = headers.get("ETag")
    static_path = server.write_static(name + ".ics", body)
    static = get(server.port, static_path)
    if static[2] != body:
        raise RuntimeError("the static copy is not the feed's bytes")
    static_etag = static[1].get("ETag")
    if static_etag != etag:
        raise RuntimeError(f"static ETag {static_etag} differs from the feed's {etag}")
    match = {"If-None-Match": etag}
    plan = [("feed_304", feed_path, match, 304), ("feed_200", feed_path, {}, 200),
            ("static_304", static_path, match, 304), ("static_200", static_path, {}, 200)]
    load_start = _loadavg()
    runs: dict[str, list[Load]] = {name: [] for name, *_ in plan}
    # Rounds interleave the four, so that the machine's other load drifts over all alike.
    for _ in range(max(1, rounds)):
        for name, path, headers, expect in plan:
            runs[name].append(measure(name, server.port, path, headers, expect, seconds,
                                      connections))
    out = {name: _median(loads) for name, loads in runs.items()}
    out["bytes"] = len(body)
    out["etag"] = etag
    out["workers"] = server.workers
    out["connections"] = connections
    out["rounds"] = max(1, rounds)
    out["tool"] = runs["feed_304"][0].tool
    out["loadavg"] = [load_start, _loadavg()]
    # One poll at a time (Python client, new connection each): without and with a write.
    p50, p99 = sequential(server.port, feed_path, match, 304, write_runs)
    out["seq_304"] = {"p50_ms": round(p50, 2), "p99_ms": round(p99, 2), "runs": write_runs}
    if bump is not None:
        p50, p99 = sequential(server.port, feed_path, match, 304, write_runs, before=bump)
        out["seq_304_after_write"] = {"p50_ms": round(p50, 2), "p99_ms": round(p99, 2),
                                      "runs": write_runs}
    return out


def _median(loads: list[Load]) -> dict:
    """The median of each figure over the rounds (and each round's req/s)."""
    out = loads[0].as_dict()
    for key in ("rps", "p50_ms", "p99_ms"):
        value = statistics.median(getattr(load, key) for load in loads)
        out[key] = round(value) if key == "rps" else round(value, 2)
    out["requests"] = sum(load.requests for load in loads)
    out["rps_rounds"] = [round(load.rps) for load in loads]
    return out


def _loadavg() -> float | None:
    try:
        return round(os.getloadavg()[0], 2)
    except OSError:
        return None


def table(label: str, figures: dict) -> str:
    """The poll-cost lines of one feed, as printed by the feeds section."""
    lines = [f"{label}: {figures['bytes'] / 1024:.1f} KB; gunicorn sync -w "
             f"{figures['workers']}, {figures['tool']} -c{figures['connections']}, median of "
             f"{figures['rounds']} round(s); load average {figures['loadavg'][0]} -> "
             f"{figures['loadavg'][1]}"
             + ("" if figures["tool"] == "wrk" else
                " (NOTE: Python client, wrk missing or BENCH_LOAD_TOOL=python: "
                "not comparable with wrk's)"),
             f"  {'':<22}{'req/s':>8}{'p50 ms':>9}{'p99 ms':>9}"]
    for key, text in (("feed_304", "feed 304"), ("feed_200", "feed 200 (cached)"),
                      ("static_304", "static 304"), ("static_200", "static 200")):
        f = figures[key]
        lines.append(f"  {text:<22}{f['rps']:>8}{f['p50_ms']:>9.2f}{f['p99_ms']:>9.2f}")
    seq = figures["seq_304"]
    lines.append(f"  one poll at a time (python, new connection): 304 p50 {seq['p50_ms']:.2f}"
                 f" ms, p99 {seq['p99_ms']:.2f} ms")
    if "seq_304_after_write" in figures:
        seq = figures["seq_304_after_write"]
        lines.append(f"  ... right after an unrelated write: 304 p50 {seq['p50_ms']:.2f} ms, "
                     f"p99 {seq['p99_ms']:.2f} ms")
    return "\n".join(lines)
