"""The one write boundary of every view: a service call runs inside one write
transaction, which commits on success and rolls back on any refusal."""
from __future__ import annotations

from ..database import begin_write
from ..domain.errors import DomainError, Forbidden, NotFound
from ..extensions import db


def write(action):
    """Run ``action`` as one write transaction: commit on success; a Forbidden or
    NotFound becomes a 403 or 404 page; another refusal is rolled back and returned.

    Returns ``(result, None)`` or ``(None, error)``.
    """
    from flask import abort

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
