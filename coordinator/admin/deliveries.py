"""Messages for admins: channel health, the scheduler's heartbeat, failed deliveries."""
from __future__ import annotations

import re
from datetime import datetime

from flask import current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from ..clock import now
from ..extensions import db
from ..http.access import roles_required
from ..http.transactions import write
from ..jobs import mail_settings, notify_settings, sms_settings
from ..services.notify import deliveries as store
from ..services.notify.channels import make_senders
from ..vocab import CHANNELS, DELIVERY_KINDS, DELIVERY_STATUSES
from . import bp

PROBLEMS = {"not_configured": _l("Not configured"),
            "unreachable": _l("The server cannot be reached"),
            "login_failed": _l("The server refused the login"),
            "relay_refused": _l("The server refuses to pass our mail on (log in, or allow "
                                "this sender)"),
            "sender_refused": _l("The server refuses the sender address (MAIL_FROM)"),
            "rejected": _l("The gateway refused the key (SMS_KEY)"),
            "bad_address": _l("No gateway answers at this address (SMS_URL)"),
            "bad_url": _l("The address is not valid")}
# Why a message failed, from the sender's error text (kept in English in the database and
# the log): the page says it in the reader's words and keeps the detail folded away.
FAILURES = (("no address", _l("There is no phone number or e-mail address for this person.")),
            ("recipient refused", _l("The mail server refused this address.")),
            ("gateway answered HTTP", _l("The SMS gateway answered with an error.")),
            ("gateway:", _l("The SMS gateway could not be reached or refused the message.")),
            (store.UNCERTAIN, _l("Interrupted while sending: it may have arrived, so it is "
                                 "not sent again by itself.")))
OTHER_FAILURE = _l("The message could not be sent.")
_EMAIL = re.compile(r"\b([\w.+-])[\w.+-]*@([\w-]+(?:\.[\w-]+)+)")
_PHONE = re.compile(r"(?<!\d)(\d{3})\d{4}(\d{4})(?!\d)")


def mask(text: str | None) -> str:
    """Hide most of every e-mail address and phone number in ``text`` (m***@example.org,
    138****5678): admins see who a message was for, not how to reach them."""
    return _PHONE.sub(r"\1****\2", _EMAIL.sub(r"\1***@\2", text or ""))


def failure_reason(error: str | None) -> str:
    """Say why a delivery failed, in the reader's language."""
    text = error or ""
    return str(next((label for start, label in FAILURES if text.startswith(start)),
                    OTHER_FAILURE))


def _failed(rows) -> list[dict]:
    """The failed list as ready values: labels, the recipient's name, masked address."""
    return [{"id": d.id, "created_at": d.created_at, "status": d.status,
             "kind": DELIVERY_KINDS.label(d.kind),
             "channel": CHANNELS.label(d.channel),
             "recipient": name or "—",
             "address": mask((d.payload or {}).get({"email": "email", "sms": "phone"}.get(
                 d.channel, ""))),
             "attempts": d.attempts, "reason": failure_reason(d.last_error),
             "last_error": mask(d.last_error)} for d, name in rows]


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
    table = {c: {s: counts.get((c, s), 0) for s in DELIVERY_STATUSES} for c in CHANNELS}
    recorded = {c: store.get_status(db.session, f"channel:{c}") for c in ("email", "sms")}
    beat = store.get_status(db.session, "scheduler:heartbeat")
    static = _static_problems()
    backends = {"email": mail_settings(current_app).backend,
                "sms": sms_settings(current_app).backend}
    # The start-up check can reach the gateway only by sending an SMS: until one went
    # out, a wrong key shows only when the first message is refused.
    sms_unverified = (backends["sms"] == "http" and not static["sms"]
                      and not table["sms"]["sent"]
                      and not (recorded["sms"] and not recorded["sms"].get("ok")))
    return render_template(
        "admin/deliveries.html", table=table, static=static, recorded=recorded,
        heartbeat_at=datetime.fromisoformat(beat["at"]) if beat else None,
        problems=_failed(store.problems(db.session, at, settings.stale_claim_seconds)),
        labels=PROBLEMS, channels=CHANNELS, backends=backends,
        sms_unverified=sms_unverified)


@bp.route("/deliveries/<id:delivery_id>/retry", methods=["POST"])
@roles_required("admin")
def delivery_retry(delivery_id: int):
    done, _error = write(lambda: store.requeue(db.session, delivery_id, now()))
    flash(_("The message will be sent again by the scheduler.") if done
          else _("This message cannot be sent again."), "info" if done else "error")
    return redirect(url_for("admin.deliveries"))
