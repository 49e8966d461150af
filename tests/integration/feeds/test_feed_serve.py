"""The feed pipeline as a service: each app has its own process-local caches, and the
shared cache write, the one write of a feed GET, never fails the feed and says so in
the log when it fails."""
from __future__ import annotations

import logging

from sqlalchemy import select
from sqlalchemy.exc import OperationalError

from coordinator import create_app
from coordinator.extensions import db
from coordinator.models import FeedCache
from coordinator.services.feeds import cache as feed_cache
from tests.support.feeds import get, patrol_world, sign, subscribe, vevents


def test_a_failed_cache_write_still_serves_the_feed_and_logs_a_warning(
        app, client, caplog, monkeypatch):
    w = patrol_world(app)
    with app.app_context():
        sign(w["accounts"][0], w["roles"][0])
        token = subscribe(w["accounts"][0])

    def locked(*_args, **_kw):
        raise OperationalError("UPDATE feed_cache", {}, Exception("database is locked"))
    monkeypatch.setattr(feed_cache, "stage", locked)
    with caplog.at_level(logging.WARNING):
        body = get(client, token)
    assert len(vevents(body)) == 1
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert any("feed cache write failed" in r.getMessage() for r in warnings), caplog.text
    assert token not in caplog.text
    with app.app_context():
        assert db.session.scalars(select(FeedCache)).all() == []
    monkeypatch.undo()
    assert get(client, token) == body  # from this process's memory, which kept the body
    app.extensions["feed_caches"].forget_feeds()  # as another process: renders, shares
    assert get(client, token) == body
    with app.app_context():
        assert len(db.session.scalars(select(FeedCache)).all()) == 1


def test_each_app_has_its_own_feed_caches(app, client):
    w = patrol_world(app)
    with app.app_context():
        token = subscribe(w["accounts"][0])
    get(client, token)
    mine = app.extensions["feed_caches"]
    assert len(mine.bodies) == 1
    other = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": "sqlite://",
                        "SECRET_KEY": "x"})
    theirs = other.extensions["feed_caches"]
    assert theirs is not mine and len(theirs.hot) == len(theirs.bodies) == 0
