"""A zone's changes of UTC offset as the observances of an RFC 5545 VTIMEZONE.

The changes are read from zoneinfo itself (nothing is written down per zone): a run of
changes that a yearly rule produces becomes one observance with that rule (an UNTIL when
the zone dropped the rule), any other change an observance of its own. Clients such as
ical.js and vobject read only the first value of an RDATE list, so none is used.
"""
from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from dateutil import rrule

_STEP = timedelta(days=1)  # no zone changes its offset and back within a day
_WEEKDAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")


@dataclass(frozen=True)
class Observance:
    """One STANDARD or DAYLIGHT block: ``start`` is the local time of the first onset in
    the ``offset_from`` offset (naive, as RFC 5545 wants it); ``rule`` the RRULE parts or
    None; ``until`` a UTC instant after the rule's last onset and long before the next
    one it would give (None: it goes on)."""

    start: datetime
    offset_from: timedelta
    offset_to: timedelta
    name: str
    is_dst: bool
    rule: dict | None = None
    until: datetime | None = None


@dataclass(frozen=True)
class _Change:
    at: datetime  # the UTC instant
    offset_from: timedelta
    offset_to: timedelta
    name: str
    is_dst: bool

    @property
    def local(self) -> datetime:
        return (self.at + self.offset_from).replace(tzinfo=None)

    @property
    def kind(self) -> tuple:
        return self.offset_from, self.offset_to, self.name, self.is_dst


def _state(zone: ZoneInfo, at: datetime) -> tuple:
    local = at.astimezone(zone)
    # Negative DST (Europe/Dublin's winter) is standard time to calendar clients.
    return local.utcoffset(), local.dst() > timedelta(0), local.tzname() or ""


def changes(zone: ZoneInfo, first: datetime, last: datetime) -> list[_Change]:
    """Return every change of offset, name or DST flag of ``zone`` in [first, last) (UTC),
    found by stepping and then bisecting to the second."""
    found = []
    at, state = first, _state(zone, first)
    while at < last:
        step = min(at + _STEP, last)
        if _state(zone, step) == state:
            at = step
            continue
        lo, hi = int(at.timestamp()), int(step.timestamp())  # whole seconds, as tzdata has
        while hi - lo > 1:
            mid = (lo + hi) // 2
            same = _state(zone, datetime.fromtimestamp(mid, timezone.utc)) == state
            lo, hi = (mid, hi) if same else (lo, mid)
        hi = datetime.fromtimestamp(hi, timezone.utc)
        after = _state(zone, hi)
        found.append(_Change(hi, state[0], after[0], after[2], after[1]))
        at, state = hi, after
    return found


def observances(name: str, first: datetime, last: datetime) -> list[Observance]:
    """Return the observances that give zone ``name``'s offsets from ``first`` to ``last``
    (aware UTC datetimes) and, where its yearly rule goes on, after ``last`` too."""
    zone = ZoneInfo(name)
    offset, is_dst, tzname = _state(zone, first)
    out = [Observance((first + offset).replace(tzinfo=None), offset, offset, tzname, is_dst)]
    kinds: dict[tuple, list[_Change]] = {}
    for change in changes(zone, first, last):
        kinds.setdefault(change.kind, []).append(change)
    for group in kinds.values():
        i = 0
        while i < len(group):
            rule, length = _longest_rule(group[i:])
            run, head = group[i:i + length], group[i]
            until = None
            if rule is not None and _next_onset(head.local, rule, run[-1].local) < (
                    last + head.offset_from).replace(tzinfo=None):
                # The zone left this rule before ``last``. A day after its last onset, not
                # the onset itself: dateutil (icalendar's reader) compares a UTC UNTIL
                # with the local onsets, which lost the last one east of Greenwich.
                until = run[-1].at + timedelta(days=1)
            out.append(Observance(head.local, head.offset_from, head.offset_to, head.name,
                                  head.is_dst, rule, until))
            i += length
    return sorted(out, key=lambda o: o.start)


def _candidates(local: datetime) -> list[dict]:
    """The yearly rules that put an onset at ``local``, simplest first: the last or n-th
    weekday of the month, a weekday on or after a day (Israel's "Friday >= 23"), a date."""
    days = calendar.monthrange(local.year, local.month)[1]
    weekday = _WEEKDAYS[local.weekday()]
    base = {"FREQ": "YEARLY", "BYMONTH": local.month}
    found = []
    if local.day + 7 > days:
        found.append({**base, "BYDAY": f"-1{weekday}"})
    if local.day <= 28:
        found.append({**base, "BYDAY": f"{(local.day - 1) // 7 + 1}{weekday}"})
    for low in range(max(1, local.day - 6), min(local.day, days - 6) + 1):
        found.append({**base, "BYDAY": weekday, "BYMONTHDAY": list(range(low, low + 7))})
    found.append({**base, "BYMONTHDAY": local.day})
    return found


def _rrule(start: datetime, rule: dict) -> rrule.rrule:
    byday = rule.get("BYDAY")
    weekday = None
    if byday:
        day = getattr(rrule, byday[-2:])
        weekday = day(int(byday[:-2])) if byday[:-2] else day
    return rrule.rrule(rrule.YEARLY, dtstart=start, bymonth=rule["BYMONTH"],
                       byweekday=weekday, bymonthday=rule.get("BYMONTHDAY"))


def _longest_rule(group: list[_Change]) -> tuple[dict | None, int]:
    """The rule (or None) producing the longest run of the changes from ``group[0]`` on,
    one a year with none left out, and the run's length."""
    best, length = None, 1
    for rule in _candidates(group[0].local):
        onsets = iter(_rrule(group[0].local, rule))
        n = 0
        for change in group:
            if next(onsets) != change.local:
                break
            n += 1
        if n > length:
            best, length = rule, n
    return best, length


def _next_onset(start: datetime, rule: dict, after: datetime) -> datetime:
    return _rrule(start, rule).after(after) or datetime.max


def utc(year: int) -> datetime:
    """The first instant of ``year`` in UTC."""
    return datetime(year, 1, 1, tzinfo=timezone.utc)
