"""Talking to the app as a browser does: CSRF tokens, the real login form, form posts."""
from __future__ import annotations

import re

from tests.support.database import TEST_PASSWORD


def csrf_token(client, path="/login") -> str:
    """Fetch a page and return the CSRF token of its forms (the session's token)."""
    html = client.get(path).get_data(as_text=True)
    match = re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', html)
    assert match, f"no CSRF token on {path}"
    return match.group(1)


def login(client, identifier, password=TEST_PASSWORD):
    """Log in through the real login form; returns the response."""
    token = csrf_token(client, "/login")
    return client.post("/login", data={"identifier": identifier, "password": password,
                                       "csrf_token": token})


def post(client, path, data=None, token_from=None, **kw):
    """POST a form with a valid CSRF token taken from ``token_from`` (default: ``path``)."""
    data = dict(data or {})
    data["csrf_token"] = csrf_token(client, token_from or path)
    return client.post(path, data=data, **kw)
