"""My service record (我的志愿服务记录) and a member's record for staff and leaders."""
from __future__ import annotations

from flask import abort, current_app, redirect, render_template, url_for
from flask_login import current_user, login_required

from ..clock import now
from ..extensions import db
from ..http.urls import page_arg
from ..models import Certificate, Person
from ..services.access import record_access
from ..services.attendance import settings_from
from ..services.attendance.records import service_record
from ..vocab import ATTENDANCE_SOURCES
from . import bp
from .forms import CertificateForm

PER_PAGE = 30


def render_record(person_id: int, form: CertificateForm | None = None, status: int = 200):
    """The record page of ``person_id`` as the current user may read it (403 otherwise)."""
    person = db.session.get(Person, person_id)
    if person is None:
        abort(404)
    access = record_access(db.session, current_user, person.id, person.community_id)
    if access is None:
        abort(403)
    page = page_arg()
    record = service_record(db.session, person.id, now(), settings_from(current_app.config),
                            limit=PER_PAGE, offset=(page - 1) * PER_PAGE)
    certificates = []
    if access in ("own", "staff"):
        certificates = list(db.session.scalars(
            db.select(Certificate).where(Certificate.person_id == person.id)
            .order_by(Certificate.issued_at.desc(), Certificate.id.desc()).limit(10)))
    pages = max(1, -(-record.lines_total // PER_PAGE))
    return render_template("records/record.html", record=record, access=access,
                           form=form or CertificateForm(), certificates=certificates,
                           page=page, pages=pages, own=access == "own",
                           source_label=ATTENDANCE_SOURCES.label), status


@bp.route("/me/record")
@login_required
def my_record():
    if current_user.person_id is None:
        abort(403)
    return render_record(current_user.person_id)


@bp.route("/people/<id:person_id>/record")
@login_required
def person_record(person_id: int):
    if person_id == current_user.person_id:
        return redirect(url_for("records.my_record"))
    return render_record(person_id)
