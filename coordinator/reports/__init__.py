"""Reports on what happened: participation (who takes part, who drifted away), the year's
roll of honour."""
from flask import Blueprint

bp = Blueprint("reports", __name__)


def init_app(app) -> None:
    """Register the blueprint."""
    from . import honour_views, participation_views  # noqa: F401
    app.register_blueprint(bp)
