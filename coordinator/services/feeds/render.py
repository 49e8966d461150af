"""Render feed events as an RFC 5545 calendar with the icalendar library.

Each occurrence is one VEVENT (no RRULE masters: every occurrence can be moved or
cancelled on its own, and per-instance overrides are where clients disagree most).
Times carry the organisation's TZID with a generated VTIMEZONE; DTSTAMP equals
LAST-MODIFIED (the data's change time), so the same data renders the same bytes.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import timedelta, timezone
from functools import lru_cache
from zoneinfo import ZoneInfo

from icalendar import (
    Alarm,
    Calendar,
    Event,
    Timezone,
    TimezoneDaylight,
    TimezoneStandard,
    vCategory,
    vDDDTypes,
    vDuration,
    vInt,
    vRecur,
    vText,
    vUri,
)

from ...domain import zone_rules
from ...domain.text import printable
from .content import FeedEvent

PRODID = "-//Volunteer coordination//Calendar feeds 1.0//ZH"


@dataclass(frozen=True)
class CalendarMeta:
    name: str
    description: str
    zone: str
    base_url: str  # e.g. https://volunteers.example.org (no trailing slash)
    uid_domain: str
    refresh: timedelta = timedelta(hours=1)
    alarm_minutes: int | None = None
    alarm_text: str = ""
    method: str | None = None  # e.g. "PUBLISH" for an event attached to an e-mail


# The VTIMEZONE covers these years; its yearly rules go on after them.
ZONE_YEARS = (2018, 2046)


@lru_cache(maxsize=16)
def vtimezone(zone: str) -> bytes:
    """Return the VTIMEZONE block of ``zone``: one STANDARD/DAYLIGHT per observance that
    ``zone_rules`` derives from zoneinfo, with an RRULE where the changes follow one.

    icalendar's ``Timezone.from_tzid`` lists every onset on one RDATE line, of which
    ical.js and vobject read the first only (summer events an hour off); it also adds a
    COMMENT, which libical's restriction check rejects.
    """
    tz = Timezone()
    tz.add("tzid", zone)
    first, last = (zone_rules.utc(year) for year in ZONE_YEARS)
    for item in zone_rules.observances(zone, first, last):
        part = TimezoneDaylight() if item.is_dst else TimezoneStandard()
        part.add("dtstart", item.start)
        if item.rule:
            rule = dict(item.rule)
            if item.until:
                rule["UNTIL"] = item.until  # RFC 5545: UTC inside a VTIMEZONE
            part.add("rrule", vRecur(rule))
        part.add("tzoffsetfrom", item.offset_from)
        part.add("tzoffsetto", item.offset_to)
        if item.name:
            part.add("tzname", item.name)
        tz.add_component(part)
    return tz.to_ical()


def render(events: list[FeedEvent], meta: CalendarMeta, cache=None) -> bytes:
    """Return the calendar as bytes (CRLF, folded at 75 octets by icalendar).

    With a ``cache`` (``get``/``put``, e.g. the app's ``FeedCaches.events``) each VEVENT's
    bytes are kept by the hash of everything that goes into it, so a feed re-rendered
    after one change re-serialises only that event (icalendar's serialisation is the
    dominant cost, about 1 ms per event with Chinese text).
    """
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    if meta.method:
        cal.add("method", meta.method)
    cal.add("name", _text(meta.name))
    cal.add("x-wr-calname", _text(meta.name))
    cal.add("x-wr-caldesc", _text(meta.description))
    cal.add("x-wr-timezone", meta.zone)
    cal.add("refresh-interval", vDuration(meta.refresh), parameters={"VALUE": "DURATION"})
    cal.add("x-published-ttl", vDuration(meta.refresh))
    head = cal.to_ical()
    end = b"END:VCALENDAR\r\n"
    assert head.endswith(end)
    parts = [head[:-len(end)], vtimezone(meta.zone)]
    parts += [_event_bytes(item, meta, cache) for item in events]
    parts.append(end)
    return b"".join(parts)


def _text(value: str) -> str:
    """RFC 5545 TEXT holds no control characters but the newline (escaped as \\n): rows
    stored before input was cleaned may hold a NUL or a vertical tab."""
    return printable(value, keep="\n")


def _event_bytes(item: FeedEvent, meta: CalendarMeta, cache) -> bytes:
    if cache is None:
        return _vevent(item, meta).to_ical()
    key = hashlib.sha256(repr((item, meta.zone, meta.base_url, meta.uid_domain,
                               meta.alarm_minutes, meta.alarm_text)).encode()).hexdigest()
    hit = cache.get(key)
    if hit is None:
        hit = _vevent(item, meta).to_ical()
        cache.put(key, hit)
    return hit


def _vevent(item: FeedEvent, meta: CalendarMeta) -> Event:
    # Typed values set directly: the same bytes as Event.add(), without its per-call type
    # inference (about a quarter of the serialisation time).
    zone = ZoneInfo(meta.zone)
    event = Event()
    event["UID"] = vText(f"{item.uid_key}@{meta.uid_domain}")
    stamp = (item.last_modified or item.start_at).astimezone(timezone.utc).replace(
        microsecond=0)
    event["DTSTAMP"] = vDDDTypes(stamp)
    event["LAST-MODIFIED"] = vDDDTypes(stamp)
    event["SEQUENCE"] = vInt(item.sequence)
    event["DTSTART"] = vDDDTypes(item.start_at.astimezone(zone))
    event["DTEND"] = vDDDTypes(item.end_at.astimezone(zone))
    event["SUMMARY"] = vText(_text(item.summary))
    if item.location:
        event["LOCATION"] = vText(_text(item.location))
    lines = [_text(line) for line in item.description]
    if item.url_path:
        url = meta.base_url + item.url_path
        lines.append(url)
        event["URL"] = vUri(url)
    if lines:
        event["DESCRIPTION"] = vText("\n".join(lines))
    event["CATEGORIES"] = vCategory([item.kind.upper()])
    event["STATUS"] = vText(item.status)
    if item.alarm and meta.alarm_minutes:
        alarm = Alarm()
        alarm.add("action", "DISPLAY")
        alarm.add("description", _text(meta.alarm_text or item.summary))
        alarm.add("trigger", timedelta(minutes=-meta.alarm_minutes))
        event.add_component(alarm)
    return event

