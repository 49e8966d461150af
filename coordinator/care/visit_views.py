"""Planning visits for a person cared for (single or repeating, condolence visits) and
festival visits for a whole community."""
from __future__ import annotations

from datetime import time, timedelta

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import or_, select

from ..clock import now
from ..domain.recurrence import get_zone
from ..extensions import db
from ..http.transactions import write
from ..models import CareRecipient, Community, Occurrence, Team
from ..services.access import care_community_ids
from ..services.care import visits
from ..services.schedule.horizon import horizon_end
from ..vocab import CARE_FESTIVALS
from . import bp
from .visit_forms import FestivalForm, PlanForm


def _zone() -> str:
    return current_app.config["TIMEZONE"]


def _tomorrow():
    return (now().astimezone(get_zone(_zone())) + timedelta(days=1)).date()


def _horizon(at):
    return horizon_end(at, current_app.config["HORIZON_WEEKS"])


def _refusal(recipient: CareRecipient, condolence: bool) -> str | None:
    """Why no visit can be planned for this record (shown instead of the form)."""
    if recipient.erased_at is not None:
        return _("This record has been erased: no visits can be planned for it.")
    if recipient.status == "active" or (condolence and recipient.status == "deceased"):
        return None
    return _("This record has ended: no visits can be planned for it. Only a condolence "
             "visit can be planned for a person who passed away.")


def _teams(community_id: int) -> list:
    rows = db.session.scalars(select(Team).where(
        or_(Team.community_id == community_id, Team.community_id.is_(None)))
        .order_by(Team.kind != "care", Team.name)).all()
    return [(0, _("Anyone in the community"))] + [(t.id, t.name) for t in rows]


def _plan_input(form: PlanForm, condolence: bool) -> visits.VisitPlan:
    return visits.VisitPlan(
        title=form.title.data or "", start_date=form.start_date.data,
        start_time=form.start_time.data, duration_minutes=form.duration_minutes.data,
        repeat=form.repeat.data, every_weeks=form.every_weeks.data, until=form.until.data,
        count=form.count.data, visitors=form.visitors.data, team_id=form.team_id.data or None,
        notes=form.notes.data or None, condolence=condolence, role_name=_("Visitor"))


@bp.route("/care/<id:recipient_id>/plan", methods=["GET", "POST"])
@login_required
def plan(recipient_id: int):
    """Plan a visit for one person: their community's coordinators only."""
    recipient = db.get_or_404(CareRecipient, recipient_id)
    if not visits.may_plan(db.session, current_user, recipient.community_id):
        abort(403)
    form = PlanForm()
    form.team_id.choices = _teams(recipient.community_id)
    condolence = (request.args.get("condolence") == "1" or form.condolence.data == "1") \
        and recipient.status == "deceased"
    if not form.is_submitted():
        form.condolence.data = "1" if condolence else ""
        form.title.data = _("Condolence visit") if condolence else _("Care visit")
        form.start_date.data, form.start_time.data = _tomorrow(), time(9, 30)
        form.visitors.data = 2
    refusal = _refusal(recipient, condolence)
    if refusal is None and form.validate_on_submit():
        series, error = write(lambda: visits.plan_visit(
            db.session, current_user, recipient.id, _plan_input(form, condolence), now(),
            zone=_zone(), horizon_end=_horizon(now())), form=form)
        if error is None:
            first = db.session.scalar(select(Occurrence.id).where(
                Occurrence.series_id == series.id, Occurrence.status == "scheduled")
                .order_by(Occurrence.start_at).limit(1))
            flash(_("The visit is planned. Assign the visitors now, from the suggestions."),
                  "info")
            return redirect(url_for("schedule.occurrence_detail", occurrence_id=first))
    refused = refusal is not None and request.method == "POST"
    status = 400 if form.errors or form.form_errors or refused else 200
    return render_template("care/plan.html", form=form, recipient=recipient,
                           condolence=condolence, refusal=refusal), status


def _festival_communities() -> list:
    ids = sorted(care_community_ids(db.session, current_user))
    return db.session.execute(select(Community.id, Community.name)
                              .where(Community.id.in_(ids)).order_by(Community.code)).all()


@bp.route("/care/festival", methods=["GET", "POST"])
@login_required
def festival():
    """Festival visits: one visit for everyone cared for in a community, in one action,
    with visitors paired from the suggestions; then the result."""
    communities = _festival_communities()
    if not communities:
        abort(403)
    form = FestivalForm()
    form.community_id.choices = [(c.id, c.name) for c in communities]
    if not form.is_submitted():
        form.first_day.data = _tomorrow()
        form.last_day.data = _tomorrow() + timedelta(days=2)
        form.start_time.data = time(9, 30)
    if form.validate_on_submit():
        label = CARE_FESTIVALS.label(form.festival.data)
        data = visits.FestivalPlan(
            festival=form.festival.data, community_id=form.community_id.data,
            first_day=form.first_day.data, last_day=form.last_day.data,
            start_time=form.start_time.data, duration_minutes=form.duration_minutes.data,
            visitors=form.visitors.data, title=_("%(festival)s visit", festival=label),
            role_name=_("Visitor"))
        planned, error = write(lambda: visits.plan_festival(
            db.session, current_user, data, now(), zone=_zone(),
            horizon_end=_horizon(now())), form=form)
        if error is None:
            return render_template("care/festival_result.html", visits=planned,
                                   festival=label, visitors=data.visitors,
                                   short=sum(1 for v in planned if v.short))
    status = 400 if form.errors or form.form_errors else 200
    return render_template("care/festival.html", form=form), status
