"""Leave (请假): the volunteer's form, from My shifts or a team event, until the start.

A plain form with large radio buttons (no JavaScript); ``services.attendance.leave`` says
no when it cannot be asked (started, not on it, cancelled), and the page says why.
"""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from wtforms import RadioField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional

from ..clock import now
from ..domain.errors import Forbidden, NotFound
from ..extensions import db
from ..http.forms import options
from ..http.inputs import InputForm
from ..http.transactions import write
from ..models import Occurrence, Series, Venue
from ..services.attendance import leave
from ..vocab import LEAVE_REASONS
from ..web.shifts import volunteer_required
from . import attendance_settings, bp


class LeaveForm(InputForm):
    reason = RadioField(_l("Why can you not come?"), choices=options(LEAVE_REASONS.choices()),
                        validators=[InputRequired(message=_l("Choose why you cannot come."))])
    note = TextAreaField(_l("In a few words (needed for “Other”)"),
                         validators=[Optional(), Length(max=200)])


def _occurrence(occurrence_id: int):
    occurrence = db.session.get(Occurrence, occurrence_id)
    if occurrence is None:
        abort(404)
    series = db.session.get(Series, occurrence.series_id)
    venue = db.session.get(Venue, occurrence.venue_id) if occurrence.venue_id else None
    return occurrence, series, venue


def _page(occurrence_id: int, form: LeaveForm, status: int = 200):
    refusal = leave.leave_refusal(db.session, current_user, occurrence_id, now())
    if isinstance(refusal, NotFound):
        abort(404)
    if isinstance(refusal, Forbidden) or (refusal is not None and
                                          refusal.message == "You are not on this shift."):
        # Not theirs: the page names nothing of it (a care visit's title is private).
        return render_template("attendance/leave_refused.html",
                               message=_(refusal.message, **refusal.params)), 403
    occurrence, series, venue = _occurrence(occurrence_id)
    message = _(refusal.message, **refusal.params) if refusal is not None else None
    return render_template("attendance/leave.html", form=form, occurrence=occurrence,
                           series=series, venue=venue, refusal=message), \
        (409 if message and status == 200 else status)


@bp.route("/attendance/<id:occurrence_id>/leave", methods=["GET", "POST"])
@volunteer_required
def leave_form(occurrence_id: int):
    """Ask leave from one shift or team event."""
    form = LeaveForm()
    if not form.is_submitted():
        return _page(occurrence_id, form)
    if not form.validate():
        return _page(occurrence_id, form, 400)
    entry, error = write(lambda: leave.ask_leave(
        db.session, current_user, occurrence_id, form.reason.data, form.note.data, now(),
        attendance_settings()), form=form, returns=(Forbidden,))
    if error is not None:
        return _page(occurrence_id, form, 403 if isinstance(error, Forbidden) else 400)
    flash(_("You are on leave for this date; the coordinator can see it."), "info")
    return redirect(url_for("web.shifts_mine", _anchor="leaves-h"))
