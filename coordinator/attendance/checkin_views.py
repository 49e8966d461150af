"""Self check-in: type the six digits (``/checkin``) or scan the QR (``/checkin/<code>``,
login first and back), confirm, see "已签到 19:32"; check out optionally. Scanning twice
changes nothing and says so."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from wtforms import StringField
from wtforms.validators import Length, Optional

from ..clock import now
from ..domain.attendance import SERVED
from ..domain.errors import DomainError, Forbidden
from ..extensions import db
from ..http.forms import apply_error
from ..http.inputs import InputForm
from ..http.transactions import write
from ..http.urls import safe_next
from ..models import Occurrence, Series
from ..services.attendance import checkin
from ..web.shifts import volunteer_required
from . import attendance_settings, bp


class CheckinForm(InputForm):
    code = StringField(validators=[Optional(), Length(max=40)])


def _label(form: CheckinForm) -> CheckinForm:
    form.code.label.text = _("Check-in code (six digits)")
    return form


def _check_in(form: CheckinForm, text: str | None, occurrence=None, series=None):
    """Check in with ``text``; on a refusal the same page again with the message."""
    settings = attendance_settings()
    result, error = write(lambda: checkin.check_in(db.session, current_user, text, now(),
                                                   settings), returns=(Forbidden,))
    if error is not None:
        apply_error(form, error)
        return render_template("attendance/checkin.html", form=form, occurrence=occurrence,
                               series=series, code=None), 403 if isinstance(
                                   error, Forbidden) else 400
    if result.already:
        flash(_("You have checked in already: nothing changed."), "info")
    return redirect(url_for("attendance.checkin_status", occurrence_id=result.occurrence.id))


@bp.route("/checkin", methods=["GET", "POST"])
@volunteer_required
def checkin_form():
    form = _label(CheckinForm())
    if request.method == "POST":
        if not form.validate_on_submit():
            return render_template("attendance/checkin.html", form=form, occurrence=None,
                                   series=None, code=None), 400
        return _check_in(form, form.code.data)
    return render_template("attendance/checkin.html", form=form, occurrence=None,
                           series=None, code=None)


@bp.route("/checkin/<string(maxlength=40):code>", methods=["GET", "POST"])
@volunteer_required
def checkin_code(code: str):
    """The QR's target: what the code opens, and one button to check in."""
    settings = attendance_settings()
    form = _label(CheckinForm(code=code))
    try:
        occurrence, series = checkin.usable(db.session, code, now(), settings)
    except Forbidden:
        raise
    except DomainError as exc:
        apply_error(form, exc)
        return render_template("attendance/checkin.html", form=form, occurrence=None,
                               series=None, code=None), 400
    if request.method == "POST":
        if not form.validate_on_submit():
            abort(400)
        return _check_in(form, code, occurrence, series)
    entry = checkin.own_entry(db.session, current_user.person_id, occurrence.id)
    if entry is not None and entry.status in SERVED:
        flash(_("You have checked in already: nothing changed."), "info")
        return redirect(url_for("attendance.checkin_status", occurrence_id=occurrence.id))
    return render_template("attendance/checkin.html", form=form, occurrence=occurrence,
                           series=series, code=code)


@bp.route("/checkin/at/<id:occurrence_id>")
@volunteer_required
def checkin_status(occurrence_id: int):
    """The person's own check-in at one occurrence (only theirs: 404 without one)."""
    entry = checkin.own_entry(db.session, current_user.person_id, occurrence_id)
    if entry is None:
        abort(404)
    occurrence = db.session.get(Occurrence, occurrence_id)
    series = db.session.get(Series, occurrence.series_id)
    settings = attendance_settings()
    may_leave = (entry.status in SERVED and entry.checked_in_at is not None
                 and entry.checked_out_at is None
                 and now() <= occurrence.end_at + settings.grace)
    return render_template("attendance/checkin_status.html", entry=entry,
                           occurrence=occurrence, series=series, may_leave=may_leave)


@bp.route("/checkin/at/<id:occurrence_id>/out", methods=["POST"])
@volunteer_required
def checkout(occurrence_id: int):
    settings = attendance_settings()
    back = safe_next(request.form.get("next"),
                     url_for("attendance.checkin_status", occurrence_id=occurrence_id))
    _entry, error = write(lambda: checkin.check_out(db.session, current_user, occurrence_id,
                                                   now(), settings), flash_refusal=True)
    if error is None:
        flash(_("Checked out. Thank you!"), "info")
    return redirect(back)
