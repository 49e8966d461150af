"""Reminders, change notices, digests and the weekly summary through the real job
functions, a real SMTP server (aiosmtpd), a real HTTP SMS gateway and a hand-moved clock,
on each backend."""
from __future__ import annotations

import threading
from datetime import time, timedelta

from sqlalchemy import func, select

from coordinator.extensions import db
from coordinator.jobs import tasks
from coordinator.models import Account, Assignment, Delivery
from coordinator.services.schedule import changes
from coordinator.services.shifts import signups, swaps
from tests.support.notify import (
    notes,
    rows,
    run,
    shift,
    sign,
    staff,
    start_of_shift,
)
from tests.support.scheduling import NOW, patrol, roles_of


def test_reminders_day_before_and_two_hours_before_on_every_channel(napp, world, clock,
                                                                    sink, gateway):
    _, role = shift(napp, world)
    sign(napp, world, 0, role)
    sign(napp, world, 1, role)
    start = start_of_shift(clock)
    assert tasks.sweep(napp)["sent"] == 0  # 31.5 hours ahead: nothing due yet
    clock.at = start - timedelta(hours=24) + timedelta(minutes=1)
    report = tasks.sweep(napp)
    assert report["reminders_planned"] == 4 and report["sent"] == 4
    # Member 0: e-mail (English) + in-app; member 1 (no e-mail): SMS (Chinese) + in-app.
    [mail] = sink.to("member0@example.org")
    assert mail["Subject"].startswith("Reminder: 晚间巡逻, ")
    assert mail["Message-ID"].endswith("@vol.example.org>")
    parts = {p.get_content_type(): p for p in mail.walk()}
    assert {"text/plain", "text/html", "text/calendar"} <= set(parts)
    assert "When:" in parts["text/plain"].get_content()
    ics = parts["text/calendar"]
    assert ics.get_param("method") == "PUBLISH"
    body = ics.get_content() if isinstance(ics.get_content(), str) else \
        ics.get_content().decode()
    assert "METHOD:PUBLISH" in body and "DTSTART;TZID=Asia/Shanghai:" in body
    assert "T193000" in body and "@vol.example.org" in body
    [sms] = gateway.received
    assert sms["to"] == "13900000001" and sms["text"].startswith("提醒")
    assert len(sms["text"]) <= 70 and "晚间巡逻" in sms["text"]
    assert [n[0] for n in notes(napp, world["accounts"][1])] == ["reminder24"]
    assert "晚间巡逻" in notes(napp, world["accounts"][1])[0][1]
    # Nothing twice: another sweep sends nothing.
    assert tasks.sweep(napp)["sent"] == 0
    clock.at = start - timedelta(hours=2) + timedelta(minutes=1)
    assert tasks.sweep(napp)["sent"] == 4
    assert len(sink.messages) == 2 and len(gateway.received) == 2
    assert len(set(sink.message_ids())) == 2
    assert {r.kind for r in rows(napp)} == {"reminder24", "reminder2"}


def test_each_volunteer_picks_reminders_and_channels(napp, world, clock, sink, gateway):
    _, role = shift(napp, world, needed=4, maximum=4)
    for i in range(4):
        sign(napp, world, i, role)
    with napp.app_context():
        a = [db.session.get(Account, i) for i in world["accounts"]]
        a[0].remind_24h = False  # only two hours before
        a[1].remind_24h = a[1].remind_2h = False  # none
        a[2].notify_sms = False  # phone but no SMS: in-app only
        a[3].notify_email = False
        db.session.commit()
        db.session.remove()
    start = start_of_shift(clock)
    clock.at = start - timedelta(hours=23)
    tasks.sweep(napp)
    planned = {(r.person_id, r.kind, r.channel) for r in rows(napp)}
    p = world["people"]
    assert planned == {(p[2], "reminder24", "app"), (p[3], "reminder24", "app"),
                       (p[3], "reminder24", "sms")}
    clock.at = start - timedelta(hours=1)
    tasks.sweep(napp)
    later = {(r.person_id, r.channel) for r in rows(napp, Delivery.kind == "reminder2")}
    assert later == {(p[0], "app"), (p[0], "email"), (p[2], "app"), (p[3], "app"),
                     (p[3], "sms")}
    assert not any(r.person_id == p[1] for r in rows(napp))


def test_catch_up_after_downtime_sends_the_closest_reminder_and_skips_started_shifts(
        napp, world, clock, sink, gateway):
    _, role = shift(napp, world)
    sign(napp, world, 1, role)
    start = start_of_shift(clock)
    # Down from before the 24 h reminder until 90 minutes before the start.
    clock.at = start - timedelta(minutes=90)
    report = tasks.sweep(napp)
    assert report["sent"] == 2
    assert {r.kind for r in rows(napp)} == {"reminder2"}  # not a "tomorrow" message now
    # A reminder planned but not sent before a stop is skipped once its shift started.
    _, other = shift(napp, world, at=time(21, 30), title="夜间巡逻")
    sign(napp, world, 2, other)
    clock.at = start - timedelta(hours=2) + timedelta(hours=2, minutes=1)  # 19:31 local
    stop = threading.Event()
    stop.set()  # plan only: the deliverer stops at once
    tasks.sweep(napp, stop=stop)
    waiting = rows(napp, Delivery.person_id == world["people"][2])
    assert {r.status for r in waiting} == {"pending"}
    clock.at = start + timedelta(hours=2, minutes=5)  # 21:35 local: the shift began
    sent_before = len(gateway.received)
    tasks.sweep(napp)
    assert {r.status for r in rows(napp, Delivery.person_id == world["people"][2])} == {
        "skipped"}
    assert len(gateway.received) == sent_before


def test_quiet_hours_hold_reminders_but_not_urgent_changes(napp, world, clock, sink,
                                                           gateway):
    _, role = shift(napp, world, at=time(22, 30))  # tomorrow 22:30 local
    sign(napp, world, 1, role)
    # 22:40 local tonight: the 24 h reminder of tomorrow's 22:30 shift is due, but quiet.
    clock.at = NOW.replace(hour=14, minute=40)
    tasks.sweep(napp)
    assert gateway.received == [] and rows(napp, Delivery.status == "sent") != []
    assert {r.status for r in rows(napp, Delivery.channel == "sms")} == {"pending"}
    assert notes(napp, world["accounts"][1])  # in-app is silent: it goes in at any hour
    # An urgent change: tonight's patrol moves (it starts within hours).
    with napp.app_context():
        tonight = patrol(world, rule=None, until_days=None, start_day=0, at=time(23, 30),
                         title="今晚巡逻")
        tonight_role = roles_of(tonight)[0]
        db.session.remove()
    sign(napp, world, 3, tonight_role, now=clock.at - timedelta(hours=2))
    with napp.app_context():
        occ = db.session.scalar(select(Assignment).where(
            Assignment.person_id == world["people"][3])).role.occurrence_id
        db.session.remove()
    run(napp, lambda s: changes.move_occurrence(
        s, s.get(Account, world["coordinator"]), occ,
        start_date=(clock.at + timedelta(hours=8)).date(), start_time=time(23, 45),
        duration_minutes=60, venue_id=None, now=clock.at))
    tasks.sweep(napp)
    urgent = [m for m in gateway.received if m["to"] == "13900000003"]
    assert len(urgent) == 1 and "改期" in urgent[0]["text"]
    assert [m for m in gateway.received if m["to"] == "13900000001"] == []
    clock.at = NOW.replace(hour=23, minute=0)  # 07:00 local: morning
    tasks.sweep(napp)
    assert len([m for m in gateway.received if m["to"] == "13900000001"]) == 1


def test_change_notices_reach_the_people_concerned(napp, world, clock, sink, gateway):
    _, role = shift(napp, world, needed=1, maximum=1)
    first = sign(napp, world, 0, role)
    waiting = sign(napp, world, 1, role)
    assert waiting.status == "waitlisted"
    coord = world["coordinator"]
    # The coordinator removes member 0: member 0 is told, member 1 is promoted and told.
    run(napp, lambda s: signups.withdraw(s, s.get(Account, coord), first.assignment_id,
                                         NOW))
    tasks.sweep(napp)
    [mail] = sink.to("member0@example.org")
    assert mail["Subject"].startswith("No longer yours: 晚间巡逻")
    [sms] = gateway.received
    assert sms["to"] == "13900000001" and "候补" in sms["text"] and len(sms["text"]) <= 70
    # Member 1 swaps the shift to member 2: both are told.
    with napp.app_context():
        promoted = db.session.scalar(select(Assignment.id).where(
            Assignment.person_id == world["people"][1], Assignment.status == "confirmed"))
        db.session.remove()
    offer_id = run(napp, lambda s: swaps.offer(s, s.get(Account, world["accounts"][1]),
                                               promoted, NOW).id)
    run(napp, lambda s: swaps.take(s, s.get(Account, world["accounts"][2]), offer_id, NOW))
    tasks.sweep(napp)
    texts = {m["to"]: m["text"] for m in gateway.received[1:]}
    assert set(texts) == {"13900000001", "13900000002"}
    # The coordinator cancels the occurrence: member 2 is told, with the reason.
    with napp.app_context():
        occ_id = db.session.scalar(select(Assignment).where(
            Assignment.person_id == world["people"][2])).role.occurrence_id
        db.session.remove()
    run(napp, lambda s: changes.cancel_occurrence(s, s.get(Account, coord), occ_id,
                                                  "大风停巡", NOW))
    tasks.sweep(napp)
    assert gateway.received[-1]["to"] == "13900000002"
    assert "取消" in gateway.received[-1]["text"]
    kinds = [n[2] for n in notes(napp, world["accounts"][2])]
    assert any("大风停巡" in body for body in kinds)
    # Every flag was consumed exactly once.
    with napp.app_context():
        assert db.session.scalar(select(func.count()).select_from(Assignment).where(
            Assignment.needs_notice.is_(True))) == 0
        db.session.remove()
    before = len(gateway.received)
    tasks.sweep(napp)
    assert len(gateway.received) == before


def test_daily_digest_to_coordinators_of_the_community(napp, world, clock, sink, gateway):
    _, role = shift(napp, world, needed=3, maximum=3)
    sign(napp, world, 0, role)
    confirmed = sign(napp, world, 1, role)
    run(napp, lambda s: signups.withdraw(s, s.get(Account, world["accounts"][1]),
                                         confirmed.assignment_id, NOW))
    staff(napp, world, "coordinator", "mine", "coord@example.org", [world["community"]])
    staff(napp, world, "coordinator", "other", "other@example.org", [world["other"]])
    clock.advance(hours=1)
    # "mine": e-mail + in-app; the world's coordinator (no e-mail): in-app; "other": none.
    assert tasks.digest(napp) == 3
    assert tasks.digest(napp) == 0  # the same day again: nothing new
    tasks.sweep(napp)
    [mail] = sink.messages
    assert mail["To"] == "coord@example.org"
    assert mail["Subject"] == "Daily digest: 2 open places in the next three days"
    text = mail.get_body(("plain",)).get_content()
    assert "晚间巡逻" in text and "巡逻队员" in text
    assert "Withdrawals in the last day: 1" in text and "队员1" in text
    html = mail.get_body(("html",)).get_content()
    assert "<li>" in html and "晚间巡逻" in html


def test_weekly_summary_to_leaders_with_the_plan_figures(napp, world, clock, sink, gateway):
    local_today = (NOW + timedelta(hours=8)).date()
    monday = local_today + timedelta(days=(7 - local_today.weekday()) % 7 or 7)
    with napp.app_context():
        patrol(world, needed=2, maximum=2, start_day=1)
        # A care visit's title may name the person visited: leaders never read it.
        patrol(world, needed=3, maximum=3, start_day=(monday - local_today).days + 1,
               rule=None, kind="care", title="探望王奶奶", at=time(15, 0))
        db.session.remove()
    staff(napp, world, "leader", "boss", "leader@example.org")
    # A branch secretary on the township committee gets it too; a plain coordinator not.
    both = staff(napp, world, "coordinator", "secretary", "secretary@example.org",
                  communities=[world["community"]])
    staff(napp, world, "coordinator", "plain", "plain@example.org",
           communities=[world["community"]])
    with napp.app_context():
        db.session.get(Account, both).is_also_leader = True
        db.session.commit()
        db.session.remove()
    clock.at = NOW.replace(year=monday.year, month=monday.month, day=monday.day,
                           hour=23, minute=0) - timedelta(days=1)  # Monday 07:00 local
    assert tasks.weekly(napp) == 4  # e-mail and in-app, for each of the two
    assert tasks.weekly(napp) == 0
    tasks.sweep(napp)
    assert sorted(m["To"] for m in sink.messages) == ["leader@example.org",
                                                       "secretary@example.org"]
    [mail] = [m for m in sink.messages if m["To"] == "leader@example.org"]
    text = mail.get_body(("plain",)).get_content()
    assert mail["To"] == "leader@example.org" and "Weekly plan from" in mail["Subject"]
    assert "Places needed:" in text and "Biggest gaps:" in text and "晚间巡逻" in text
    html = mail.get_body(("html",)).get_content()
    assert "Care visit" in text and "3 missing" in text
    assert "王奶奶" not in text and "王奶奶" not in html
