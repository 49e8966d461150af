"""View decorators for the role checks every view makes on the server."""
from __future__ import annotations

from functools import wraps

from flask import abort
from flask_login import current_user, login_required


def roles_required(*roles: str):
    """Allow the view only to logged-in accounts holding one of ``roles``."""
    def decorate(view):
        @wraps(view)
        @login_required
        def wrapped(*args, **kwargs):
            if current_user.role not in roles:
                abort(403)
            return view(*args, **kwargs)
        wrapped.allowed_roles = roles
        return wrapped
    return decorate


def public(view):
    """Mark a view as reachable without login (checked by a test over the URL map)."""
    view.is_public = True
    return view
