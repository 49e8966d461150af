"""Communities, teams and venues pages."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ..clock import now
from ..extensions import db
from ..http.access import roles_required
from ..http.forms import options
from ..http.transactions import write
from ..models import Community, Person, Team, TeamMember, Venue
from ..services.access import managed_community_ids, visible_community_ids
from ..services.people import organisation as org
from ..services.people.lookup import find_member
from . import bp
from .forms import CommunityForm, MemberForm, TeamForm, VenueForm

READERS = ("coordinator", "leader", "admin")
WRITERS = ("coordinator", "admin")


def _status(form):
    return 400 if form.errors or form.form_errors else 200


def _owner_choices():
    """Communities the actor may add to; 0 stands for township-wide (admins)."""
    ids = managed_community_ids(db.session, current_user)
    stmt = select(Community).order_by(Community.code)
    if ids is not None:
        stmt = stmt.where(Community.id.in_(ids))
    choices = [(c.id, c.name) for c in db.session.scalars(stmt)]
    if ids is None:
        choices.insert(0, (0, _("Township-wide")))
    return options(choices)


@bp.route("/communities", methods=["GET", "POST"])
@roles_required(*READERS)
def communities():
    form = CommunityForm()
    if current_user.role == "admin":
        created = None
        if form.validate_on_submit():
            created, _refusal = write(lambda: org.create_community(
                db.session, current_user, org.CommunityInput(form.name.data, form.code.data),
                now()), form=form, success=_("Saved."))
        if created is not None:
            return redirect(url_for("admin.communities"))
    elif form.is_submitted():
        abort(403)
    rows = db.session.scalars(select(Community).order_by(Community.code)).all()
    return render_template("admin/communities.html", communities=rows, form=form), _status(form)


def _visible(stmt, model):
    ids = visible_community_ids(db.session, current_user)
    if ids is not None:
        stmt = stmt.where((model.community_id.in_(ids)) | (model.community_id.is_(None)))
    return stmt


@bp.route("/teams", methods=["GET", "POST"])
@roles_required(*READERS)
def teams():
    form = TeamForm()
    form.community_id.choices = _owner_choices()
    if form.is_submitted() and current_user.role not in WRITERS:
        abort(403)
    created = None
    if form.validate_on_submit():
        created, _refusal = write(lambda: org.create_team(
            db.session, current_user,
            org.TeamInput(form.name.data, form.kind.data, form.community_id.data or None),
            now()), form=form, success=_("Saved."))
    if created is not None:
        return redirect(url_for("admin.team", team_id=created.id))
    rows = db.session.scalars(_visible(select(Team), Team).options(
        selectinload(Team.community)).order_by(Team.community_id, Team.name)).all()
    sizes = org.team_sizes(db.session, [t.id for t in rows])
    return render_template("admin/teams.html", teams=rows, sizes=sizes, form=form,
                           can_add=current_user.role in WRITERS), _status(form)


@bp.route("/teams/<id:team_id>", methods=["GET", "POST"])
@roles_required(*READERS)
def team(team_id: int):
    row = db.session.scalar(_visible(select(Team).where(Team.id == team_id), Team))
    if row is None:
        abort(404)
    managed = managed_community_ids(db.session, current_user)
    can_edit = managed is None or (row.community_id in managed)
    form = MemberForm()
    if form.is_submitted() and not can_edit:
        abort(403)
    done = None
    if form.validate_on_submit():
        def add():
            person = find_member(db.session, form.member.data, community_id=row.community_id)
            org.set_membership(db.session, current_user, team_id, person.id, True,
                               form.is_lead.data, now())
            return True

        done, _refusal = write(add, form=form, success=_("Saved."))
    if done:
        return redirect(url_for("admin.team", team_id=team_id))
    members = db.session.execute(
        select(TeamMember, Person).join(Person, TeamMember.person_id == Person.id)
        .where(TeamMember.team_id == team_id)
        .order_by(TeamMember.is_lead.desc(), Person.full_name)).all()
    return render_template("admin/team.html", team=row, members=members, form=form,
                           can_edit=can_edit), _status(form)


@bp.route("/teams/<id:team_id>/members/<id:person_id>/remove", methods=["POST"])
@roles_required(*WRITERS)
def team_member_remove(team_id: int, person_id: int):
    _done, error = write(lambda: org.set_membership(db.session, current_user, team_id,
                                                    person_id, False, False, now()))
    if error is not None:
        abort(404)
    flash(_("Removed from the team."), "info")
    return redirect(url_for("admin.team", team_id=team_id))


@bp.route("/venues", methods=["GET", "POST"])
@roles_required(*READERS)
def venues():
    form = VenueForm()
    form.community_id.choices = _owner_choices()
    if form.is_submitted() and current_user.role not in WRITERS:
        abort(403)
    created = None
    if form.validate_on_submit():
        created, _refusal = write(lambda: org.create_venue(
            db.session, current_user,
            org.VenueInput(form.name.data, form.kind.data, form.community_id.data or None,
                           form.capacity.data, form.address.data), now()),
            form=form, success=_("Saved."))
    if created is not None:
        return redirect(url_for("admin.venues"))
    rows = db.session.scalars(_visible(select(Venue), Venue).options(
        selectinload(Venue.community)).order_by(Venue.community_id, Venue.name)).all()
    return render_template("admin/venues.html", venues=rows, form=form,
                           can_add=current_user.role in WRITERS), _status(form)
