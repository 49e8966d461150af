"""The one clock of views, jobs and CLI commands. Tests pin it with the ``NOW`` setting:
a callable, an ISO instant, or an aware datetime."""
from __future__ import annotations

from datetime import datetime, timezone


def now(app=None) -> datetime:
    """Return now as an aware UTC datetime, honouring a pinned ``NOW`` in ``app``'s config
    (the current app when none is given)."""
    if app is None:
        from flask import current_app, has_app_context
        if not has_app_context():
            return datetime.now(timezone.utc)
        app = current_app
    pinned = app.config.get("NOW")
    if callable(pinned):
        return pinned()
    if isinstance(pinned, str) and pinned:
        value = datetime.fromisoformat(pinned)
        return value if value.tzinfo else value.replace(tzinfo=timezone.utc)
    if isinstance(pinned, datetime):
        return pinned
    return datetime.now(timezone.utc)
