"""One occurrence: its slots and people, assign from suggestions, cancel, move, change
counts, and change "this and all following"."""
from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from ..clock import now
from ..domain.eligibility import NeedsConfirmation
from ..domain.errors import Forbidden
from ..domain.recurrence import get_zone, rule_controls
from ..extensions import db
from ..http import notices, overrides
from ..http.access import roles_required
from ..http.assigning import assign_and_say, confirmation
from ..http.forms import options
from ..http.inputs import int_arg
from ..http.transactions import write
from ..models import Assignment, Occurrence, OccurrenceRole, Person, Series, Venue
from ..services.access import can_manage, may_read_series
from ..services.schedule import changes
from ..services.schedule.horizon import horizon_end
from ..services.shifts import signups
from ..services.shifts.suggestions import suggest
from ..services.shifts.turnout import Turnout, turnout
from . import bp
from .forms import CancelForm, MoveForm, SeriesForm, assign_form
from .views import STAFF, fill_choices, render_form, series_input


def _load(occurrence_id: int) -> tuple[Occurrence, Series]:
    occurrence = db.get_or_404(Occurrence, occurrence_id)
    series = db.session.get(Series, occurrence.series_id)
    if not may_read_series(db.session, current_user, series.community_id, series.kind):
        abort(404)
    return occurrence, series


def _page(occurrence, series, status=200, **forms):
    roles = db.session.scalars(select(OccurrenceRole).where(
        OccurrenceRole.occurrence_id == occurrence.id).order_by(OccurrenceRole.id)).all()
    people = db.session.execute(
        select(Assignment, Person).join(Person, Assignment.person_id == Person.id)
        .join(OccurrenceRole, Assignment.occurrence_role_id == OccurrenceRole.id)
        .where(OccurrenceRole.occurrence_id == occurrence.id,
               Assignment.status != "withdrawn")
        .order_by(Assignment.status, Assignment.waitlist_position, Person.full_name)).all()
    by_role = {r.id: [] for r in roles}
    for assignment, person in people:
        by_role[assignment.occurrence_role_id].append((assignment, person))
    can_edit = can_manage(db.session, current_user, series.community_id)
    at = now()
    suggestions = {r.id: suggest(db.session, current_user, r.id, at, limit=5)
                   for r in roles if can_edit and occurrence.status == "scheduled"
                   and occurrence.start_at > at}
    local = occurrence.start_at.astimezone(get_zone(series.timezone))
    move = forms.get("move") or MoveForm(
        start_date=local.date(), start_time=local.time(),
        duration_minutes=int((occurrence.end_at - occurrence.start_at).total_seconds() // 60),
        venue_id=occurrence.venue_id or 0)
    venues = db.session.scalars(select(Venue).where(
        (Venue.community_id == series.community_id) | Venue.community_id.is_(None))
        .order_by(Venue.name)).all()
    move.venue_id.choices = options([(0, _("— none —"))] + [(v.id, v.name) for v in venues])
    venue = db.session.get(Venue, occurrence.venue_id) if occurrence.venue_id else None
    head_count = (turnout(db.session, [occurrence.id]).get(occurrence.id, Turnout())
                  if series.participation == "team" else None)
    posted_role, posted = forms.get("assign") or (None, None)
    assign = {r.id: posted if r.id == posted_role else assign_form(r.id, formdata=None)
              for r in roles}
    return render_template(
        "schedule/occurrence.html", occurrence=occurrence, series=series, roles=roles,
        by_role=by_role, suggestions=suggestions, can_edit=can_edit, venue=venue,
        assign=assign, cancel=forms.get("cancel") or CancelForm(), notice=notices.take(),
        move=move, is_past=occurrence.start_at <= at, head_count=head_count), status


@bp.route("/occurrences/<id:occurrence_id>")
@roles_required("coordinator", "leader", "admin")
def occurrence_detail(occurrence_id: int):
    occurrence, series = _load(occurrence_id)
    return _page(occurrence, series)


@bp.route("/slots/<id:role_id>/assign", methods=["POST"])
@roles_required(*STAFF)
def slot_assign(role_id: int):
    role = db.get_or_404(OccurrenceRole, role_id)
    occurrence, series = _load(role.occurrence_id)
    form = assign_form(role_id)
    if not form.validate_on_submit():
        return _page(occurrence, series, 400, assign=(role_id, form))
    card = f"role-{role_id}"
    back = url_for("schedule.occurrence_detail", occurrence_id=occurrence.id, _anchor=card)
    result, error, name = assign_and_say(role_id, form.person_id.data, form.override.data)
    if isinstance(error, Forbidden):  # a member outside this coordinator's communities
        form.person_id.errors = [_(error.message, **error.params)]
        return _page(occurrence, series, 403, assign=(role_id, form))
    if isinstance(error, NeedsConfirmation):
        notices.keep(confirmation(card, form.person_id.data, name, error.problems))
        return redirect(back)
    if error is not None:
        form.person_id.errors = [_(error.message, **error.params)]
        return _page(occurrence, series, 400, assign=(role_id, form))
    notices.leave(card, "info", overrides.assigned(name, result.status, result.position,
                                                   result.overrides))
    return redirect(back)




@bp.route("/assignments/<id:assignment_id>/unassign", methods=["POST"])
@roles_required(*STAFF)
def assignment_unassign(assignment_id: int):
    assignment = db.get_or_404(Assignment, assignment_id)
    role = db.session.get(OccurrenceRole, assignment.occurrence_role_id)
    _load(role.occurrence_id)
    promoted, error = write(lambda: signups.withdraw(db.session, current_user, assignment_id,
                                                      now()))
    card = f"role-{role.id}"
    if error is not None:
        notices.leave(card, "error", _(error.message, **error.params))
    else:
        notices.leave(card, "info", _("Removed.") + (
            " " + _("%(n)s moved up from the waitlist.", n=len(promoted)) if promoted else ""))
    return redirect(url_for("schedule.occurrence_detail", occurrence_id=role.occurrence_id,
                            _anchor=card))


@bp.route("/occurrences/<id:occurrence_id>/cancel", methods=["POST"])
@roles_required(*STAFF)
def occurrence_cancel(occurrence_id: int):
    occurrence, series = _load(occurrence_id)
    form = CancelForm()
    if not form.validate_on_submit():
        return _page(occurrence, series, 400, cancel=form)
    freed, error = write(lambda: changes.cancel_occurrence(
        db.session, current_user, occurrence_id, form.reason.data, now()))
    if error is not None:
        form.reason.errors = [_(error.message, **error.params)]
        return _page(occurrence, series, 400, cancel=form)
    flash(_("Cancelled. %(n)s people will be told.", n=freed), "info")
    return redirect(url_for("schedule.occurrence_detail", occurrence_id=occurrence_id))


@bp.route("/occurrences/<id:occurrence_id>/move", methods=["POST"])
@roles_required(*STAFF)
def occurrence_move(occurrence_id: int):
    occurrence, series = _load(occurrence_id)
    form = MoveForm()
    venues = db.session.scalars(select(Venue.id)).all()
    form.venue_id.choices = options([(0, "")] + [(v, "") for v in venues])
    if not form.validate_on_submit():
        return _page(occurrence, series, 400, move=form)
    _result, error = write(lambda: changes.move_occurrence(
        db.session, current_user, occurrence_id, start_date=form.start_date.data,
        start_time=form.start_time.data, duration_minutes=form.duration_minutes.data,
        venue_id=form.venue_id.data or None, now=now()))
    if error is not None:
        target = getattr(form, error.field or "", None) or form.start_date
        target.errors = list(target.errors) + [_(error.message, **error.params)]
        return _page(occurrence, series, 400, move=form)
    flash(_("Moved. The people assigned will be told."), "info")
    return redirect(url_for("schedule.occurrence_detail", occurrence_id=occurrence_id))


@bp.route("/occurrences/<id:occurrence_id>/counts", methods=["POST"])
@roles_required(*STAFF)
def occurrence_counts(occurrence_id: int):
    occurrence, series = _load(occurrence_id)
    counts = {}
    for role in db.session.scalars(select(OccurrenceRole).where(
            OccurrenceRole.occurrence_id == occurrence.id)):
        # Not a WTForms form: read through the same cleaning (NFKC, invisible characters).
        needed = int_arg(f"needed-{role.id}", lo=0, source=request.form)
        maximum = int_arg(f"maximum-{role.id}", lo=0, source=request.form)
        if needed is None or maximum is None:
            flash(_("Enter whole numbers for every role."), "error")
            return _page(occurrence, series, 400)
        counts[role.id] = (needed, maximum)
    promoted, error = write(lambda: changes.change_counts(db.session, current_user,
                                                           occurrence_id, counts, now()))
    if error is not None:
        flash(_(error.message, **error.params), "error")
        return _page(occurrence, series, 400)
    flash(_("Saved.") + (" " + _("%(n)s moved up from the waitlist.", n=len(promoted))
                         if promoted else ""), "info")
    return redirect(url_for("schedule.occurrence_detail", occurrence_id=occurrence_id))


@bp.route("/occurrences/<id:occurrence_id>/following", methods=["GET", "POST"])
@roles_required(*STAFF)
def occurrence_following(occurrence_id: int):
    """Change this and all following occurrences: the series is split here."""
    occurrence, series = _load(occurrence_id)
    form = SeriesForm()
    fill_choices(form)
    if request.method == "GET":
        _prefill(form, occurrence, series)
    error = None
    if form.validate_on_submit():
        at = now()
        new, error = write(lambda: changes.split_series(
            db.session, current_user, occurrence_id, series_input(form), at,
            horizon_end=horizon_end(at, current_app.config["HORIZON_WEEKS"])))
        if error is None:
            flash(_("Saved from this date on. The people assigned will be told."), "info")
            return redirect(url_for("schedule.series_detail", series_id=new.id))
        from ..http.forms import apply_error
        apply_error(form, error)
    return render_form(form, preset=None, error=error, following=occurrence)


def _prefill(form: SeriesForm, occurrence: Occurrence, series: Series) -> None:
    local = occurrence.recurrence_id.astimezone(get_zone(series.timezone))
    form.kind.data, form.title.data = series.kind, series.title
    form.community_id.data = series.community_id or 0
    form.participation.data = series.participation
    form.team_id.data, form.venue_id.data = series.team_id or 0, series.venue_id or 0
    form.start_date.data, form.start_time.data = local.date(), series.start_time
    form.duration_minutes.data = series.duration_minutes
    controls = rule_controls(series.rrule)
    if controls is None:  # a rule the controls cannot say: kept as it is
        form.frequency.data, form.rrule.data = "daily", series.rrule
    else:
        for name, value in controls.items():
            if hasattr(form, name):  # "monthly_by" is said by month_week being 0 or not
                getattr(form, name).data = value
    form.expected_attendance.data = series.expected_attendance
    form.until.data = series.until
    form.signup_opens_days.data = series.signup_opens_days
    form.withdraw_cutoff_hours.data = series.withdraw_cutoff_hours
    form.requires_swap_approval.data = series.requires_swap_approval
    form.is_public.data = series.is_public
    form.description.data = series.description
    for entry, role in zip(form.roles, series.roles):
        entry.form.name.data, entry.form.needed.data = role.name, role.needed
        entry.form.maximum.data = role.maximum
        entry.form.required_team_id.data = role.required_team_id or 0
        entry.form.is_lead.data = role.is_lead
