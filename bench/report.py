"""The summary table, the JSON results file and the hardware note."""
from __future__ import annotations

import json
import os
import platform
from datetime import datetime, timezone
from pathlib import Path

RESULTS_DIR = Path(__file__).resolve().parent / "results"


def fmt(key: str, spec: str):
    """Return a cell formatter: ``row[key]`` through ``spec``, or "—" when missing."""
    def cell(row: dict) -> str:
        value = row.get(key)
        return "—" if value is None else spec.format(value)
    return cell


def fmt_pair(first: str, second: str, spec: str):
    """Return a cell formatter showing two figures as ``a / b``."""
    left, right = fmt(first, spec), fmt(second, spec)
    return lambda row: f"{left(row)} / {right(row)}"


# Columns every run has (from the seed); sections add theirs after these.
BASE_COLUMNS = [
    ("backend", fmt("backend", "{}")),
    ("scale", fmt("scale", "{}")),
    ("people", fmt("people", "{:,}")),
    ("series", fmt("series", "{:,}")),
    ("occurrences", fmt("occurrences", "{:,}")),
    ("seed s", fmt("seed_s", "{:.1f}")),
]


def table(rows: list[dict], columns) -> str:
    """Render ``rows`` as a plain-text table with right-aligned figures."""
    headers = [h for h, _ in columns]
    cells = [[cell(row) for _h, cell in columns] for row in rows]
    widths = [max([len(h)] + [len(r[i]) for r in cells]) for i, h in enumerate(headers)]

    def line(values):
        return "  ".join(v.ljust(w) if i == 0 else v.rjust(w)
                         for i, (v, w) in enumerate(zip(values, widths)))
    rule = "  ".join("-" * w for w in widths)
    return "\n".join([line(headers), rule] + [line(r) for r in cells])


def hardware() -> dict:
    """Return what the figures depend on: cores, CPU model, memory, versions."""
    model = None
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as fh:
            model = next((line.split(":", 1)[1].strip() for line in fh
                          if line.startswith("model name")), None)
    except OSError:
        pass
    memory = None
    try:
        with open("/proc/meminfo", encoding="utf-8") as fh:
            kib = int(next(line for line in fh if line.startswith("MemTotal")).split()[1])
            memory = round(kib / 1024 / 1024, 1)
    except (OSError, StopIteration, ValueError):
        pass
    import sqlite3

    import sqlalchemy
    return {"nproc": os.cpu_count(), "cpu_model": model or platform.processor() or "?",
            "memory_gib": memory, "python": platform.python_version(),
            "sqlalchemy": sqlalchemy.__version__, "sqlite": sqlite3.sqlite_version,
            "platform": platform.platform()}


def hardware_line(hw: dict) -> str:
    """Return the hardware note as one line."""
    return (f"hardware: nproc={hw['nproc']}, CPU {hw['cpu_model']}, "
            f"{hw['memory_gib']} GiB RAM; Python {hw['python']}, SQLAlchemy "
            f"{hw['sqlalchemy']}, SQLite {hw['sqlite']}")


def write_json(payload: dict, directory: Path = RESULTS_DIR) -> Path:
    """Write ``payload`` to ``directory``/<timestamp>.json and return the path."""
    directory.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    path = directory / f"{stamp}.json"
    n = 1
    while path.exists():  # two runs in one second
        n += 1
        path = directory / f"{stamp}-{n}.json"
    path.write_text(json.dumps(payload, indent=2, ensure_ascii=False, default=str) + "\n",
                    encoding="utf-8")
    return path
