"""Certificates (志愿服务记录证明): issue and print, the list with revocation, and the
public verification page (no login: the masked name and the figures only)."""
from __future__ import annotations

import segno
from flask import Response, abort, current_app, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ..clock import now
from ..domain.attendance import mask_name
from ..extensions import db
from ..http.access import public, roles_required
from ..http.transactions import write
from ..models import Certificate
from ..plan.pdf import render_pdf
from ..services.attendance import certificates, settings_from
from ..services.attendance.records import hours_of, year_start
from ..vocab import SERIES_KINDS
from . import bp
from .forms import CertificateForm, RevokeForm
from .record_views import render_record


def _period(form: CertificateForm, person_id: int, settings):
    """The (first, last) days the form asks for."""
    today = certificates.local_today(now(), settings.zone)
    if form.period.data == "year":
        return year_start(now(), settings.zone).date(), today
    if form.period.data == "all":
        first = certificates.first_service_day(db.session, person_id, settings.zone)
        return min(first or today, today), today
    return form.period_start.data, form.period_end.data


@bp.route("/records/<id:person_id>/certificate", methods=["POST"])
@login_required
def certificate_issue(person_id: int):
    form = CertificateForm()
    if not form.validate_on_submit():
        return render_record(person_id, form, 400)
    settings = settings_from(current_app.config)
    start, end = _period(form, person_id, settings)
    cert, error = write(lambda: certificates.issue(db.session, current_user, person_id, start,
                                                   end, now(), settings), form=form)
    if error is not None:
        return render_record(person_id, form, 400)
    return redirect(url_for("records.certificate_pdf", certificate_id=cert.id))


def verify_url(cert: Certificate) -> str:
    return current_app.config["PUBLIC_URL"].rstrip("/") + url_for(
        "records.verify", token=cert.token)


def _kind_lines(cert: Certificate) -> list[tuple[str, float]]:
    return [(str(SERIES_KINDS.label(kind)), hours_of(minutes))
            for kind, minutes in sorted(cert.by_kind.items(), key=lambda kv: -kv[1])]


@bp.route("/certificates/<id:certificate_id>.pdf")
@login_required
def certificate_pdf(certificate_id: int):
    cert = db.session.get(Certificate, certificate_id)
    if cert is None:
        abort(404)
    if not certificates.readable(db.session, current_user, cert):
        abort(403)
    url = verify_url(cert)
    qr = segno.make(url, error="m").svg_data_uri(scale=4, border=2)
    html = render_template("records/certificate.html", cert=cert, url=url, qr=qr,
                           kinds=_kind_lines(cert), hours=hours_of(cert.total_minutes),
                           staff_hours=hours_of(cert.staff_minutes))
    pdf = render_pdf(html, base_url=current_app.config["PUBLIC_URL"] + "/")
    return Response(pdf, mimetype="application/pdf", headers={
        "Content-Disposition": f'inline; filename="certificate-{cert.number}.pdf"'})


@bp.route("/verify/<token>")
@public
def verify(token: str):
    cert = certificates.by_token(db.session, token)
    if cert is None:
        return render_template("records/verify.html", cert=None), 404
    return render_template("records/verify.html", cert=cert, name=mask_name(cert.full_name),
                           kinds=_kind_lines(cert), hours=hours_of(cert.total_minutes))


@bp.route("/certificates")
@roles_required("coordinator", "admin")
def certificate_list(form: RevokeForm | None = None, failed: int | None = None,
                     status: int = 200):
    rows = certificates.issued_list(db.session, current_user)
    return render_template("records/certificates.html", rows=rows, form=form or RevokeForm(),
                           failed=failed, hours_of=hours_of), status


@bp.route("/certificates/<id:certificate_id>/revoke", methods=["POST"])
@roles_required("coordinator", "admin")
def certificate_revoke(certificate_id: int):
    form = RevokeForm()
    if not form.validate_on_submit():
        return certificate_list(form, certificate_id, 400)
    _done, error = write(lambda: certificates.revoke(db.session, current_user, certificate_id,
                                                     form.reason.data, now()),
                         form=form, success=_("The certificate is revoked."))
    if error is not None:
        return certificate_list(form, certificate_id, 400)
    return redirect(url_for("records.certificate_list", _anchor=f"cert-{certificate_id}"))
