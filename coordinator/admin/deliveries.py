"""Messages for admins: channel health, the scheduler's heartbeat, failed deliveries."""
from __future__ import annotations

from datetime import datetime

from flask import current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from ..auth.access import roles_required
from ..extensions import db
from ..jobs import mail_settings, notify_settings, sms_settings
from ..services.notify import deliveries as store
from ..services.notify.channels import make_senders
from ..web_util import now, write
from . import bp

PROBLEMS = {"not_configured": _l("Not configured"),
            "unreachable": _l("The server cannot be reached"),
            "login_failed": _l("The server refused the login"),
            "rejected": _l("The gateway refused the key or the address"),
            "bad_url": _l("The address is not valid")}
CHANNELS = ("email", "sms", "app")


def _static_problems() -> dict[str, tuple[str, str] | None]:
    """Check the settings this process sees, without connecting anywhere."""
    from ..services.notify.channels import ChannelError, HttpSmsSender, Unconfigured

    found = {}
    senders = make_senders(mail_settings(current_app), sms_settings(current_app))
    for channel, sender in senders.items():
        found[channel] = None
        if isinstance(sender, (Unconfigured, HttpSmsSender)):
            try:
                sender.check()
            except ChannelError as exc:
                found[channel] = (exc.code, exc.detail)
    return found


@bp.route("/deliveries")
@roles_required("admin")
def deliveries():
    at = now()
    settings = notify_settings(current_app)
    counts = store.counts(db.session)
    table = {c: {s: counts.get((c, s), 0) for s in ("pending", "claimed", "sent", "failed",
                                                     "skipped")} for c in CHANNELS}
    recorded = {c: store.get_status(db.session, f"channel:{c}") for c in ("email", "sms")}
    beat = store.get_status(db.session, "scheduler:heartbeat")
    return render_template(
        "admin/deliveries.html", table=table, static=_static_problems(), recorded=recorded,
        heartbeat_at=datetime.fromisoformat(beat["at"]) if beat else None,
        problems=store.problems(db.session, at, settings.stale_claim_seconds),
        labels=PROBLEMS, backends={"email": mail_settings(current_app).backend,
                                   "sms": sms_settings(current_app).backend})


@bp.route("/deliveries/<id:delivery_id>/retry", methods=["POST"])
@roles_required("admin")
def delivery_retry(delivery_id: int):
    done, _error = write(lambda: store.requeue(db.session, delivery_id, now()))
    flash(_("The message will be sent again by the scheduler.") if done
          else _("This message cannot be sent again."), "info" if done else "error")
    return redirect(url_for("admin.deliveries"))
