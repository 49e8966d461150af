"""Administration: accounts, communities, teams, venues and the audit log."""
from flask import Blueprint

bp = Blueprint("admin", __name__, url_prefix="/admin")


def init_app(app) -> None:
    """Register the blueprint."""
    from . import deliveries, organisation, views  # noqa: F401
    app.register_blueprint(bp)
