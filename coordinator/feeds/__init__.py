"""Calendar feeds (iCal subscriptions) and the "My calendar" page."""
from flask import Blueprint

bp = Blueprint("feeds", __name__)


def init_app(app) -> None:
    """Register the blueprint and give the app its own process-local feed caches."""
    from ..services.feeds.cache import FeedCaches
    from . import page, views  # noqa: F401
    app.extensions["feed_caches"] = FeedCaches()
    app.register_blueprint(bp)
