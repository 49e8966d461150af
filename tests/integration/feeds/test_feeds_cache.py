"""Cheap polls and no stale feeds: a 304 comes from the validator before anything is
rendered, costs a few queries whatever the amount of data, and every kind of change a
feed shows makes the next fetch return the new content (and only those feeds)."""
from __future__ import annotations

from datetime import time, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import event

from coordinator.database import begin_write
from coordinator.extensions import db
from coordinator.models import Occurrence, Series
from coordinator.services.feeds import serve
from coordinator.services.schedule import changes
from coordinator.services.shifts import responses, signups
from tests.support.feeds import (
    forget_process_memory,
    get,
    occurrences,
    parse,
    patrol_world,
    sign,
    subscribe,
    text,
    uid,
    url,
    vevents,
)
from tests.support.scheduling import NOW, ZONE, account, patrol, roles_of


@pytest.fixture
def world(app):
    w = patrol_world(app)
    with app.app_context():
        sign(w["accounts"][0], w["roles"][0])
        sign(w["accounts"][0], w["roles"][2])
        rehearsal = patrol(w, kind="rehearsal", participation="team", team_id=w["team"],
                           rule=None, until_days=None, start_day=5, at=time(14, 0),
                           title="队列训练")
        w["rehearsal"] = occurrences(rehearsal)[0]
    return w


def test_a_304_is_answered_without_rendering(app, client, world, monkeypatch):
    with app.app_context():
        token = subscribe(world["accounts"][0])
    first = client.get(f"/feeds/{token}.ics")

    def boom(*_args, **_kw):
        raise AssertionError("rendered for a 304")
    monkeypatch.setattr(serve, "render", boom)
    monkeypatch.setattr(serve, "events", boom)
    for other_process in (False, True):  # from memory, and from the validator
        for headers in ({"If-None-Match": first.headers["ETag"]},
                        {"If-Modified-Since": first.headers["Last-Modified"]}):
            if other_process:
                forget_process_memory(app)
            assert client.get(f"/feeds/{token}.ics", headers=headers).status_code == 304
        cached = client.get(f"/feeds/{token}.ics")  # unchanged: served from the cache
        assert cached.status_code == 200 and cached.data == first.data


def _count_queries(app, path, etag, other_process=False):
    statements = []
    if other_process:
        forget_process_memory(app)

    def count(_conn, _cursor, statement, *_args):
        statements.append(statement)
    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        answer = app.test_client().get(path, headers={"If-None-Match": etag})
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert answer.status_code == 304
    return len(statements)


def test_a_304_costs_a_few_queries_whatever_the_amount_of_data(app, client, world):
    with app.app_context():
        tokens = [subscribe(world["accounts"][0]), subscribe(world["leader"], "organisation"),
                  subscribe(world["coordinator"], "community", world["community"])]
    small = [_count_queries(app, f"/feeds/{t}.ics", client.get(f"/feeds/{t}.ics")
                            .headers["ETag"], cold) for t in tokens for cold in (False, True)]
    with app.app_context():
        for n in range(8):
            series = patrol(world, start_day=8 + 7 * n, title=f"巡逻{n}")
            for role in roles_of(series):
                for person in range(3):
                    sign(world["accounts"][person], role)
    large = [_count_queries(app, f"/feeds/{t}.ics", client.get(f"/feeds/{t}.ics")
                            .headers["ETag"], cold) for t in tokens for cold in (False, True)]
    assert small == large and max(large) <= 10, (small, large)
    assert len(parse(get(client, tokens[0])).walk("VEVENT")) > 50


class Clock:
    """Service calls at successive moments, as in real life (each change is later)."""

    def __init__(self):
        self.n = 0

    def __call__(self):
        self.n += 1
        return NOW + timedelta(minutes=self.n)


def test_the_next_fetch_after_each_kind_of_change_returns_the_new_content(app, client, world):
    with app.app_context():
        feeds = {"mine": subscribe(world["accounts"][0]),
                 "team": subscribe(world["accounts"][2], "team", world["team"]),
                 "organisation": subscribe(world["leader"], "organisation")}
    etags = {name: client.get(url(token)).headers["ETag"] for name, token in feeds.items()}
    clock = Clock()

    def refetch(name):
        """The feed after a change: 200 with a new ETag (then 304 again); its events."""
        answer = client.get(url(feeds[name]), headers={"If-None-Match": etags[name]})
        assert answer.status_code == 200, name
        assert answer.headers["ETag"] != etags[name]
        etags[name] = answer.headers["ETag"]
        assert client.get(url(feeds[name]), headers={"If-None-Match": etags[name]}
                          ).status_code == 304
        return vevents(answer.data)

    def unchanged(name):
        answer = client.get(url(feeds[name]), headers={"If-None-Match": etags[name]})
        assert answer.status_code == 304, name

    def write(change):
        with app.app_context():
            begin_write(db.session)
            result = change()
            db.session.commit()
            return result

    first, third = uid(world["occ"][0]), uid(world["occ"][2])
    for name in feeds:
        unchanged(name)

    teammate = write(lambda: signups.sign_up(db.session, account(world["accounts"][1]),
                                             world["roles"][0], clock(), zone=ZONE))
    for name in feeds:  # a teammate signs up
        assert "队员1" in text(refetch(name)[first], "DESCRIPTION"), name

    write(lambda: signups.withdraw(db.session, account(world["accounts"][1]),
                                   teammate.assignment_id, clock()))
    for name in feeds:  # ... and withdraws
        assert "队员1" not in text(refetch(name)[first], "DESCRIPTION"), name

    def move():
        occurrence = db.session.get(Occurrence, world["occ"][2])
        local = occurrence.start_at.astimezone(ZoneInfo(ZONE)) + timedelta(hours=1)
        return changes.move_occurrence(
            db.session, account(world["coordinator"]), occurrence.id, start_date=local.date(),
            start_time=local.time(), duration_minutes=60, venue_id=occurrence.venue_id,
            now=clock())
    write(move)
    for name in feeds:
        moved = refetch(name)[third].decoded("DTSTART")
        assert (moved.hour, moved.minute) == (20, 30), name

    write(lambda: changes.cancel_occurrence(db.session, account(world["coordinator"]),
                                            world["occ"][2], "暴雨预警", clock()))
    for name in feeds:
        assert text(refetch(name)[third], "STATUS") == "CANCELLED", name

    with app.app_context():  # the coordinator renames the series
        db.session.get(Series, world["patrol"]).title = "夜间巡逻"
        db.session.commit()
    for name in feeds:
        assert text(refetch(name)[first], "SUMMARY").endswith("夜间巡逻"), name

    write(lambda: responses.respond(db.session, account(world["accounts"][0]),
                                    world["rehearsal"], False, clock()))
    assert text(refetch("mine")[uid(world["rehearsal"])], "STATUS") == "CANCELLED"
    unchanged("team")  # team answers show only in the answering person's own feed
    unchanged("organisation")
