"""Helpers shared by the blueprints: time, domain errors onto forms, safe redirects."""
from __future__ import annotations

from datetime import datetime, timezone
from urllib.parse import urlsplit

from flask import current_app, flash
from flask_babel import gettext
from werkzeug.routing import IntegerConverter

from .domain.errors import DomainError


def now() -> datetime:
    """Return the request's notion of now (tests may pin ``NOW``)."""
    pinned = current_app.config.get("NOW")
    return pinned() if callable(pinned) else datetime.now(timezone.utc)


def apply_error(form, exc: DomainError) -> None:
    """Show a domain error on its form field, or at the top of the form."""
    message = gettext(exc.message, **exc.params)
    field = getattr(form, exc.field, None) if exc.field else None
    if field is not None and hasattr(field, "errors"):
        if isinstance(field.errors, tuple):
            field.errors = list(field.errors)
        field.errors.append(message)
    else:
        form.form_errors.append(message)
    flash(message, "error")


def safe_next(target: str | None, default: str) -> str:
    """Return ``target`` when it is a path on this site, else ``default``."""
    if not target:
        return default
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return default
    return target


def options(pairs) -> list:
    """Turn (value, label) pairs into WTForms choices."""
    from wtforms.fields.choices import SelectChoice
    return [SelectChoice(value, label) for value, label in pairs]


MAX_ID = 2**31 - 1


class IdConverter(IntegerConverter):
    """URL ids: 1 to 2**31-1, so a huge number is a 404, not an overflow in the database."""

    def __init__(self, url_map):
        super().__init__(url_map, min=1, max=MAX_ID)


def page_arg() -> int:
    """Return the ``page`` query argument, clamped to a sane range."""
    from flask import request
    page = request.args.get("page", 1, type=int)
    return min(max(page, 1), 100000)


def write(action):
    """Run a service call as one write transaction: commit on success; a Forbidden or
    NotFound becomes a 403 or 404 page; another refusal is rolled back and returned.

    Returns ``(result, None)`` or ``(None, error)``.
    """
    from flask import abort

    from .database import begin_write
    from .domain.errors import Forbidden, NotFound
    from .extensions import db

    begin_write(db.session)
    try:
        result = action()
    except Forbidden:
        db.session.rollback()
        abort(403)
    except NotFound:
        db.session.rollback()
        abort(404)
    except DomainError as exc:
        db.session.rollback()
        return None, exc
    db.session.commit()
    return result, None
