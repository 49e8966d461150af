"""In-app notifications: the list, marking read, and the unread count in the menu."""
from __future__ import annotations

from flask import g, redirect, render_template, url_for
from flask_login import current_user, login_required

from ..clock import now
from ..extensions import db
from ..http.transactions import write
from ..http.urls import page_arg
from ..services.notify import inbox
from . import bp


def nav_context() -> dict:
    """The unread count shown in the menu of every page (one COUNT per page)."""
    if not (current_user and current_user.is_authenticated):
        return {"unread_notifications": 0}
    if "unread_notifications" not in g:
        g.unread_notifications = inbox.unread_count(db.session, current_user.id)
    return {"unread_notifications": g.unread_notifications}


@bp.route("/notifications")
@login_required
def notifications():
    number = page_arg()
    rows, total = inbox.page(db.session, current_user.id, number)
    pages = max(1, -(-total // inbox.PAGE_SIZE))
    return render_template("web/notifications.html", rows=rows, page=number, pages=pages,
                           total=total)


@bp.route("/notifications/<id:notification_id>/read", methods=["POST"])
@login_required
def notification_read(notification_id: int):
    write(lambda: inbox.mark_read(db.session, current_user.id, notification_id, now()))
    return redirect(url_for("web.notifications"))


@bp.route("/notifications/read-all", methods=["POST"])
@login_required
def notifications_read_all():
    write(lambda: inbox.mark_read(db.session, current_user.id, None, now()))
    return redirect(url_for("web.notifications"))
