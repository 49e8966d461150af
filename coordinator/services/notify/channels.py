"""Senders for the e-mail (SMTP) and SMS (HTTP gateway) channels, and a console sender
for development. Plain Python: settings come in as dataclasses, never from Flask.

Two kinds of failure, kept apart on purpose:

- ``ChannelError``: the channel itself is unusable (not configured, server unreachable,
  login refused, the relay refuses us (a 5.7.x reply, or 530) or refuses MAIL_FROM, the
  gateway refuses the key (HTTP 401/403) or has no such address (404/405)). Messages are
  *not* charged an attempt; they wait, pending, until the settings are fixed, and the
  problem is reported.
- ``SendError``: this one message failed (its recipient refused, e.g. 5.1.1; the gateway
  refusing it, another 4xx; the gateway down, 5xx or a timeout). It is retried with
  back-off and finally marked failed.
"""
from __future__ import annotations

import json
import smtplib
import socket
import ssl
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from email.header import Header
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from email.policy import compat32
from email.utils import formataddr, formatdate


class ChannelError(Exception):
    """The channel cannot send at all (settings): messages wait, nothing is charged."""

    def __init__(self, code: str, detail: str = ""):
        super().__init__(f"{code}: {detail}" if detail else code)
        self.code = code
        self.detail = detail


class SendError(Exception):
    """This message could not be sent; it is retried later."""


@dataclass(frozen=True)
class MailSettings:
    backend: str | None  # "smtp", "console" or None (not configured)
    server: str | None = None
    port: int = 25
    username: str | None = None
    password: str | None = field(default=None, repr=False)
    use_tls: bool = False
    use_ssl: bool = False
    timeout: float = 20
    sender: str = "noreply@localhost"
    sender_name: str = ""

    def secrets(self) -> tuple[str, ...]:
        return tuple(s for s in (self.password,) if s)


@dataclass(frozen=True)
class SmsSettings:
    backend: str | None  # "http", "console" or None
    url: str | None = None
    key: str | None = field(default=None, repr=False)
    timeout: float = 20

    def secrets(self) -> tuple[str, ...]:
        return tuple(s for s in (self.key,) if s)


@dataclass(frozen=True)
class Email:
    to: str
    subject: str
    text: str
    html: str
    message_id: str
    ics: bytes | None = None
    ics_name: str = "shift.ics"


@dataclass(frozen=True)
class Sms:
    to: str
    text: str
    message_id: str


def redact(text: str, secrets: tuple[str, ...]) -> str:
    """Remove secret values (and URL query strings, which may carry keys) from ``text``."""
    for secret in secrets:
        if secret:
            text = text.replace(secret, "***")
    import re
    return re.sub(r"(https?://[^\s?'\"]+)\?[^\s'\"]*", r"\1?***", text)[:500]


_CRLF = compat32.clone(linesep="\r\n")  # SMTP wants CRLF; smtplib leaves bytes alone


def build_email(message: Email, settings: MailSettings) -> bytes:
    """Return the message as bytes: plain text plus HTML (multipart/alternative), and
    the iCal event (text/calendar; method=PUBLISH) when given.

    Built with the compat32 MIME classes: several times cheaper than ``EmailMessage``
    with the default policy, which re-parses every header it is given.
    """
    body = MIMEMultipart("alternative")
    body.attach(MIMEText(message.text, "plain", "utf-8"))
    body.attach(MIMEText(message.html, "html", "utf-8"))
    if message.ics is not None:
        root = MIMEMultipart("mixed")
        root.attach(body)
        part = MIMEText(message.ics.decode("utf-8"), "calendar", "utf-8")
        part.set_param("method", "PUBLISH")
        part.add_header("Content-Disposition", "attachment", filename=message.ics_name)
        root.attach(part)
    else:
        root = body
    root["Subject"] = Header(message.subject, "utf-8")
    root["From"] = formataddr((settings.sender_name, settings.sender)) if (
        settings.sender_name) else settings.sender
    root["To"] = message.to
    root["Date"] = formatdate(localtime=False)
    root["Message-ID"] = message.message_id
    root["Auto-Submitted"] = "auto-generated"
    return root.as_bytes(policy=_CRLF)


IDLE_CHECK_SECONDS = 20


def _reply(value) -> str:
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)


def _refuses_relay(code: int, reply: str) -> bool:
    """Tell whether a refused RCPT refuses *us* (relaying, authentication: 5.7.x, 530)
    rather than the mailbox (5.1.x): every message would be refused alike."""
    return code == 530 or reply.lstrip().startswith("5.7.") or (
        500 <= code < 600 and "relay" in reply.lower())


class SmtpSender:
    """Send e-mail over one SMTP connection, reused across messages and reopened once when
    the server drops it."""

    channel = "email"

    def __init__(self, settings: MailSettings):
        self.settings = settings
        self._smtp: smtplib.SMTP | None = None
        self._used = 0.0

    def _connect(self) -> smtplib.SMTP:
        s = self.settings
        if not s.server:
            raise ChannelError("not_configured", "MAIL_SERVER is not set")
        try:
            if s.use_ssl:
                smtp = smtplib.SMTP_SSL(s.server, s.port, timeout=s.timeout,
                                        context=ssl.create_default_context())
            else:
                smtp = smtplib.SMTP(s.server, s.port, timeout=s.timeout)
                if s.use_tls:
                    smtp.starttls(context=ssl.create_default_context())
            if s.username:
                smtp.login(s.username, s.password or "")
        except smtplib.SMTPAuthenticationError as exc:
            raise ChannelError("login_failed", redact(str(exc), s.secrets())) from None
        except (OSError, smtplib.SMTPException) as exc:
            raise ChannelError("unreachable", redact(f"{s.server}:{s.port}: {exc}",
                                                     s.secrets())) from None
        return smtp

    def check(self) -> None:
        """Connect (and log in) once; raise ChannelError when that fails."""
        self.close()
        self._smtp = self._connect()
        self._used = time.monotonic()

    def send(self, message: Email) -> None:
        """Send one message. A connection left idle is checked with NOOP first, so a
        message is never sent blind a second time: a connection lost *during* a send is
        a failed try (retried later with the same Message-ID, so a copy can be told)."""
        data = build_email(message, self.settings)
        if self._smtp is not None and time.monotonic() - self._used > IDLE_CHECK_SECONDS:
            try:
                self._smtp.noop()
            except (smtplib.SMTPException, OSError):
                self._smtp = None
        if self._smtp is None:
            self._smtp = self._connect()
        try:
            self._smtp.sendmail(self.settings.sender, [message.to], data)
            self._used = time.monotonic()
        except smtplib.SMTPSenderRefused as exc:
            self.close()
            raise ChannelError("sender_refused", redact(
                f"MAIL FROM {exc.sender}: {exc.smtp_code} {_reply(exc.smtp_error)}",
                self.settings.secrets())) from None
        except smtplib.SMTPRecipientsRefused as exc:
            code, reply = next(iter(exc.recipients.values()), (0, b""))
            text = f"{code} {_reply(reply)}"
            if _refuses_relay(code, _reply(reply)):
                self.close()
                raise ChannelError("relay_refused", redact(text, self.settings.secrets())) \
                    from None
            # The reply, not the address: the error is shown on the admins' page.
            raise SendError(redact(f"recipient refused: {text}", self.settings.secrets())) \
                from None
        except (smtplib.SMTPException, OSError) as exc:
            self.close()
            raise SendError(redact(f"{type(exc).__name__}: {exc}",
                                   self.settings.secrets())) from None

    def close(self) -> None:
        if self._smtp is not None:
            try:
                self._smtp.quit()
            except (OSError, smtplib.SMTPException):
                pass
            self._smtp = None


class HttpSmsSender:
    """POST each SMS as JSON to a generic gateway: ``{"to", "text", "id"}`` with
    ``Authorization: Bearer <key>``. Any 2xx is success."""

    channel = "sms"

    def __init__(self, settings: SmsSettings):
        self.settings = settings

    def check(self) -> None:
        if not self.settings.url:
            raise ChannelError("not_configured", "SMS_URL is not set")
        if not self.settings.url.startswith(("http://", "https://")):
            raise ChannelError("bad_url", "SMS_URL must start with http:// or https://")

    def send(self, message: Sms) -> None:
        self.check()
        body = json.dumps({"to": message.to, "text": message.text,
                           "id": message.message_id}, ensure_ascii=False).encode()
        request = urllib.request.Request(self.settings.url, data=body, method="POST",  # noqa: S310
                                         headers={"Content-Type":
                                                  "application/json; charset=utf-8"})
        if self.settings.key:
            request.add_header("Authorization", f"Bearer {self.settings.key}")
        secrets = self.settings.secrets()
        try:
            with urllib.request.urlopen(request, timeout=self.settings.timeout) as response:  # noqa: S310
                response.read()
        except urllib.error.HTTPError as exc:
            if exc.code in (401, 403):  # the key: every message would be refused alike
                raise ChannelError("rejected", f"gateway answered HTTP {exc.code}: check "
                                   "SMS_KEY") from None
            if exc.code in (404, 405):  # no gateway at this address
                raise ChannelError("bad_address", f"gateway answered HTTP {exc.code}: "
                                   "check SMS_URL") from None
            raise SendError(f"gateway answered HTTP {exc.code}") from None
        except (urllib.error.URLError, ConnectionError) as exc:
            reason = getattr(exc, "reason", exc)
            if isinstance(reason, (ConnectionRefusedError, socket.gaierror)):
                raise ChannelError("unreachable", redact(str(reason), secrets)) from None
            raise SendError(redact(f"gateway: {reason}", secrets)) from None
        except (TimeoutError, OSError) as exc:
            raise SendError(redact(f"gateway: {exc}", secrets)) from None

    def close(self) -> None:
        pass


class ConsoleSender:
    """Development: print the message instead of sending it."""

    def __init__(self, channel: str, stream=None):
        self.channel = channel
        self.stream = stream

    def check(self) -> None:
        pass

    def send(self, message) -> None:
        out = self.stream or sys.stdout
        if isinstance(message, Email):
            print(f"--- e-mail to {message.to}: {message.subject} ({message.message_id})\n"
                  f"{message.text}\n"
                  + ("[attached: text/calendar; method=PUBLISH]\n" if message.ics else ""),
                  file=out, flush=True)
        else:
            print(f"--- SMS to {message.to}: {message.text}", file=out, flush=True)

    def close(self) -> None:
        pass


class Unconfigured:
    """A channel with no settings: every send raises ChannelError (messages wait)."""

    def __init__(self, channel: str, detail: str):
        self.channel = channel
        self.detail = detail

    def check(self) -> None:
        raise ChannelError("not_configured", self.detail)

    def send(self, message) -> None:
        self.check()

    def close(self) -> None:
        pass


def make_senders(mail: MailSettings, sms: SmsSettings, stream=None) -> dict:
    """Return a sender per outgoing channel ("email", "sms") for these settings."""
    senders: dict = {}
    if mail.backend == "smtp":
        senders["email"] = SmtpSender(mail)
    elif mail.backend == "console":
        senders["email"] = ConsoleSender("email", stream)
    else:
        senders["email"] = Unconfigured("email", "MAIL_SERVER is not set")
    if sms.backend == "http":
        senders["sms"] = HttpSmsSender(sms)
    elif sms.backend == "console":
        senders["sms"] = ConsoleSender("sms", stream)
    else:
        senders["sms"] = Unconfigured("sms", "SMS_URL is not set")
    return senders
