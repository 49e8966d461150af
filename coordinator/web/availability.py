"""A volunteer's own availability: weekly times they cannot do, dates away, weekly limit."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select
from wtforms import DateField, IntegerField, SelectField, StringField, TimeField
from wtforms.validators import AnyOf, InputRequired, Length, NumberRange, Optional

from ..clock import now
from ..extensions import db
from ..http.forms import options
from ..http.inputs import InputForm, ScheduleDate
from ..http.transactions import write
from ..models import Unavailability
from ..services.people import availability
from ..vocab import WEEKDAYS
from . import bp
from .shifts import volunteer_required


class WeeklyForm(InputForm):
    weekday = SelectField(_l("Weekday"), coerce=int, validate_choice=False,
                          choices=options(WEEKDAYS.choices()),
                          validators=[InputRequired(message=_l("Choose a weekday.")),
                                      AnyOf(range(7), message=_l("Choose a weekday."))])
    start_time = TimeField(_l("From"), validators=[InputRequired()])
    end_time = TimeField(_l("Until"), validators=[InputRequired()])
    weekly_note = StringField(_l("Note"), validators=[Optional(), Length(max=200)])


class RangeForm(InputForm):
    start_date = DateField(_l("First day"), validators=[InputRequired(), ScheduleDate()])
    end_date = DateField(_l("Last day"), validators=[InputRequired(), ScheduleDate()])
    range_note = StringField(_l("Note"), validators=[Optional(), Length(max=200)])


class LimitForm(InputForm):
    max_shifts_per_week = IntegerField(
        _l("Most shifts per week"),
        validators=[Optional(), NumberRange(min=0, max=21,
                                            message=_l("Enter a number from 0 to 21."))])


FORMS = {"weekly": WeeklyForm, "range": RangeForm, "limit": LimitForm}


def _save(action: str, form) -> bool:
    """Validate the submitted form and call the service; False leaves errors on the form."""
    if not form.validate():
        return False
    def save():
        if action == "weekly":
            return availability.add_weekly(db.session, current_user, form.weekday.data,
                                           form.start_time.data, form.end_time.data, now(),
                                           note=form.weekly_note.data)
        if action == "range":
            return availability.add_range(db.session, current_user, form.start_date.data,
                                          form.end_date.data, now(), note=form.range_note.data)
        return availability.set_weekly_limit(db.session, current_user,
                                             form.max_shifts_per_week.data, now())

    _result, error = write(save, form=form)
    return error is None


@bp.route("/availability", methods=["GET", "POST"])
@volunteer_required
def availability_page():
    action = request.form.get("action") if request.method == "POST" else None
    if request.method == "POST" and action not in FORMS:
        abort(400)
    person = current_user.person
    # Only the submitted form reads the request; the others show what is stored.
    forms = {name: cls(formdata=request.form if name == action else None)
             for name, cls in FORMS.items()}
    if action is not None and _save(action, forms[action]):
        flash(_("Saved."), "info")
        return redirect(url_for("web.availability_page"))
    if action != "limit":
        forms["limit"].max_shifts_per_week.data = person.max_shifts_per_week
    entries = list(db.session.scalars(
        select(Unavailability).where(Unavailability.person_id == person.id)
        .order_by(Unavailability.weekday, Unavailability.start_time,
                  Unavailability.start_date, Unavailability.id)))
    return render_template("web/availability.html", forms=forms, weekdays=WEEKDAYS,
                           weekly=[e for e in entries if e.weekday is not None],
                           ranges=[e for e in entries if e.weekday is None],
                           limit=person.max_shifts_per_week), 400 if action else 200


@bp.route("/availability/<id:entry_id>/delete", methods=["POST"])
@volunteer_required
def availability_delete(entry_id: int):
    entry = db.session.get(Unavailability, entry_id)
    if entry is None or entry.person_id != current_user.person_id:
        abort(404)  # this page changes only one's own entries
    _done, error = write(lambda: availability.remove(db.session, current_user, entry_id, now()))
    if error is not None:
        abort(404)
    flash(_("Removed."), "info")
    return redirect(url_for("web.availability_page"))
