"""Real receivers for message tests: an SMTP server (aiosmtpd) and an HTTP SMS gateway
(http.server in a thread), both on free loopback ports; and a controllable clock."""
from __future__ import annotations

import email
import json
import socket
import threading
import time
from datetime import datetime, timedelta
from email import policy
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from aiosmtpd.controller import Controller


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


class _Handler:
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
        self.controller = Controller(_Handler(self), hostname="127.0.0.1", port=self.port)

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
