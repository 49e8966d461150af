"""Visit logs: what a visitor wrote after a care visit, and the needs coordinators
follow up until they close them."""
from __future__ import annotations


def logs_of(session, recipient_id: int, limit: int | None = None) -> list:
    """The person's visit logs, newest first (filled in by the visit-log work)."""
    return []
