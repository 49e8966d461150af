"""The weekly plan's files at their limits, through the whole app as the leader:

1. the PDF of one community-week of 264 activities (where gunicorn's default 30 s
   timeout used to kill the worker) and of 2,000 activities (``PLAN_PRINT_DETAIL_LIMIT``,
   the most the paper lists by name); target: under 10 s each;
2. the CSV and Excel exports of the whole week, every community (at ``--scale 170`` a
   province-size week of about 20,000 activities and 230,000 rows).

The busy weeks are two communities of their own (``bench.busy_week``), added after the
seed: run this section last, so the other sections measure the demo as seeded.
"""
from __future__ import annotations

import io
import statistics
import time
from datetime import timedelta
from zoneinfo import ZoneInfo

from pypdf import PdfReader

from coordinator.extensions import db
from coordinator.models import Community

from .busy_week import add_busy_week
from .report import fmt
from .weekly_plan import _client, _get

NAME = "plan_files"
PDF_TARGET_S = 10
SIZES = (264, 2000)
COLUMNS = [
    ("pdf 264 s", fmt("files_pdf_264_s", "{:.2f}")),
    ("pdf 2000 s", fmt("files_pdf_2000_s", "{:.2f}")),
    ("pages", fmt("files_pdf_pages", "{}")),
    ("week csv/xlsx s", fmt("files_week_s", "{}")),
]


def add_arguments(parser) -> None:
    parser.add_argument("--pdf-runs", type=int, default=3,
                        help="timed PDFs per busy week, median (default 3)")


def run(ctx) -> dict:
    app = ctx.app
    zone = app.config["TIMEZONE"]
    local = (ctx.now + timedelta(days=7)).astimezone(ZoneInfo(zone)).date()
    monday = local - timedelta(days=local.weekday())
    communities = {}
    with app.app_context():
        for size in SIZES:
            community = Community(name=f"印刷{size}社区", code=f"bench-print-{size}")
            db.session.add(community)
            db.session.flush()
            add_busy_week(db.session, community.id, monday, zone, size)
            communities[size] = community.id
        db.session.commit()
    leader = _client(app, "leader")
    figures, pages = {}, []
    for size in SIZES:
        path = f"/plan/print.pdf?date={monday}&community={communities[size]}"
        times, data = [], b""
        for _ in range(max(1, ctx.options.pdf_runs)):
            started = time.perf_counter()
            response = leader.get(path)
            times.append(time.perf_counter() - started)
            if response.status_code != 200:  # what a user would get: an error page
                break
            data = response.data
        if not data:
            pages.append("error")
            figures[f"files_pdf_{size}_s"] = None
            ctx.failed(f"PDF of {size} activities: HTTP {response.status_code} after "
                       f"{times[-1]:.1f} s")
            ctx.say(f"plan files: PDF of {size:,} activities: HTTP {response.status_code} "
                    f"after {times[-1]:.1f} s")
            continue
        count = len(PdfReader(io.BytesIO(data)).pages)
        pages.append(str(count))
        figures[f"files_pdf_{size}_s"] = statistics.median(times)
        figures[f"files_pdf_{size}_max_s"] = max(times)
        ctx.say(f"plan files: PDF of {size:,} activities: median {statistics.median(times):.2f} s "
                f"(runs {', '.join(f'{t:.2f}' for t in times)}), {count} pages, "
                f"{len(data) / 1e6:.1f} MB")
        if statistics.median(times) >= PDF_TARGET_S:
            ctx.failed(f"PDF of {size} activities: {statistics.median(times):.1f} s "
                       f">= {PDF_TARGET_S} s")
    figures["files_pdf_pages"] = "/".join(pages)
    week = {}
    for kind in ("csv", "xlsx"):
        started = time.perf_counter()
        data = _get(leader, f"/plan/week.{kind}?date={monday}")
        week[kind] = time.perf_counter() - started
        ctx.say(f"plan files: the whole week as .{kind}: {week[kind]:.1f} s, "
                f"{len(data) / 1e6:.1f} MB")
    figures["files_week_s"] = f"{week['csv']:.1f}/{week['xlsx']:.1f}"
    return figures
