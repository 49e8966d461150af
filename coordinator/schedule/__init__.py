"""Coordinators plan: series and single events, occurrences, assignments."""
from flask import Blueprint

bp = Blueprint("schedule", __name__)


def init_app(app) -> None:
    """Register the blueprint."""
    from . import occurrence_views, swap_views, views  # noqa: F401
    app.register_blueprint(bp)
