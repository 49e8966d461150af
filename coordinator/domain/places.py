"""How full a slot is, in the three states a volunteer is told about before signing up."""
from __future__ import annotations

SHORT, ENOUGH, FULL = "short", "enough", "full"


def place_state(filled: int, needed: int, maximum: int) -> str:
    """Return ``short`` (people missing: signing up fills a gap), ``enough`` (the need is
    met but places up to the maximum are left: signing up confirms an extra person) or
    ``full`` (no place left: signing up joins the waitlist)."""
    if filled >= maximum:
        return FULL
    return SHORT if filled < needed else ENOUGH
