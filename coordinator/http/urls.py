"""URL pieces shared by the blueprints: id converter, safe redirects, page numbers."""
from __future__ import annotations

from urllib.parse import urlsplit

from werkzeug.routing import IntegerConverter

from ..domain.text import parse_int

MAX_ID = 2**31 - 1


class IdConverter(IntegerConverter):
    """URL ids: 1 to 2**31-1, so a huge number is a 404, not an overflow in the database."""

    def __init__(self, url_map):
        super().__init__(url_map, min=1, max=MAX_ID)


def safe_next(target: str | None, default: str) -> str:
    """Return ``target`` when it is a path on this site, else ``default``."""
    if not target or not target.isprintable():  # a CR or LF would split the header
        return default
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return default
    return target


def page_arg() -> int:
    """Return the ``page`` query argument, clamped to a sane range."""
    from flask import request
    return parse_int(request.args.get("page"), 1, 100000) or 1
