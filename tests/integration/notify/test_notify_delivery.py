"""Delivery through the real job functions when things go wrong: retries and back-off,
wrong settings, parallel deliverers, a message that cannot be written, a refused
recipient; also the horizon job and which assignments are announced. Real SMTP server,
real HTTP SMS gateway, a hand-moved clock, on each backend."""
from __future__ import annotations

import logging
import threading
from datetime import timedelta

import pytest

from coordinator.database import begin_write
from coordinator.extensions import db
from coordinator.jobs import senders, tasks
from coordinator.jobs.deliver import deliver_due
from coordinator.models import Account, Delivery, Person
from coordinator.services.notify.planning import delivery_row, insert_deliveries
from coordinator.services.shifts import signups
from tests.support.notify import (
    KEY,
    make_app,
    notes,
    rows,
    run,
    shift,
    sign,
    start_of_shift,
)
from tests.support.scheduling import NOW, ZONE, patrol, roles_of


def test_failed_sends_are_retried_with_backoff_then_marked_failed(napp, world, clock, sink,
                                                                  gateway):
    gateway.status = 500
    _, role = shift(napp, world)
    sign(napp, world, 1, role)
    clock.at = start_of_shift(clock) - timedelta(hours=23)
    waits = []
    for attempt in range(1, 6):
        tasks.sweep(napp)
        [row] = rows(napp, Delivery.channel == "sms")
        assert row.attempts == attempt
        assert "HTTP 500" in row.last_error and KEY not in row.last_error
        if attempt < 5:
            assert row.status == "pending"
            waits.append(row.next_attempt_at - clock.at)
            tasks.sweep(napp)  # not yet due: untouched
            assert rows(napp, Delivery.channel == "sms")[0].attempts == attempt
            clock.at = row.next_attempt_at
    assert waits == [timedelta(seconds=60 * 2 ** i) for i in range(4)]
    assert row.status == "failed"
    assert gateway.received == []


def test_wrong_settings_keep_messages_waiting_until_fixed(napp, world, clock, sink, gateway,
                                                          database_url, tmp_path, caplog):
    from coordinator.jobs.runner import check_channels
    gateway.key = "the-real-key"  # ours is wrong: HTTP 401
    _, role = shift(napp, world)
    sign(napp, world, 0, role)
    sign(napp, world, 1, role)
    broken = make_app(database_url, tmp_path, clock, sink, gateway,
                      MAIL_PORT=sink.port + 1 if sink.port < 65535 else 1)
    # Alembic's fileConfig (any "flask db upgrade" earlier in this process) disables
    # loggers that existed before it; the scheduler process never migrates.
    logging.getLogger("coordinator.scheduler").disabled = False
    with caplog.at_level("ERROR", logger="coordinator.scheduler"):
        found = check_channels(broken)
    assert found["email"].code == "unreachable" and found["sms"] is None
    assert "email channel NOT usable" in caplog.text
    clock.at = start_of_shift(clock) - timedelta(hours=23)
    tasks.sweep(broken)
    waiting = rows(napp, Delivery.channel.in_(("email", "sms")))
    assert [(r.status, r.attempts) for r in waiting] == [("pending", 0)] * 2
    with napp.app_context():
        from coordinator.services.notify.deliveries import get_status
        assert get_status(db.session, "channel:sms")["code"] == "rejected"
        assert get_status(db.session, "channel:email")["code"] == "unreachable"
        db.session.remove()
    gateway.key = KEY
    tasks.sweep(napp)  # settings fixed
    assert len(sink.messages) == 1 and len(gateway.received) == 1
    assert {r.status for r in rows(napp)} == {"sent"}


def test_concurrent_deliverers_never_send_twice(napp, world, clock, sink, gateway):
    payload = {"locale": "zh_CN", "unfilled": [], "swaps": [], "withdrawals": [],
               "unfilled_total": 1, "swaps_total": 0, "withdrawals_total": 0,
               "missing_total": 1, "period": "x"}
    with napp.app_context():
        begin_write(db.session)
        insert_deliveries(db.session, [delivery_row(
            kind="digest", recipient=f"a{i}", subject="2026-01-01", channel="email",
            now=clock.at, due=clock.at, payload=payload | {"email": f"c{i}@example.org"},
            account_id=None, person_id=None) for i in range(120)])
        db.session.commit()
        db.session.remove()
    napp.config["NOTIFY_BATCH"] = 7
    errors = []

    def worker():
        try:
            with napp.app_context():
                deliver_due(napp, senders(napp))
        except Exception as exc:  # noqa: BLE001
            errors.append(exc)

    threads = [threading.Thread(target=worker) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    ids = sink.message_ids()
    assert len(ids) == 120 and len(set(ids)) == 120
    assert {r.status for r in rows(napp)} == {"sent"}


def test_horizon_job_extends_every_series(napp, world, clock):
    with napp.app_context():
        series = patrol(world, until_days=None)
        before = len(roles_of(series))
        db.session.remove()
    clock.advance(weeks=2)
    assert tasks.horizon(napp) > 0
    with napp.app_context():
        assert len(roles_of(series)) > before
        db.session.remove()
    assert tasks.horizon(napp) == 0


def test_a_message_that_cannot_be_written_goes_back_to_waiting(napp, world, clock, sink,
                                                               gateway, monkeypatch):
    from coordinator.jobs import deliver

    _, role = shift(napp, world)
    sign(napp, world, 1, role)
    clock.at = start_of_shift(clock) - timedelta(hours=23)

    def broken(rows, settings):
        raise RuntimeError("template bug")

    monkeypatch.setattr(deliver, "compose", broken)
    with pytest.raises(RuntimeError, match="template bug"):
        tasks.sweep(napp)
    assert {(r.status, r.claim_token) for r in rows(napp)} == {("pending", None)}
    monkeypatch.undo()
    tasks.sweep(napp)
    assert {r.status for r in rows(napp)} == {"sent"} and len(gateway.received) == 1


def test_staff_assignment_is_announced_but_signing_up_oneself_is_not(napp, world, clock,
                                                                      sink, gateway):
    _, role = shift(napp, world)
    sign(napp, world, 1, role)  # by oneself: no notice
    run(napp, lambda s: signups.sign_up(s, s.get(Account, world["coordinator"]), role, NOW,
                                        person_id=world["people"][2], zone=ZONE))
    tasks.sweep(napp)
    assert [m["to"] for m in gateway.received] == ["13900000002"]
    assert gateway.received[0]["text"].startswith("已为您安排：晚间巡逻")
    [(kind, title, body)] = notes(napp, world["accounts"][2])
    assert kind == "notice" and "巡逻队员" in body
    assert notes(napp, world["accounts"][1]) == []


def test_a_refused_recipient_is_a_failed_try_not_a_broken_channel(napp, world, clock, sink,
                                                                 gateway):
    with napp.app_context():
        db.session.get(Person, world["people"][2]).email = "nobody@refuse.invalid"
        db.session.commit()
        db.session.remove()
    _, role = shift(napp, world)
    sign(napp, world, 0, role)
    sign(napp, world, 2, role)
    clock.at = start_of_shift(clock) - timedelta(hours=23)
    tasks.sweep(napp)
    refused = rows(napp, Delivery.person_id == world["people"][2],
                   Delivery.channel == "email")[0]
    assert (refused.status, refused.attempts) == ("pending", 1)
    assert "recipient refused" in refused.last_error
    assert len(sink.to("member0@example.org")) == 1  # the channel still works for others
