"""The participation report (参与情况): the communities' summary, one community's report
with its drifted-away list and the "called" form, and the report as a PDF."""
from __future__ import annotations

from flask import Response, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from wtforms import TextAreaField
from wtforms.validators import Length, Optional

from ..clock import now
from ..extensions import db
from ..http.access import roles_required
from ..http.i18n import localdate, localtime
from ..http.inputs import InputForm
from ..http.transactions import write
from ..plan.pdf import render_pdf
from ..services.attendance import settings_from
from ..services.reports import charts, participation
from ..services.reports.contacts import NOTE_MAX, record_contact
from . import bp

READERS = ("coordinator", "leader", "admin")


class ContactForm(InputForm):
    note = TextAreaField(_l("Note (optional)"),
                         validators=[Optional(), Length(max=NOTE_MAX)])


def month_charts(months) -> dict:
    """The two charts of 12 months: service hours and attendance rate (in %)."""
    labels = [localdate(m.start, "month_short") for m in months]
    rates = [None if m.rate is None else round(100 * m.rate) for m in months]
    return {"hours": charts.chart([m.hours for m in months], labels),
            "rate": charts.chart(rates, labels, top=100),
            "names": [localdate(m.start, "month") for m in months]}


@bp.route("/reports/participation")
@roles_required(*READERS)
def participation_summary():
    report = participation.summary(db.session, current_user, now(),
                                   settings_from(current_app.config))
    return render_template("reports/participation_summary.html", report=report,
                           charts=month_charts(report.months))


def _community_page(community_id: int, form=None, form_person=None, status=200):
    report = participation.community_report(db.session, current_user, community_id, now(),
                                            settings_from(current_app.config))
    html = render_template("reports/participation.html", report=report,
                           charts=month_charts(report.months), form=form,
                           form_person=form_person, blank=ContactForm(formdata=None),
                           for_print=False)
    return html, status


@bp.route("/reports/participation/<id:community_id>")
@roles_required(*READERS)
def participation_community(community_id: int):
    return _community_page(community_id)


@bp.route("/reports/participation/<id:community_id>/contact/<id:person_id>",
          methods=["POST"])
@roles_required("coordinator", "admin")
def participation_contact(community_id: int, person_id: int):
    form = ContactForm()
    if not form.validate_on_submit():
        return _community_page(community_id, form, person_id, 400)
    _result, error = write(lambda: record_contact(db.session, current_user, person_id,
                                                  form.note.data, now()), form=form)
    if error is not None:
        return _community_page(community_id, form, person_id, 400)
    flash(_("Recorded: you called them."), "info")
    return redirect(url_for("reports.participation_community", community_id=community_id,
                            _anchor=f"drift-{person_id}"))


@bp.route("/reports/participation/<id:community_id>/report.pdf")
@roles_required(*READERS)
def participation_pdf(community_id: int):
    report = participation.community_report(db.session, current_user, community_id, now(),
                                            settings_from(current_app.config))
    html = render_template("reports/participation_print.html", report=report,
                           charts=month_charts(report.months), for_print=True,
                           printed=localtime(now(), "when_year"))
    pdf = render_pdf(html, base_url=current_app.config["PUBLIC_URL"] + "/")
    return Response(pdf, mimetype="application/pdf", headers={
        "Content-Disposition": f'inline; filename="participation-{community_id}.pdf"'})
