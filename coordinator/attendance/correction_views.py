"""Corrections after the roll closed (补录): the coordinator's form, the approval queue
(leaders and admins approve or reject, never their own), each coordinator's pending ones.

Who may do what is decided in the services (``roll.may_correct``,
``corrections.may_approve``); the views only ask and show.
"""
from __future__ import annotations

from datetime import datetime, timezone

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from wtforms import IntegerField, SelectField, StringField, TextAreaField, TimeField
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from ..clock import now
from ..domain.errors import DomainError
from ..domain.recurrence import get_zone
from ..extensions import db
from ..http.access import roles_required
from ..http.forms import options
from ..http.inputs import InputForm
from ..http.transactions import write
from ..http.urls import MAX_ID
from ..models import Person
from ..services.access import care_community_ids, managed_community_ids
from ..services.attendance import corrections, roll
from ..services.attendance.correction_lists import corrections as correction_rows
from ..services.people.lookup import find_member
from ..vocab import ATTENDANCE_STATUSES
from . import attendance_settings, bp

STAFF = ("coordinator", "admin")
STATUSES = [(code, label) for code, label in ATTENDANCE_STATUSES.choices() if code != "excused"]


class CorrectionForm(InputForm):
    person_id = SelectField(_l("Member on the roll"), coerce=int, validate_choice=False,
                            validators=[Optional()])
    member = StringField(_l("Or another member: name or phone"),
                         validators=[Optional(), Length(max=100)])
    status = SelectField(_l("How they took part"), choices=options(STATUSES),
                         validators=[DataRequired()])
    actual_start = TimeField(_l("Arrived at"), validators=[Optional()])
    actual_end = TimeField(_l("Left at"), validators=[Optional()])
    reason = TextAreaField(_l("Reason for the change"),
                           validators=[DataRequired(message=_l(
                               "Say why the roll is changed after it closed.")),
                               Length(max=300)])


class DecideForm(InputForm):
    correction_id = IntegerField(validators=[DataRequired(), NumberRange(1, MAX_ID)])


def _roll(occurrence_id: int):
    at = now()
    found = roll.roll(db.session, current_user, occurrence_id, at, attendance_settings())
    if not roll.may_correct(db.session, current_user, found.series):
        abort(403)  # a team lead: they mark the roll while it is open, never correct it
    return found


def _local(occurrence, series, value):
    if value is None:
        return None
    day = occurrence.start_at.astimezone(get_zone(series.timezone)).date()
    return datetime.combine(day, value, tzinfo=get_zone(series.timezone)).astimezone(
        timezone.utc)


def _page(found, form: CorrectionForm, status: int = 200):
    form.person_id.choices = options([(0, _("— choose —"))] + [
        (line.person_id, line.name) for line in found.lines])
    care = care_community_ids(db.session, current_user)
    done = correction_rows(db.session, occurrence_id=found.occurrence.id, care_ids=care)
    return render_template("attendance/correct.html", form=form, roll=found,
                           corrections=done), status


@bp.route("/attendance/<id:occurrence_id>/correct", methods=["GET", "POST"])
@roles_required(*STAFF)
def correct(occurrence_id: int):
    """Change a closed roll, with a reason (applied, or waiting for approval)."""
    found = _roll(occurrence_id)
    form = CorrectionForm()
    if not form.is_submitted():
        return _page(found, form)
    form.person_id.choices = options([(0, "")] + [(line.person_id, line.name)
                                                  for line in found.lines])
    if not form.validate():
        return _page(found, form, 400)
    on_roll = {line.person_id for line in found.lines}
    occurrence, series = found.occurrence, found.series
    settings = attendance_settings()

    def action():
        if form.member.data:
            person = find_member(db.session, form.member.data)
        elif form.person_id.data in on_roll:
            person = db.session.get(Person, form.person_id.data)
        else:
            raise DomainError("Choose a member on the roll or type another one's name.",
                              field="person_id")
        return corrections.correct(
            db.session, current_user, occurrence_id, person, form.status.data,
            _local(occurrence, series, form.actual_start.data),
            _local(occurrence, series, form.actual_end.data), form.reason.data, now(),
            settings)

    row, error = write(action, form=form)
    if error is not None:
        return _page(found, form, 400)
    flash(_("The change waits for a leader's or an administrator's approval.")
          if row.state == "pending" else _("The roll is corrected."), "info")
    return redirect(url_for("attendance.correct", occurrence_id=occurrence_id))


@bp.route("/attendance/corrections")
@roles_required("coordinator", "leader", "admin")
def corrections_queue():
    """Corrections waiting for approval: to decide (leaders, admins) or to follow
    (coordinators: their communities')."""
    approver = corrections.may_approve(current_user)
    communities = None if approver else managed_community_ids(db.session, current_user)
    rows = correction_rows(db.session, community_ids=communities, state="pending",
                           care_ids=care_community_ids(db.session, current_user))
    return render_template("attendance/corrections.html", rows=rows, approver=approver,
                           form=DecideForm())


@bp.route("/attendance/corrections/decide", methods=["POST"])
@roles_required("leader", "coordinator", "admin")
def corrections_decide():
    """Approve or reject one pending correction."""
    form = DecideForm()
    decision = request.form.get("decision")
    if not form.validate() or decision not in ("approve", "reject"):
        abort(400)
    row, _error = write(lambda: corrections.decide(
        db.session, current_user, form.correction_id.data, decision == "approve", now(),
        attendance_settings()), flash_refusal=True)
    if row is not None:
        flash(_("The correction is applied.") if decision == "approve"
              else _("The correction is rejected."), "info")
    return redirect(url_for("attendance.corrections_queue"))
