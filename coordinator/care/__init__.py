"""Care visits (探望慰问) on the web: the register of people cared for and their pages
(``register_views``), planning visits for them and festival visits (``visit_views``), the
visitors' log and the coordinators' follow-up of needs (``log_views``)."""
from flask import Blueprint

bp = Blueprint("care", __name__)


def init_app(app) -> None:
    """Register the blueprint."""
    from . import log_views, register_views, visit_views  # noqa: F401
    app.register_blueprint(bp)
