"""The visit log a visitor writes after a care visit, and the coordinators' closing of
a need marked for follow-up.

Both are plain forms (no JavaScript): big radio buttons and checkboxes, one short text
box, one button. ``services.care.logs`` decides who may write and when; a refusal names
nothing of the visit to someone who may not read it.
"""
from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from wtforms import BooleanField, HiddenField, RadioField, SelectMultipleField, TextAreaField
from wtforms.validators import InputRequired
from wtforms.widgets import CheckboxInput, ListWidget

from ..clock import now
from ..domain.errors import Forbidden, NotFound
from ..extensions import db
from ..http.errors import render_error
from ..http.forms import options
from ..http.inputs import InputForm
from ..http.transactions import write
from ..services.care import logs
from ..services.care import settings_from as care_settings
from ..vocab import CARE_CONDITIONS, CARE_NEEDS
from . import bp


class Checkboxes(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class LogForm(InputForm):
    # Unknown codes are the service's to refuse, with the words of the field.
    condition = RadioField(_l("How is the person?"), choices=options(CARE_CONDITIONS.choices()),
                           validators=[InputRequired(message=_l("Choose how the person is."))],
                           validate_choice=False)
    needs = Checkboxes(_l("What do they need?"), choices=options(CARE_NEEDS.choices()),
                       validate_choice=False)
    note = TextAreaField(_l("In a few words (optional)"))
    follow_up = BooleanField(_l("The coordinator should follow up"))
    version = HiddenField()


class CloseForm(InputForm):
    note = TextAreaField(_l("What was done"))
    version = HiddenField()


def _version(raw) -> int | None:
    return int(raw) if isinstance(raw, str) and raw.isdigit() and len(raw) < 10 else None


def _fill(form: LogForm, log) -> None:
    form.condition.data = log.condition
    form.needs.data = list(logs.needs_of(log))
    form.note.data = log.note or ""
    form.follow_up.data = log.follow_up
    form.version.data = str(log.version)


def _visit(occurrence_id: int):
    """The visit for the current user, or the answer that refuses it."""
    try:
        return logs.visit_for(db.session, current_user, occurrence_id, now(),
                              care_settings(current_app.config),
                              zone=current_app.config["TIMEZONE"]), None
    except NotFound:
        abort(404)
    except Forbidden as exc:  # names nothing of the visit
        return None, render_error(403, _(exc.message, **exc.params))


@bp.route("/shifts/<id:occurrence_id>/care-log", methods=["GET", "POST"])
@login_required
def visit_log(occurrence_id: int):
    """Write (or edit) the log of one care visit."""
    visit, refused = _visit(occurrence_id)
    if refused is not None:
        return refused
    form = LogForm()
    if not form.is_submitted() and visit.log is not None:
        _fill(form, visit.log)
    status = 200
    if visit.refusal is not None:
        return render_template("care/visit_log.html", form=form, visit=visit,
                               refusal=_(visit.refusal.message, **visit.refusal.params),
                               conditions=CARE_CONDITIONS, needs=CARE_NEEDS), 409
    if form.is_submitted():
        if form.validate():
            data = logs.LogInput(condition=form.condition.data,
                                 needs=tuple(form.needs.data or ()),
                                 note=(form.note.data or "").strip() or None,
                                 follow_up=bool(form.follow_up.data),
                                 version=_version(form.version.data))
            saved, error = write(lambda: logs.write_log(
                db.session, current_user, occurrence_id, data, now(),
                care_settings(current_app.config), zone=current_app.config["TIMEZONE"]),
                form=form)
            if error is None:
                flash(_("Thank you: the visit log is saved.") + (
                    " " + _("The coordinator will follow up.") if saved.follow_up else ""),
                    "info")
                return redirect(url_for("web.shift_page", occurrence_id=occurrence_id))
            status = 400
            if error.field is None:  # written meanwhile: show it as it is now
                status = 409
                visit, _refused = _visit(occurrence_id)
                if visit.log is not None:
                    _fill(form, visit.log)
        else:
            status = 400
    return render_template("care/visit_log.html", form=form, visit=visit, refusal=None,
                           conditions=CARE_CONDITIONS, needs=CARE_NEEDS), status


@bp.route("/care/needs/<id:log_id>/close", methods=["GET", "POST"])
@login_required
def close_need(log_id: int):
    """Close a need marked for follow-up, with a note (the community's coordinators)."""
    try:
        need = logs.need(db.session, current_user, log_id)
    except NotFound:
        abort(404)
    except Forbidden as exc:
        return render_error(403, _(exc.message))
    closed = logs.is_closed(db.session, log_id)
    form = CloseForm()
    if not form.is_submitted():
        form.version.data = str(need.version)
    status = 200
    if form.is_submitted() and not closed:
        if form.validate():
            _done, error = write(lambda: logs.close_need(
                db.session, current_user, log_id, form.note.data,
                _version(form.version.data) or 0, now()), form=form)
            if error is None:
                flash(_("The follow-up is closed."), "info")
                return redirect(url_for("web.home", _anchor="needs-h"))
            status = 409 if error.field is None else 400
            need = logs.need(db.session, current_user, log_id)
            closed = logs.is_closed(db.session, log_id)
            if error.field is None:
                form.version.data = str(need.version)
        else:
            status = 400
    return render_template("care/close_need.html", form=form, need=need, closed=closed,
                           needs=CARE_NEEDS), status

