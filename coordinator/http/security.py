"""Security headers on every response, and the Flask-Login loader."""
from __future__ import annotations

from flask import request

from ..extensions import db, login

CSP = ("default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
       "form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'")


def _headers(response):
    response.headers.setdefault("Content-Security-Policy", CSP)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    response.headers.setdefault("X-Frame-Options", "DENY")
    response.headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
    if request.is_secure:
        response.headers.setdefault("Strict-Transport-Security",
                                    "max-age=31536000; includeSubDomains")
    if response.mimetype == "text/html":
        # Pages may show private details: never keep them in shared caches.
        response.headers.setdefault("Cache-Control", "no-store")
    return response


@login.user_loader
def _load_user(token: str):
    from ..services.people.accounts import load_by_session_token
    return load_by_session_token(db.session, token)


def init_app(app) -> None:
    """Register the header hook and login settings."""
    login.login_view = "auth.login"
    login.login_message = None  # our login page explains itself
    login.session_protection = "basic"
    app.after_request(_headers)
