"""The real ``flask scheduler`` process: killed with SIGKILL mid-run and started again,
and two of them at once. A real SMTP server counts what arrives; nothing may arrive
twice, and nothing may be lost except at most one message per sender thread and kill,
which is marked failed ("may have been delivered") for an admin instead of being sent a
second time."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import func, select

from coordinator.extensions import db
from coordinator.models import Delivery
from coordinator.services.notify.deliveries import UNCERTAIN, message_id
from tests.support.notify import SmtpSink, plan_digests

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parents[3]
FLASK = str(Path(sys.executable).with_name("flask"))
N = 150
DOMAIN = "vol.example.org"  # the UID and Message-ID domain: the host of its PUBLIC_URL
THREADS = 2  # sender threads per scheduler: each may have one message in flight


def _env(database_url, tmp_path, sink, **extra):
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("COORDINATOR_") and k != "DATABASE_URL"}
    env.update({"FLASK_APP": "app.py", "DATABASE_URL": database_url, "SECRET_KEY": "x",
                "COORDINATOR_INSTANCE_PATH": str(tmp_path / "instance"),
                "COORDINATOR_PUBLIC_URL": f"https://{DOMAIN}",
                "COORDINATOR_MAIL_SERVER": "127.0.0.1",
                "COORDINATOR_MAIL_PORT": str(sink.port),
                "COORDINATOR_NOTIFY_SWEEP_SECONDS": "1",
                "COORDINATOR_NOTIFY_STALE_CLAIM_SECONDS": "2",
                "COORDINATOR_NOTIFY_BATCH": "20",
                "COORDINATOR_NOTIFY_SENDER_THREADS": str(THREADS),
                "COORDINATOR_SCHEDULER_LOCK_POLL_SECONDS": "0.3",
                # Quiet hours off: the suite runs at any hour.
                "COORDINATOR_QUIET_HOURS_START": "00:00",
                "COORDINATOR_QUIET_HOURS_END": "00:00"})
    env.update(extra)
    return env


class Scheduler:
    """One real ``flask scheduler`` process with its log in a file."""

    def __init__(self, env, log: Path):
        self.log = log
        self.proc = subprocess.Popen([FLASK, "scheduler"], cwd=ROOT, env=env,
                                     stdout=log.open("w"), stderr=subprocess.STDOUT)

    def text(self) -> str:
        return self.log.read_text()

    def kill(self):
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(10)

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(10)


def _wait(condition, timeout=90.0, what=""):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


def _open(app) -> int:
    with app.app_context():
        n = db.session.scalar(select(func.count()).select_from(Delivery).where(
            Delivery.status.in_(("pending", "claimed"))))
        db.session.remove()
        return n


def _check_exactly_once(app, sink, kills: int):
    ids = sink.message_ids()
    assert len(ids) == len(set(ids)), "a message arrived twice"
    with app.app_context():
        rows = db.session.execute(select(Delivery.id, Delivery.dedup_key, Delivery.status,
                                         Delivery.last_error)).all()
        db.session.remove()
    sent = {message_id(i, k, DOMAIN) for i, k, s, _ in rows if s == "sent"}
    uncertain = [(i, k) for i, k, s, e in rows if s == "failed"]
    assert all(e == UNCERTAIN for _, _, s, e in rows if s == "failed")
    assert {s for _, _, s, _ in rows} <= {"sent", "failed"}
    assert len(rows) == N and len(uncertain) <= kills * THREADS
    assert sent <= set(ids), "a message marked sent never arrived"
    arrived_unrecorded = set(ids) - sent
    assert arrived_unrecorded <= {message_id(i, k, DOMAIN) for i, k in uncertain}
    return len(uncertain)


def test_killed_mid_run_and_restarted_sends_nothing_twice(app, database_url, tmp_path):
    plan_digests(app, N)
    with SmtpSink(delay=0.02) as sink:
        env = _env(database_url, tmp_path, sink)
        first = Scheduler(env, tmp_path / "first.log")
        try:
            _wait(lambda: len(sink.messages) >= 40, what="the first messages")
            first.kill()  # SIGKILL: no clean-up of any kind
        finally:
            first.stop()
        at_kill = len(sink.messages)
        assert at_kill < N, "the run finished before it could be killed"
        second = Scheduler(env, tmp_path / "second.log")
        try:
            _wait(lambda: _open(app) == 0, what="every message to be handled")
        finally:
            second.stop()
        _check_exactly_once(app, sink, kills=1)
        assert "scheduler lock taken" in second.text()


def test_a_second_scheduler_waits_for_the_first_then_takes_over(app, database_url,
                                                                tmp_path):
    plan_digests(app, N)
    with SmtpSink(delay=0.03) as sink:
        env = _env(database_url, tmp_path, sink)
        first = Scheduler(env, tmp_path / "first.log")
        second = None
        try:
            _wait(lambda: "scheduler lock taken" in first.text(), 60, "the first lock")
            _wait(lambda: len(sink.messages) >= 10, what="the first messages")
            second = Scheduler(env, tmp_path / "second.log")
            _wait(lambda: "another scheduler holds" in second.text(), 60,
                  "the second to wait")
            assert "scheduler started" not in second.text()
            first.kill()
            _wait(lambda: "lock taken after waiting" in second.text(), 60,
                  "the second to take over")
            _wait(lambda: _open(app) == 0, what="every message to be handled")
        finally:
            first.stop()
            if second is not None:
                second.stop()
        _check_exactly_once(app, sink, kills=1)


def test_two_schedulers_running_at_once_still_send_each_message_once(app, backend,
                                                                     database_url,
                                                                     tmp_path):
    """A configuration mistake: two hosts, two lock files, one SQLite database. The lock
    cannot help; the conditional claim must."""
    if backend != "sqlite":
        pytest.skip("the PostgreSQL lock is in the database: it cannot be split")
    plan_digests(app, N)
    with SmtpSink(delay=0.01) as sink:
        one = Scheduler(_env(database_url, tmp_path, sink,
                             COORDINATOR_SCHEDULER_LOCK_FILE=str(tmp_path / "a.lock")),
                        tmp_path / "one.log")
        two = Scheduler(_env(database_url, tmp_path, sink,
                             COORDINATOR_SCHEDULER_LOCK_FILE=str(tmp_path / "b.lock")),
                        tmp_path / "two.log")
        try:
            _wait(lambda: _open(app) == 0, what="every message to be handled")
        finally:
            one.stop()
            two.stop()
        assert "scheduler started" in one.text() and "scheduler started" in two.text()
        assert _check_exactly_once(app, sink, kills=0) == 0
        assert len(sink.messages) == N
