"""The year's roll of honour (年度表彰名单): the page, its PDF (A4, the CJK font) and its
Excel file, for coordinators (their communities), leaders and admins. Names and figures
only."""
from __future__ import annotations

import io

from flask import Response, current_app, render_template, request
from flask_babel import gettext as _
from flask_login import current_user

from ..clock import now
from ..domain.errors import DomainError
from ..extensions import db
from ..http.access import roles_required
from ..plan.pdf import render_pdf
from ..services.attendance import settings_from
from ..services.reports.honour import HonourRoll, honour_roll
from . import bp

READERS = ("coordinator", "leader", "admin")


def _read() -> tuple[HonourRoll | None, str | None, int]:
    """The roll of the year asked for, or (None, the error, 400) for a bad year."""
    settings = settings_from(current_app.config)
    raw = (request.args.get("year") or "").strip()
    try:
        year = int(raw) if raw else None
    except ValueError:
        year = -1
    try:
        return honour_roll(db.session, current_user, year, now(), settings), None, 200
    except DomainError as exc:
        if exc.field != "year":
            raise
        fallback = honour_roll(db.session, current_user, None, now(), settings)
        return fallback, _("Choose a year up to this one."), 400


def _stars(n: int) -> str:
    return "★" * n if n else "—"


@bp.route("/reports/honour")
@roles_required(*READERS)
def honour():
    roll, error, status = _read()
    return render_template("reports/honour.html", roll=roll, error=error,
                           stars=_stars), status


@bp.route("/reports/honour.pdf")
@roles_required(*READERS)
def honour_pdf():
    roll, error, status = _read()
    if error:
        return render_template("reports/honour.html", roll=roll, error=error,
                               stars=_stars), status
    html = render_template("reports/honour_print.html", roll=roll, stars=_stars)
    pdf = render_pdf(html, base_url=current_app.config["PUBLIC_URL"] + "/")
    return Response(pdf, mimetype="application/pdf", headers={
        "Content-Disposition": f'inline; filename="honour-{roll.year}.pdf"'})


@bp.route("/reports/honour.xlsx")
@roles_required(*READERS)
def honour_xlsx():
    roll, error, status = _read()
    if error:
        return render_template("reports/honour.html", roll=roll, error=error,
                               stars=_stars), status
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    sheet = book.active
    sheet.title = str(roll.year)
    sheet.append([_("Roll of honour %(year)s", year=roll.year)])
    sheet["A1"].font = Font(bold=True, size=14)
    sheet.append([_("Community"), _("Rank"), _("Name"), _("Service hours"),
                  _("Services"), _("Star level")])
    for cell in sheet[2]:
        cell.font = Font(bold=True)
    for community in roll.communities:
        for line in community.lines:
            sheet.append([community.name, line.rank, line.name, line.hours, line.services,
                          line.stars])
    for column, width in zip("ABCDEF", (22, 8, 16, 12, 10, 10)):
        sheet.column_dimensions[column].width = width
    out = io.BytesIO()
    book.save(out)
    return Response(out.getvalue(), mimetype="application/vnd.openxmlformats-officedocument"
                    ".spreadsheetml.sheet", headers={
                        "Content-Disposition": f'attachment; filename="honour-{roll.year}.xlsx"'})
