"""Error pages in the user's language; JSON for clients that ask for it (Accept)."""
from __future__ import annotations

from datetime import timedelta
from math import ceil

from flask import jsonify, render_template, request
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from ..domain.errors import DomainError, Forbidden, NotFound
from ..extensions import db


def _wants_json() -> bool:
    return request.accept_mimetypes.best == "application/json"


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


def retry_message(retry_after: timedelta) -> str:
    """Say, in the user's language, when to try again (minutes; hours beyond two)."""
    minutes = max(1, ceil(retry_after.total_seconds() / 60))
    # No plural forms: Chinese has none, and the English reads well without them.
    if minutes <= 120:
        return _("Too many attempts. Please try again in %(minutes)s min.", minutes=minutes)
    return _("Too many attempts. Please try again in %(hours)s h.", hours=ceil(minutes / 60))


def _render(code: int, message: str | None = None):
    message = message or _messages().get(code, _("Something went wrong."))
    if _wants_json():
        return jsonify(error=message, status=code), code
    return render_template("errors/error.html", code=code, message=message), code


def render_error(code: int, message: str | None = None):
    """Answer an error page (JSON for API clients) with ``code`` and ``message``."""
    return _render(code, message)


def init_app(app) -> None:
    """Register handlers for HTTP errors, CSRF failures, the domain's refusals (``NotFound``,
    ``Forbidden``, ``DomainError``) and unexpected exceptions."""

    @app.errorhandler(CSRFError)
    def _csrf(exc):
        return _render(400, _("This form has expired or was not sent from our site. "
                              "Please go back, reload the page and try again."))

    @app.errorhandler(Forbidden)
    def _forbidden(exc):
        db.session.rollback()
        return _render(403)

    @app.errorhandler(NotFound)
    def _not_found(exc):
        db.session.rollback()
        return _render(404)

    @app.errorhandler(DomainError)
    def _refused(exc):  # a refusal no view turned into a form error: say it, change nothing
        db.session.rollback()
        return _render(400, _(exc.message, **exc.params))

    @app.errorhandler(HTTPException)
    def _http(exc):
        retry_after = getattr(exc, "retry_after", None)  # TooManyRequests(retry_after=s)
        if exc.code == 429 and isinstance(retry_after, int):
            body, code = _render(429, retry_message(timedelta(seconds=retry_after)))
            return body, code, {"Retry-After": str(retry_after)}
        return _render(exc.code or 500)

    @app.errorhandler(Exception)
    def _unexpected(exc):
        db.session.rollback()
        from .logs import redact
        app.logger.exception("unhandled error on %s %s", request.method, redact(request.path))
        return _render(500)
