"""The export of service records for the national volunteer information system: a
community and a period, CSV or .xlsx. Coordinators of the community and admins only
(phones are in it); leaders get 403."""
from __future__ import annotations

from flask import Response, abort, current_app, render_template, request
from flask_babel import gettext as _
from flask_login import current_user

from ..clock import now
from ..domain.errors import DomainError, Forbidden
from ..extensions import db
from ..http.access import roles_required
from ..http.forms import apply_error, options
from ..models import Community
from ..services.access import managed_community_ids
from ..services.attendance import export as records_export
from ..services.attendance import settings_from
from ..services.attendance.certificates import local_today
from ..services.attendance.records import year_start
from ..vocab import ATTENDANCE_SOURCES, SERIES_KINDS
from . import bp
from .forms import ExportForm

HEADERS = {
    "name": lambda: _("Full name"), "phone": lambda: _("Mobile phone"),
    "volunteer_number": lambda: _("Volunteer number"), "id_number": lambda: _("ID number"),
    "date": lambda: _("Service date"), "start": lambda: _("Start time"),
    "end": lambda: _("End time"), "hours": lambda: _("Service hours"),
    "activity": lambda: _("Activity"), "kind": lambda: _("Service category"),
    "organisation": lambda: _("Organisation"), "source": lambda: _("How recorded"),
}


def _communities():
    managed = managed_community_ids(db.session, current_user)
    query = db.select(Community.id, Community.name).order_by(Community.name)
    if managed is not None:
        query = query.where(Community.id.in_(managed or {-1}))
    return options((c_id, name) for c_id, name in db.session.execute(query))


@bp.route("/records/export")
@roles_required("coordinator", "admin")
def export():
    settings = settings_from(current_app.config)
    communities = _communities()
    form = ExportForm(request.args)
    form.community.choices = communities
    if "community" not in request.args:  # the form, filled with this year
        form = ExportForm(None, period_start=year_start(now(), settings.zone).date(),
                          period_end=local_today(now(), settings.zone))
        form.community.choices = communities
        return render_template("records/export.html", form=form)
    if not form.validate():
        if form.community.data and form.community.data not in {c.value for c in communities} \
                and db.session.get(Community, form.community.data) is not None:
            abort(403)  # another community's records: not theirs to export
        return render_template("records/export.html", form=form), 400
    kinds = {k: SERIES_KINDS.label(k) for k in SERIES_KINDS}
    sources = {k: ATTENDANCE_SOURCES.label(k) for k in ATTENDANCE_SOURCES}
    try:
        table = records_export.rows(db.session, current_user, form.community.data,
                                    form.period_start.data, form.period_end.data, now(),
                                    settings, kinds, sources)
    except Forbidden:
        abort(403)
    except DomainError as exc:
        apply_error(form, exc)
        return render_template("records/export.html", form=form), 400
    headers = [HEADERS[c]() for c in records_export.columns(settings)]
    name = f"service-records-{form.period_start.data}-{form.period_end.data}"
    if form.format.data == "csv":
        body, mimetype = records_export.to_csv(headers, table), "text/csv"
        name += ".csv"
    else:
        body = records_export.to_xlsx(headers, table, _("Service records"))
        mimetype = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        name += ".xlsx"
    return Response(body, mimetype=mimetype,
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})
