"""Links and UIDs come from configuration only, never from the request's Host header: a
client that sends ``Host: evil.example`` finds nothing of it in any feed (nor in what the
feed cache later serves to everyone else), page, PDF, e-mail or SMS, and a feed read as
localhost and as 127.0.0.1 is the same bytes. Two apps on one database configured with
different addresses each get their own links and UIDs from the shared feed cache."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest

from coordinator import create_app
from coordinator.extensions import db
from coordinator.jobs import tasks
from coordinator.models import Account, Community, Person
from tests.support.database import FAST_ARGON2
from tests.support.feeds import (
    COORD_PHONE,
    add_series,
    forget_process_memory,
    patrol_world,
    sign,
    subscribe,
    unfolded,
    vevents,
)
from tests.support.notify import Clock, make_app
from tests.support.scheduling import NOW
from tests.support.web import login, post

EVIL = "evil.example"
PUBLIC = "https://vol.example.org"
URL = re.compile(rb"(?:https?|webcal)://[^\s\"'<>\\]+")


@pytest.fixture
def clock():
    return Clock(NOW)


@pytest.fixture(params=[None, PUBLIC])
def happ(request, database_url, tmp_path, clock, sink, gateway):
    """The app with PUBLIC_URL set, and without (under TESTING: http://localhost)."""
    app = make_app(database_url, tmp_path, clock, sink, gateway, PUBLIC_URL=request.param)
    yield app
    with app.app_context():
        db.engine.dispose()


def _world(app) -> dict:
    """The patrol world; member 0 (with e-mail) on the first two dates, member 1 on the
    second, a public talk in
    a community whose public feed is on, and a token for every private feed kind."""
    w = patrol_world(app)
    with app.app_context():
        db.session.get(Person, w["people"][0]).email = "member0@example.org"
        db.session.get(Community, w["community"]).is_public_feed = True
        db.session.commit()
        add_series(w, w["coordinator"], w["community"], "公开讲座", is_public=True)
        sign(w["accounts"][0], w["roles"][0])
        sign(w["accounts"][0], w["roles"][1])
        sign(w["accounts"][1], w["roles"][1])  # a phone only: told by SMS
        w["feeds"] = [
            f"/feeds/{subscribe(w['accounts'][0])}.ics",
            f"/feeds/{subscribe(w['accounts'][0], 'team', w['team'])}.ics",
            f"/feeds/{subscribe(w['coordinator'], 'community', w['community'])}.ics",
            f"/feeds/{subscribe(w['leader'], 'organisation')}.ics",
            "/feeds/public/C01.ics",
        ]
    return w


class _Foreign:
    """A client whose every request names the foreign host (and its cookies follow)."""

    def __init__(self, app):
        self.client = app.test_client()

    def get(self, path, **kw):
        return self.client.get(path, **self._kw(kw))

    def post(self, path, **kw):
        return self.client.post(path, **self._kw(kw))

    @staticmethod
    def _kw(kw: dict) -> dict:
        return {**kw, "base_url": f"http://{EVIL}", "headers": {"X-Forwarded-Host": EVIL}}


def _clean(what: str, data: bytes, base: str, headers=None) -> None:
    """Nothing of the foreign host, and every absolute link on ``base``'s host."""
    data = data.replace(b"\r\n ", b"")  # iCalendar folds long lines
    text = data + str(headers or "").encode()
    at = text.find(EVIL.encode())
    assert at < 0, (f"{what} names the request's host", text[max(0, at - 200):at + 50])
    host = base.split("://", 1)[1].encode()
    wrong = [u for u in URL.findall(data) if u.split(b"://", 1)[1].split(b"/", 1)[0] not in
             (host, b"www.w3.org")]  # an SVG's namespace is no link
    assert not wrong, (what, wrong[:3])


def _decoded(mail) -> bytes:
    """A message's headers and every part's decoded content (base64 hides a host)."""
    out = [str(mail.items()).encode()]
    for part in mail.walk():
        if not part.is_multipart():
            content = part.get_content()
            out.append(content if isinstance(content, bytes) else content.encode())
    return b"\n".join(out)


def test_a_foreign_host_reaches_no_feed_page_pdf_email_or_sms(happ, clock, sink, gateway):
    w = _world(happ)
    evil = _Foreign(happ)
    base = happ.config["PUBLIC_URL"] or "http://localhost"  # TESTING's default
    domain = base.split("://", 1)[1]
    first = {}
    for path in w["feeds"]:  # the first reader of each feed sends the foreign host
        response = evil.get(path)
        assert response.status_code == 200, path
        _clean(path, response.data, base, response.headers)
        first[path] = response.data
        assert all(uid.endswith("@" + domain) for uid in vevents(response.data)), path
    honest = happ.test_client()
    for path in w["feeds"]:  # everyone after gets the same bytes (from the cache)
        assert honest.get(path).data == first[path], path
    forget_process_memory(happ)
    for path in w["feeds"]:  # and from the shared table, as another process serves them
        assert honest.get(path).data == first[path], path
    assert f"{base}/".encode() in first[w["feeds"][0]]  # the feed has links

    assert login(evil, COORD_PHONE).status_code == 302
    post(evil, "/calendar/link", {"scope": "community", "scope_id": w["community"]},
         token_from="/calendar")
    with happ.app_context():
        occ = w["occ"][1]
    pages = ["/", "/calendar", "/plan", "/plan/gaps", f"/occurrences/{occ}", "/people",
             "/notifications", "/series", "/shifts/open", "/swaps", "/no-such-page",
             "/plan/print.pdf"]
    for path in pages:
        response = evil.get(path)
        assert response.status_code in (200, 404), (path, response.status_code)
        _clean(path, response.data, base, response.headers)
    calendar = evil.get("/calendar").data
    assert f"{base}/feeds/public/C01.ics".encode() in calendar
    assert f"webcal://{domain}/feeds/".encode() in calendar

    # A change made through the foreign host: the notices it sends, then a reminder.
    response = post(evil, f"/occurrences/{occ}/cancel", {"reason": "暴雨"},
                    token_from=f"/occurrences/{occ}")
    assert response.status_code == 302
    assert tasks.sweep(happ)["sent"] >= 1
    clock.at = NOW.replace(hour=11, minute=30) + timedelta(days=1) - timedelta(hours=23)
    assert tasks.sweep(happ)["sent"] >= 1
    mails = sink.to("member0@example.org")
    assert len(mails) >= 2, [m["Subject"] for m in mails]
    for mail in mails:
        _clean(f"e-mail {mail['Subject']}", _decoded(mail), base)
    assert any(f"{base}/".encode() in _decoded(m) for m in mails)
    assert gateway.received
    for sms in gateway.received:
        _clean("SMS", repr(sms).encode(), base)


def test_a_feed_read_as_127_0_0_1_and_as_localhost_is_the_same(app):
    w = _world(app)
    for path in w["feeds"]:
        by_ip = app.test_client().get(path, base_url="http://127.0.0.1:5000").data
        assert b"127.0.0.1" not in by_ip, path
        forget_process_memory(app)  # as the next process would render it again
        by_name = app.test_client().get(path, base_url="http://localhost").data
        assert by_name == by_ip, path
        assert all(uid.endswith("@localhost") for uid in vevents(by_name))


def _app(database_url, tmp_path, name, public_url):
    return create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": database_url,
                       "SECRET_KEY": "test-secret", "INSTANCE_PATH": str(tmp_path / name),
                       "NOW": NOW, "PUBLIC_URL": public_url, **FAST_ARGON2})


def test_two_apps_on_one_database_keep_their_own_links_and_uids(database_url, tmp_path):
    a = _app(database_url, tmp_path, "a", "https://a.example.org")
    b = _app(database_url, tmp_path, "b", "https://b.example.org/")
    w = _world(a)
    try:
        for _round in range(2):
            for app, host, other in ((a, "a.example.org", "b.example.org"),
                                     (b, "b.example.org", "a.example.org")):
                for path in w["feeds"]:
                    body = app.test_client().get(path).data
                    assert other.encode() not in body, (host, path)
                    assert all(uid.endswith("@" + host) for uid in vevents(body)), path
                    assert f"https://{host}/".encode() in unfolded(body).encode() or (
                        path.startswith("/feeds/public")), path
    finally:
        for app in (a, b):
            with app.app_context():
                db.engine.dispose()


def test_server_name_gives_the_address_and_a_foreign_host_changes_nothing(
        database_url, tmp_path):
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": database_url,
                      "SECRET_KEY": "test-secret", "INSTANCE_PATH": str(tmp_path / "sn"),
                      "NOW": NOW, "SERVER_NAME": "vol.example.org",
                      "PREFERRED_URL_SCHEME": "https", **FAST_ARGON2})
    try:
        assert app.config["PUBLIC_URL"] == PUBLIC
        w = _world(app)
        mine = w["feeds"][0]
        evil = app.test_client().get(mine, base_url=f"http://{EVIL}")
        assert EVIL.encode() not in evil.data
        response = app.test_client().get(mine)  # the test client speaks to SERVER_NAME
        assert response.status_code == 200
        assert re.search(r"https://vol\.example\.org/shifts/\d+", unfolded(response.data))
        assert all(uid.endswith("@vol.example.org") for uid in vevents(response.data))
        with app.app_context():
            assert db.session.get(Account, w["accounts"][0]) is not None
    finally:
        with app.app_context():
            db.engine.dispose()
