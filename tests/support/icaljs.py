"""Read calendars back with Mozilla's ical.js (pinned in tests/browser/package.json), as a
third parser beside icalendar and recurring-ical-events: one node process per call, for
as many calendars as are given. Tests skip only where node is not installed; `make test`
installs ical.js (npm ci --prefix tests/browser)."""
from __future__ import annotations

import json
import shutil
import subprocess
from datetime import datetime
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = Path(__file__).with_name("icaljs_expand.mjs")
LIBRARY = ROOT / "tests" / "browser" / "node_modules" / "ical.js" / "dist" / "ical.js"


def _node() -> str:
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not installed: the ical.js read-back needs it")
    if not LIBRARY.exists():
        pytest.fail(f"{LIBRARY} is missing: run `make test` (or `npm ci --prefix "
                    "tests/browser`) to install ical.js")
    return node


def read_many(bodies: list[bytes], until: datetime | None = None) -> list[list[dict]]:
    """The events of each calendar as ical.js reads them: dicts of uid, status, sequence,
    summary, and start/end as aware UTC datetimes (RRULEs expanded before ``until``)."""
    payload = [{"ics": body.decode("utf-8"), "until": until.isoformat() if until else None}
               for body in bodies]
    done = subprocess.run([_node(), str(SCRIPT), str(LIBRARY)], input=json.dumps(payload),
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    calendars = json.loads(done.stdout)
    for events in calendars:
        for event in events:
            for key in ("start", "end"):
                event[key] = datetime.fromisoformat(event[key].replace("Z", "+00:00"))
    return calendars


def read(body: bytes, until: datetime | None = None) -> list[dict]:
    """The events of one calendar as ical.js reads them (see ``read_many``)."""
    return read_many([body], until)[0]
