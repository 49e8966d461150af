"""Home page, health check and the shared page context."""
from __future__ import annotations

from flask import current_app, render_template, request, session, url_for
from flask_login import current_user, login_required

from ..clock import now
from ..extensions import db
from ..http import notices
from ..http.access import public
from ..services.access import care_community_ids, managed_community_ids, sees_care_details
from ..services.attendance import corrections, leave_lists, roll, settings_from
from ..services.care import logs as care_logs
from ..services.shifts import gaps
from ..services.shifts import lists as dashboard
from . import bp

HOME_ROLLS = 10  # rolls not taken, on the coordinator's home
HOME_NEEDS = 20  # open follow-ups of care visits, oldest first, on the coordinator's home
HOME_GAPS = 3  # gaps with their buttons on the coordinator's home; the rest on the gap list


def page_context() -> dict:
    """Values every page template needs: text size, language, where we are."""
    if current_user and current_user.is_authenticated:
        text_size = current_user.text_size
    else:
        text_size = session.get("text_size", "standard")
    from ..http.i18n import select_locale, zone_label
    locale = select_locale()
    return {"text_size": text_size, "current_locale": locale,
            "here": request.full_path.rstrip("?") if request else "/",
            "app_timezone": zone_label(current_app.config["TIMEZONE"], locale)}


@bp.route("/healthz")
@public
def healthz():
    db.session.execute(db.text("SELECT 1"))
    return {"status": "ok"}


@bp.route("/")
@login_required
def home():
    at = now()
    context = {"role": current_user.role,
               "also_leader": current_user.role == "coordinator" and current_user.is_also_leader}
    if current_user.person_id:
        person = current_user.person
        context["next_shifts"] = dashboard.my_next_shifts(db.session, person.id, at)
        context["open_shifts"] = dashboard.open_shifts_for(
            db.session, person.id, person.community_id, at,
            zone=current_app.config["TIMEZONE"])
    if current_user.role in ("coordinator", "admin"):
        # The next gaps first, each with its assign buttons (the gap list's own cards).
        page = gaps.gap_page(db.session, current_user, at, per_page=HOME_GAPS)
        notice = notices.take()
        context.update(gaps=page, gap_cards=notices.place(page.items, notice, db.session),
                       notice=notice, now=at, back="home", back_url=url_for("web.home"))
        # What happened: rolls not taken yet, and the leaves asked lately.
        settings = settings_from(current_app.config)
        communities = managed_community_ids(db.session, current_user)
        care = care_community_ids(db.session, current_user)
        context.update(
            pending_rolls=[(o.id, s.kind, s.title if s.kind != "care" or sees_care_details(
                care, s.community_id, False) else "", o.start_at, o.end_at)
                for o, s in roll.pending_rolls(db.session, communities, at, settings,
                                               limit=HOME_ROLLS)],
            recent_leaves=leave_lists.hide_care_titles(
                leave_lists.recent_leaves(db.session, communities, at), care))
        if care:  # the needs their communities' visitors flagged (services.care.logs)
            context["open_needs"] = care_logs.open_needs(db.session, current_user,
                                                         limit=HOME_NEEDS)
    if current_user.role in ("coordinator", "leader", "admin"):
        approver = corrections.may_approve(current_user)
        context["pending_corrections"] = len(corrections.pending_corrections(
            db.session, None if approver else managed_community_ids(db.session, current_user)))
    return render_template("web/home.html", **context)
