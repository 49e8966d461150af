"""What happened: the attendance roll, self check-in, leave, corrections after the roll
closed (``roll``, ``checkin``, ``leave``, ``corrections``), and what is read from it.

The settings come from the app config through ``settings_from`` (never read here from
Flask): the roll window, the grace on minutes, which kinds count as service hours, whether
corrections need a second person, the star levels.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from ...domain.attendance import RollWindow


@dataclass(frozen=True)
class AttendanceSettings:
    """The knobs of attendance and service records (from the app config)."""

    window: RollWindow = field(default_factory=RollWindow)
    grace: timedelta = timedelta(minutes=30)
    service_kinds: frozenset[str] = frozenset({"patrol", "care", "talk"})
    corrections_need_approval: bool = False
    star_hours: tuple[int, ...] = (100, 300, 600, 1000, 1500)
    drift_weeks: int = 8
    organisation: str = ""
    collect_id_numbers: bool = False
    zone: str = "Asia/Shanghai"
    # A self check-in this long after the start is marked late.
    late_after: timedelta = timedelta(minutes=15)

    def is_service(self, kind: str) -> bool:
        """Does work of ``kind`` count as volunteer service hours?"""
        return kind in self.service_kinds


def settings_from(config) -> AttendanceSettings:
    """Build the settings from a Flask config (or any mapping with the same keys)."""
    return AttendanceSettings(
        window=RollWindow(opens_before=timedelta(minutes=int(
                              config.get("ATTENDANCE_OPENS_MINUTES", 30))),
                          closes_after=timedelta(days=int(
                              config.get("ATTENDANCE_CLOSES_DAYS", 3)))),
        grace=timedelta(minutes=int(config.get("ATTENDANCE_GRACE_MINUTES", 30))),
        service_kinds=frozenset(config.get("SERVICE_KINDS", ("patrol", "care", "talk"))),
        corrections_need_approval=bool(config.get("CORRECTIONS_NEED_APPROVAL", False)),
        star_hours=tuple(sorted(int(h) for h in config.get(
            "STAR_LEVEL_HOURS", (100, 300, 600, 1000, 1500)))),
        drift_weeks=int(config.get("DRIFT_WEEKS", 8)),
        organisation=str(config.get("ORGANISATION_NAME", "")),
        collect_id_numbers=bool(config.get("COLLECT_ID_NUMBERS", False)),
        zone=str(config.get("TIMEZONE", "Asia/Shanghai")))
