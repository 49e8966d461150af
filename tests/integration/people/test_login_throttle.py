"""Failed logins are throttled per account and per client address, in the database: a
burst is refused without hashing, the right password waits out the lockout, the rule
holds across app processes, and an unknown name is answered exactly like a known one."""
from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone

import pytest
from argon2 import PasswordHasher

from coordinator import create_app
from coordinator.extensions import db
from coordinator.services.people import accounts
from tests.support.database import FAST_ARGON2
from tests.support.web import login

START = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)
LOCKED = "尝试次数太多，请在 15 分钟后再试。"
WRONG = "用户名、手机号或密码不正确。"


class CountingHasher(PasswordHasher):
    """The real Argon2 hasher, counting the passwords it checks."""

    calls = 0

    def verify(self, hash, password):  # noqa: A002 — argon2's own parameter name
        self.calls += 1
        return super().verify(hash, password)


class Clock:
    def __init__(self):
        self.now = START

    def __call__(self):
        return self.now


@pytest.fixture
def clock(app):
    app.config["NOW"] = clock = Clock()
    return clock


@pytest.fixture
def hasher(app, monkeypatch):
    spy = CountingHasher(time_cost=1, memory_cost=8, parallelism=1)
    monkeypatch.setattr(accounts, "_hasher", spy)
    return spy


@pytest.fixture
def user(make):
    return make.account("coordinator", "coord1", communities=[make.community()])


def client_at(app, **environ):
    """A test client whose requests carry these WSGI environ values (e.g. REMOTE_ADDR)."""
    client = app.test_client()
    client.environ_base.update(environ)
    return client


def message(response) -> str:
    """The error the login form shows."""
    for text in (LOCKED, WRONG):
        if text in response.get_data(as_text=True):
            return text
    found = re.search(r"尝试次数太多[^<]*", response.get_data(as_text=True))
    return found.group(0) if found else ""


def test_a_burst_of_wrong_passwords_is_refused_without_hashing(app, clock, hasher, user):
    client = app.test_client()
    answers = [login(client, "coord1", f"wrong guess {i}") for i in range(200)]
    assert [r.status_code for r in answers[:5]] == [200] * 5
    assert all(message(r) == WRONG for r in answers[:5])
    assert all(r.status_code == 429 and message(r) == LOCKED for r in answers[5:])
    assert answers[5].headers["Retry-After"] == "900"
    assert hasher.calls == 5  # the 195 refused attempts hashed nothing
    right = login(client, "coord1")
    assert right.status_code == 429 and message(right) == LOCKED
    assert hasher.calls == 5
    assert client.get("/").status_code == 302  # not logged in


def test_the_right_password_works_once_the_lockout_has_passed(app, clock, hasher, user):
    client = app.test_client()
    for i in range(5):
        login(client, "coord1", f"wrong guess {i}")
    clock.now = START + timedelta(minutes=10)
    later = login(client, "coord1")
    assert later.status_code == 429 and "请在 5 分钟后再试" in later.get_data(as_text=True)
    clock.now = START + timedelta(minutes=15)
    assert login(client, "coord1").status_code == 302
    assert client.get("/").status_code == 200


def test_each_lockout_in_a_row_lasts_twice_as_long(app, clock, hasher, user):
    client = app.test_client()
    for i in range(5):
        login(client, "coord1", f"wrong guess {i}")
    clock.now = START + timedelta(minutes=15)
    for i in range(5):
        login(client, "coord1", f"wrong again {i}")
    clock.now += timedelta(minutes=29)
    assert "请在 1 分钟后再试" in login(client, "coord1").get_data(as_text=True)
    clock.now += timedelta(minutes=1)
    assert login(client, "coord1").status_code == 302


def test_a_successful_login_forgets_the_accounts_failures(app, clock, hasher, user):
    client = app.test_client()
    for i in range(4):
        login(client, "coord1", f"wrong guess {i}")
    assert login(client, "coord1").status_code == 302
    other = app.test_client()
    for i in range(4):
        assert login(other, "coord1", f"wrong again {i}").status_code == 200
    assert login(other, "coord1").status_code == 302


def test_the_phone_number_and_the_username_share_one_count(app, clock, hasher, make):
    person = make.person(make.community(), phone="13912345678")
    make.account("volunteer", "xiuying", person=person)
    client = app.test_client()
    for identifier in ("xiuying", "13912345678", "+86 139-1234-5678", "XIUYING", "139 1234 5678"):
        assert login(client, identifier, "wrong guess").status_code == 200
    assert login(client, "xiuying").status_code == 429


def test_an_unknown_name_is_answered_exactly_like_a_known_one(app, clock, hasher, user):
    def answers(identifier, address):
        client = client_at(app, REMOTE_ADDR=address)
        seen = []
        for i in range(7):
            response = login(client, identifier, f"wrong guess {i}")
            seen.append((response.status_code, message(response),
                         response.headers.get("Retry-After")))
        return seen

    before = hasher.calls
    known = answers("coord1", "203.0.113.1")
    known_hashes, before = hasher.calls - before, hasher.calls
    unknown = answers("nobody-here", "203.0.113.2")
    assert known == unknown
    assert known_hashes == hasher.calls - before == 5  # a dummy hash only under the limit
    assert [status for status, _, _ in known] == [200] * 5 + [429] * 2


def test_one_address_trying_many_accounts_is_refused(app, clock, hasher, user):
    client = client_at(app, REMOTE_ADDR="198.51.100.7")
    for i in range(20):
        assert login(client, f"name{i}", "wrong guess").status_code == 200
    refused = login(client, "coord1")  # even the right password of a fresh account
    assert refused.status_code == 429 and message(refused) == LOCKED
    assert hasher.calls == 20
    elsewhere = client_at(app, REMOTE_ADDR="198.51.100.8")
    assert login(elsewhere, "coord1").status_code == 302


def test_the_limit_holds_across_two_app_processes(app, database_url, tmp_path, clock, user,
                                                  monkeypatch):
    second = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": database_url,
                         "SECRET_KEY": "test-secret", "INSTANCE_PATH": str(tmp_path / "two"),
                         "NOW": clock, **FAST_ARGON2})
    try:
        first_client, second_client = app.test_client(), second.test_client()
        for i in range(3):
            assert login(first_client, "coord1", f"wrong guess {i}").status_code == 200
        for i in range(2):
            assert login(second_client, "coord1", f"wrong again {i}").status_code == 200
        assert login(first_client, "coord1").status_code == 429
        assert login(second_client, "coord1").status_code == 429
    finally:
        with second.app_context():
            db.engine.dispose()


def test_behind_a_trusted_proxy_each_client_has_its_own_address(database_url, tmp_path, clock,
                                                                 make):
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": database_url,
                      "SECRET_KEY": "test-secret", "INSTANCE_PATH": str(tmp_path / "proxy"),
                      "NOW": clock, "TRUSTED_PROXIES": 1, "LOGIN_ADDRESS_MAX_FAILURES": 3,
                      **FAST_ARGON2})
    make.app = app
    make.account("admin", "admin1")
    try:
        def client(forwarded):
            return client_at(app, HTTP_X_FORWARDED_FOR=forwarded)

        guesser = client("203.0.113.9")
        for i in range(3):
            login(guesser, f"name{i}", "wrong guess")
        assert login(guesser, "admin1").status_code == 429
        # Another client behind the same proxy is not locked out with the guesser; a
        # forged header in front of the proxy's own changes nothing.
        assert login(client("203.0.113.10"), "admin1").status_code == 302
        assert login(client("198.51.100.1, 203.0.113.9"), "admin1").status_code == 429
    finally:
        with app.app_context():
            db.engine.dispose()



def test_parallel_guesses_cannot_slip_under_the_limit(app, clock, hasher, user, monkeypatch):
    import threading
    from concurrent.futures import ThreadPoolExecutor

    lock = threading.Lock()
    real_verify = hasher.verify

    def verify(hash, password):  # noqa: A002
        with lock:
            return real_verify(hash, password)

    monkeypatch.setattr(hasher, "verify", verify)

    def guess(i):
        client = app.test_client()
        return login(client, "coord1", f"wrong guess {i}").status_code

    with ThreadPoolExecutor(max_workers=8) as pool:
        statuses = list(pool.map(guess, range(16)))
    assert sorted(statuses) == [200] * 5 + [429] * 11
    assert hasher.calls == 5


def test_failed_logins_leave_the_feeds_data_version_alone(app, clock, hasher, user):
    """A throttle row is nothing a feed shows: counting failures must not make every
    calendar poll miss its 304 (a stream of wrong guesses would do that to all feeds)."""
    from coordinator import versioning

    def version():
        with app.app_context():
            return versioning.read(db.session.connection())

    before = version()
    client = app.test_client()
    for i in range(3):
        login(client, "coord1", f"wrong guess {i}")
    assert version() == before
