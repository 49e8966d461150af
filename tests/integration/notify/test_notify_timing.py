"""When messages go out around quiet hours (21:00–07:00 Shanghai): one reminder per shift
per go, never "tomorrow" after "in 2 hours"; a change notice at night only when waiting
for the morning would be too late. Real SMTP server and SMS gateway, hand-moved clock."""
from __future__ import annotations

from datetime import time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from coordinator.extensions import db
from coordinator.jobs import tasks
from coordinator.models import Account, Assignment, Delivery, Occurrence
from coordinator.services.schedule import changes
from tests.support.notify import notes, rows, run, shift, sign
from tests.support.scheduling import NOW, ZONE


def _local(hour: int, minute: int = 0, days: int = 0):
    """Today's (or a later day's) local Shanghai wall time as a UTC instant."""
    return NOW.replace(hour=0, minute=0) + timedelta(days=days, hours=hour - 8,
                                                     minutes=minute)


def test_a_late_sign_up_gets_one_reminder_in_the_morning_not_two(napp, world, clock, sink,
                                                                 gateway):
    _, role = shift(napp, world, at=time(8, 0))  # tomorrow 08:00 local
    clock.at = _local(23)
    sign(napp, world, 0, role, now=clock.at)  # e-mail (English)
    sign(napp, world, 1, role, now=clock.at)  # SMS (Chinese)
    tasks.sweep(napp)  # the 24 h reminder is due at once, but it is night: it waits
    assert sink.messages == [] and gateway.received == []
    clock.at = _local(6, days=1)  # the 2 h reminder is due too; still night
    tasks.sweep(napp)
    assert sink.messages == [] and gateway.received == []
    clock.at = _local(7, days=1)  # morning: one reminder each, the closest one
    tasks.sweep(napp)
    assert len(sink.to("member0@example.org")) == 1
    assert [m["to"] for m in gateway.received] == ["13900000001"]
    outgoing = {(r.kind, r.channel): r for r in rows(napp, Delivery.channel != "app")}
    assert {k: r.status for k, r in outgoing.items()} == {
        ("reminder24", "email"): "skipped", ("reminder24", "sms"): "skipped",
        ("reminder2", "email"): "sent", ("reminder2", "sms"): "sent"}
    assert "superseded" in outgoing[("reminder24", "sms")].last_error
    # In-app went in at once each time (it wakes nobody): 23:00 and 06:00, in that order.
    assert [n[0] for n in notes(napp, world["accounts"][1])] == ["reminder24", "reminder2"]
    tasks.sweep(napp)
    assert len(gateway.received) == 1 and len(sink.messages) == 1


def test_a_reminder_already_sent_is_not_touched_by_the_next_one(napp, world, clock, sink,
                                                                gateway):
    _, role = shift(napp, world)  # tomorrow 19:30 local
    sign(napp, world, 1, role)
    clock.at = _local(19, 31)  # 24 h before: sent (not quiet)
    tasks.sweep(napp)
    clock.at = _local(17, 31, days=1)  # 2 h before
    tasks.sweep(napp)
    assert len(gateway.received) == 2
    assert {r.status for r in rows(napp)} == {"sent"}


def _occurrence(app, person_id: int) -> int:
    with app.app_context():
        found = db.session.scalar(select(Assignment).where(
            Assignment.person_id == person_id)).role.occurrence_id
        db.session.remove()
        return found


def test_a_night_notice_waits_for_the_morning_unless_that_is_too_late(napp, world, clock,
                                                                     sink, gateway):
    with napp.app_context():
        for i in (1, 2):
            db.session.get(Account, world["accounts"][i]).remind_24h = False
            db.session.get(Account, world["accounts"][i]).remind_2h = False
        db.session.commit()
        db.session.remove()
    _, at_eight = shift(napp, world, at=time(8, 0), title="早班巡逻")
    _, at_half_seven = shift(napp, world, at=time(7, 30), title="清晨巡逻")
    sign(napp, world, 1, at_eight)
    sign(napp, world, 2, at_half_seven)
    clock.at = _local(22, 30)
    coordinator = world["coordinator"]
    for person, venue in ((1, world["room"]), (2, world["hall"])):  # the place changes
        occ = _occurrence(napp, world["people"][person])
        with napp.app_context():
            start = db.session.get(Occurrence, occ).start_at.astimezone(ZoneInfo(ZONE))
            db.session.remove()
        run(napp, lambda s, occ=occ, start=start, venue=venue: changes.move_occurrence(
            s, s.get(Account, coordinator), occ, start_date=start.date(),
            start_time=start.time().replace(tzinfo=None), duration_minutes=120,
            venue_id=venue, now=clock.at))
    tasks.sweep(napp)
    urgent = {r.person_id: r.urgent for r in rows(napp, Delivery.channel == "sms")}
    assert urgent == {world["people"][1]: False, world["people"][2]: True}
    # 07:30: waiting until 07:00 would leave half an hour, so it goes now.
    assert [m["to"] for m in gateway.received] == ["13900000002"]
    assert gateway.received[0]["text"].startswith("已改期：清晨巡逻")
    # 08:00: 07:00 still leaves an hour; only in-app goes in tonight.
    assert [n[0] for n in notes(napp, world["accounts"][1])] == ["notice"]
    clock.at = _local(6, 59, days=1)
    tasks.sweep(napp)
    assert len(gateway.received) == 1
    clock.at = _local(7, days=1)
    tasks.sweep(napp)
    assert [m["to"] for m in gateway.received] == ["13900000002", "13900000001"]
    assert gateway.received[1]["text"].startswith("已改期：早班巡逻")
