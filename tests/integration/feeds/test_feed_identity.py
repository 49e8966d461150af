"""One UID for one shift: the event attached to a reminder e-mail and the same shift in
the personal feed carry the same UID, whether or not PUBLIC_URL is set, and whatever host
the calendar app used to reach the feed (the scheduler that sends reminders has no
request, so the UID domain cannot come from one). The address itself comes from
configuration only, and outside development and tests the app will not start without it."""
from __future__ import annotations

from datetime import timedelta

import icalendar
import pytest

from coordinator import create_app
from coordinator.config import ConfigError, feed_identity, public_url
from coordinator.extensions import db
from coordinator.jobs import tasks
from coordinator.models import Account, Person
from tests.support.database import FAST_ARGON2
from tests.support.feeds import sign, subscribe
from tests.support.notify import Clock
from tests.support.scheduling import NOW, build_world, patrol, roles_of

REQUEST_HOST = "http://volunteers.township.cn"  # how the calendar app reaches the feed


def _app(database_url, tmp_path, clock, sink, gateway, public_url):
    return create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": database_url,
                       "SECRET_KEY": "test-secret", "INSTANCE_PATH": str(tmp_path / "inst"),
                       "NOW": clock, "MAIL_SERVER": "127.0.0.1", "MAIL_PORT": sink.port,
                       "MAIL_FROM": "volunteers@example.org", "SMS_URL": gateway.url,
                       "SMS_KEY": "gateway-key-123", "PUBLIC_URL": public_url,
                       **FAST_ARGON2})


def _uids(body: bytes) -> set[str]:
    return {str(e["UID"]) for e in icalendar.Calendar.from_ical(body).walk("VEVENT")}


@pytest.mark.parametrize("public_url", [None, "https://vol.example.org"])
def test_a_reminder_attachment_and_the_personal_feed_give_the_shift_one_uid(
        database_url, tmp_path, sink, gateway, public_url):
    clock = Clock(NOW)
    app = _app(database_url, tmp_path, clock, sink, gateway, public_url)
    with app.app_context():
        w = build_world()
        db.session.get(Person, w["people"][0]).email = "member0@example.org"
        db.session.commit()
        series = patrol(w, rule=None, until_days=None)  # tomorrow 19:30 Shanghai
        sign(w["accounts"][0], roles_of(series)[0])
        token = subscribe(w["accounts"][0])
        assert db.session.get(Account, w["accounts"][0]).person_id == w["people"][0]
    clock.at = NOW.replace(hour=11, minute=30) + timedelta(days=1) - timedelta(hours=23)
    assert tasks.sweep(app)["sent"] >= 1
    [mail] = sink.to("member0@example.org")
    [attached] = [p for p in mail.walk() if p.get_content_type() == "text/calendar"]
    content = attached.get_content()
    mailed = _uids(content.encode() if isinstance(content, str) else content)
    feed = app.test_client().get(f"/feeds/{token}.ics", base_url=REQUEST_HOST)
    assert feed.status_code == 200
    assert len(mailed) == 1 and mailed <= _uids(feed.data), (mailed, _uids(feed.data))
    with app.app_context():
        db.engine.dispose()


def test_feed_identity_comes_from_configuration_only():
    assert feed_identity({"TESTING": True}) == ("http://localhost", "localhost")
    assert feed_identity({"DEVELOPMENT": 1}) == ("http://127.0.0.1:5000", "127.0.0.1")
    public = {"PUBLIC_URL": "https://vol.example.org/"}
    assert feed_identity(public) == ("https://vol.example.org", "vol.example.org")
    assert feed_identity({**public, "FEED_UID_DOMAIN": "uid.example.org"}) == (
        "https://vol.example.org", "uid.example.org")
    assert feed_identity({"SERVER_NAME": "vol.example.org:8443",
                          "PREFERRED_URL_SCHEME": "https"}) == (
        "https://vol.example.org:8443", "vol.example.org")


@pytest.mark.parametrize("config", [{}, {"DEVELOPMENT": False, "TESTING": False},
                                    {"PUBLIC_URL": ""}])
def test_without_an_address_the_app_refuses_to_start(tmp_path, monkeypatch, config):
    for name in ("COORDINATOR_DEVELOPMENT", "COORDINATOR_PUBLIC_URL",
                 "COORDINATOR_SERVER_NAME", "COORDINATOR_TESTING"):
        monkeypatch.delenv(name, raising=False)
    with pytest.raises(ConfigError, match="set COORDINATOR_PUBLIC_URL"):
        create_app({"INSTANCE_PATH": str(tmp_path), "SQLALCHEMY_DATABASE_URI": "sqlite://",
                    **config})


@pytest.mark.parametrize("value", ["volunteers.example.org", "ftp://vol.example.org",
                                   "https://vol.example.org/app", "https://"])
def test_a_public_url_that_is_no_address_is_refused(value):
    with pytest.raises(ConfigError, match="COORDINATOR_PUBLIC_URL must be an address"):
        public_url({"PUBLIC_URL": value})


def test_the_address_is_logged_once_at_start(tmp_path, caplog):
    with caplog.at_level("INFO"):
        create_app({"INSTANCE_PATH": str(tmp_path), "SQLALCHEMY_DATABASE_URI": "sqlite://",
                    "PUBLIC_URL": "https://vol.example.org"})
    said = [r.getMessage() for r in caplog.records if "vol.example.org" in r.getMessage()]
    assert said == ["links and event UIDs use https://vol.example.org"]
