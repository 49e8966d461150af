"""Subscribing and serving: the My calendar page, tokens (hashed, rotated, 404s), tokens
kept out of the logs, HTTP headers, 304s answered before rendering, gzip, and the next
fetch after each kind of change returning the new content."""
from __future__ import annotations

import base64
import gzip
import hashlib
import logging
import re
import threading
import urllib.error
import urllib.request
from datetime import timedelta
from types import SimpleNamespace

import pytest
from gunicorn.config import AccessLogFormat
from gunicorn.glogging import Logger as GunicornLogger
from gunicorn.glogging import SafeAtoms
from werkzeug.http import http_date, parse_date
from werkzeug.serving import make_server

from coordinator.database import begin_write
from coordinator.domain.errors import Forbidden
from coordinator.extensions import db
from coordinator.http.logs import RedactingLogger, redact
from coordinator.models import FeedToken, TeamMember
from coordinator.services.feeds import serve
from coordinator.services.feeds import tokens as feed_tokens
from coordinator.services.people import accounts
from tests.support.feeds import (
    get,
    parse,
    patrol_world,
    sign,
    subscribe,
    zh,
)
from tests.support.scheduling import NOW, account
from tests.support.web import login, post

TOKEN_URL = re.compile(r"https://volunteers\.example\.org/feeds/([A-Za-z0-9_-]{43})\.ics")


@pytest.fixture
def world(app):
    app.config["PUBLIC_URL"] = "https://volunteers.example.org"
    w = patrol_world(app)
    with app.app_context():
        sign(w["accounts"][0], w["roles"][0])
    return w


def _link(client, scope="mine", scope_id=None, rotate=False):
    """Ask for a link on the My calendar page; returns the token it then shows."""
    data = {"scope": scope, **({"scope_id": scope_id} if scope_id else {}),
            **({"rotate": "1"} if rotate else {})}
    response = post(client, "/calendar/link", data, token_from="/calendar")
    assert response.status_code == 302, response.status_code
    page = client.get("/calendar").get_data(as_text=True)
    return TOKEN_URL.findall(page)


# --- subscribing -------------------------------------------------------------------------

def test_my_calendar_page_gives_https_and_webcal_links_and_a_qr_code(app, client, world):
    login(client, "13900000000")
    page = client.get("/calendar").get_data(as_text=True)
    assert "webcal://" not in page and "巡逻队" in page  # the team feed is offered too
    (token,) = _link(client)
    page = client.get("/calendar").get_data(as_text=True)
    assert f'href="webcal://volunteers.example.org/feeds/{token}.ics"' in page
    qr = re.search(r'<img src="data:image/svg\+xml;base64,([^"]+)"', page)
    assert qr and b"<svg" in base64.b64decode(qr.group(1))
    for heading in ("How to subscribe", "If your phone cannot subscribe"):  # the how-to
        assert zh(app, heading) in page, heading
    response = client.get(f"/feeds/{token}.ics")
    assert response.status_code == 200
    assert "UID:occ-" in response.get_data(as_text=True)
    assert "@volunteers.example.org" in response.get_data(as_text=True)


def test_the_raw_token_is_never_stored(app, client, world):
    login(client, "13900000000")
    (token,) = _link(client)
    with app.app_context():
        row = db.session.scalar(db.select(FeedToken))
        assert row.token_hash == hashlib.sha256(token.encode()).hexdigest()
        for table in db.metadata.sorted_tables:
            for values in db.session.execute(table.select()):
                for value in values:
                    if isinstance(value, bytes):
                        value = value.decode("utf-8", "replace")
                    assert token not in str(value), table.name
    uri = app.config["SQLALCHEMY_DATABASE_URI"]
    if uri.startswith("sqlite:///"):
        path = uri.removeprefix("sqlite:///")
        for suffix in ("", "-wal"):
            try:
                with open(path + suffix, "rb") as raw:
                    assert token.encode() not in raw.read()
            except FileNotFoundError:
                pass


def test_rotation_kills_the_old_url_at_once(app, client, world):
    login(client, "13900000000")
    (old,) = _link(client)
    assert client.get(f"/feeds/{old}.ics").status_code == 200
    (new,) = _link(client, rotate=True)
    assert new != old
    assert client.get(f"/feeds/{old}.ics").status_code == 404
    assert client.get(f"/feeds/{new}.ics").status_code == 200
    (same,) = _link(client)  # asking again without rotate keeps the link
    assert same == new


def test_wrong_revoked_and_deactivated_all_answer_the_same_404(app, client, world):
    with app.app_context():
        revoked = subscribe(world["accounts"][1])
        subscribe(world["accounts"][1], rotate=True)
        disabled = subscribe(world["accounts"][2])
        begin_write(db.session)
        accounts.set_enabled(db.session, account(world["admin"]), world["accounts"][2], False,
                             NOW)
        db.session.commit()
    wrong = "A" * 43
    answers = [client.get(f"/feeds/{t}.ics") for t in (wrong, revoked, disabled, "short")]
    assert [a.status_code for a in answers] == [404] * 4
    # the page only echoes the path asked for (in its language switch) and carries the form
    # token of the session (signed with the time): no hint which case
    bodies = {re.sub(rb'name="csrf_token" value="[^"]*"', b"", a.data.replace(t.encode(),
                                                                           b"<token>"))
              for a, t in zip(answers, (wrong, revoked, disabled, "short"), strict=True)}
    assert len(bodies) == 1
    assert len({a.headers.get("Content-Type") for a in answers}) == 1


def test_volunteers_cannot_subscribe_to_staff_feeds(app, client, world):
    login(client, "13900000000")
    for data in ({"scope": "organisation"},
                 {"scope": "community", "scope_id": world["community"]},
                 {"scope": "team", "scope_id": world["care_team"]}):  # not a member
        response = post(client, "/calendar/link", data, token_from="/calendar")
        assert response.status_code in (403, 404), data
    with app.app_context():
        with pytest.raises(Forbidden):
            feed_tokens.issue(db.session, account(world["accounts"][0]), "organisation", None,
                              "test-secret", NOW)
        db.session.rollback()
        team = subscribe(world["accounts"][0], "team", world["team"])
    assert client.get(f"/feeds/{team}.ics").status_code == 200
    with app.app_context():  # leaving the team ends its feed
        db.session.execute(db.delete(TeamMember).where(
            TeamMember.person_id == world["people"][0], TeamMember.team_id == world["team"]))
        db.session.commit()
    assert client.get(f"/feeds/{team}.ics").status_code == 404


# --- logs --------------------------------------------------------------------------------

def test_tokens_never_reach_the_logs(app, world, caplog, monkeypatch):
    with app.app_context():
        token = subscribe(world["accounts"][0])
    caplog.set_level(logging.INFO)
    server = make_server("127.0.0.1", 0, app, threaded=True)  # the dev server's access log
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        base = f"http://127.0.0.1:{server.port}/feeds/{token}.ics"
        with urllib.request.urlopen(base + "?kind=patrol") as answer:  # noqa: S310
            assert answer.status == 200
        monkeypatch.setattr(serve, "render", lambda *a, **k: 1 / 0)
        monkeypatch.setattr(app.extensions["feed_caches"], "meta", lambda *a, **k: None)
        with pytest.raises(urllib.error.HTTPError) as failed:
            urllib.request.urlopen(base)  # noqa: S310
        assert failed.value.code == 500
    finally:
        server.shutdown()
        thread.join()
    assert token not in caplog.text
    access = [r.getMessage() for r in caplog.records if r.name == "werkzeug"]
    assert any("/feeds/[redacted].ics?kind=patrol" in line for line in access), access
    errors = [r for r in caplog.records if r.name == app.logger.name]
    assert errors and "/feeds/[redacted].ics" in errors[0].getMessage()
    app.logger.warning("odd request %s", f"https://x.org/feeds/{token}.ics")
    assert caplog.records[-1].getMessage() == "odd request https://x.org/feeds/[redacted].ics"


def _gunicorn_request(token):
    path = f"/feeds/{token}.ics"
    environ = {"REQUEST_METHOD": "GET", "RAW_URI": path + "?kind=patrol", "PATH_INFO": path,
               "QUERY_STRING": "kind=patrol", "SERVER_PROTOCOL": "HTTP/1.1",
               "HTTP_REFERER": "https://volunteers.example.org" + path,
               "REMOTE_ADDR": "10.0.0.1", "HTTP_USER_AGENT": "ICSx5"}
    request = SimpleNamespace(headers=[("REFERER", environ["HTTP_REFERER"])])
    response = SimpleNamespace(status="200 OK", sent=1234, headers=[("ETag", '"x"')])
    return response, request, environ, timedelta(milliseconds=3)


FORMATS = (AccessLogFormat.default,
           "%(r)s %(U)s?%(q)s %({raw_uri}e)s %({path_info}e)s %({referer}i)s %(f)s")


def test_gunicorn_access_log_atoms_are_redacted():
    token = "T" * 43
    logger = RedactingLogger.__new__(RedactingLogger)  # atoms() needs no configuration
    atoms = SafeAtoms(logger.atoms(*_gunicorn_request(token)))
    for fmt in FORMATS:
        line = fmt % atoms
        assert token not in line and "/feeds/[redacted].ics" in line, line
    assert redact(f"GET /feeds/{token}.ics?x=1") == "GET /feeds/[redacted].ics?x=1"
    assert redact("/feeds/public/C01.ics") == "/feeds/public/C01.ics"


def test_gunicorn_access_logger_filter_keeps_the_line_and_redacts_it(app):
    """gunicorn logs ``access_log.info(format, SafeAtoms)``: the record's args are a
    mapping, and the filter must keep it one (else the line fails to format and is lost)."""
    token = "T" * 43
    atoms = SafeAtoms(GunicornLogger.atoms(GunicornLogger.__new__(GunicornLogger),
                                           *_gunicorn_request(token)))
    records = []
    handler = logging.Handler()
    handler.emit = lambda record: records.append(handler.format(record))
    access = logging.getLogger("gunicorn.access")
    access.addHandler(handler)
    level, access.level = access.level, logging.INFO
    try:
        for fmt in FORMATS:
            access.info(fmt, atoms)
    finally:
        access.removeHandler(handler)
        access.setLevel(level)
    assert len(records) == 2
    for line in records:
        assert token not in line and "/feeds/[redacted].ics" in line, line
    assert '"GET /feeds/[redacted].ics?kind=patrol HTTP/1.1" 200 1234' in records[0]


# --- HTTP --------------------------------------------------------------------------------

def test_headers_and_conditional_requests(app, client, world):
    with app.app_context():
        token = subscribe(world["accounts"][0])
    first = client.get(f"/feeds/{token}.ics")
    assert first.status_code == 200
    assert first.headers["Content-Type"] == "text/calendar; charset=utf-8"
    etag = first.headers["ETag"]
    assert etag.startswith('"') and not etag.startswith("W/")
    modified = first.headers["Last-Modified"]
    assert parse_date(modified) is not None
    assert first.headers["Cache-Control"].startswith("private")
    assert "Accept-Encoding" in first.headers["Vary"]
    feed = f"/feeds/{token}.ics"
    for headers in ({"If-None-Match": etag}, {"If-None-Match": f'"other", {etag}'},
                    {"If-None-Match": "W/" + etag}, {"If-Modified-Since": modified}):
        again = client.get(feed, headers=headers)
        assert again.status_code == 304, headers
        assert again.data == b"" and again.headers["ETag"] == etag
        assert again.headers["Cache-Control"].startswith("private")
    earlier = http_date(parse_date(modified) - timedelta(days=1))
    for headers in ({"If-Modified-Since": earlier},
                    {"If-None-Match": '"other"', "If-Modified-Since": modified}):
        assert client.get(feed, headers=headers).status_code == 200, headers


def test_gzip_when_the_client_accepts_it(app, client, world):
    with app.app_context():
        token = subscribe(world["coordinator"], "community", world["community"])
    plain = get(client, token)
    packed = client.get(f"/feeds/{token}.ics", headers={"Accept-Encoding": "gzip, deflate"})
    assert packed.headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(packed.data) == plain
    assert len(parse(gzip.decompress(packed.data)).walk("VEVENT")) == 7
    assert "Content-Encoding" not in client.get(f"/feeds/{token}.ics").headers
