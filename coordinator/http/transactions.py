"""The one write boundary of every view.

A view runs its service call through ``write``: one write transaction (``BEGIN
IMMEDIATE`` on SQLite) that commits when the call returns and rolls back on any refusal,
so nothing is ever half-saved. Services flush and never commit; CLI commands and job
steps are the only other boundaries. A ``Forbidden`` or ``NotFound`` from the service
is rolled back and re-raised for the app's error handlers (403 / 404 pages, see
``http.errors``), unless the view asks to handle it (``returns``); any other refusal is
returned for the view to show, on the form's fields or as a flashed message.
"""
from __future__ import annotations

from flask import flash
from flask_babel import gettext

from ..database import begin_write
from ..domain.errors import DomainError, Forbidden, NotFound
from ..extensions import db
from .forms import apply_error


def write(action, *, form=None, flash_refusal: bool = False, success: str | None = None,
          returns: tuple[type[DomainError], ...] = ()):
    """Run ``action()`` as one write transaction and return ``(result, error)``.

    On success the transaction commits and ``success`` (a translated message) is
    flashed. On a refusal it rolls back; the refusal goes onto ``form`` when given, is
    flashed when ``flash_refusal``, and is returned either way. ``Forbidden`` and
    ``NotFound`` propagate to the error pages unless listed in ``returns``.
    """
    begin_write(db.session)
    try:
        result = action()
    except DomainError as exc:
        db.session.rollback()
        if isinstance(exc, (Forbidden, NotFound)) and not isinstance(exc, returns):
            raise
        if form is not None:
            apply_error(form, exc)
        elif flash_refusal:
            flash(gettext(exc.message, **exc.params), "error")
        return None, exc
    db.session.commit()
    if success:
        flash(success, "info")
    return result, None
