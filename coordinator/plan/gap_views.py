"""The coordinator's gap list and its one-action assign (a plain form; JavaScript, when
present, posts the same form and swaps the updated gap in place)."""
from __future__ import annotations

from flask import abort, current_app, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from wtforms import IntegerField, StringField
from wtforms.validators import AnyOf, DataRequired, Length, NumberRange, Optional

from ..clock import now
from ..domain.eligibility import NeedsConfirmation
from ..domain.errors import Forbidden
from ..extensions import db
from ..http import notices, overrides
from ..http.access import roles_required
from ..http.assigning import assign_and_say, confirmation
from ..http.inputs import InputForm
from ..http.urls import MAX_ID, page_arg
from ..models import OccurrenceRole
from ..services.shifts import gaps
from . import bp

STAFF = ("coordinator", "admin")


class GapAssignForm(InputForm):
    person_id = IntegerField(validators=[DataRequired(), NumberRange(1, MAX_ID)])
    override = StringField(validators=[Optional(), Length(max=200)])  # confirmed rule codes
    page = IntegerField(default=1)
    back = StringField(validators=[Optional(), AnyOf(("gaps", "home"))])


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
    notice = notices.take()
    return render_template("plan/gaps.html", gaps=page, now=now(), notice=notice,
                           cards=notices.place(page.items, notice, db.session),
                           back_url=url_for("plan.gap_list", page=page.page
                                            if page.page > 1 else None),
                           lead=gap_lead(page.places, page.total))


def _back(form: GapAssignForm, card: str | None = None) -> str:
    if form.back.data == "home":
        return url_for("web.home", _anchor=card)
    page = form.page.data if (form.page.data or 0) > 1 else None
    return url_for("plan.gap_list", page=page, _anchor=card)


@bp.route("/plan/gaps/<id:role_id>/assign", methods=["POST"])
@roles_required(*STAFF)
def gap_assign(role_id: int):
    if db.session.get(OccurrenceRole, role_id) is None:
        abort(404)
    form = GapAssignForm()
    as_json = _wants_json()
    card = f"gap-{role_id}"
    if not form.validate_on_submit():
        message = _("The request was not understood; reload the page and try again.")
        if as_json:
            return jsonify(ok=False, message=message), 400
        notices.leave(card, "error", message)
        return redirect(_back(form, card))
    result, error, name = assign_and_say(role_id, form.person_id.data, form.override.data)
    if isinstance(error, Forbidden):
        raise error  # the 403 page, as for any other member outside the communities
    if isinstance(error, NeedsConfirmation):
        notice = confirmation(card, form.person_id.data, name, error.problems)
        if as_json:
            return jsonify(ok=False, confirm=True, message=notice["text"],
                           html=_card_html(role_id, notice, form))
        notices.keep(notice)
        return redirect(_back(form, card))
    if error is not None:
        message = _(error.message, **error.params)
        if as_json:
            return jsonify(ok=False, message=message), 400
        notices.leave(card, "error", message)
        return redirect(_back(form, card))
    message = overrides.assigned(name, result.status, result.position, result.overrides)
    notice = notices.make(card, "info", message)
    if as_json:
        item = gaps.gap_for_role(db.session, current_user, role_id, now())
        slots, places = gaps.gap_counts(db.session, current_user, now())
        return jsonify(ok=True, message=message, html=_card_html(role_id, notice, form, item),
                       filled=item is None, lead=gap_lead(places, slots))
    notices.keep(notice)
    return redirect(_back(form, card))


_MISSING = object()


def _card_html(role_id: int, notice: dict, form: GapAssignForm, item=_MISSING) -> str:
    """The card as the page shows it now, with its notice (for the in-place update)."""
    if item is _MISSING:
        item = gaps.gap_for_role(db.session, current_user, role_id, now())
    if item is None:
        return render_template("plan/_gap_done.html", notice=notice)
    return render_template("plan/_gap.html", gap=item, now=now(), notice=notice,
                           page=form.page.data or 1, back=form.back.data or "gaps",
                           back_url=_back(form))
