"""Star levels through the scheduler job: the volunteer and their community's
coordinators are told once per level reached, on each backend, even by two passes at
once."""
from __future__ import annotations

import io
import threading

import pytest
from sqlalchemy import func, select

from coordinator.extensions import db
from coordinator.jobs import tasks
from coordinator.models import Delivery, Notification, StarAward
from coordinator.services.notify.channels import ConsoleSender
from tests.support import honour


@pytest.fixture
def world(app):
    with app.app_context():
        return honour.build()


def _awards(app):
    with app.app_context():
        return sorted(db.session.execute(select(StarAward.person_id, StarAward.level)).all())


def _star_rows(app):
    with app.app_context():
        return sorted(db.session.execute(
            select(Delivery.account_id, Delivery.channel, Delivery.payload)
            .where(Delivery.kind == "star")).all(), key=lambda r: (r[0], r[1]))


def test_passing_a_threshold_tells_the_volunteer_and_coordinator_once(app, world):
    with app.app_context():
        honour.serve(world, "甲星光", 110)
        honour.serve(world, "丙小时", 60)  # below the first level
        honour.serve(world, "丙小时", 90, kind="rehearsal")  # not service hours
    assert tasks.stars(app) == 1
    vol1, coord1 = world["accounts"]["vol1"], world["accounts"]["coord1"]
    assert _awards(app) == [(world["people"]["甲星光"], 1)]
    rows = _star_rows(app)
    # the volunteer (in-app, e-mail) and their community's coordinator (in-app, e-mail);
    # not the other community's coordinator, nor leaders
    assert [(a, c) for a, c, _p in rows] == sorted(
        [(vol1, "app"), (vol1, "email"), (coord1, "app"), (coord1, "email")])
    assert {p["self"] for a, _c, p in rows if a == vol1} == {True}
    assert tasks.stars(app) == 0  # a second pass sends nothing
    assert len(_star_rows(app)) == 4

    out = io.StringIO()
    tasks.sweep(app, channel_senders={"email": ConsoleSender("email", out),
                                      "sms": ConsoleSender("sms", out)})
    with app.app_context():
        notes = db.session.execute(select(Notification.account_id, Notification.title)
                                   .where(Notification.kind == "star")).all()
    assert sorted(a for a, _t in notes) == sorted([vol1, coord1])
    mine = next(t for a, t in notes if a == vol1)
    theirs = next(t for a, t in notes if a == coord1)
    assert "100" in mine and "★" in mine
    assert "甲星光" in theirs and "100" in theirs
    assert "jia@example.org" in out.getvalue() and "zhang@example.org" in out.getvalue()

    # Two levels passed at once (310 hours): both awards, one message each recipient.
    with app.app_context():
        honour.serve(world, "甲星光", 200, first_day=20)
    assert tasks.stars(app) == 1
    assert _awards(app) == [(world["people"]["甲星光"], 1), (world["people"]["甲星光"], 2)]
    level2 = [r for r in _star_rows(app) if r[2]["level"] == 2]
    assert len(level2) == 4 and {r[2]["threshold"] for r in level2} == {300}
    assert tasks.stars(app) == 0 and len(_star_rows(app)) == 8


def test_two_passes_at_once_tell_once(app, world):
    with app.app_context():
        honour.serve(world, "乙星河", 120)
    results, errors = [], []
    barrier = threading.Barrier(2)

    def run():
        try:
            barrier.wait()
            results.append(tasks.stars(app))
        except Exception as exc:  # noqa: BLE001 — reported below
            errors.append(exc)

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert not errors and sorted(results) == [0, 1]
    assert _awards(app) == [(world["people"]["乙星河"], 1)]
    with app.app_context():
        # 乙星河 in-app and by SMS (no e-mail), their coordinator in-app (no address)
        assert db.session.scalar(select(func.count()).select_from(Delivery).where(
            Delivery.kind == "star")) == 3
