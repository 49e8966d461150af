"""The volunteer's own pages: open shifts, one-tap sign-up, my shifts, swaps."""
from __future__ import annotations

import re
from datetime import timedelta
from functools import wraps

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ..attendance import attendance_settings
from ..clock import now
from ..domain.errors import Forbidden
from ..extensions import db
from ..http.errors import render_error
from ..http.transactions import write
from ..http.urls import page_arg, safe_next
from ..models import Assignment
from ..services.access import care_visitor_since, visitor_reads
from ..services.attendance import leave_lists, mine
from ..services.care import settings_from as care_settings
from ..services.shifts import facts, responses, signups, swaps
from ..services.shifts import lists as lists
from ..services.shifts import page as shift_pages
from ..vocab import SERIES_KINDS
from . import bp

MAX_DAYS = 90


def volunteer_required(view):
    """Allow the view only to logged-in accounts that belong to a member."""
    @wraps(view)
    @login_required
    def wrapped(*args, **kwargs):
        if current_user.person_id is None:
            abort(403)
        return view(*args, **kwargs)
    return wrapped


def _back(default_endpoint: str):
    return redirect(safe_next(request.form.get("next"), url_for(default_endpoint)))


def _filters(person):
    """Read the kind and community filters; returns (kind, community, choices, errors)."""
    errors = []
    kind = request.args.get("kind", "")
    if kind and kind not in SERIES_KINDS:
        errors.append(("kind", _("That choice is not available.")))
        kind = ""
    communities = lists.filter_communities(db.session, person.id, person.community_id)
    raw = request.args.get("community", "")
    community = None
    if raw == "township":
        community = lists.TOWNSHIP
    elif raw:
        community = int(raw) if re.fullmatch(r"[0-9]{1,10}", raw) else -1
        if community not in {c_id for c_id, _name in communities}:
            errors.append(("community", _("No such community.")))
            community = None
    return kind or None, community, communities, errors


@bp.route("/shifts/open")
@volunteer_required
def shifts_open():
    person = current_user.person
    kind, community, communities, errors = _filters(person)
    days = min(max(request.args.get("days", 28, type=int), 1), MAX_DAYS)
    at = now()
    found = lists.open_shifts_page(db.session, person.id, person.community_id, at, kind=kind,
                                   community_filter=community, days=days, page=page_arg(),
                                   zone=current_app.config["TIMEZONE"])
    events = lists.team_events_for(db.session, person.id, at, kind=kind,
                                   community_filter=community, days=days)
    chosen = {"kind": kind or "", "community": "township" if community == lists.TOWNSHIP
              else (community or "")}
    return render_template("web/shifts_open.html", found=found, events=events, days=days,
                           kinds=list(SERIES_KINDS), communities=communities, chosen=chosen,
                           errors=dict(errors)), 400 if errors else 200


@bp.route("/slots/<id:role_id>/signup", methods=["POST"])
@volunteer_required
def slot_signup(role_id: int):
    result, _refusal = write(lambda: signups.sign_up(db.session, current_user, role_id, now(),
                                                     zone=current_app.config["TIMEZONE"]),
                             flash_refusal=True)
    if result is not None:
        if result.status == "confirmed":
            flash(_("You are signed up."), "info")
        else:
            flash(_("The shift is full; you are number %(n)s on the waitlist.",
                    n=result.position), "info")
    return _back("web.shifts_open")


@bp.route("/occurrences/<id:occurrence_id>/respond", methods=["POST"])
@volunteer_required
def occurrence_respond(occurrence_id: int):
    answer = request.form.get("attending")
    if answer not in ("yes", "no"):
        abort(400)
    row, _refusal = write(lambda: responses.respond(db.session, current_user, occurrence_id,
                                                    answer == "yes", now()),
                          flash_refusal=True)
    if row is not None:
        flash(_("Thank you: you will come.") if row.is_attending
              else _("Thank you: you will not come."), "info")
    return _back("web.shifts_open")


@bp.route("/shifts/mine")
@volunteer_required
def shifts_mine():
    person = current_user.person
    at = now()
    coming = lists.my_shifts(db.session, person.id, at)
    past = lists.recent_shifts(db.session, person.id, at)
    settings = attendance_settings()
    # Recorded service minutes of the last 30 days (the roll), not the scheduled length
    # of confirmed shifts: a no-show or an unrecorded date serves nothing.
    hours = facts.hours_served(db.session, [person.id], at - timedelta(days=30), at).get(
        person.id, 0.0)
    # Team events the person has not declined (each with its leave button), and the
    # leaves already asked ("已请假").
    events = [e for e in lists.team_events_for(db.session, person.id, at)
              if e.attending is not False]
    # Care visits begun and not past the visitors' line: their log is one tap away.
    since = care_visitor_since(at, care_settings(current_app.config).visitor_days,
                               current_app.config["TIMEZONE"])
    care_logs = [s for s in (*(c.slot for c in coming), *past)
                 if s.kind == "care" and s.start_at <= at and s.status in (None, "confirmed")
                 and visitor_reads(True, s.end_at, since)]
    return render_template("web/shifts_mine.html", coming=coming, past=past,
                           care_logs=care_logs,
                           hours=round(hours, 1), now=at, events=events,
                           leaves=leave_lists.my_leaves(db.session, person.id, at),
                           offers=[s for s in coming if s.offer_id is not None],
                           rolls=mine.lead_rolls(db.session, current_user, at, settings),
                           checked_in=mine.open_checkins(db.session, person.id, at, settings))


@bp.route("/shifts/<id:occurrence_id>")
@login_required
def shift_page(occurrence_id: int):
    # A write: reading a care visit's person is logged (services.care: CareRead).
    shift, refusal = write(lambda: shift_pages.shift_page(
        db.session, current_user, occurrence_id, now(), care_settings(current_app.config),
        zone=current_app.config["TIMEZONE"]), returns=(Forbidden,))
    if isinstance(refusal, Forbidden):  # say who may open it, not only "no permission"
        return render_error(403, _(refusal.message))
    return render_template("web/shift_page.html", shift=shift)


def _own_assignment(assignment_id: int) -> None:
    """404 unless the assignment is the current member's: these pages act for oneself."""
    assignment = db.session.get(Assignment, assignment_id)
    if assignment is None or assignment.person_id != current_user.person_id:
        abort(404)


@bp.route("/assignments/<id:assignment_id>/withdraw", methods=["POST"])
@volunteer_required
def assignment_withdraw(assignment_id: int):
    _own_assignment(assignment_id)
    done, _refusal = write(lambda: signups.withdraw(db.session, current_user, assignment_id,
                                                    now()) or True,
                           flash_refusal=True)
    if done is not None:
        flash(_("You are no longer on this shift."), "info")
    return _back("web.shifts_mine")


@bp.route("/assignments/<id:assignment_id>/offer", methods=["POST"])
@volunteer_required
def assignment_offer(assignment_id: int):
    offer, _refusal = write(lambda: swaps.offer(db.session, current_user, assignment_id, now()),
                            flash_refusal=True)
    if offer is not None:
        flash(_("Your shift is offered for a swap. It stays yours until someone takes it."),
              "info")
    return _back("web.shifts_mine")


@bp.route("/swaps")
@volunteer_required
def swaps_list():
    person = current_user.person
    at = now()
    offers = lists.open_swaps_for(db.session, person.id, person.community_id, at)
    pending = lists.my_pending_takes(db.session, person.id, at)
    return render_template("web/shifts_swaps.html", offers=offers, pending=pending)


@bp.route("/swaps/<id:offer_id>/take", methods=["POST"])
@volunteer_required
def swap_take(offer_id: int):
    swap, _refusal = write(lambda: swaps.take(db.session, current_user, offer_id, now()),
                           flash_refusal=True)
    if swap is not None:
        if swap.status == "pending":
            flash(_("You took the shift. It waits for coordinator approval."), "info")
        else:
            flash(_("The shift is yours now."), "info")
    return _back("web.swaps_list")


@bp.route("/swaps/<id:offer_id>/withdraw", methods=["POST"])
@volunteer_required
def swap_withdraw(offer_id: int):
    done, _refusal = write(lambda: swaps.withdraw_offer(db.session, current_user, offer_id,
                                                        now()) or True,
                           flash_refusal=True)
    if done is not None:
        flash(_("Your swap offer is taken back. The shift stays yours."), "info")
    return _back("web.shifts_mine")
