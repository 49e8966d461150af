"""Half-open time intervals ``[start, end)``: back-to-back shifts do not clash."""
from __future__ import annotations

from datetime import datetime


def overlaps(a_start: datetime, a_end: datetime, b_start: datetime, b_end: datetime) -> bool:
    """Return True when ``[a_start, a_end)`` and ``[b_start, b_end)`` share an instant."""
    return a_start < b_end and b_start < a_end
