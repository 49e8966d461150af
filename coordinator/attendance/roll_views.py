"""The roll of one occurrence on the team lead's phone: one button for "all present as
planned", then the exceptions line by line, walk-ins by name, phone or member number,
and the check-in code as six digits and a QR. Plain forms; a small script only hides the
time fields a status does not need."""
from __future__ import annotations

import segno
from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ..clock import now
from ..domain.text import normalise, refused_characters
from ..extensions import db
from ..http.transactions import write
from ..models import Venue
from ..services.access import care_community_ids
from ..services.attendance import checkin
from ..services.attendance import roll as rolls
from ..services.attendance.correction_lists import corrections as correction_rows
from ..services.people.lookup import find_member
from . import attendance_settings, bp
from .roll_form import MARKABLE, apply_refusal, read, shown


def _zone() -> str:
    return current_app.config["TIMEZONE"]


def checkin_url(code: str) -> str:
    """The absolute address a QR carries (the configured PUBLIC_URL, never the Host)."""
    return current_app.config["PUBLIC_URL"] + url_for("attendance.checkin_code", code=code)


def qr_svg(text: str) -> str:
    """A QR of ``text`` as inline SVG, drawn on the server (no script, prints too)."""
    svg = segno.make(text, error="m").svg_inline(scale=1, border=2, omitsize=True,
                                                 svgclass="qr-code")
    return svg.replace("<svg ", '<svg aria-hidden="true" focusable="false" ', 1)


def _shows_code(roll: rolls.Roll, marker: bool, at) -> bool:
    """Those who mark the roll see the check-in code while check-in can still happen."""
    return marker and roll.occurrence.status == "scheduled" and at <= roll.occurrence.end_at


def _render(occurrence_id: int, *, views=None, status=200, message=None, walk_in="",
            walk_in_error=None):
    settings = attendance_settings()
    at = now()
    roll = rolls.roll(db.session, current_user, occurrence_id, at, settings)
    occurrence, series = roll.occurrence, roll.series
    marker = rolls.may_mark(db.session, current_user, occurrence, series)
    code = checkin.existing_code(db.session, occurrence_id)
    if code is None and _shows_code(roll, marker, at):
        code, _error = write(lambda: checkin.code_for(
            db.session, rolls.load(db.session, occurrence_id)[0], settings).code)
        # The write ended the transaction: read the roll again, as it is now.
        roll = rolls.roll(db.session, current_user, occurrence_id, at, settings)
        occurrence, series = roll.occurrence, roll.series
    if not _shows_code(roll, marker, at):
        code = None
    venue_id = occurrence.venue_id or series.venue_id
    venue = db.session.get(Venue, venue_id).name if venue_id else None
    window = settings.window
    counts = {s: roll.count(s) for s in (*MARKABLE, "excused")}
    # The closed roll shows what was corrected since (the correction page's own list).
    fixes = correction_rows(db.session, occurrence_id=occurrence.id,
                            care_ids=care_community_ids(db.session, current_user)
                            ) if roll.state == "closed" else []
    return render_template(
        "attendance/roll.html", roll=roll, occurrence=occurrence, series=series,
        venue=venue, lines=views if views is not None else shown(roll, _zone()),
        counts=counts, unmarked=roll.unmarked, statuses=MARKABLE,
        opens_at=window.opens_at(occurrence.start_at),
        closes_at=window.closes_at(occurrence.end_at), code=code,
        qr=qr_svg(checkin_url(code)) if code else None,
        code_url=checkin_url(code) if code else None, message=message,
        walk_in=walk_in, walk_in_error=walk_in_error, is_marker=marker,
        corrections=fixes), status


@bp.route("/attendance/<id:occurrence_id>", methods=["GET", "POST"])
@login_required
def roll_page(occurrence_id: int):
    if request.method == "GET":
        return _render(occurrence_id)
    action = request.form.get("action")
    if action == "all_present":
        return _all_present(occurrence_id)
    if action == "walk_in":
        return _walk_in(occurrence_id)
    if action == "mark":
        return _mark(occurrence_id)
    return _render(occurrence_id, status=400,
                   message=_("The request was not understood; reload the page and try "
                             "again."))


def _back(occurrence_id: int, anchor: str | None = None):
    return redirect(url_for("attendance.roll_page", occurrence_id=occurrence_id,
                            _anchor=anchor))


def _all_present(occurrence_id: int):
    settings = attendance_settings()
    done, error = write(lambda: rolls.all_present(db.session, current_user, occurrence_id,
                                                  now(), settings))
    if error is not None:
        return _render(occurrence_id, status=400, message=_(error.message, **error.params))
    flash(_("Marked present as planned: %(n)s people.", n=done) if done
          else _("Everyone on the roll is marked already."), "info")
    return _back(occurrence_id)


def _mark(occurrence_id: int):
    settings = attendance_settings()
    at = now()
    current = rolls.roll(db.session, current_user, occurrence_id, at, settings)
    marks, views, ok = read(request.form, current, _zone())
    if not ok:
        return _render(occurrence_id, views=views, status=400,
                       message=_("Please correct the marked lines; nothing was saved."))
    if not marks:
        return _render(occurrence_id, views=views, status=400,
                       message=_("Choose how each person took part, then save."))
    changed, error = write(lambda: rolls.mark(db.session, current_user, occurrence_id,
                                              marks, at, settings))
    if error is not None:
        said = _(error.message, **error.params)
        if error.field == "version":  # someone else saved first: show the roll as it is
            return _render(occurrence_id, status=409, message=said)
        apply_refusal(views, error)
        return _render(occurrence_id, views=views, status=400,
                       message=_("Nothing was saved: %(reason)s", reason=said))
    flash(_("Saved: %(n)s changes.", n=changed) if changed else _("Nothing had changed."),
          "info")
    return _back(occurrence_id)


def _walk_in(occurrence_id: int):
    settings = attendance_settings()
    typed = normalise((request.form.get("member") or "")[:200])
    if refused_characters(typed):  # PostgreSQL cannot compare text holding a NUL
        return _render(occurrence_id, status=400, walk_in="", walk_in_error=_(
            "The text must not contain control characters (%(chars)s); please retype it.",
            chars="、".join(f"U+{ord(ch):04X}" for ch in refused_characters(typed)[:3])))

    def add():
        person = find_member(db.session, typed)
        rolls.add_walk_in(db.session, current_user, occurrence_id, person, now(), settings)
        return person.full_name

    name, error = write(add)
    if error is not None:
        said = _(error.message, **error.params)
        if error.field == "member":
            return _render(occurrence_id, status=400, walk_in=typed, walk_in_error=said)
        return _render(occurrence_id, status=400, message=said, walk_in=typed)
    flash(_("%(name)s is on the roll now, present (came without signing up).", name=name),
          "info")
    return _back(occurrence_id, "roll-form")

