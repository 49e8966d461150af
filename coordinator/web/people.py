"""The roster: people of the communities the viewer may see."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from ..clock import now
from ..domain.errors import NotFound
from ..extensions import db
from ..http.access import roles_required
from ..http.forms import options
from ..http.transactions import write
from ..http.urls import page_arg
from ..models import Community
from ..services.access import managed_community_ids, visible_community_ids
from ..services.people import roster as people
from . import bp
from .forms import PersonForm

READERS = ("coordinator", "leader", "admin")
WRITERS = ("coordinator", "admin")


def _communities(ids):
    stmt = select(Community).order_by(Community.code)
    if ids is not None:
        stmt = stmt.where(Community.id.in_(ids))
    return list(db.session.scalars(stmt))


@bp.route("/people")
@roles_required(*READERS)
def people_list():
    community_id = request.args.get("community", type=int)
    page = page_arg()
    query = (request.args.get("q") or "").strip()[:50]
    try:
        roster = people.list_people(db.session, current_user, community_id, query or None, page)
    except NotFound:
        abort(404)
    communities = _communities(visible_community_ids(db.session, current_user))
    managed = managed_community_ids(db.session, current_user)
    return render_template("web/people.html", roster=roster, communities=communities,
                           community_id=community_id, q=query,
                           can_add=managed is None or bool(managed))


@bp.route("/people/<id:person_id>")
@roles_required(*READERS)
def person_detail(person_id: int):
    try:
        person, private = people.get_person(db.session, current_user, person_id)
    except NotFound:
        abort(404)
    managed = managed_community_ids(db.session, current_user)
    can_edit = managed is None or person.community_id in managed
    return render_template("web/person.html", person=person, private=private, can_edit=can_edit)


def _form_input(form: PersonForm) -> people.PersonInput:
    return people.PersonInput(
        full_name=form.full_name.data or "", community_id=form.community_id.data,
        phone=form.phone.data, email=form.email.data, address=form.address.data,
        languages=form.languages.data, birth_year=form.birth_year.data,
        status=form.status.data, away_from=form.away_from.data,
        away_until=form.away_until.data, max_shifts_per_week=form.max_shifts_per_week.data,
        notes=form.notes.data)


def _save(form: PersonForm, person_id: int | None):
    """Validate and save; returns the person or None after putting errors on the form."""
    if not form.validate_on_submit():
        return None
    if person_id is None:
        person, _refusal = write(lambda: people.create_person(db.session, current_user,
                                                           _form_input(form), now()),
                              form=form)
    else:
        person, _refusal = write(lambda: people.update_person(db.session, current_user, person_id,
                                                           _form_input(form), now()),
                              form=form)
    return person


@bp.route("/people/new", methods=["GET", "POST"])
@roles_required(*WRITERS)
def person_new():
    form = PersonForm()
    form.community_id.choices = options(
        (c.id, c.name) for c in _communities(managed_community_ids(db.session, current_user)))
    person = _save(form, None)
    if person is not None:
        flash(_("Saved."), "info")
        return redirect(url_for("web.person_detail", person_id=person.id))
    return render_template("web/person_form.html", form=form, person=None), (
        400 if form.errors or form.form_errors else 200)


@bp.route("/people/<id:person_id>/edit", methods=["GET", "POST"])
@roles_required(*WRITERS)
def person_edit(person_id: int):
    try:
        existing, _private = people.get_person(db.session, current_user, person_id)
    except NotFound:
        abort(404)
    managed = managed_community_ids(db.session, current_user)
    if managed is not None and existing.community_id not in managed:
        abort(403)
    form = PersonForm(obj=existing)
    form.community_id.choices = options((c.id, c.name) for c in _communities(managed))
    person = _save(form, person_id)
    if person is not None:
        flash(_("Saved."), "info")
        return redirect(url_for("web.person_detail", person_id=person.id))
    return render_template("web/person_form.html", form=form, person=existing), (
        400 if form.errors or form.form_errors else 200)
