"""The weekly plan: the page, its PDF and its CSV and Excel exports (all with one filter)."""
from __future__ import annotations

from datetime import date, timedelta

from flask import Response, current_app, render_template, request, url_for
from flask_babel import format_date
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.orm import Session

from ..clock import now
from ..domain.recurrence import get_zone
from ..extensions import db
from ..http.access import roles_required
from ..http.i18n import localdate, localtime
from ..services import plan as wp
from ..services.access import (
    care_ids_of,
    care_visitor_since,
    managed_community_ids,
    visible_community_ids,
)
from ..services.attendance.outcome import week_outcome
from ..services.plan import export as plan_export
from ..vocab import SERIES_KINDS
from . import bp
from .pdf import render_pdf

READERS = ("coordinator", "leader", "admin")


def plan_viewer() -> wp.PlanViewer:
    managed = managed_community_ids(db.session, current_user)
    visible = visible_community_ids(db.session, current_user)
    return wp.PlanViewer(visible=None if visible is None else frozenset(visible),
                         managed=None if managed is None else frozenset(managed),
                         person_id=current_user.person_id,
                         care=care_ids_of(current_user.role, managed),
                         visitor_since=care_visitor_since(
                             now(), current_app.config["CARE_VISITOR_DAYS"],
                             current_app.config["TIMEZONE"]))


def _read():
    zone = current_app.config["TIMEZONE"]
    viewer = plan_viewer()
    today = now().astimezone(get_zone(zone)).date()
    flt, errors = wp.read_filter(db.session, viewer, request.args, today)
    return zone, viewer, flt, errors, today


def week_label(flt: wp.PlanFilter) -> str:
    return _("%(start)s – %(end)s", start=localdate(flt.monday, "date"),
             end=localdate(flt.sunday, "date"))


def _page(for_print: bool, read=None):
    zone, viewer, flt, errors, today = read or _read()
    engine = db.engine
    config = current_app.config
    summary, grid = wp.plan_page(
        lambda: Session(engine), viewer, flt, zone,
        detail_limit=config["PLAN_PRINT_DETAIL_LIMIT" if for_print else "PLAN_DETAIL_LIMIT"],
        per_page=config["PLAN_PRINT_GROUPS" if for_print else "PLAN_GROUPS_PER_PAGE"])
    choices = wp.filter_choices(db.session, viewer, flt)
    # What happened in the week before the one shown (one statement, see outcome.py).
    outcome = None if for_print else week_outcome(
        db.session, flt.monday - timedelta(days=7), zone, now(),
        community_ids=None if viewer.visible is None else set(viewer.visible),
        community_id=flt.community_id, kind=flt.kind, team_id=flt.team_id)
    html = render_template(
        # Paper has its own template: the page's grid of cards is slow to lay out in print.
        "plan/print.html" if for_print else "plan/week.html", flt=flt, errors=errors,
        summary=summary, grid=grid,
        choices=choices, kinds=SERIES_KINDS, week_label=week_label(flt), for_print=for_print,
        this_monday=wp.monday_of(today), zone=get_zone(zone), viewer=viewer,
        days=flt.days(), today=today, max_choices=wp.MAX_CHOICES,
        now_local=localtime(now(), "when"), outcome=outcome)
    return html, (400 if errors else 200), flt


@bp.route("/plan")
@roles_required(*READERS)
def week():
    html, status, _flt = _page(for_print=False)
    return html, status


@bp.route("/plan/print.pdf")
@roles_required(*READERS)
def week_pdf():
    read = _read()
    if read[3]:  # a bad filter: say so on a page, as the other downloads do
        return render_template("plan/bad_export.html", errors=read[3], flt=read[2]), 400
    html, _status, flt = _page(for_print=True, read=read)
    # Relative links resolve against the configured address, never the request's Host.
    pdf = render_pdf(html, base_url=current_app.config["PUBLIC_URL"] + "/")
    return Response(pdf, mimetype="application/pdf", headers={
        "Content-Disposition": f'inline; filename="weekly-plan-{flt.monday.isoformat()}.pdf"'})


def _export_texts() -> plan_export.Texts:
    headers = (_("Date"), _("Weekday"), _("Start"), _("End"), _("Community"), _("Team"),
               _("Venue"), _("Kind"), _("Title"), _("Role"), _("Needed"), _("Filled"),
               _("Missing"), _("Status"), _("Reason"), _("Names"))
    weekdays = tuple(format_date(date(2024, 1, 1) + timedelta(days=i), "EEEE")
                     for i in range(7))
    return plan_export.Texts(headers=headers, kinds={k: str(v) for k, v in SERIES_KINDS.items()},
                             weekdays=weekdays, scheduled=_("Scheduled"),
                             cancelled=_("Cancelled"), care_visit=str(SERIES_KINDS["care"]),
                             list_sep=_("、"), turnout=_(
                                 "Expected %(expected)s (%(confirmed)s confirmed, "
                                 "%(declined)s declined)"))


def _export(kind: str):
    zone, viewer, flt, errors, _today = _read()
    if errors:
        return render_template("plan/bad_export.html", errors=errors, flt=flt), 400
    texts = _export_texts()
    table = plan_export.rows(wp.week_entries(db.session, viewer, flt, zone), zone, texts)
    name = f"weekly-plan-{flt.monday.isoformat()}"
    if kind == "csv":
        # Werkzeug adds "; charset=utf-8" to a text/* mimetype itself: name it once.
        body, mimetype = plan_export.to_csv(table, texts), "text/csv"
    else:
        body = plan_export.to_xlsx(table, texts, flt.monday.isoformat())
        mimetype = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return Response(body, mimetype=mimetype, headers={
        "Content-Disposition": f'attachment; filename="{name}.{kind}"'})


@bp.route("/plan/week.csv")
@roles_required(*READERS)
def week_csv():
    return _export("csv")


@bp.route("/plan/week.xlsx")
@roles_required(*READERS)
def week_xlsx():
    return _export("xlsx")


def plan_url(flt: wp.PlanFilter, endpoint: str = "plan.week", **changes) -> str:
    return url_for(endpoint, **flt.args(**changes))


@bp.app_template_global()
def plan_link(flt, endpoint="plan.week", **changes):
    """URL of the plan with the same filter and ``changes`` (None removes an argument)."""
    return plan_url(flt, endpoint, **changes)
