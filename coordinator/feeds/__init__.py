"""Calendar feeds (iCal subscriptions) and the "My calendar" page."""
from flask import Blueprint

bp = Blueprint("feeds", __name__)


def init_app(app) -> None:
    """Register the blueprint."""
    from . import page, views  # noqa: F401
    app.register_blueprint(bp)
