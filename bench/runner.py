"""Build a fresh database per backend, seed the demo, run the sections, print a table.

    python -m bench [--scale N] [--backends sqlite,postgresql] [--only scheduling] ...

Exit status 0 when every backend ran and every check held, 1 otherwise.
"""
from __future__ import annotations

import argparse
import os
import sys
import time
import traceback
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from . import SECTIONS, load_section, report
from .databases import fresh_database, make_app, postgres_server, redact, upgrade

BACKENDS = ("sqlite", "postgresql")


@dataclass
class Context:
    """What a section gets: the app on the seeded database and the run's settings."""

    app: object
    backend: str
    scale: int
    now: datetime
    options: argparse.Namespace
    seed: dict
    problems: list[str] = field(default_factory=list)

    def say(self, text: str) -> None:
        """Print a progress line for this backend."""
        print(f"[{self.backend}] {text}", flush=True)

    def failed(self, problem: str) -> None:
        """Record a failed check; the run then exits with status 1."""
        self.problems.append(problem)


def parse_args(argv: list[str] | None):
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.split("\n")[0])
    parser.add_argument("--scale", type=int, default=170,
                        help="build the demo township N times (170: ~100,000 volunteers)")
    parser.add_argument("--backends", default=None,
                        help="comma-separated: sqlite,postgresql (default: sqlite, plus "
                        "postgresql when BENCH_DATABASE_URL or the local test server answers)")
    parser.add_argument("--only", default=None,
                        help="comma-separated sections to run (default: all): "
                        + ", ".join(SECTIONS))
    parser.add_argument("--results", type=Path, default=report.RESULTS_DIR,
                        help="directory for the JSON results (default bench/results)")
    for name in SECTIONS:
        load_section(name).add_arguments(parser.add_argument_group(f"section {name}"))
    options = parser.parse_args(argv)
    if options.scale < 1:
        parser.error("--scale must be at least 1")
    sections = options.only.split(",") if options.only else list(SECTIONS)
    unknown = [s for s in sections if s not in SECTIONS]
    if unknown:
        parser.error(f"unknown section(s) {', '.join(unknown)}; known: {', '.join(SECTIONS)}")
    options.sections = sections
    if options.backends:
        options.backends = options.backends.split(",")
        bad = [b for b in options.backends if b not in BACKENDS]
        if bad:
            parser.error(f"unknown backend(s) {', '.join(bad)}; known: {', '.join(BACKENDS)}")
    return options


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark; return the exit status."""
    options = parse_args(argv)
    server = postgres_server() if "postgresql" in (options.backends or BACKENDS) else None
    backends = options.backends or (["sqlite"] + (["postgresql"] if server else []))
    hw = report.hardware()
    print(report.hardware_line(hw), flush=True)
    if "postgresql" in backends:
        print("postgresql server: " + (redact(server) if server else "none answered"),
              flush=True)
    elif not options.backends:
        print("postgresql: no server answered; running on SQLite only", flush=True)
    modules = [load_section(name) for name in options.sections]
    rows, problems = [], []
    for backend in backends:
        row, trouble = _run_backend(backend, server, options, modules)
        rows.append(row)
        problems += [f"{backend}: {p}" for p in trouble]
    columns = report.BASE_COLUMNS + [c for m in modules for c in m.COLUMNS]
    print()
    print(report.table(rows, columns))
    print(report.hardware_line(hw))
    payload = {"argv": sys.argv[1:] if argv is None else list(argv), "scale": options.scale,
               "sections": options.sections, "hardware": hw, "results": rows,
               "problems": problems}
    print(f"results: {report.write_json(payload, options.results)}")
    for problem in problems:
        print(f"PROBLEM {problem}")
    return 1 if problems else 0


def _run_backend(backend: str, server: str | None, options, modules) -> tuple[dict, list]:
    now = datetime.now(timezone.utc)
    row = {"backend": backend, "scale": options.scale, "started": now.isoformat(),
           "loadavg_start": _load()}
    problems: list[str] = []
    print(f"\n[{backend}] fresh database, scale {options.scale}; load average "
          f"{_load_text(row['loadavg_start'])} (other work on the machine skews the figures)",
          flush=True)
    try:
        with fresh_database(backend, server) as (url, scratch):
            app = make_app(url, scratch)
            try:
                row.update(_prepare(app, backend, options.scale, now))
                ctx = Context(app=app, backend=backend, scale=options.scale, now=now,
                              options=options, seed=dict(row))
                for module in modules:
                    row.update(module.run(ctx))
                problems += ctx.problems
            finally:
                from coordinator.extensions import db
                with app.app_context():
                    db.session.remove()
                    db.engine.dispose()
    except Exception as exc:  # noqa: BLE001 — report and go on with the next backend
        traceback.print_exc()
        problems.append(f"crashed: {exc!r}")
        row["error"] = repr(exc)
    row["loadavg_end"] = _load()
    return row, problems


def _load() -> list[float] | None:
    try:
        return [round(x, 2) for x in os.getloadavg()]
    except OSError:
        return None


def _load_text(load) -> str:
    return "/".join(f"{x:.2f}" for x in load) if load else "unknown"


def _prepare(app, backend: str, scale: int, now: datetime) -> dict:
    """Migrate the empty database and seed the demo; return the seed's figures."""
    from coordinator.demo import loader as demo
    from coordinator.extensions import db
    from coordinator.services.people import accounts

    started = time.perf_counter()
    upgrade(app)
    migrate_s = time.perf_counter() - started
    with app.app_context():
        started = time.perf_counter()
        counts = demo.seed_demo(db.session, scale=scale, now=now,
                                password_hash=accounts.hash_password("demo"),
                                horizon_weeks=app.config["HORIZON_WEEKS"],
                                timezone_name=app.config["TIMEZONE"])
        db.session.commit()
        seed_s = time.perf_counter() - started
        db.session.remove()
        # Statistics and visibility maps as autovacuum would have them on a running
        # server: without statistics PostgreSQL plans the freshly bulk-loaded tables as if
        # they were empty, and without the vacuum autovacuum does it during the timings.
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql("VACUUM ANALYZE" if backend == "postgresql" else "ANALYZE")
    print(f"[{backend}] migrations {migrate_s:.1f} s; seed-demo --scale {scale}: "
          f"{seed_s:.1f} s; " + ", ".join(f"{k} {v:,}" for k, v in counts.items()),
          flush=True)
    return {"migrate_s": migrate_s, "seed_s": seed_s, **counts}
