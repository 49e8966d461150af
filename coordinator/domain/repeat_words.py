"""Say a repeat rule in words, with its time: "每周一 09:00–10:00", "Every day 19:00–21:00".

Pure: the phrases of the reader's language come in as a ``RepeatWords`` (the web layer
fills it from the translations), so this module needs no Flask and no locale. Only the
rules people plan with are worded (daily, weekly on days, monthly on a day or on the n-th
weekday, yearly, every n, until, count); any other rule reads as ``custom`` with its time,
never as RRULE syntax.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

WEEKDAY_CODES = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
KNOWN_KEYS = {"FREQ", "INTERVAL", "BYDAY", "BYMONTHDAY", "BYMONTH", "BYSETPOS", "COUNT",
              "UNTIL", "WKST"}


@dataclass(frozen=True)
class RepeatWords:
    """The phrases of one language; each is a %-format with the named fields shown."""

    once: str = "Once, %(date)s"
    daily: str = "Every day"
    every_n_days: str = "Every %(n)s days"
    weekly: str = "Every %(days)s"
    every_other_week: str = "Every other week on %(days)s"
    every_n_weeks: str = "Every %(n)s weeks on %(days)s"
    monthly_day: str = "Every month on day %(days)s"
    every_n_months_day: str = "Every %(n)s months on day %(days)s"
    monthly_last_day: str = "Every month on its last day"
    monthly_weekday: str = "Every month on the %(days)s"
    every_n_months_weekday: str = "Every %(n)s months on the %(days)s"
    yearly: str = "Every year on %(date)s"
    month_day: str = "%(month)s/%(day)s"
    position_weekday: str = "%(position)s %(weekday)s"
    custom: str = "On a custom repeat"
    time_range: str = "%(start)s–%(end)s"
    next_day: str = "%(time)s the next day"
    until: str = "until %(date)s"
    count: str = "%(n)s times in all"
    with_time: str = "%(rule)s %(time)s"
    more: str = "%(text)s, %(more)s"
    separator: str = ", "
    last_separator: str = " and "
    weekdays: tuple[str, ...] = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday",
                                 "Saturday", "Sunday")
    positions: dict[int, str] = field(default_factory=lambda: {
        1: "first", 2: "second", 3: "third", 4: "fourth", 5: "fifth", -1: "last",
        -2: "second to last"})
    format_date: Callable[[date], str] = date.isoformat


class _Custom(Exception):
    """The rule has a part these words do not cover."""


def _parts(rule: str) -> dict[str, str]:
    text = rule.strip()
    if text.upper().startswith("RRULE:"):
        text = text[6:]
    parts = {}
    for piece in filter(None, text.split(";")):
        key, sep, value = piece.partition("=")
        key = key.strip().upper()
        if not sep or key not in KNOWN_KEYS or key in parts:
            raise _Custom
        parts[key] = value.strip().upper()
    return parts


def _ints(text: str) -> list[int]:
    try:
        return [int(v) for v in text.split(",") if v]
    except ValueError:
        raise _Custom from None


def _join(items: list[str], words: RepeatWords) -> str:
    if len(items) <= 1:
        return "".join(items)
    return words.separator.join(items[:-1]) + words.last_separator + items[-1]


def _weekdays(byday: str, words: RepeatWords) -> tuple[list[str], list[tuple[int, int]]]:
    """Split BYDAY into plain weekday names and (position, weekday) pairs."""
    plain, nth = [], []
    for code in byday.split(","):
        day, pos = code[-2:], code[:-2]
        if day not in WEEKDAY_CODES:
            raise _Custom
        if pos:
            try:
                nth.append((int(pos), WEEKDAY_CODES.index(day)))
            except ValueError:
                raise _Custom from None
        else:
            plain.append(WEEKDAY_CODES.index(day))
    return [words.weekdays[d] for d in sorted(set(plain))], nth


def _positioned(pairs: list[tuple[int, int]], words: RepeatWords) -> str:
    names = []
    for pos, day in pairs:
        if pos not in words.positions:
            raise _Custom
        names.append(words.position_weekday % {"position": words.positions[pos],
                                               "weekday": words.weekdays[day]})
    return _join(names, words)


def _frequency(parts: dict[str, str], start: datetime | None, words: RepeatWords) -> str:
    freq = parts.get("FREQ")
    interval = _ints(parts.get("INTERVAL", "1")) or [1]
    n = interval[0]
    if len(interval) != 1 or n < 1:
        raise _Custom
    if "BYSETPOS" in parts:  # FREQ=MONTHLY;BYDAY=MO;BYSETPOS=1 is "the first Monday"
        setpos = _ints(parts.pop("BYSETPOS"))
        if freq != "MONTHLY" or len(setpos) != 1 or "," in parts.get("BYDAY", ","):
            raise _Custom
        parts["BYDAY"] = f"{setpos[0]}{parts['BYDAY']}"
    if freq == "DAILY":
        if "BYMONTHDAY" in parts or "BYMONTH" in parts:
            raise _Custom
        if "BYDAY" in parts:
            if n != 1:
                raise _Custom
            freq = "WEEKLY"  # every day, but only on Mondays: a weekly rule
        else:
            return words.daily if n == 1 else words.every_n_days % {"n": n}
    if freq == "WEEKLY":
        if "BYMONTHDAY" in parts or "BYMONTH" in parts:
            raise _Custom
        plain, nth = _weekdays(parts.get("BYDAY") or WEEKDAY_CODES[_start(start).weekday()],
                               words)
        if nth:
            raise _Custom
        days = _join(plain, words)
        if n == 1:
            return words.weekly % {"days": days}
        if n == 2:
            return words.every_other_week % {"days": days}
        return words.every_n_weeks % {"n": n, "days": days}
    if freq == "MONTHLY":
        if "BYMONTH" in parts or ("BYDAY" in parts and "BYMONTHDAY" in parts):
            raise _Custom
        if "BYDAY" in parts:
            plain, nth = _weekdays(parts["BYDAY"], words)
            if plain or not nth:
                raise _Custom
            days = _positioned(nth, words)
            return (words.monthly_weekday % {"days": days} if n == 1
                    else words.every_n_months_weekday % {"n": n, "days": days})
        month_days = _ints(parts.get("BYMONTHDAY") or str(_start(start).day))
        if month_days == [-1] and n == 1:
            return words.monthly_last_day
        if not month_days or any(not 1 <= d <= 31 for d in month_days):
            raise _Custom
        days = _join([str(d) for d in sorted(set(month_days))], words)
        return (words.monthly_day % {"days": days} if n == 1
                else words.every_n_months_day % {"n": n, "days": days})
    if freq == "YEARLY":
        if "BYDAY" in parts or n != 1:
            raise _Custom
        months = _ints(parts.get("BYMONTH") or str(_start(start).month))
        month_days = _ints(parts.get("BYMONTHDAY") or str(_start(start).day))
        if len(months) != 1 or len(month_days) != 1 or not 1 <= months[0] <= 12 \
                or not 1 <= month_days[0] <= 31:
            raise _Custom
        return words.yearly % {"date": words.month_day % {"month": months[0],
                                                          "day": month_days[0]}}
    raise _Custom


def _start(start: datetime | None) -> datetime:
    if start is None:  # the rule leaves this to its first date, which is not known here
        raise _Custom
    return start


def _until(value: str) -> date:
    try:
        return datetime.strptime(value[:8], "%Y%m%d").date()
    except ValueError:
        raise _Custom from None


def time_range(start: datetime, duration: timedelta, words: RepeatWords) -> str:
    """Return "09:00–10:00" (with the next-day phrase when the end is on a later day)."""
    end = start + duration
    end_text = end.strftime("%H:%M")
    if end.date() > start.date():
        midnight = end.date() == start.date() + timedelta(days=1) and end_text == "00:00"
        end_text = "24:00" if midnight else words.next_day % {"time": end_text}
    return words.time_range % {"start": start.strftime("%H:%M"), "end": end_text}


def _in_words(rule: str | None, words: RepeatWords, start: datetime | None,
              until: date | None) -> tuple[str, list[str]]:
    if not rule or not rule.strip():
        return (words.once % {"date": words.format_date(start.date())} if start
                else words.custom), []
    extra = []
    try:
        parts = _parts(rule)
        text = _frequency(dict(parts), start, words)
        last = [d for d in (until, _until(parts["UNTIL"]) if "UNTIL" in parts else None) if d]
        if last:
            extra.append(words.until % {"date": words.format_date(min(last))})
        if "COUNT" in parts:
            count = _ints(parts["COUNT"])
            if len(count) != 1 or count[0] < 1:
                raise _Custom
            extra.append(words.count % {"n": count[0]})
    except _Custom:
        text, extra = words.custom, ([words.until % {"date": words.format_date(until)}]
                                     if until else [])
    return text, extra


def describe_repeat(rule: str | None, start: datetime, duration: timedelta,
                    words: RepeatWords, until: date | None = None) -> str:
    """Return the rule (from local wall-clock ``start``, lasting ``duration``) in words."""
    text, extra = _in_words(rule, words, start, until)
    result = words.with_time % {"rule": text, "time": time_range(start, duration, words)}
    for part in extra:
        result = words.more % {"text": result, "more": part}
    return result


def describe_rule(rule: str | None, words: RepeatWords, until: date | None = None) -> str:
    """Return the rule in words without a time (where only the rule is known)."""
    text, extra = _in_words(rule, words, None, until)
    for part in extra:
        text = words.more % {"text": text, "more": part}
    return text
