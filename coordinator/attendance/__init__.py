"""What happened at an occurrence: the roll (leads on their phone), self check-in, leave,
corrections after the roll closed, the sign-in sheet."""
from flask import Blueprint, current_app

bp = Blueprint("attendance", __name__)


def attendance_settings():
    """The attendance settings of the running app."""
    from ..services.attendance import settings_from
    return settings_from(current_app.config)


def init_app(app) -> None:
    """Register the blueprint."""
    from . import checkin_views, correction_views, leave_views, roll_views, sheet_views  # noqa: F401
    app.register_blueprint(bp)
