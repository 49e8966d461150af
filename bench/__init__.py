"""Benchmarks run with ``python -m bench`` (``make bench``): plain scripts, not tests.

For every backend the runner builds a fresh database with the real migrations, loads
the demo township ``--scale`` times, then runs the chosen sections against it. A
section is a module with:

- ``NAME``: what ``--only`` calls it;
- ``COLUMNS``: ``(key, header, format)`` triples it adds to the summary table;
- ``add_arguments(parser)``: its own command-line options (may do nothing);
- ``run(ctx) -> dict``: measure, print as it goes, return the figures by key.

Add a section by writing the module and listing it in ``SECTIONS`` below.
"""
from __future__ import annotations

import importlib

# Name -> module. Order is the order in which sections run and fill the table.
SECTIONS: dict[str, str] = {
    "scheduling": "bench.scheduling",
    "feeds": "bench.feeds",
    "reminders": "bench.reminders",
    "weekly_plan": "bench.weekly_plan",
    "attendance": "bench.attendance",
    "plan_files": "bench.plan_files",  # last: it adds two busy communities to the data
}


def load_section(name: str):
    """Import and return the section module called ``name``."""
    return importlib.import_module(SECTIONS[name])
