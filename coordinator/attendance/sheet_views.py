"""The sign-in sheet (签到表) as a PDF: one occurrence, or one community's day (a page per
occurrence). Names to sign, arrival times, blank rows for walk-ins, the check-in code and
its QR (segno, SVG)."""
from __future__ import annotations

import re
from datetime import date

import segno
from flask import Response, current_app, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ..clock import now
from ..extensions import db
from ..http.access import roles_required
from ..http.transactions import write
from ..plan.pdf import render_pdf
from ..services.attendance import sheet
from . import attendance_settings, bp

BLANK_ROWS = 6  # for walk-ins


def checkin_link(code: str) -> str:
    """Where the QR leads: the check-in page of this code, at the configured PUBLIC_URL
    (never the request's Host), the same address the roll page shows."""
    return current_app.config["PUBLIC_URL"] + url_for("attendance.checkin_code", code=code)


def _pdf(sheets: list, name: str):
    pages = [(s, segno.make(checkin_link(s.code), error="m").svg_data_uri(scale=4, border=2))
             for s in sheets]
    html = render_template("attendance/sheet.html", pages=pages, blank_rows=BLANK_ROWS,
                           organisation=current_app.config.get("ORGANISATION_NAME", ""))
    pdf = render_pdf(html, base_url=current_app.config["PUBLIC_URL"] + "/")
    return Response(pdf, mimetype="application/pdf", headers={
        "Content-Disposition": f'inline; filename="{name}.pdf"'})


@bp.route("/attendance/<id:occurrence_id>/sheet.pdf")
@login_required
def sheet_pdf(occurrence_id: int):
    """The sign-in sheet of one occurrence (its leads, coordinators, admins)."""
    found, _error = write(lambda: sheet.occurrence_sheet(
        db.session, current_user, occurrence_id, now(), attendance_settings()))
    return _pdf([found], f"sign-in-{occurrence_id}")


def _bad(message: str):
    return render_template("errors/error.html", code=400, message=message), 400


@bp.route("/attendance/sheet.pdf")
@roles_required("coordinator", "admin")
def day_sheet_pdf():
    """The sign-in sheets of one community's day, a page per occurrence."""
    raw_community, raw_day = request.args.get("community", ""), request.args.get("day", "")
    if not re.fullmatch(r"[0-9]{1,9}", raw_community):
        return _bad(_("Choose a community."))
    try:
        day = date.fromisoformat(raw_day)
    except ValueError:
        return _bad(_("Give the day as year-month-day, e.g. 2026-12-25."))
    zone = current_app.config["TIMEZONE"]
    found, _error = write(lambda: sheet.day_sheets(
        db.session, current_user, int(raw_community), day, zone, now(),
        attendance_settings()))
    if not found:
        return _bad(_("Nothing is planned in this community on that day."))
    return _pdf(found, f"sign-in-{raw_community}-{day.isoformat()}")
