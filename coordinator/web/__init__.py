"""Pages for everyone who logs in: the home page and the roster."""
from flask import Blueprint

bp = Blueprint("web", __name__)


def init_app(app) -> None:
    """Register the blueprint and the template context it needs."""
    from . import availability, notifications, people, shifts, views  # noqa: F401
    app.register_blueprint(bp)
    app.context_processor(views.page_context)
    app.context_processor(notifications.nav_context)
