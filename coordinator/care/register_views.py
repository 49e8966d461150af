"""The register of people cared for: list, create, edit, end, erase, the person's page
with who read it, and an admin's audited opening of a community's register.

Who reads what is decided by ``services.care.register`` (``may_read``, ``may_keep``,
``readable_community_ids``): names and details only for the community's coordinators and
an admin with an opening; everyone else on staff sees counts per community. A page that
someone may not read names nothing of the person (not even in its title).
"""
from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from ..clock import now
from ..domain.recurrence import get_zone
from ..extensions import db
from ..http.access import roles_required
from ..http.forms import options
from ..http.i18n import localtime
from ..http.transactions import write
from ..http.urls import page_arg
from ..models import CareRecipient, Community, Person
from ..services.access import care_community_ids
from ..services.care import listing, logs, register, settings_from, visits
from ..vocab import CARE_PLACES, CARE_REASONS, CARE_STATUSES
from . import bp
from .register_forms import CareForm, EndForm, EraseForm, OpenForm

STAFF = ("coordinator", "leader", "admin")


@bp.context_processor
def _labels():
    return {"care_place_label": CARE_PLACES.label, "care_reason_label": CARE_REASONS.label,
            "care_status_label": CARE_STATUSES.label}


def _zone() -> str:
    return current_app.config["TIMEZONE"]


def _communities(ids=None) -> list[Community]:
    stmt = select(Community).order_by(Community.code)
    if ids is not None:
        stmt = stmt.where(Community.id.in_(sorted(ids)))
    return list(db.session.scalars(stmt))


@bp.route("/care")
@roles_required(*STAFF)
def register_list(open_form: OpenForm | None = None, status: int = 200):
    """The register: names for those who read it, counts per community for all staff."""
    readable = listing.readable_community_ids(db.session, current_user, now())
    ended = request.args.get("show") == "ended"
    mine = _communities(readable) if readable else []
    community_id = request.args.get("community", type=int)
    chosen = {community_id} if community_id in readable else set(readable)
    page = listing.listing(db.session, chosen, ended, page_arg()) if readable else None
    counts = register.counts(db.session)
    communities = _communities()
    form = None
    if current_user.role == "admin":
        form = open_form or OpenForm()
        form.community_id.choices = options((c.id, c.name) for c in communities)
    return render_template(
        "care/register.html", page=page, mine=mine, community_id=community_id,
        ended=ended, counts=counts, communities=communities, open_form=form,
        opening_minutes=settings_from(current_app.config).opening_minutes,
        can_add=bool(care_community_ids(db.session, current_user)),
        openings=listing.openings_of(db.session, current_user, now())
        if current_user.role == "admin" else []), status


@bp.route("/care/open", methods=["POST"])
@roles_required("admin")
def register_open():
    """An admin opens one community's register for a while, with a reason (audited)."""
    form = OpenForm()
    form.community_id.choices = options((c.id, c.name) for c in _communities())
    if not form.validate_on_submit():
        return register_list(form, 400)
    settings = settings_from(current_app.config)
    opening, error = write(lambda: register.open_register(
        db.session, current_user, form.community_id.data, form.reason.data, now(), settings),
        form=form)
    if error is not None:
        return register_list(form, 400)
    flash(_("The register is open for you until %(until)s; this is recorded.",
            until=localtime(opening.until, "when")), "info")
    return redirect(url_for("care.register_list", community=opening.community_id))


def _keeper_communities() -> list[Community]:
    ids = care_community_ids(db.session, current_user)
    if not ids:
        abort(403)
    return _communities(ids)


def _member_choices(community_ids) -> list:
    people = db.session.execute(
        select(Person.id, Person.full_name, Community.name).join(Community)
        .where(Person.community_id.in_(sorted(community_ids)))
        .order_by(Community.code, Person.full_name, Person.id)).all()
    several = len(set(community_ids)) > 1
    return options([("", _("Not a member / not chosen"))] + [
        (pid, f"{name}（{community}）" if several else name) for pid, name, community in people])


def _input(form: CareForm) -> register.CareInput:
    def text(field):
        return field.data or None
    return register.CareInput(
        full_name=form.full_name.data or "", place=form.place.data or "",
        address=text(form.address), institution=text(form.institution),
        ward=text(form.ward), bed=text(form.bed), family_name=text(form.family_name),
        family_relation=text(form.family_relation), family_phone=text(form.family_phone),
        reason=form.reason.data or "", visit_every_days=form.visit_every_days.data,
        health_notes=text(form.health_notes), person_id=form.person_id.data,
        started_on=form.started_on.data)


def _form_page(form: CareForm, recipient: CareRecipient | None, status: int = 200,
               closed: str | None = None):
    return render_template("care/form.html", form=form, recipient=recipient,
                           closed=closed), status


@bp.route("/care/new", methods=["GET", "POST"])
@roles_required("coordinator")
def register_new():
    """Register a person cared for in one of the coordinator's communities."""
    communities = _keeper_communities()
    form = CareForm()
    form.community_id.choices = options((c.id, c.name) for c in communities)
    form.person_id.choices = _member_choices([c.id for c in communities])
    if not form.is_submitted():
        return _form_page(form, None)
    if not form.validate():
        return _form_page(form, None, 400)
    recipient, error = write(lambda: register.register(
        db.session, current_user, form.community_id.data, _input(form), now(), _zone()),
        form=form, success=_("Saved."))
    if error is not None:
        return _form_page(form, None, 400)
    return redirect(url_for("care.person", recipient_id=recipient.id))


def _kept(recipient_id: int) -> CareRecipient:
    recipient = db.session.get(CareRecipient, recipient_id)
    if recipient is None:
        abort(404)
    if not register.may_keep(db.session, current_user, recipient.community_id):
        abort(403)
    return recipient


@bp.route("/care/<id:recipient_id>/edit", methods=["GET", "POST"])
@roles_required("coordinator")
def register_edit(recipient_id: int):
    """Edit a record; a form over a newer version is refused and shows the record now."""
    recipient = _kept(recipient_id)
    closed = None
    if recipient.status != "active":
        closed = _("This record has ended; it can no longer be changed.")
    form = CareForm(obj=None if request.method == "POST" else recipient)
    del form.community_id
    form.person_id.choices = _member_choices([recipient.community_id])
    if closed:
        if form.is_submitted():
            form.form_errors.append(closed)
        return _form_page(form, recipient, 409 if form.is_submitted() else 200, closed)
    if not form.is_submitted():
        form.version.data = str(recipient.version)
        return _form_page(form, recipient)
    if not form.validate():
        return _form_page(form, recipient, 400)
    try:
        version = int(form.version.data or "0")
    except ValueError:
        version = 0
    _saved, error = write(lambda: register.change(
        db.session, current_user, recipient_id, _input(form), version, now(), _zone()),
        form=form, success=_("Saved."))
    if error is not None:
        fresh = db.session.get(CareRecipient, recipient_id)
        if error.field is None and fresh.version != version:
            # Someone saved first: show the record as it is now (nothing of theirs was
            # written over) and say so; they make their change again.
            form = CareForm(formdata=None, obj=fresh)
            del form.community_id
            form.person_id.choices = _member_choices([fresh.community_id])
            form.version.data = str(fresh.version)
            form.form_errors.append(_(error.message))
            return _form_page(form, fresh, 409)
        return _form_page(form, recipient, 400)
    return redirect(url_for("care.person", recipient_id=recipient_id))


@bp.route("/care/<id:recipient_id>")
@login_required
def person(recipient_id: int):
    """The person's page for those who may read it; the read is logged."""
    recipient = db.session.get(CareRecipient, recipient_id)
    if recipient is None:
        abort(404)
    if not register.may_read(db.session, current_user, recipient.community_id, now()):
        if current_user.role == "admin":
            return render_template(
                "care/closed.html", community=recipient.community,
                opening_minutes=settings_from(current_app.config).opening_minutes), 403
        abort(403)
    write(lambda: register.read(db.session, current_user, recipient_id, now()))
    recipient = db.session.get(CareRecipient, recipient_id)
    keeper = register.may_keep(db.session, current_user, recipient.community_id)
    reads = register.reads_of(db.session, current_user, recipient_id, now())[:50] if keeper \
        else []
    return render_template(
        "care/person.html", recipient=recipient, keeper=keeper, reads=reads,
        visits=visits.history(db.session, recipient_id, now()),
        logs=logs.logs_of(db.session, recipient_id, limit=5))


def _end_page(recipient: CareRecipient, form: EndForm, status: int = 200):
    return render_template("care/end.html", recipient=recipient, form=form), status


@bp.route("/care/<id:recipient_id>/end", methods=["GET", "POST"])
@roles_required("coordinator")
def register_end(recipient_id: int):
    """End the care (recovered, moved away, passed away); future visits are cancelled."""
    recipient = _kept(recipient_id)
    form = EndForm()
    if recipient.status != "active":
        form.form_errors.append(_("This record has already ended."))
        return _end_page(recipient, form, 409)
    if not form.is_submitted():
        form.ended_on.data = now().astimezone(get_zone(_zone())).date()
        return _end_page(recipient, form)
    if not form.validate():
        return _end_page(recipient, form, 400)
    # What the visitors of a cancelled visit read: it must not name the person.
    reason = _("The care has ended, so this visit is not needed.")
    _done, error = write(lambda: register.end(
        db.session, current_user, recipient_id, form.status.data, form.ended_on.data, now(),
        _zone(), visit_reason=reason), form=form, success=_("The care is ended."))
    if error is not None:
        return _end_page(db.session.get(CareRecipient, recipient_id), form, 400)
    return redirect(url_for("care.person", recipient_id=recipient_id))


@bp.route("/care/<id:recipient_id>/erase", methods=["GET", "POST"])
@roles_required("coordinator")
def register_erase(recipient_id: int):
    """Erase an ended record's private details, after a confirm page."""
    recipient = _kept(recipient_id)
    form = EraseForm()
    if recipient.erased_at is not None:
        return redirect(url_for("care.person", recipient_id=recipient_id))
    if recipient.status == "active":
        form.form_errors.append(_("End the care first: only an ended record can be erased."))
        return render_template("care/erase.html", recipient=recipient, form=form), 409
    if not form.validate_on_submit():
        return render_template("care/erase.html", recipient=recipient, form=form), (
            400 if form.is_submitted() else 200)
    _done, error = write(lambda: register.erase(db.session, current_user, recipient_id, now()),
                         form=form, success=_("The details are erased."))
    if error is not None:  # ended and erased are checked above: only a race gets here
        return render_template("care/erase.html", recipient=recipient, form=form), 400
    return redirect(url_for("care.person", recipient_id=recipient_id))
