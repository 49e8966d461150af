"""Real receivers for message tests: an SMTP server (aiosmtpd) and an HTTP SMS gateway
(http.server in a thread), both on free loopback ports; a controllable clock; the app
those tests run, and the steps they take (committed service calls, rows read back)."""
from __future__ import annotations

import email
import json
import socket
import threading
import time
from datetime import datetime, timedelta, timezone
from email import policy
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from aiosmtpd.controller import Controller
from sqlalchemy import select

from coordinator import create_app
from coordinator.database import begin_write
from coordinator.extensions import db
from coordinator.models import Account, CoordinatorScope, Delivery, Notification, Person
from coordinator.services.notify.planning import delivery_row, insert_deliveries
from coordinator.services.shifts import signups
from tests.support.database import FAST_ARGON2
from tests.support.scheduling import NOW, ZONE, patrol, roles_of

KEY = "gateway-key-123"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Clock:
    """A clock tests move by hand; pass ``clock`` as the app's ``NOW``."""

    def __init__(self, start: datetime):
        self.at = start

    def __call__(self) -> datetime:
        return self.at

    def advance(self, **kw) -> datetime:
        self.at += timedelta(**kw)
        return self.at


class SinkHandler:
    def __init__(self, sink):
        self.sink = sink

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.endswith("@refuse.invalid"):
            return "550 no such user"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.sink.delay:
            time.sleep(self.sink.delay)
        message = email.message_from_bytes(envelope.content, policy=policy.default)
        with self.sink.lock:
            self.sink.messages.append(message)
        return "250 Message accepted"


class SmtpSink:
    """A real SMTP server collecting every message it accepts."""

    def __init__(self, delay: float = 0.0):
        self.messages: list = []
        self.lock = threading.Lock()
        self.delay = delay
        self.port = free_port()
        self.controller = Controller(SinkHandler(self), hostname="127.0.0.1", port=self.port)

    def __enter__(self):
        self.controller.start()
        return self

    def __exit__(self, *exc):
        self.controller.stop()

    def to(self, address: str) -> list:
        return [m for m in self.messages if m["To"] == address]

    def message_ids(self) -> list[str]:
        return [m["Message-ID"] for m in self.messages]


class SmsGateway:
    """A real HTTP server taking JSON SMS posts; ``status`` sets its answer."""

    def __init__(self, key: str = "gateway-key-123", status: int = 200):
        self.key = key
        self.status = status
        self.received: list[dict] = []
        self.headers: list[dict] = []
        gateway = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 — http.server's naming
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                gateway.headers.append(dict(self.headers))
                if self.headers.get("Authorization") != f"Bearer {gateway.key}":
                    self.send_response(401)
                elif gateway.status == 200:
                    gateway.received.append(json.loads(body.decode()))
                    self.send_response(200)
                else:
                    self.send_response(gateway.status)
                self.end_headers()
                self.wfile.write(b"{}")

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}/sms"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()


def make_app(database_url, tmp_path, clock, sink, gateway, **extra):
    """An app whose clock is ``clock``, sending mail to ``sink`` and SMS to ``gateway``."""
    return create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": database_url,
                       "SECRET_KEY": "test-secret", "INSTANCE_PATH": str(tmp_path / "inst"),
                       "NOW": clock, "MAIL_SERVER": "127.0.0.1", "MAIL_PORT": sink.port,
                       "MAIL_FROM": "volunteers@example.org", "SMS_URL": gateway.url,
                       "SMS_KEY": KEY, "PUBLIC_URL": "https://vol.example.org",
                       "NOTIFY_RETRY_SECONDS": 60, **FAST_ARGON2, **extra})


def run(app, fn, *args, **kw):
    """Call a service as one committed write transaction."""
    with app.app_context():
        begin_write(db.session)
        result = fn(db.session, *args, **kw)
        db.session.commit()
        db.session.remove()
        return result


def sign(app, world, i, role, now=NOW):
    return run(app, lambda s: signups.sign_up(s, s.get(Account, world["accounts"][i]), role,
                                              now, zone=ZONE))


def shift(app, world, **kw) -> tuple[int, int]:
    """A single patrol tomorrow 19:30 Shanghai (11:30 UTC); returns (series, role)."""
    with app.app_context():
        series = patrol(world, rule=None, until_days=None, **kw)
        role = roles_of(series)[0]
        db.session.remove()
    return series, role


def rows(app, *where):
    with app.app_context():
        found = list(db.session.scalars(select(Delivery).where(*where).order_by(Delivery.id)))
        db.session.expunge_all()
        db.session.remove()
        return found


def notes(app, account_id):
    with app.app_context():
        found = [(n.kind, n.title, n.body) for n in db.session.scalars(
            select(Notification).where(Notification.account_id == account_id)
            .order_by(Notification.id))]
        db.session.remove()
        return found


def start_of_shift(clock):
    return NOW.replace(hour=11, minute=30) + timedelta(days=1)


def staff(app, world, role, username, email, communities=(), locale="en"):
    """Commit a staff account (``role``) with an e-mail address and no phone."""
    with app.app_context():
        person = Person(full_name=username, phone=None, email=email,
                        community_id=world["community"])
        db.session.add(person)
        db.session.flush()
        account = Account(role=role, username=username, person_id=person.id, locale=locale)
        db.session.add(account)
        db.session.flush()
        for cid in communities:
            db.session.add(CoordinatorScope(account_id=account.id, community_id=cid))
        db.session.commit()
        account_id = account.id
        db.session.remove()
        return account_id


def plan_digests(app, n, now=None):
    """Commit ``n`` due digest e-mails (one per made-up coordinator) at ``now`` (the real
    clock by default: the scheduler processes that send them run on it)."""
    now = now or datetime.now(timezone.utc)
    payload = {"locale": "zh_CN", "unfilled": [], "swaps": [], "withdrawals": [],
               "unfilled_total": 1, "swaps_total": 0, "withdrawals_total": 0,
               "missing_total": 1, "period": "p"}
    with app.app_context():
        begin_write(db.session)
        insert_deliveries(db.session, [delivery_row(
            kind="digest", recipient=f"a{i}", subject="2026-01-01", channel="email", now=now,
            due=now, payload=payload | {"email": f"c{i}@example.org"}, account_id=None,
            person_id=None) for i in range(n)])
        db.session.commit()
        db.session.remove()
