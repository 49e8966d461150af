"""Outgoing messages: plan them (reminders, change notices, digests, the weekly summary)
as delivery rows with unique keys, then claim and send them exactly once.

- ``planning``: which messages are due; one row per recipient and channel, inserted with
  ``ON CONFLICT DO NOTHING`` on the dedup key.
- ``digests``: what the coordinators' digest and the leaders' summary say.
- ``deliveries``: claim (conditional UPDATE), send, record; retries, stale claims, the
  admin list.
- ``channels``: SMTP, the SMS gateway, the console.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import time, timedelta


@dataclass(frozen=True)
class NotifySettings:
    """The knobs of message planning and delivery (from the app config)."""

    zone: str = "Asia/Shanghai"
    quiet_start: time = time(21, 0)
    quiet_end: time = time(7, 0)
    # A notice is urgent when held until quiet hours end it would come closer than this
    # to its shift (domain.notify.is_urgent).
    urgent_margin: timedelta = timedelta(minutes=60)
    max_attempts: int = 5
    retry_seconds: float = 120
    stale_claim_seconds: float = 900
    batch: int = 200
    default_locale: str = "zh_CN"
    uid_domain: str = "localhost"
    base_url: str = ""
    # SMS units per message: 70 is one Chinese SMS; lower it by the length of the
    # 【signature】 a provider adds inside the same 70.
    sms_length: int = 70


def parse_time(value, default: time) -> time:
    """Read "HH:MM" (or a time) from the config."""
    if isinstance(value, time):
        return value
    try:
        hours, minutes = str(value).split(":")[:2]
        return time(int(hours), int(minutes))
    except (TypeError, ValueError):
        return default
