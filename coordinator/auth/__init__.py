"""Login, logout, language and text-size switches, password change."""
from flask import Blueprint

bp = Blueprint("auth", __name__)


def init_app(app) -> None:
    """Register the blueprint."""
    from . import views  # noqa: F401
    app.register_blueprint(bp)
