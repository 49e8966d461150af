"""Care visits (探望慰问): the register of people cared for (``register``; as a list,
``listing``; what ending the care does to the visits, ``ending``), the visits planned
for them (``visits``) and the visit log (``logs``) (issue 15)."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class CareSettings:
    keep_days: int = 365  # an ended record keeps its details this long
    visitor_days: int = 7  # a visitor sees a visit's details until this long after it
    opening_minutes: int = 60  # an admin's opening of a register lasts this long


def settings_from(config) -> CareSettings:
    return CareSettings(keep_days=int(config.get("CARE_KEEP_DAYS", 365)),
                        visitor_days=int(config.get("CARE_VISITOR_DAYS", 7)),
                        opening_minutes=int(config.get("CARE_OPENING_MINUTES", 60)))
