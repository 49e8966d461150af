"""The coordinator's gap list and its one-action assign (a plain form; JavaScript, when
present, posts the same form and swaps the updated gap in place)."""
from __future__ import annotations

from flask import abort, current_app, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from wtforms import BooleanField, IntegerField
from wtforms.validators import DataRequired, NumberRange

from ..clock import now
from ..extensions import db
from ..http.access import roles_required
from ..http.inputs import InputForm
from ..http.transactions import write
from ..http.urls import MAX_ID, page_arg
from ..models import OccurrenceRole
from ..services.shifts import gaps, signups
from . import bp

STAFF = ("coordinator", "admin")


class GapAssignForm(InputForm):
    person_id = IntegerField(validators=[DataRequired(), NumberRange(1, MAX_ID)])
    override = BooleanField()
    page = IntegerField(default=1)


def _wants_json() -> bool:
    best = request.accept_mimetypes.best_match(["application/json", "text/html"])
    return best == "application/json" and request.accept_mimetypes[best] > \
        request.accept_mimetypes["text/html"]


def gap_lead(places: int, slots: int) -> str:
    """The sentence on top of the gap list (also sent back after an in-place assign)."""
    return _("Unfilled places in the next 14 days in your communities, soonest first: "
             "%(places)s open places in %(slots)s shifts.", places=places, slots=slots)


@bp.route("/plan/gaps")
@roles_required(*STAFF)
def gap_list():
    page = gaps.gap_page(db.session, current_user, now(), page=page_arg(),
                         per_page=current_app.config["GAPS_PER_PAGE"])
    return render_template("plan/gaps.html", gaps=page, now=now(), form=GapAssignForm(),
                           lead=gap_lead(page.places, page.total))


@bp.route("/plan/gaps/<id:role_id>/assign", methods=["POST"])
@roles_required(*STAFF)
def gap_assign(role_id: int):
    if db.session.get(OccurrenceRole, role_id) is None:
        abort(404)
    form = GapAssignForm()
    as_json = _wants_json()
    back = url_for("plan.gap_list", page=form.page.data if (form.page.data or 0) > 1 else None)
    if not form.validate_on_submit():
        message = _("The request was not understood; reload the page and try again.")
        if as_json:
            return jsonify(ok=False, message=message), 400
        flash(message, "error")
        return redirect(back)
    result, error = write(lambda: signups.sign_up(
        db.session, current_user, role_id, now(), person_id=form.person_id.data,
        zone=current_app.config["TIMEZONE"], override=form.override.data))
    if error is not None:
        message = _(error.message, **error.params)
        if as_json:
            return jsonify(ok=False, message=message), 400
        flash(message, "error")
        return redirect(back)
    if result.status == "confirmed":
        message = _("Assigned.")
    else:
        message = _("The places are full; put on the waitlist as number %(n)s.",
                    n=result.position)
    if as_json:
        item = gaps.gap_for_role(db.session, current_user, role_id, now())
        html = render_template("plan/_gap.html", gap=item, now=now(), form=GapAssignForm(),
                               page=form.page.data or 1) if item else ""
        slots, places = gaps.gap_counts(db.session, current_user, now())
        return jsonify(ok=True, message=message, html=html, filled=item is None,
                       lead=gap_lead(places, slots))
    flash(message, "info")
    return redirect(back)
