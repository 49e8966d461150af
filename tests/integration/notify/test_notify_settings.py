"""Wrong settings hold messages instead of failing them (an SMTP relay that refuses us, a
refused MAIL FROM, a gateway refusing the key), while one bad recipient stays one failed
try; and what the admins' page says about it. Real aiosmtpd server, real HTTP gateway."""
from __future__ import annotations

import logging
import socket
from datetime import timedelta

from coordinator.extensions import db
from coordinator.jobs import tasks
from coordinator.models import Account, Delivery, Person
from coordinator.services.notify.deliveries import get_status
from coordinator.services.people.accounts import hash_password
from tests.support.database import TEST_PASSWORD
from tests.support.notify import (
    KEY,
    SinkHandler,
    SmtpSink,
    make_app,
    rows,
    shift,
    sign,
    start_of_shift,
)
from tests.support.web import login

LOG = "coordinator.scheduler"


class Strict(SinkHandler):
    """The sink's handler, answering ``mail``/``rcpt`` (when set) as a relay set up to
    refuse us would; "@unknown.invalid" is an unknown mailbox (5.1.1)."""

    mail: str | None = None
    rcpt: str | None = None

    async def handle_MAIL(self, server, session, envelope, address, mail_options):  # noqa: N802
        if self.mail:
            return self.mail
        envelope.mail_from = address
        envelope.mail_options.extend(mail_options)
        return "250 OK"

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802
        if self.rcpt:
            return self.rcpt
        if address.endswith("@unknown.invalid"):
            return "550 5.1.1 <" + address + ">: no such user"
        return await super().handle_RCPT(server, session, envelope, address, rcpt_options)


def _strict_sink():
    server = SmtpSink()
    server.controller.handler = handler = Strict(server)
    return server, handler


def _email_rows(app):
    return [(r.person_id, r.status, r.attempts, r.last_error)
            for r in rows(app, Delivery.channel == "email")]


def _plan_reminders(napp, world, clock, *members):
    _, role = shift(napp, world, needed=4, maximum=4)
    for i in members:
        sign(napp, world, i, role)
    clock.at = start_of_shift(clock) - timedelta(hours=23)


def test_a_relay_refusing_us_holds_the_mail_and_a_bad_mailbox_is_one_failed_try(
        napp, world, clock, gateway, database_url, tmp_path, caplog):
    with napp.app_context():
        db.session.get(Person, world["people"][2]).email = "nobody@unknown.invalid"
        db.session.commit()
        db.session.remove()
    _plan_reminders(napp, world, clock, 0, 2)
    server, handler = _strict_sink()
    with server:
        app = make_app(database_url, tmp_path, clock, server, gateway)
        logging.getLogger(LOG).disabled = False
        for refusal, code in (("550 5.7.1 Relaying denied", "relay_refused"),
                              ("530 5.7.0 Authentication required", "relay_refused"),
                              ("553 5.1.8 Sender address rejected", "sender_refused")):
            handler.rcpt, handler.mail = (None, refusal) if "Sender" in refusal else (
                refusal, None)
            caplog.clear()
            with caplog.at_level("ERROR", logger=LOG):
                tasks.sweep(app)
                clock.advance(minutes=1)
                tasks.sweep(app)  # the same problem again: not logged again
            assert [r[1:3] for r in _email_rows(app)] == [("pending", 0)] * 2, refusal
            with app.app_context():
                seen = get_status(db.session, "channel:email")
                db.session.remove()
            assert seen["code"] == code and refusal.split()[1] in seen["detail"]
            assert caplog.text.count("email channel unusable") == 1, refusal
        handler.rcpt = handler.mail = None  # the relay is fixed
        tasks.sweep(app)
        assert len(server.to("member0@example.org")) == 1
        with app.app_context():
            assert get_status(db.session, "channel:email")["ok"] is True
            db.session.remove()
    found = {r[0]: r[1:] for r in _email_rows(app)}
    status, attempts, error = found[world["people"][2]]
    assert (status, attempts) == ("pending", 1)  # one failed try, retried later
    assert error.startswith("recipient refused: 550 5.1.1")  # the reply, masked on the page


def _sms_row(app):
    [row] = rows(app, Delivery.channel == "sms")
    return row


def test_the_gateway_refusing_the_key_holds_sms_other_answers_are_failed_tries(
        napp, world, clock, gateway, database_url, tmp_path):
    _plan_reminders(napp, world, clock, 1)
    for status in (401, 403):
        gateway.status = status
        tasks.sweep(napp)
        row = _sms_row(napp)
        assert (row.status, row.attempts) == ("pending", 0), status
        with napp.app_context():
            seen = get_status(db.session, "channel:sms")
            db.session.remove()
        assert seen["code"] == "rejected" and "SMS_KEY" in seen["detail"]
        assert KEY not in seen["detail"]
    tries = 0
    for status in (400, 503):  # a message the gateway will not take; the gateway is down
        gateway.status = status
        tasks.sweep(napp)
        tries += 1
        row = _sms_row(napp)
        assert (row.status, row.attempts) == ("pending", tries), status
        assert f"HTTP {status}" in row.last_error
        clock.at = row.next_attempt_at
    # A gateway that takes the connection and never answers: a timeout, a failed try.
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen()
        slow = make_app(database_url, tmp_path, clock, SmtpSink(), gateway,
                        SMS_URL=f"http://127.0.0.1:{silent.getsockname()[1]}/sms",
                        SMS_TIMEOUT=0.3)
        tasks.sweep(slow)
        with slow.app_context():
            db.engine.dispose()
    row = _sms_row(napp)
    assert (row.status, row.attempts) == ("pending", tries + 1)
    gateway.status = 200
    clock.at = row.next_attempt_at
    tasks.sweep(napp)
    assert _sms_row(napp).status == "sent" and len(gateway.received) == 1


def _admin_page(app, world):
    with app.app_context():
        db.session.get(Account, world["admin"]).password_hash = hash_password(TEST_PASSWORD)
        db.session.commit()
        db.session.remove()
    client = app.test_client()
    login(client, "admin")
    return client.get("/admin/deliveries").get_data(as_text=True)


def test_admin_page_names_kinds_channels_and_recipients_without_full_addresses(
        napp, world, clock):
    p, a = world["people"], world["accounts"]
    with napp.app_context():
        db.session.add_all([
            Delivery(kind="reminder24", dedup_key="k1", channel="sms", status="failed",
                     attempts=5, last_error="gateway answered HTTP 500",
                     payload={"phone": "13900000001"}, person_id=p[1], account_id=a[1]),
            Delivery(kind="notice", dedup_key="k2", channel="email", status="failed",
                     attempts=5, last_error="recipient refused: 550 5.1.1 no such user",
                     payload={"email": "member0@example.org"}, person_id=p[0],
                     account_id=a[0]),
            Delivery(kind="digest", dedup_key="k3", channel="app", status="failed",
                     attempts=1, last_error="x", payload={}, account_id=world["coordinator"])])
        db.session.commit()
        db.session.remove()
    page = _admin_page(napp, world)
    failed = page[page.index('id="failed-h"'):]
    assert "提前一天的提醒" in failed and "变动通知" in failed and "每日摘要" in failed
    assert "短信" in failed and "电子邮箱" in failed
    assert "reminder24" not in failed and ">sms<" not in failed and ">notice<" not in failed
    assert "队员1" in failed and "队员0" in failed and "coord" in failed
    assert "139****0001" in failed and "m***@example.org" in failed
    assert "13900000001" not in page and "member0@example.org" not in page
    # SMS is configured but has sent nothing: the page says the first message checks the key.
    assert "第一条短信" in page


def test_admin_page_stops_hinting_once_an_sms_went_out(napp, world, clock):
    with napp.app_context():
        db.session.add(Delivery(kind="notice", dedup_key="k1", channel="sms", status="sent",
                                attempts=1, payload={}))
        db.session.commit()
        db.session.remove()
    assert "第一条短信" not in _admin_page(napp, world)
