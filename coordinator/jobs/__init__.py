"""Scheduled jobs: plain functions taking the app, run by ``flask scheduler`` (one
process, see ``runner``), never inside web workers. Each job opens its own app context,
reads the clock (``coordinator.clock``) once per step and commits at its own boundary.

This module turns the app config into the services' settings.
"""
from __future__ import annotations

from datetime import time, timedelta

from ..config import feed_identity
from ..services.notify import NotifySettings, parse_time
from ..services.notify.channels import MailSettings, SmsSettings, make_senders


def notify_settings(app) -> NotifySettings:
    """Return the message settings from the app config."""
    c = app.config
    base, domain = feed_identity(c)
    return NotifySettings(
        zone=c["TIMEZONE"], quiet_start=parse_time(c["QUIET_HOURS_START"], time(21, 0)),
        quiet_end=parse_time(c["QUIET_HOURS_END"], time(7, 0)),
        urgent_margin=timedelta(minutes=float(c["URGENT_NOTICE_MARGIN"])),
        max_attempts=int(c["NOTIFY_MAX_ATTEMPTS"]),
        retry_seconds=float(c["NOTIFY_RETRY_SECONDS"]),
        stale_claim_seconds=float(c["NOTIFY_STALE_CLAIM_SECONDS"]),
        batch=int(c["NOTIFY_BATCH"]), default_locale=c["BABEL_DEFAULT_LOCALE"],
        uid_domain=domain, base_url=base, sms_length=int(c["SMS_LENGTH"]))


def _development(app) -> bool:
    return bool(app.config.get("DEVELOPMENT"))


def mail_settings(app) -> MailSettings:
    """Return the SMTP settings; the console in development when no server is set."""
    c = app.config
    backend = c.get("MAIL_BACKEND") or ("smtp" if c.get("MAIL_SERVER") else
                                        "console" if _development(app) else None)
    return MailSettings(backend=backend, server=c.get("MAIL_SERVER"),
                        port=int(c.get("MAIL_PORT") or 25), username=c.get("MAIL_USERNAME"),
                        password=c.get("MAIL_PASSWORD"), use_tls=bool(c.get("MAIL_USE_TLS")),
                        use_ssl=bool(c.get("MAIL_USE_SSL")),
                        timeout=float(c.get("MAIL_TIMEOUT") or 20),
                        sender=c.get("MAIL_FROM") or "noreply@localhost")


def sms_settings(app) -> SmsSettings:
    """Return the SMS gateway settings; the console in development when no URL is set."""
    c = app.config
    backend = c.get("SMS_BACKEND") or ("http" if c.get("SMS_URL") else
                                       "console" if _development(app) else None)
    return SmsSettings(backend=backend, url=c.get("SMS_URL"), key=c.get("SMS_KEY"),
                       timeout=float(c.get("SMS_TIMEOUT") or 20))


def senders(app, stream=None) -> dict:
    """Return a sender per outgoing channel for the app's settings."""
    return make_senders(mail_settings(app), sms_settings(app), stream)
