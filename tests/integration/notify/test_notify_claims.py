"""The delivery loop against the claims of others: a live claim recovered as stale is never
sent twice, and a volunteer's current choices win over what was planned. Real SMTP server,
real HTTP gateway, hand-moved clock, on each backend (fixtures in this folder's conftest)."""
from __future__ import annotations

import asyncio
import threading
from datetime import timedelta

from coordinator.database import begin_write
from coordinator.extensions import db
from coordinator.jobs import senders, tasks
from coordinator.jobs.deliver import deliver_due
from coordinator.models import Account
from coordinator.services.notify.deliveries import recover_stale
from tests.support.notify import (
    SinkHandler,
    SmtpSink,
    make_app,
    notes,
    plan_digests,
    rows,
    shift,
    sign,
    start_of_shift,
)


def _plan_digests(app, at, n):
    plan_digests(app, n, now=at)


class Gate(SinkHandler):
    """The sink's handler, holding the ``at``-th message in DATA until ``release`` is set
    (awaiting, so the server keeps serving other connections meanwhile)."""

    def __init__(self, sink, at: int):
        super().__init__(sink)
        self.at, self.seen = at, 0
        self.reached, self.release = threading.Event(), threading.Event()

    async def handle_DATA(self, server, session, envelope):  # noqa: N802
        self.seen += 1
        if self.seen == self.at:
            self.reached.set()
            while not self.release.is_set():
                await asyncio.sleep(0.01)
        return await super().handle_DATA(server, session, envelope)


def test_a_live_claim_recovered_as_stale_is_not_sent_twice(database_url, tmp_path, clock,
                                                            gateway):
    # The reviewer's probe: a batch of 10, the clock moved past NOTIFY_STALE_CLAIM_SECONDS
    # (900) while the first sender is still sending its 3rd message, and a second sweep
    # recovering its claim. Before the fix: 17 e-mails, 7 of them duplicates.
    server = SmtpSink()
    server.controller.handler = gate = Gate(server, at=3)
    with server:
        app = make_app(database_url, tmp_path, clock, server, gateway, NOTIFY_BATCH=10)
        _plan_digests(app, clock.at, 10)
        errors: list[BaseException] = []

        def first_sender():
            try:
                with app.app_context():
                    deliver_due(app, senders(app))
                    db.session.remove()
            except BaseException as exc:  # noqa: BLE001 — checked below
                errors.append(exc)

        worker = threading.Thread(target=first_sender)
        worker.start()
        try:
            assert gate.reached.wait(20)
            clock.advance(seconds=1000)
            report = tasks.sweep(app, channel_senders=senders(app))
        finally:
            gate.release.set()
            worker.join(30)
        assert not worker.is_alive() and errors == []
        ids = server.message_ids()
        with app.app_context():
            db.engine.dispose()
    assert len(ids) == len(set(ids)), f"{len(ids) - len(set(ids))} duplicates of {len(ids)}"
    assert len(ids) == 10
    # The second sweep took over the seven the first had not reached; the one in flight,
    # marked "may have been delivered", is settled by its sender's late "sent".
    assert (report["requeued"], report["uncertain"], report["sent"]) == (7, 1, 7)
    assert {r.status for r in rows(app)} == {"sent"}


def test_a_sender_keeps_its_claim_alive_while_it_works(napp, clock, sink):
    # Each recorded outcome refreshes the claim: a sender working through a batch for
    # longer than NOTIFY_STALE_CLAIM_SECONDS (900) is not taken for dead while it works.
    _plan_digests(napp, clock.at, 4)
    recovered: list[tuple[int, int]] = []

    def recover():  # another scheduler's sweep, on its own connection
        with napp.app_context():
            begin_write(db.session)
            recovered.append(recover_stale(db.session, clock.at, 900))
            db.session.commit()
            db.session.remove()

    class Slow:
        def __init__(self, inner):
            self.inner = inner

        def send(self, message):
            clock.advance(seconds=600)  # each message "takes" ten minutes
            other = threading.Thread(target=recover)
            other.start()
            other.join()
            self.inner.send(message)

        def close(self):
            self.inner.close()

    channel = senders(napp)
    channel["email"] = Slow(channel["email"])
    with napp.app_context():
        report = deliver_due(napp, channel)
        db.session.remove()
    assert recovered == [(0, 0)] * 4
    assert report["sent"] == 4 and len(set(sink.message_ids())) == 4
    assert {r.status for r in rows(napp)} == {"sent"}


def _choose(app, account_id, **values):
    with app.app_context():
        account = db.session.get(Account, account_id)
        for key, value in values.items():
            setattr(account, key, value)
        db.session.commit()
        db.session.remove()


def test_choices_changed_after_planning_are_followed_at_send_time(napp, world, clock, sink,
                                                                  gateway):
    _, role = shift(napp, world, needed=4, maximum=4)
    for i in range(4):
        sign(napp, world, i, role)
    clock.at = start_of_shift(clock) - timedelta(hours=23)
    stop = threading.Event()
    stop.set()  # plan only: the deliverer stops at once
    assert tasks.sweep(napp, stop=stop)["reminders_planned"] == 8
    a, p = world["accounts"], world["people"]
    _choose(napp, a[0], notify_email=False)  # e-mail off: in-app only
    _choose(napp, a[1], notify_sms=False)  # SMS off: in-app only
    _choose(napp, a[2], remind_24h=False)  # no day-before reminder at all
    tasks.sweep(napp)
    status = {(r.person_id, r.channel): (r.status, r.last_error) for r in rows(napp)}
    off = ("skipped", "turned off by the recipient")
    assert status[(p[0], "email")] == off and status[(p[1], "sms")] == off
    assert status[(p[2], "app")] == off and status[(p[2], "sms")] == off
    assert status[(p[0], "app")][0] == status[(p[1], "app")][0] == "sent"
    assert status[(p[3], "app")][0] == status[(p[3], "sms")][0] == "sent"
    assert sink.messages == []
    assert [m["to"] for m in gateway.received] == ["13900000003"]
    assert notes(napp, a[2]) == [] and len(notes(napp, a[1])) == 1


def _in_threads(app, threads: int, work) -> list:
    """Run ``work(n)`` for n in 0..threads-1, each on its own thread in its own app context;
    return the exceptions raised."""
    import threading

    errors = []

    def run(n):
        try:
            with app.app_context():
                work(n)
                db.session.remove()
        except Exception as exc:  # noqa: BLE001 — collected and returned
            errors.append(exc)

    workers = [threading.Thread(target=run, args=(n,)) for n in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    return errors


def test_parallel_senders_record_a_channel_s_health_at_once(app):
    """Sender threads record the same channel's health at the same moment (the benchmark
    crashed on PostgreSQL with a duplicate key when this was check-then-insert)."""
    import threading

    from coordinator.database import begin_write
    from coordinator.services.notify.deliveries import get_status, set_status
    threads, keys = 6, [f"channel:test{i}" for i in range(15)]
    start = threading.Barrier(threads)

    def work(n):
        start.wait()
        for key in keys:
            begin_write(db.session)
            set_status(db.session, key, {"ok": True, "by": n})
            db.session.commit()

    assert _in_threads(app, threads, work) == []
    with app.app_context():
        assert all(get_status(db.session, key)["ok"] for key in keys)
        begin_write(db.session)
        set_status(db.session, keys[0], {"ok": False})
        assert get_status(db.session, keys[0]) == {"ok": False}  # read back in-session
        db.session.commit()


def test_of_parallel_senders_meeting_one_channel_problem_one_reports_it(app):
    """Each sender thread that meets a refusing relay records it; the admin log must get
    one line per change, not one per thread (a full run once logged it twice)."""
    import threading
    from datetime import datetime, timezone

    from coordinator.database import begin_write
    from coordinator.jobs.deliver import record_channel
    from coordinator.services.notify.channels import ChannelError
    threads, problems = 6, [f"530 5.7.0 Authentication required ({i})" for i in range(10)]
    start, changed = threading.Barrier(threads), []

    def work(_n):
        for detail in problems:
            start.wait()
            begin_write(db.session)
            if record_channel(db.session, "email", datetime.now(timezone.utc),
                              ChannelError("relay_refused", detail)):
                changed.append(detail)
            db.session.commit()

    assert _in_threads(app, threads, work) == []
    assert sorted(changed) == sorted(problems)  # each change reported exactly once
