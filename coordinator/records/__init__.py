"""Service records: a volunteer's own record, certificates (issue, print, verify, revoke),
the export for the national volunteer information system."""
from flask import Blueprint

bp = Blueprint("records", __name__)


def init_app(app) -> None:
    """Register the blueprint."""
    from . import certificate_views, export_views, record_views  # noqa: F401
    app.register_blueprint(bp)
