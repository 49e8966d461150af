"""Calendar feeds, read back the way clients read them: icalendar parses what we publish and
recurring-ical-events expands it. Every kind of feed, each property, local times (also
across a DST change), Chinese line folding, UID/SEQUENCE across edits, cancellations kept
then dropped, privacy of care visits and phone numbers, alarms and filters."""
from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone

from coordinator.database import begin_write
from coordinator.domain.dates import calendar_sequence
from coordinator.extensions import db
from coordinator.models import Account, Occurrence, Series
from coordinator.services.schedule.series import RoleInput, SeriesInput, create_series
from tests.support.feeds import (
    COORD_PHONE,
    cancel,
    expanded,
    get,
    later,
    move,
    occurrences,
    parse,
    sign,
    subscribe,
    text,
    tick,
    uid,
    url,
    vevents,
    withdraw,
    zh,
    zh_summary,
)
from tests.support.scheduling import NOW, account, build_world, patrol, roles_of


def _set_locale(app, account_id, locale):
    with app.app_context():
        db.session.get(Account, account_id).locale = locale
        db.session.commit()


# --- calendar and event properties -------------------------------------------------------

def test_calendar_properties_of_the_personal_feed(app, client, world):
    with app.app_context():
        sign(world["accounts"][0], world["roles"][0])
        token = subscribe(world["accounts"][0])
    body = get(client, token)
    cal = parse(body)
    assert str(cal["VERSION"]) == "2.0" and "Volunteer coordination" in str(cal["PRODID"])
    name = zh(app, "My volunteer shifts")  # in the owner's language (Chinese by default)
    assert str(cal["NAME"]) == str(cal["X-WR-CALNAME"]) == name
    assert str(cal["X-WR-CALDESC"]) == zh(app, "Volunteer work: %(name)s", name=name)
    assert str(cal["X-WR-TIMEZONE"]) == "Asia/Shanghai"
    assert b"\r\nREFRESH-INTERVAL;VALUE=DURATION:PT1H\r\n" in body
    assert b"\r\nX-PUBLISHED-TTL:PT1H\r\n" in body
    used = {e["DTSTART"].params["TZID"] for e in cal.walk("VEVENT")} | {
        e["DTEND"].params["TZID"] for e in cal.walk("VEVENT")}
    zones = cal.walk("VTIMEZONE")
    assert used == {"Asia/Shanghai"} and used <= {str(z["TZID"]) for z in zones}
    assert all("COMMENT" not in z for z in zones) and b"COMMENT" not in body
    assert "METHOD" not in cal and b"ORGANIZER" not in body and b"ATTENDEE" not in body


def test_event_properties_in_the_personal_feed(app, client, world):
    with app.app_context():
        first = world["roles"][0]
        sign(world["accounts"][0], first)
        sign(world["accounts"][1], first)
        single = patrol(world, needed=1, maximum=1, rule=None, at=time(8, 0), title="早班",
                        until_days=None)
        sign(world["accounts"][1], roles_of(single)[0])
        sign(world["accounts"][0], roles_of(single)[0])  # full: waitlisted
        for model in (Occurrence, Series):  # planned long ago: the sign-up is the last change
            db.session.execute(db.update(model).values(updated_at=NOW - timedelta(days=9)))
        db.session.commit()
        token = subscribe(world["accounts"][0])
        single_occ = occurrences(single)[0]
    events = vevents(get(client, token))
    assert set(events) == {uid(world["occ"][0]), uid(single_occ)}
    assert all("/" not in u for u in events)
    event = events[uid(world["occ"][0])]
    assert event.decoded("DTSTAMP") == event.decoded("LAST-MODIFIED") == NOW  # not "now"
    assert event.decoded("DTSTAMP").utcoffset() == timedelta(0)
    assert event.decoded("SEQUENCE") == calendar_sequence(NOW)  # seconds to that change
    assert text(event, "SUMMARY") == zh_summary(app, "patrol", "晚间巡逻")  # kind, title
    assert text(event, "SUMMARY").startswith("巡逻")
    assert text(event, "LOCATION") == "活动室一"
    description = text(event, "DESCRIPTION")
    assert "巡逻队员" in description  # the role
    assert "队员1 13900000001" in description  # the teammate, with phone
    assert f"张书记 {COORD_PHONE}" in description  # the coordinator, with phone
    page = f"http://localhost/shifts/{world['occ'][0]}"  # the page of that shift
    assert page in description
    assert text(event, "URL") == page
    assert event["CATEGORIES"].cats == ["PATROL"]
    assert text(event, "STATUS") == "CONFIRMED"
    waiting = events[uid(single_occ)]
    assert text(waiting, "STATUS") == "TENTATIVE"
    assert zh(app, "On the waitlist") in text(waiting, "DESCRIPTION")
    assert text(waiting, "SUMMARY") == zh_summary(app, "patrol", "早班")


def test_feed_speaks_the_owners_language(app, client, world):
    with app.app_context():
        sign(world["accounts"][0], world["roles"][0])
        sign(world["accounts"][1], world["roles"][0])
        token = subscribe(world["accounts"][0])
    chinese = vevents(get(client, token))[uid(world["occ"][0])]
    assert text(chinese, "SUMMARY").startswith("巡逻") and "Patrol" not in get(client, token
                                                                                ).decode()
    assert zh(app, "Role: %(role)s", role="巡逻队员") in text(chinese, "DESCRIPTION")
    _set_locale(app, world["accounts"][0], "en")
    body = get(client, token)
    cal = parse(body)
    assert str(cal["NAME"]) == str(cal["X-WR-CALNAME"]) == "My volunteer shifts"
    assert str(cal["X-WR-CALDESC"]) == "Volunteer work: My volunteer shifts"
    event = vevents(body)[uid(world["occ"][0])]
    assert text(event, "SUMMARY") == "Patrol: 晚间巡逻"
    description = text(event, "DESCRIPTION")
    assert "Role: 巡逻队员" in description and "With: 队员1 13900000001" in description
    assert f"Coordinator: 张书记 {COORD_PHONE}" in description


# --- local times -------------------------------------------------------------------------

def test_local_times_read_back_in_shanghai(app, client, world):
    with app.app_context():
        token = subscribe(world["accounts"][0], "team", world["team"])
    body = get(client, token)
    assert "巡逻队" == str(parse(body)["X-WR-CALNAME"])
    shown = expanded(body)
    assert len(shown) == 7
    for event in shown:
        start, end = event.decoded("DTSTART"), event.decoded("DTEND")
        assert (start.hour, start.minute, end.hour, end.minute) == (19, 30, 21, 30)
        assert start.utcoffset() == timedelta(hours=8)
        assert start.astimezone(timezone.utc).time() == time(11, 30)


def _next_october_change(after: date) -> date:
    """The last Sunday of October (Europe's return to standard time) after ``after``."""
    for year in (after.year, after.year + 1):
        day = date(year, 10, 31)
        day -= timedelta(days=(day.weekday() + 1) % 7)
        if day > after:
            return day
    raise AssertionError


def test_evening_patrol_keeps_local_time_across_the_dst_change(berlin):
    change = _next_october_change((NOW + timedelta(days=3)).date())
    with berlin.app_context():
        w = build_world()
        data = SeriesInput(kind="patrol", title="Abendstreife", community_id=w["community"],
                           start_date=change - timedelta(days=2), start_time=time(19, 30),
                           duration_minutes=120, rrule="FREQ=DAILY",
                           until=change + timedelta(days=2),
                           roles=(RoleInput("Streife", 2, 2, w["team"]),))
        begin_write(db.session)
        create_series(db.session, account(w["coordinator"]), data, NOW, zone="Europe/Berlin",
                      horizon_end=datetime.combine(change, time(0), timezone.utc)
                      + timedelta(days=10))
        db.session.commit()
        token = subscribe(w["accounts"][0], "team", w["team"])
    body = berlin.test_client().get(url(token)).data
    cal = parse(body)
    assert str(cal["X-WR-TIMEZONE"]) == "Europe/Berlin"
    zone = {str(z["TZID"]): z for z in cal.walk("VTIMEZONE")}["Europe/Berlin"]
    assert zone.walk("DAYLIGHT") and zone.walk("STANDARD")
    shown = sorted(expanded(body, days=500), key=lambda e: e.decoded("DTSTART"))
    assert [e.decoded("DTSTART").date() for e in shown] == [
        change + timedelta(days=d) for d in range(-2, 3)]
    for event in shown:
        start = event.decoded("DTSTART")
        assert (start.hour, start.minute) == (19, 30) and event["DTSTART"].params[
            "TZID"] == "Europe/Berlin"
        summer = start.date() < change
        assert start.utcoffset() == timedelta(hours=2 if summer else 1)
        assert start.astimezone(timezone.utc).time() == (time(17, 30) if summer
                                                         else time(18, 30))


# --- serialisation -----------------------------------------------------------------------

def test_chinese_text_is_folded_between_characters_with_crlf(app, client, world):
    notes = "请穿反光背心，带好手电筒和对讲机，七点二十分在活动室门口集合。" * 6
    with app.app_context():
        series = db.session.get(Series, world["patrol"])
        series.description = notes
        series.title = title = "晚间巡逻（沿河步道、菜市场、老年活动中心、幼儿园门口）"
        db.session.commit()
        sign(world["accounts"][0], world["roles"][0])
        token = subscribe(world["accounts"][0])
    body = get(client, token)
    assert body.endswith(b"\r\n") and b"\n" not in body.replace(b"\r\n", b"")
    lines = body[:-2].split(b"\r\n")
    assert max(len(line) for line in lines) <= 75
    for line in lines:
        line.decode("utf-8")  # a UTF-8 sequence split by folding fails here
    assert sum(1 for line in lines if line.startswith(b" ")) >= 5
    event = vevents(body)[uid(world["occ"][0])]
    assert notes in text(event, "DESCRIPTION")
    assert text(event, "SUMMARY") == zh_summary(app, "patrol", title)


# --- changes -----------------------------------------------------------------------------

def test_moved_occurrence_keeps_its_uid_with_a_higher_sequence(app, client, world):
    with app.app_context():
        sign(world["accounts"][0], world["roles"][2])
        token = subscribe(world["accounts"][0])
        team = subscribe(world["accounts"][1], "team", world["team"])
    target = uid(world["occ"][2])
    before = vevents(get(client, token))[target]
    start = before.decoded("DTSTART")
    tick(app)
    with app.app_context():
        move(world, world["occ"][2], start + timedelta(hours=1))
    for feed in (token, team):
        after = vevents(get(client, feed))[target]
        assert after.decoded("SEQUENCE") > before.decoded("SEQUENCE")
        moved = after.decoded("DTSTART")
        assert (moved.hour, moved.minute) == (20, 30) and moved.date() == start.date()
        assert after.decoded("LAST-MODIFIED") == after.decoded("DTSTAMP")


def test_cancelled_occurrence_stays_thirty_days_then_drops(app, client, world):
    with app.app_context():
        weekend = patrol(world, start_day=10, until_days=1, title="周末巡逻")
        gone, kept = occurrences(weekend)
        sign(world["accounts"][0], roles_of(weekend)[0])
        mine = subscribe(world["accounts"][0])
        team = subscribe(world["accounts"][1], "team", world["team"])
    before = vevents(get(client, team))[uid(gone)].decoded("SEQUENCE")
    tick(app)
    with app.app_context():
        cancel(world, gone, "暴雨预警")
    for feed in (mine, team):
        event = vevents(get(client, feed))[uid(gone)]
        assert text(event, "STATUS") == "CANCELLED" and event.decoded("SEQUENCE") > before
        assert "暴雨预警" in text(event, "DESCRIPTION")
    later(app, 29)
    assert text(vevents(get(client, team))[uid(gone)], "STATUS") == "CANCELLED"
    later(app, 31)
    events = vevents(get(client, team))
    assert uid(gone) not in events and text(events[uid(kept)], "STATUS") == "CONFIRMED"
    assert uid(gone) not in vevents(get(client, mine))


def test_withdrawal_cancels_in_the_personal_feed_then_drops(app, client, world):
    with app.app_context():
        weekend = patrol(world, start_day=10, until_days=1, title="周末巡逻")
        occ = occurrences(weekend)[0]
        assignment = sign(world["accounts"][0], roles_of(weekend)[0])
        mine = subscribe(world["accounts"][0])
        team = subscribe(world["accounts"][0], "team", world["team"])
    before = vevents(get(client, mine))[uid(occ)]
    tick(app)
    with app.app_context():
        withdraw(world["accounts"][0], assignment)
    after = vevents(get(client, mine))[uid(occ)]
    assert text(after, "STATUS") == "CANCELLED"
    assert after.decoded("SEQUENCE") > before.decoded("SEQUENCE")
    assert zh(app, "You are no longer on this shift.") in text(after, "DESCRIPTION")
    assert text(vevents(get(client, team))[uid(occ)], "STATUS") == "CONFIRMED"
    later(app, 31)
    assert uid(occ) not in vevents(get(client, mine))
    assert uid(occ) in vevents(get(client, team))


def test_signing_up_again_after_withdrawing_raises_the_sequence_again(app, client, world):
    """A client that saw the event CANCELLED must accept it CONFIRMED again: RFC 5545
    clients ignore a change whose SEQUENCE is not higher than the one they hold."""
    with app.app_context():
        first = sign(world["accounts"][0], world["roles"][3])
        mine = subscribe(world["accounts"][0])
        withdraw(world["accounts"][0], first)
    cancelled = vevents(get(client, mine))[uid(world["occ"][3])]
    assert text(cancelled, "STATUS") == "CANCELLED"
    tick(app)
    with app.app_context():
        second = sign(world["accounts"][0], world["roles"][3])
    again = vevents(get(client, mine))[uid(world["occ"][3])]
    assert text(again, "STATUS") == "CONFIRMED"
    assert again.decoded("SEQUENCE") > cancelled.decoded("SEQUENCE")
    tick(app)
    with app.app_context():
        withdraw(world["accounts"][0], second)
    last = vevents(get(client, mine))[uid(world["occ"][3])]
    assert text(last, "STATUS") == "CANCELLED"
    assert last.decoded("SEQUENCE") > again.decoded("SEQUENCE")
