"""Expand recurrence rules in local wall-clock time and return UTC instants.

Rules are RFC 5545 RRULEs handled by python-dateutil. Expansion happens in the
series' own zone so that "every evening at 19:00" stays at 19:00 across DST; a local
time that does not exist (spring-forward gap) is read with the offset before the
gap, and an ambiguous one takes its first occurrence, as RFC 5545 §3.3.5 asks.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from dateutil.rrule import DAILY, MONTHLY, WEEKLY, YEARLY, rrulestr

from .errors import DomainError

ALLOWED_FREQS = {DAILY, WEEKLY, MONTHLY, YEARLY}
WEEKDAY_CODES = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
MAX_OCCURRENCES = 5000  # per expansion window: a guard against runaway rules


@dataclass(frozen=True)
class Slot:
    """One expanded occurrence: its original start (the recurrence id) and its interval."""

    recurrence_id: datetime
    start_at: datetime
    end_at: datetime


def get_zone(name: str) -> ZoneInfo:
    """Return the zone called ``name`` or raise a DomainError."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise DomainError("Unknown time zone.", field="timezone") from None


def to_utc(local_date: date, local_time: time, zone: ZoneInfo) -> datetime:
    """Return the UTC instant of a local wall-clock time in ``zone``."""
    naive = datetime.combine(local_date, local_time)
    aware = naive.replace(tzinfo=zone, fold=0)
    # A time in a spring-forward gap does not round-trip; fold=0 already gives the
    # offset before the gap, which is what RFC 5545 prescribes.
    return aware.astimezone(timezone.utc)


def parse_rule(rule: str, dtstart: datetime):
    """Parse an RRULE (with or without the ``RRULE:`` prefix) or raise DomainError."""
    text = rule.strip()
    if text.upper().startswith("RRULE:"):
        text = text[6:]
    if not text or "\n" in text or any(
            text.upper().startswith(p) for p in ("DTSTART", "EXDATE", "RDATE")):
        raise DomainError("The repeat rule is not valid.", field="rrule")
    try:
        parsed = rrulestr(text, dtstart=dtstart)
    except (ValueError, TypeError, KeyError, IndexError, OverflowError):
        raise DomainError("The repeat rule is not valid.", field="rrule") from None
    if getattr(parsed, "_freq", None) not in ALLOWED_FREQS:
        raise DomainError("Repeat daily, weekly, monthly or yearly.", field="rrule")
    return parsed


def build_rule(frequency: str, weekdays: list[int] | None = None,
               month_day: int | None = None, interval: int = 1, *,
               month_week: int | None = None, month_weekday: int | None = None) -> str | None:
    """Turn the plain-words choices of the series form into an RRULE string.

    Monthly is either on a day of the month (``month_day``, the study day's 25th) or on
    the nth weekday (``month_week`` 1–4, or -1 for the last, with ``month_weekday``).
    """
    if interval < 1 or interval > 52:
        raise DomainError("The interval must be between 1 and 52.", field="interval")
    suffix = f";INTERVAL={interval}" if interval > 1 else ""
    if frequency == "once":
        return None
    if frequency == "daily":
        return f"FREQ=DAILY{suffix}"
    if frequency == "weekly":
        days = sorted(set(weekdays or []))
        if not days or any(d not in range(7) for d in days):
            raise DomainError("Choose at least one weekday.", field="weekdays")
        return f"FREQ=WEEKLY{suffix};BYDAY=" + ",".join(WEEKDAY_CODES[d] for d in days)
    if frequency == "monthly" and month_week is not None:
        if month_week not in (1, 2, 3, 4, -1) or month_weekday not in range(7):
            raise DomainError("Choose which weekday of the month.", field="month_week")
        return f"FREQ=MONTHLY{suffix};BYDAY={month_week:+d}{WEEKDAY_CODES[month_weekday]}"
    if frequency == "monthly":
        if month_day is None or not 1 <= month_day <= 31:
            raise DomainError("Choose a day of the month from 1 to 31.", field="month_day")
        return f"FREQ=MONTHLY{suffix};BYMONTHDAY={month_day}"
    raise DomainError("Choose how often it repeats.", field="frequency")


def rule_controls(rule: str | None) -> dict | None:
    """Read a rule back into the form's controls (the inverse of ``build_rule``).

    Returns None for a rule the controls cannot say (it is then kept unchanged).
    """
    if not rule:
        return {"frequency": "once"}
    parts = dict(p.split("=", 1) for p in rule.upper().split(";") if "=" in p)
    freq, interval = parts.pop("FREQ", ""), parts.pop("INTERVAL", "1")
    if not interval.isdigit():
        return None
    found = {"interval": int(interval)}
    byday = [d for d in parts.pop("BYDAY", "").split(",") if d]
    if freq == "DAILY" and not parts and not byday:
        return {**found, "frequency": "daily"}
    if freq == "WEEKLY" and not parts and byday and all(d in WEEKDAY_CODES for d in byday):
        return {**found, "frequency": "weekly",
                "weekdays": sorted(WEEKDAY_CODES.index(d) for d in byday)}
    if freq == "MONTHLY" and not byday and list(parts) == ["BYMONTHDAY"] and \
            parts["BYMONTHDAY"].isdigit():
        return {**found, "frequency": "monthly", "monthly_by": "day",
                "month_day": int(parts["BYMONTHDAY"])}
    if freq == "MONTHLY" and not parts and len(byday) == 1 and byday[0][-2:] in WEEKDAY_CODES:
        try:
            week = int(byday[0][:-2])
        except ValueError:
            return None
        if week in (1, 2, 3, 4, -1):
            return {**found, "frequency": "monthly", "monthly_by": "weekday",
                    "month_week": week, "month_weekday": WEEKDAY_CODES.index(byday[0][-2:])}
    return None


def expand(*, start_date: date, start_time: time, duration: timedelta, zone_name: str,
           rule: str | None, until: date | None, window_start: datetime,
           window_end: datetime) -> list[Slot]:
    """Return the slots of a series whose start lies in ``[window_start, window_end)``.

    ``window_*`` are aware instants. A single event (``rule`` empty) yields its one slot
    when it falls in the window.
    """
    if duration <= timedelta(0):
        raise DomainError("The duration must be positive.", field="duration")
    if window_start.tzinfo is None or window_end.tzinfo is None:
        raise ValueError("window bounds must be aware")
    zone = get_zone(zone_name)
    first_local = datetime.combine(start_date, start_time)
    if not rule:
        starts = [first_local]
    else:
        parsed = parse_rule(rule, first_local)
        # Search the rule in local naive time, with a day of slack on each side
        # for offsets; the exact window test below is done on UTC instants.
        lo = window_start.astimezone(zone).replace(tzinfo=None) - timedelta(days=1)
        hi = window_end.astimezone(zone).replace(tzinfo=None) + timedelta(days=1)
        if until is not None:
            hi = min(hi, datetime.combine(until, time.max))
        starts = parsed.between(max(lo, first_local), hi, inc=True) if hi >= lo else []
        if len(starts) > MAX_OCCURRENCES:
            raise DomainError("The rule makes too many occurrences.", field="rrule")
    slots = []
    for local in starts:
        if until is not None and local.date() > until:
            continue
        start_at = to_utc(local.date(), local.time(), zone)
        if not window_start <= start_at < window_end:
            continue
        # Duration is elapsed time: add it to the UTC instant, not to the wall clock.
        end_at = start_at + duration
        slots.append(Slot(recurrence_id=start_at, start_at=start_at, end_at=end_at))
    return slots


def local_day_bounds(day: date, zone_name: str) -> tuple[datetime, datetime]:
    """Return the UTC ``[start, end)`` of a local calendar day."""
    zone = get_zone(zone_name)
    return (to_utc(day, time(0), zone), to_utc(day + timedelta(days=1), time(0), zone))
