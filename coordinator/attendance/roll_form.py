"""The posted roll read into marks: one line per person, a status from the radio
buttons, the times typed in the organisation's time zone, the version the form showed.

Not a WTForms form (its lines are the roll's people): every value goes through the same
cleaning (``domain.text.normalise``: full-width digits are digits). A time is read on the
day of the occurrence nearest to it (a night patrol's 01:10 is the next morning). What a
line shows unchanged is posted back unchanged: a time shown to the minute stands for the
exact instant stored (a check-in at 19:32:17), so saving the form rewrites nobody's
check-in.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta

from flask_babel import gettext as _

from ..domain.recurrence import get_zone
from ..domain.text import normalise, parse_int
from ..http.urls import MAX_ID
from ..services.attendance.roll import Mark, Roll, RollLine

MARKABLE = ("present", "late", "left_early", "absent")
_TIME = re.compile(r"([01]?[0-9]|2[0-3])[:：.]([0-5][0-9])(?::[0-5][0-9])?")


@dataclass
class LineView:
    """One line of the roll as the page shows it (the stored values, or the posted ones
    when the form comes back with an error)."""

    line: RollLine
    status: str | None
    arrival: str
    leaving: str
    errors: dict[str, str] = field(default_factory=dict)

    @property
    def person_id(self) -> int:
        return self.line.person_id


def hhmm(value: datetime | None, zone: str) -> str:
    """The local time of ``value`` as HH:MM ('' for None)."""
    return value.astimezone(get_zone(zone)).strftime("%H:%M") if value else ""


def stored_times(line: RollLine, roll: Roll) -> tuple[datetime | None, datetime | None]:
    """The line's actual times where they differ from the scheduled ones (else None)."""
    start, end = roll.occurrence.start_at, roll.occurrence.end_at
    arrival = line.actual_start if line.actual_start not in (None, start) else None
    leaving = line.actual_end if line.actual_end not in (None, end) else None
    return arrival, leaving


def shown(roll: Roll, zone: str) -> list[LineView]:
    """The lines as stored."""
    views = []
    for line in roll.lines:
        arrival, leaving = stored_times(line, roll)
        views.append(LineView(line, line.status, hhmm(arrival, zone), hhmm(leaving, zone)))
    return views


def local_instant(text: str, roll: Roll, zone: str) -> datetime | None:
    """The instant of a typed HH:MM on the occurrence's day nearest to it; None when the
    text is not a time."""
    match = _TIME.fullmatch(text)
    if match is None:
        return None
    tz = get_zone(zone)
    start, end = roll.occurrence.start_at, roll.occurrence.end_at
    middle = start + (end - start) / 2
    day = middle.astimezone(tz).date()
    wall = time(int(match.group(1)), int(match.group(2)))
    candidates = [datetime.combine(day + timedelta(days=d), wall, tzinfo=tz)
                  for d in (-1, 0, 1)]
    return min(candidates, key=lambda c: abs(c - middle)).astimezone(start.tzinfo)


def _time(view: LineView, key: str, typed: str, stored: datetime | None, roll: Roll,
          zone: str) -> datetime | None:
    if typed == hhmm(stored, zone):
        return stored  # shown unchanged: the exact instant stays
    if not typed:
        return None
    value = local_instant(typed, roll, zone)
    if value is None:
        view.errors[key] = _("Type the time as hours:minutes, for example 19:45.")
    return value


def read(form, roll: Roll, zone: str) -> tuple[list[Mark], list[LineView], bool]:
    """Read the posted lines: ``(marks, views, ok)``. ``views`` are the lines as posted
    (to show again on an error); ``ok`` is False when a line has an error of its own."""
    posted = {parse_int(raw, 1, MAX_ID) for raw in form.getlist("person")}
    marks, views, ok = [], [], True
    for line in roll.lines:
        arrival_at, leaving_at = stored_times(line, roll)
        if line.person_id not in posted:
            views.append(LineView(line, line.status, hhmm(arrival_at, zone),
                                  hhmm(leaving_at, zone)))
            continue
        pid = line.person_id
        status = normalise(form.get(f"status-{pid}", "")) or None
        view = LineView(line, status if status in MARKABLE else line.status,
                        normalise(form.get(f"arrival-{pid}", "")),
                        normalise(form.get(f"leaving-{pid}", "")))
        views.append(view)
        if status is None or line.status == "excused":
            continue  # not marked on this form (not recorded, or leave: read-only)
        if status not in MARKABLE:
            view.errors["status"] = _("Choose how they took part.")
            ok = False
            continue
        start = _time(view, "arrival", view.arrival, arrival_at, roll, zone)
        end = _time(view, "leaving", view.leaving, leaving_at, roll, zone)
        if status == "late" and start is None and "arrival" not in view.errors:
            view.errors["arrival"] = _("Type the time they arrived.")
        if status == "left_early" and end is None and "leaving" not in view.errors:
            view.errors["leaving"] = _("Type the time they left.")
        if view.errors:
            ok = False
            continue
        raw_version = form.get(f"version-{pid}", "")
        version = parse_int(raw_version, 0, MAX_ID) if raw_version else None
        if status == "absent":
            start = end = None
        marks.append(Mark(person_id=pid, status=status, actual_start=start, actual_end=end,
                          version=version))
    return marks, views, ok


def apply_refusal(views: list[LineView], exc) -> bool:
    """Put a refusal of ``mark`` on its person's line; True when it found one."""
    person_id = getattr(exc, "person_id", None)
    key = {"actual_start": "arrival", "actual_end": "leaving"}.get(exc.field, "status")
    for view in views:
        if view.person_id == person_id:
            view.errors[key] = _(exc.message, **exc.params)
            return True
    return False
