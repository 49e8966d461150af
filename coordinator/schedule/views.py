"""Series pages: list, create (series or single event), detail, end."""
from __future__ import annotations

from datetime import date, time, timedelta

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func, or_, select
from sqlalchemy.orm import selectinload

from ..clock import now
from ..domain.errors import DomainError
from ..domain.recurrence import build_rule, get_zone
from ..extensions import db
from ..http.access import roles_required
from ..http.forms import apply_error, options
from ..http.i18n import localdate
from ..http.transactions import write
from ..http.urls import page_arg
from ..models import Community, Occurrence, Series, Team, Venue
from ..services.access import (
    can_manage,
    managed_community_ids,
    may_read_series,
    reads_every_community,
)
from ..services.schedule import changes
from ..services.schedule.horizon import horizon_end
from ..services.schedule.series import (
    DateMove,
    RoleInput,
    SeriesInput,
    create_series,
)
from . import bp
from .forms import EndForm, SeriesForm
from .presets import PRESETS, default_team, member_count

STAFF = ("coordinator", "admin")


def _readable(stmt):
    """Series the user may open: their communities' work; for those who read every
    community, all but other communities' care visits (see ``may_read_series``)."""
    ids = managed_community_ids(db.session, current_user)
    if ids is None:
        return stmt
    if reads_every_community(current_user):
        return stmt.where(or_(Series.kind != "care", Series.community_id.in_(ids)))
    return stmt.where(Series.community_id.in_(ids))


def fill_choices(form: SeriesForm) -> None:
    """Offer only the communities, teams and venues the coordinator may use."""
    ids = managed_community_ids(db.session, current_user)
    stmt = select(Community).order_by(Community.code)
    if ids is not None:
        stmt = stmt.where(Community.id.in_(ids))
    communities = db.session.scalars(stmt).all()
    form.community_id.choices = options((c.id, c.name) for c in communities)
    if ids is None:
        form.community_id.choices.insert(0, options([(0, _("Township-wide"))])[0])
    allowed = [c.id for c in communities]
    teams = db.session.scalars(select(Team).where(
        Team.community_id.in_(allowed) | Team.community_id.is_(None))
        .order_by(Team.community_id, Team.name)).all()
    venues = db.session.scalars(select(Venue).where(
        Venue.community_id.in_(allowed) | Venue.community_id.is_(None))
        .order_by(Venue.community_id, Venue.name)).all()
    none = [(0, _("— none —"))]
    form.team_id.choices = options(none + [(t.id, t.name) for t in teams])
    form.venue_id.choices = options(none + [(v.id, v.name) for v in venues])
    for entry in form.roles:
        entry.form.required_team_id.choices = options(
            [(0, _("anyone"))] + [(t.id, t.name) for t in teams])


def series_input(form: SeriesForm) -> SeriesInput:
    """Turn the form into the service's input; raises DomainError for a bad rule choice."""
    rule = (form.rrule.data or "").strip() or build_rule(
        form.frequency.data, form.weekdays.data, form.month_day.data, form.interval.data or 1,
        month_week=form.month_week.data or None, month_weekday=form.month_weekday.data)
    roles = tuple(RoleInput(r.form.name.data.strip(), r.form.needed.data or 0,
                            r.form.maximum.data or r.form.needed.data or 0,
                            r.form.required_team_id.data or None, r.form.is_lead.data)
                  for r in form.roles if (r.form.name.data or "").strip())
    skips, moves = date_choices()
    return SeriesInput(
        kind=form.kind.data, title=form.title.data or "",
        community_id=form.community_id.data or None, start_date=form.start_date.data,
        start_time=form.start_time.data, duration_minutes=form.duration_minutes.data,
        rrule=rule, until=form.until.data, participation=form.participation.data,
        team_id=form.team_id.data or None, venue_id=form.venue_id.data or None,
        description=form.description.data, signup_opens_days=form.signup_opens_days.data,
        withdraw_cutoff_hours=current_app.config["WITHDRAW_CUTOFF_HOURS"]
        if form.withdraw_cutoff_hours.data is None else form.withdraw_cutoff_hours.data,
        requires_swap_approval=form.requires_swap_approval.data,
        is_public=form.is_public.data, roles=roles,
        expected_attendance=form.expected_attendance.data,
        capacity_override=form.capacity_override.data, skip_dates=frozenset(skips),
        moves=tuple(moves), skip_reason=_("Not held: the room is booked"))


def date_choices() -> tuple[set[date], list[DateMove]]:
    """Read the per-date choices of the clash list (``date-YYYY-MM-DD`` = skip / move,
    with ``move-date-…`` and ``move-time-…``); a move without its new time is refused."""
    skips, moves = set(), []
    for key, choice in request.form.items():
        if not key.startswith("date-"):
            continue
        try:
            day = date.fromisoformat(key[5:])
        except ValueError:
            continue
        if choice == "skip":
            skips.add(day)
        elif choice == "move":
            try:
                to_date = date.fromisoformat(request.form.get(f"move-date-{day}", ""))
                to_time = time.fromisoformat(request.form.get(f"move-time-{day}", ""))
            except ValueError:
                raise DomainError("Enter the new date and time for %(day)s.",
                                  field="venue_id", day=day.isoformat()) from None
            moves.append(DateMove(day, to_date, to_time))
    return skips, moves


def clash_rows(error: DomainError | None) -> list[dict]:
    """The rows of the clash list: every clashing date plus the dates already decided."""
    rows: dict[date, dict] = {}
    for key, choice in request.form.items():
        if key.startswith("date-") and choice in ("skip", "move"):
            try:
                day = date.fromisoformat(key[5:])
            except ValueError:
                continue
            rows[day] = {"day": day, "choice": choice, "clashes": [],
                         "move_date": request.form.get(f"move-date-{day}", ""),
                         "move_time": request.form.get(f"move-time-{day}", "")}
    for clash in getattr(error, "clashes", ()):
        row = rows.setdefault(clash.day, {"day": clash.day, "choice": "", "clashes": [],
                                          "move_date": "", "move_time": ""})
        row["clashes"].append({
            "start": clash.start_at, "end": clash.end_at, "title": clash.title,
            "booked_by": clash.booked_by, "booked_start": clash.booked_start,
            "booked_end": clash.booked_end})
    for row in rows.values():
        row["label"] = localdate(row["day"], "day")
    return [rows[d] for d in sorted(rows)]


def apply_preset(form: SeriesForm, code: str) -> None:
    """Fill a new form with what this kind of work usually has (presets.py)."""
    preset = PRESETS[code]
    at = now().astimezone(get_zone(current_app.config["TIMEZONE"]))
    community_ids = [choice.value for choice in (form.community_id.choices or [])]
    community_id = next((c for c in community_ids if c), None)
    team = default_team(db.session, community_id, preset.team_kind)
    first = at.date() + timedelta(days=1)
    if preset.month_day:
        first = next(first + timedelta(days=n) for n in range(62)
                     if (first + timedelta(days=n)).day == preset.month_day)
    form.kind.data, form.title.data = preset.kind, str(preset.title)
    form.community_id.data = community_id or 0
    form.participation.data = preset.participation
    form.team_id.data = team.id if team else 0
    form.start_date.data, form.start_time.data = first, preset.start
    form.duration_minutes.data = preset.minutes
    form.frequency.data, form.month_day.data = preset.frequency, preset.month_day
    form.weekdays.data = [first.weekday()] if preset.frequency == "weekly" else []
    for entry, role in zip(form.roles, preset.roles):
        entry.form.name.data = str(role.name)
        entry.form.needed.data, entry.form.maximum.data = role.needed, role.maximum
        entry.form.required_team_id.data = team.id if team and preset.team_kind else 0
        entry.form.is_lead.data = role.is_lead


def render_form(form: SeriesForm, *, preset: str | None, error=None, following=None):
    """The planning form, with the clash list and the capacity override when they apply."""
    team_members = member_count(db.session, form.team_id.data or None)
    return render_template(
        "schedule/series_form.html", form=form, following=following,
        preset=PRESETS.get(preset), team_members=team_members,
        clashes=clash_rows(error),
        offer_override=getattr(error, "over_capacity", False)
        or bool(form.capacity_override.data)), (
        400 if form.errors or form.form_errors else 200)


@bp.route("/series")
@roles_required("coordinator", "leader", "admin")
def series_list():
    page = page_arg()
    query = _readable(select(Series))
    total = db.session.scalar(select(func.count()).select_from(query.subquery()))
    rows = db.session.scalars(query.options(selectinload(Series.community),
                                            selectinload(Series.venue))
                              .order_by(Series.community_id, Series.kind, Series.title)
                              .limit(50).offset((page - 1) * 50)).all()
    return render_template("schedule/series_list.html", series=rows, page=page,
                           pages=max(1, -(-total // 50)),
                           can_add=current_user.role in STAFF)


@bp.route("/series/new", methods=["GET", "POST"])
@roles_required(*STAFF)
def series_new():
    """Choose the kind of work first (plain links), then the form filled for that kind."""
    preset = request.args.get("kind")
    if preset not in PRESETS:
        if request.method == "GET":
            return render_template("schedule/series_kinds.html", presets=PRESETS.values())
        preset = None
    form = SeriesForm()
    fill_choices(form)
    if not form.is_submitted():
        form.withdraw_cutoff_hours.data = current_app.config["WITHDRAW_CUTOFF_HOURS"]
        apply_preset(form, preset)
    error = None
    if form.validate_on_submit():
        at = now()
        try:
            data = series_input(form)
        except DomainError as exc:
            error = exc
            apply_error(form, exc)
        else:
            series, error = write(lambda: create_series(
                db.session, current_user, data, at, zone=current_app.config["TIMEZONE"],
                horizon_end=horizon_end(at, current_app.config["HORIZON_WEEKS"])))
            if error is not None:
                apply_error(form, error)
            else:
                flash(_("Saved. The dates are planned; people can now be assigned."), "info")
                return redirect(url_for("schedule.series_detail", series_id=series.id))
    return render_form(form, preset=preset, error=error)


def _load_series(series_id: int) -> Series:
    series = db.get_or_404(Series, series_id)
    if not may_read_series(db.session, current_user, series.community_id, series.kind):
        abort(404)
    return series


@bp.route("/series/<id:series_id>")
@roles_required("coordinator", "leader", "admin")
def series_detail(series_id: int):
    series = _load_series(series_id)
    at = now()
    upcoming = db.session.scalars(
        select(Occurrence).where(Occurrence.series_id == series.id,
                                 Occurrence.end_at > at - timedelta(days=1))
        .options(selectinload(Occurrence.roles), selectinload(Occurrence.venue))
        .order_by(Occurrence.start_at).limit(60)).all()
    end_form = EndForm()
    next_one = next((o for o in upcoming if o.status == "scheduled" and o.start_at > at), None)
    return render_template("schedule/series_detail.html", series=series, upcoming=upcoming,
                           end_form=end_form,
                           can_edit=can_manage(db.session, current_user, series.community_id),
                           next_one=next_one)


@bp.route("/series/<id:series_id>/end", methods=["POST"])
@roles_required(*STAFF)
def series_end(series_id: int):
    series = _load_series(series_id)
    form = EndForm()
    if form.validate_on_submit():
        count, error = write(lambda: changes.end_series(db.session, current_user, series.id,
                                                        form.last_day.data, now()))
        if error is not None:
            flash(_(error.message, **error.params), "error")
        else:
            flash(_("The series ends; %(n)s later dates were cancelled.", n=count), "info")
    else:
        flash(_("Enter the last day."), "error")
    return redirect(url_for("schedule.series_detail", series_id=series_id))

