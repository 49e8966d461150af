"""A result that belongs to one card of a page (a role, a gap), carried over the redirect
after a form post: the page shows it in that card's live region, where the person acted,
and the redirect's #fragment brings them back there (no JavaScript needed)."""
from __future__ import annotations

from flask import session

from ..models import Occurrence, OccurrenceRole

KEY = "card_notice"


def make(card: str, kind: str, text: str, **extra) -> dict:
    """A notice for the card ``card`` (its element id): ``kind`` is "info", "error" or
    "confirm" (then ``extra`` holds the person, the codes to confirm, the button's words)."""
    return {"card": card, "kind": kind, "text": text, **extra}


def keep(notice: dict) -> None:
    """Keep the notice until the next page shows it."""
    session[KEY] = notice


def leave(card: str, kind: str, text: str, **extra) -> None:
    """Keep a new notice for the next page."""
    keep(make(card, kind, text, **extra))


def take() -> dict | None:
    """The notice waiting for this page, once."""
    return session.pop(KEY, None)


def place(items: list, notice: dict | None, db_session) -> list:
    """The gaps of a page with the card of a just-filled gap kept where it was (its
    result stays where the person acted): ``[(kind, value)]``, kind "gap" or "done"."""
    out = [("gap", item) for item in items]
    if not notice or not notice.get("card", "").startswith("gap-"):
        return out
    role_id = int(notice["card"].split("-", 1)[1])
    if any(item.role_id == role_id for item in items):
        return out
    role = db_session.get(OccurrenceRole, role_id)
    start = db_session.get(Occurrence, role.occurrence_id).start_at if role else None
    at = next((i for i, item in enumerate(items) if start is not None and (
        item.start_at, item.role_id) > (start, role_id)), len(items))
    return out[:at] + [("done", notice)] + out[at:]
