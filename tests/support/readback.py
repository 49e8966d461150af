"""A feed read back by three parsers, as (UID, start, end) in UTC: icalendar with the
calendar's own VTIMEZONE (not its zoneinfo by TZID), recurring-ical-events (which, through
icalendar, takes the TZID's zoneinfo, as clients with their own zone database do) and
Mozilla's ical.js (which reads the VTIMEZONE, as Thunderbird does)."""
from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone

import icalendar
import recurring_ical_events

from tests.support import icaljs

Instant = tuple[str, datetime, datetime]


def _utc(value: datetime, zones: dict) -> datetime:
    tz = zones.get(getattr(value.tzinfo, "key", None))
    if tz is not None:  # read the wall time again with the VTIMEZONE's own rules
        value = value.replace(tzinfo=None).replace(tzinfo=tz)
    return value.astimezone(timezone.utc)


def by_icalendar(body: bytes) -> set[Instant]:
    """Each VEVENT's times converted with the VTIMEZONE in the calendar."""
    cal = icalendar.Calendar.from_ical(body)
    zones = {str(z["TZID"]): z.to_tz(lookup_tzid=False) for z in cal.walk("VTIMEZONE")}
    return {(str(e["UID"]), _utc(e.decoded("DTSTART"), zones), _utc(e.decoded("DTEND"), zones))
            for e in cal.walk("VEVENT")}


def by_recurring_ical_events(body: bytes, start: datetime, end: datetime) -> set[Instant]:
    """The events shown between ``start`` and ``end``, as recurring-ical-events expands them."""
    shown = recurring_ical_events.of(icalendar.Calendar.from_ical(body)).between(start, end)
    return {(str(e["UID"]), e.decoded("DTSTART").astimezone(timezone.utc),
             e.decoded("DTEND").astimezone(timezone.utc)) for e in shown}


def by_icaljs(bodies: list[bytes]) -> list[set[Instant]]:
    """Each calendar's events as ical.js reads them (one node process for all)."""
    return [{(e["uid"], e["start"], e["end"]) for e in events}
            for events in icaljs.read_many(bodies)]


def every_reader(bodies: list[bytes], start: datetime, end: datetime) -> list[set[Instant]]:
    """Read each calendar with all three parsers; assert they agree; return the readings."""
    out = []
    for body, js in zip(bodies, by_icaljs(bodies)):
        python = by_icalendar(body)
        expanded = by_recurring_ical_events(body, start, end)
        assert python == expanded, ("icalendar ^ recurring-ical-events",
                                    sorted(python ^ expanded)[:4])
        assert python == js, ("icalendar ^ ical.js", sorted(python ^ js)[:4])
        out.append(python)
    return out


def calendar_of(vtimezone: bytes, zone: str, walls: list[datetime]) -> bytes:
    """A calendar of half-hour events starting at each naive wall time in ``zone``."""
    lines = [b"BEGIN:VCALENDAR", b"VERSION:2.0", b"PRODID:-//tests//zones//EN"]
    head = b"\r\n".join(lines) + b"\r\n" + vtimezone
    events = []
    for i, wall in enumerate(walls):
        end = wall + timedelta(minutes=30)
        events.append("\r\n".join([
            "BEGIN:VEVENT", f"UID:{i}", "DTSTAMP:20260101T000000Z",
            f"DTSTART;TZID={zone}:{wall:%Y%m%dT%H%M%S}",
            f"DTEND;TZID={zone}:{end:%Y%m%dT%H%M%S}", "SUMMARY:x", "END:VEVENT", ""]).encode())
    return head + b"".join(events) + b"END:VCALENDAR\r\n"


def last_sunday(year: int, month: int) -> date:
    """The last Sunday of ``month`` (Europe's daylight-saving changes)."""
    day = date(year, month + 1, 1) - timedelta(days=1) if month < 12 else date(year, 12, 31)
    return day - timedelta(days=(day.weekday() + 1) % 7)


def next_european_change(after: date) -> date:
    """The first last-Sunday of March or October after ``after``."""
    changes = sorted(last_sunday(y, m) for y in (after.year, after.year + 1) for m in (3, 10))
    return next(d for d in changes if d > after)


def noon(day: date) -> datetime:
    return datetime.combine(day, time(12))
