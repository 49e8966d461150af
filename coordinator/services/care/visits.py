"""Visits for people cared for: planning them through the series service, festival
visits, and each person's history of visits (planned, done, missed, who went)."""
from __future__ import annotations


def history(session, recipient_id: int, now) -> list:
    """The person's visits, newest first (filled in by the planning work)."""
    return []
