"""Error pages in the user's language; JSON for API clients."""
from __future__ import annotations

from flask import jsonify, render_template, request
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from ..extensions import db


def _wants_json() -> bool:
    return request.path.startswith("/api/") or (
        request.accept_mimetypes.best == "application/json")


def _messages():
    return {
        400: _("The request could not be understood."),
        403: _("You do not have permission to see this page."),
        404: _("This page does not exist, or it is not visible to you."),
        405: _("This action is not allowed here."),
        413: _("What you sent is too large."),
        429: _("Too many attempts. Please wait a minute and try again."),
        500: _("Something went wrong on our side. Nothing you entered was saved half-way; "
               "please try again."),
    }


def _render(code: int, message: str | None = None):
    message = message or _messages().get(code, _("Something went wrong."))
    if _wants_json():
        return jsonify(error=message, status=code), code
    return render_template("errors/error.html", code=code, message=message), code


def render_error(code: int, message: str | None = None):
    """Answer an error page (JSON for API clients) with ``code`` and ``message``."""
    return _render(code, message)


def init_app(app) -> None:
    """Register handlers for HTTP errors, CSRF failures and unexpected exceptions."""

    @app.errorhandler(CSRFError)
    def _csrf(exc):
        return _render(400, _("This form has expired or was not sent from our site. "
                              "Please go back, reload the page and try again."))

    @app.errorhandler(HTTPException)
    def _http(exc):
        return _render(exc.code or 500)

    @app.errorhandler(Exception)
    def _unexpected(exc):
        db.session.rollback()
        from .logs import redact
        app.logger.exception("unhandled error on %s %s", request.method, redact(request.path))
        return _render(500)
