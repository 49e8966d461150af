"""Pure rules of outgoing messages: quiet hours, channels, dedup keys, back-off, SMS length,
which reminder is due. No Flask, no database; time is always a parameter."""
from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

SMS_LIMIT = 70  # one Chinese SMS (UCS-2) holds 70 characters
ELLIPSIS = "…"


def in_quiet_hours(local: time, start: time, end: time) -> bool:
    """Tell whether the local wall-clock time ``local`` lies in [start, end).

    The window may wrap midnight (21:00–07:00); ``start == end`` means no quiet hours.
    """
    if start == end:
        return False
    if start < end:
        return start <= local < end
    return local >= start or local < end


def quiet_until(now: datetime, zone: str, start: time, end: time) -> datetime:
    """Return ``now`` when outside quiet hours, else the instant (UTC) they end."""
    tz = ZoneInfo(zone)
    local = now.astimezone(tz)
    if not in_quiet_hours(local.time().replace(tzinfo=None), start, end):
        return now
    day = local.date() if local.time() < end else local.date() + timedelta(days=1)
    return datetime.combine(day, end, tzinfo=tz).astimezone(now.tzinfo)


def channels_for(*, has_account: bool, email: str | None, phone: str | None,
                 notify_email: bool | None, notify_sms: bool | None) -> tuple[str, ...]:
    """Return the channels a message goes out on, in-app first.

    In-app always (when there is an account to show it to); e-mail when wanted (default
    yes) and there is an address; SMS when wanted and there is a phone, by default only
    for people without e-mail (SMS costs money and is short).
    """
    out: list[str] = ["app"] if has_account else []
    want_email = True if notify_email is None else notify_email
    want_sms = (not email) if notify_sms is None else notify_sms
    if want_email and email:
        out.append("email")
    if want_sms and phone:
        out.append("sms")
    return tuple(out)


def _part(value) -> str:
    return str(value).replace("%", "%25").replace("|", "%7C")


def dedup_key(kind: str, recipient: str, subject: str, channel: str) -> str:
    """Return the unique key of one message: (kind, recipient, subject, channel).

    The subject names the occurrence and its start (a moved shift gets a fresh
    reminder) or the digest's period. Parts are escaped so different tuples never
    give the same key.
    """
    return "|".join(_part(p) for p in (kind, recipient, subject, channel))


def iso_minute(value: datetime) -> str:
    """Return a UTC instant as ``2026-11-28T11:30Z`` (stable inside dedup keys)."""
    from datetime import timezone
    return value.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%MZ")


def backoff(attempts: int, base_seconds: float, cap_seconds: float = 6 * 3600) -> timedelta:
    """Return the wait before the next try after ``attempts`` failed tries (1, 2, 4, …)."""
    attempts = max(attempts, 1)
    return timedelta(seconds=min(base_seconds * 2 ** min(attempts - 1, 30), cap_seconds))


def sms_units(text: str) -> int:
    """Return the length of ``text`` as an SMS counts it (UCS-2 units: a character
    outside the Basic Multilingual Plane, such as a rare name character, takes two)."""
    return sum(2 if ord(ch) > 0xFFFF else 1 for ch in text)


def _cut(text: str, units: int) -> str:
    """The longest start of ``text`` within ``units`` (never half a character)."""
    out, used = [], 0
    for ch in text:
        used += 2 if ord(ch) > 0xFFFF else 1
        if used > units:
            break
        out.append(ch)
    return "".join(out)


MIN_TITLE = 8  # units of the title kept before the tail (time, place) is shortened


def fit_sms(head: str, title: str, tail: str = "", limit: int = SMS_LIMIT) -> str:
    """Return ``head + title + tail`` within ``limit`` SMS units: shorten the title with
    an ellipsis; when even a short title leaves no room, keep ``MIN_TITLE`` of it and
    shorten the end of the tail (the place) instead; the head is shortened last."""
    text = head + title + tail
    if sms_units(text) <= limit:
        return text
    room = limit - sms_units(head + tail) - 1
    if room >= min(MIN_TITLE, sms_units(title)):
        return head + _cut(title, room) + ELLIPSIS + tail
    short = title if sms_units(title) <= MIN_TITLE else _cut(title, MIN_TITLE - 1) + ELLIPSIS
    tail_room = limit - sms_units(head + short) - 1
    if tail_room >= 1:
        return head + short + _cut(tail, tail_room) + ELLIPSIS
    return _cut(head + short + tail, limit - 1) + ELLIPSIS


def due_reminder(start_at: datetime, now: datetime, offsets: tuple[int, ...]) -> int | None:
    """Return the reminder (hours before the start) to send now, or None.

    Of the chosen offsets whose time has come while the shift is still ahead, the
    smallest wins: after downtime a volunteer gets one reminder, the closest one, not
    a "tomorrow" message an hour before the start.
    """
    if start_at <= now:
        return None
    due = [h for h in offsets if start_at - timedelta(hours=h) <= now]
    return min(due) if due else None


def quiet_end_ahead(now: datetime, zone: str, start: time, end: time) -> datetime | None:
    """Return the end of the quiet period ``now`` falls in, else of the next one; None
    when there are no quiet hours. Wall-clock times in ``zone``, so a DST night is an hour
    shorter or longer but still ends at ``end`` local."""
    if start == end:
        return None
    until = quiet_until(now, zone, start, end)
    if until != now:
        return until
    tz = ZoneInfo(zone)
    day = now.astimezone(tz).date()
    # Compare instants, not wall times: aware datetimes sharing a tzinfo compare naively.
    begins = datetime.combine(day, start, tzinfo=tz).astimezone(now.tzinfo)
    if begins <= now:
        begins = datetime.combine(day + timedelta(days=1), start,
                                  tzinfo=tz).astimezone(now.tzinfo)
    return quiet_until(begins, zone, start, end)


def is_urgent(start_at: datetime | None, now: datetime, zone: str, quiet_start: time,
              quiet_end: time, margin: timedelta) -> bool:
    """Tell whether a change notice may go out in quiet hours: holding it until the quiet
    period it falls in (or the next one) ends would leave less than ``margin`` before its
    shift starts. A 22:30 notice of an 08:00 shift waits until 07:00; of a 07:30 one, not.
    """
    if start_at is None:
        return False
    end = quiet_end_ahead(now, zone, quiet_start, quiet_end)
    return end is not None and start_at < end + margin
