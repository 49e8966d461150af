"""Coordinators approve or refuse swaps that wait for approval."""
from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import aliased

from ..clock import now
from ..extensions import db
from ..http.access import roles_required
from ..http.transactions import write
from ..models import Assignment, Occurrence, OccurrenceRole, Person, Series, SwapOffer
from ..services.access import managed_community_ids
from ..services.shifts import swaps
from . import bp


@bp.route("/swaps/pending")
@roles_required("coordinator", "admin")
def swaps_pending():
    giver, taker = aliased(Person), aliased(Person)
    query = (select(SwapOffer, Series.title, Occurrence.start_at, giver.full_name,
                    taker.full_name)
             .join(Assignment, SwapOffer.assignment_id == Assignment.id)
             .join(OccurrenceRole, Assignment.occurrence_role_id == OccurrenceRole.id)
             .join(Occurrence, OccurrenceRole.occurrence_id == Occurrence.id)
             .join(Series, Occurrence.series_id == Series.id)
             .join(giver, Assignment.person_id == giver.id)
             .join(taker, SwapOffer.taken_by_id == taker.id)
             .where(SwapOffer.status == "pending", Occurrence.start_at > now())
             .order_by(Occurrence.start_at))
    ids = managed_community_ids(db.session, current_user)
    if ids is not None:
        query = query.where(giver.community_id.in_(ids))
    return render_template("schedule/swaps_pending.html", rows=db.session.execute(query).all())


@bp.route("/swaps/<id:offer_id>/decide", methods=["POST"])
@roles_required("coordinator", "admin")
def swap_decide(offer_id: int):
    from flask import request
    approve = request.form.get("approve") == "1"
    error = write(lambda: swaps.approve(db.session, current_user, offer_id, approve,
                                        now()))[1]
    if error is not None:
        flash(_(error.message, **error.params), "error")
    else:
        flash(_("Swap approved.") if approve else _("Swap refused."), "info")
    return redirect(url_for("schedule.swaps_pending"))
