"""Feed times read back the way clients read them (issue #12: summer events an hour late
in ical.js and vobject, which read only the first value of an RDATE list): the generated
VTIMEZONE has one RRULE per yearly rule, and icalendar (with that VTIMEZONE),
recurring-ical-events and ical.js all find the instants that zoneinfo and the database
hold, in Shanghai and in Berlin, for every kind of feed."""
from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import icalendar
import pytest

from coordinator import create_app
from coordinator.database import begin_write
from coordinator.domain import zone_rules
from coordinator.extensions import db
from coordinator.models import Community, Occurrence, OccurrenceRole
from coordinator.services.feeds.render import vtimezone
from coordinator.services.schedule.series import RoleInput, SeriesInput, create_series
from tests.support import readback
from tests.support.database import FAST_ARGON2
from tests.support.feeds import (
    add_care_visit,
    feed_world,
    get,
    occurrences,
    sign,
    subscribe,
    uid,
)
from tests.support.scheduling import NOW, account, patrol

UTC = timezone.utc
HALF_HOUR = timedelta(minutes=30)
# No DST; European, North American and southern rules; half-hour offsets and DST; a
# Friday rule (Israel); negative DST (Dublin); zones whose rules changed (Istanbul 2016,
# Sao Paulo 2019, Apia 2021, Tehran and Mexico City 2022, Asuncion 2024); Casablanca's
# changes around Ramadan, which follow no yearly rule.
ZONES = ["Asia/Shanghai", "Asia/Kolkata", "Europe/Berlin", "Europe/Dublin", "Europe/Istanbul",
         "America/New_York", "America/Sao_Paulo", "America/Mexico_City", "America/Asuncion",
         "America/Santiago", "Australia/Sydney", "Australia/Lord_Howe", "Pacific/Chatham",
         "Pacific/Apia", "Asia/Jerusalem", "Asia/Tehran", "Africa/Casablanca"]


def _parts(zone: str) -> list[icalendar.cal.Component]:
    [tz] = icalendar.Calendar.from_ical(b"BEGIN:VCALENDAR\r\n" + vtimezone(zone)
                                        + b"END:VCALENDAR\r\n").walk("VTIMEZONE")
    return [c for c in tz.subcomponents if c.name in ("STANDARD", "DAYLIGHT")]


def test_berlin_vtimezone_is_two_yearly_rules():
    text = vtimezone("Europe/Berlin").decode()
    assert "COMMENT" not in text and "RDATE" not in text
    rules = {(c.name, str(c["TZNAME"]), c["TZOFFSETTO"].td): c.get("RRULE")
             for c in _parts("Europe/Berlin")}
    daylight = rules[("DAYLIGHT", "CEST", timedelta(hours=2))]
    standard = rules[("STANDARD", "CET", timedelta(hours=1))]
    assert daylight == {"FREQ": ["YEARLY"], "BYMONTH": [3], "BYDAY": ["-1SU"]}
    assert standard == {"FREQ": ["YEARLY"], "BYMONTH": [10], "BYDAY": ["-1SU"]}
    assert "UNTIL" not in daylight and "UNTIL" not in standard  # the rule goes on


def test_shanghai_vtimezone_is_one_standard_observance():
    [only] = _parts("Asia/Shanghai")
    assert only.name == "STANDARD" and "RRULE" not in only and "RDATE" not in only
    assert only["TZOFFSETFROM"].td == only["TZOFFSETTO"].td == timedelta(hours=8)


def test_zones_that_changed_their_rules_list_one_onset_a_line():
    for zone in ("Europe/Istanbul", "America/Asuncion", "Africa/Casablanca"):
        text = vtimezone(zone).decode()
        assert "RDATE" not in text and "COMMENT" not in text, zone
        assert _parts(zone)[-1].name == "STANDARD", zone  # standard time all year now
    [istanbul] = _parts("Europe/Istanbul")  # +03 all year since 2016
    assert istanbul["TZOFFSETTO"].td == timedelta(hours=3)
    asuncion = [c for c in _parts("America/Asuncion") if "RRULE" in c]
    assert len(asuncion) == 2 and all(c["RRULE"]["UNTIL"][0].year == 2024 for c in asuncion)
    casablanca = _parts("Africa/Casablanca")  # around Ramadan: no yearly rule
    assert len(casablanca) > 40 and not any("RRULE" in c for c in casablanca)


def _walls(zone: str) -> list[datetime]:
    """Wall times to read back: noon every 19 days from 2019 to 2040, and two or three
    hours either side of every change of offset (an onset an hour off shows there); none
    that a change skips or repeats, nor one whose half-hour event ends in such a time."""
    walls = [readback.noon(date(2019, 1, 1) + timedelta(days=19 * i)) for i in range(425)]
    tz = ZoneInfo(zone)
    for change in zone_rules.changes(tz, zone_rules.utc(2019), zone_rules.utc(2041)):
        for hours in (-3, -2, 2, 3):
            walls.append((change.at + timedelta(hours=hours)).astimezone(tz).replace(
                tzinfo=None))

    def plain(wall):
        aware = wall.replace(tzinfo=tz)
        return (aware.utcoffset() == aware.replace(fold=1).utcoffset()
                and aware.astimezone(UTC).astimezone(tz).replace(tzinfo=None) == wall)

    return [w for w in walls if plain(w) and plain(w + HALF_HOUR)]


def test_every_reader_of_each_vtimezone_agrees_with_zoneinfo_until_2040():
    bodies, expected = [], []
    for zone in ZONES:
        walls = _walls(zone)
        bodies.append(readback.calendar_of(vtimezone(zone), zone, walls))
        tz = ZoneInfo(zone)
        expected.append({(str(i), w.replace(tzinfo=tz).astimezone(UTC),
                          (w + HALF_HOUR).replace(tzinfo=tz).astimezone(UTC))
                         for i, w in enumerate(walls)})
    for zone, body, js, want in zip(ZONES, bodies, readback.by_icaljs(bodies), expected):
        python = readback.by_icalendar(body)
        assert python == want, (zone, sorted(python - want)[:3])
        assert js == want, (zone, sorted(js - want)[:3])


# --- through the feed URL ----------------------------------------------------------------

@pytest.fixture(params=["Asia/Shanghai", "Europe/Berlin"])
def zoned(request, database_url, tmp_path):
    """An app whose TIMEZONE is the parameter."""
    zone = request.param
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": database_url,
                      "SECRET_KEY": "test-secret", "INSTANCE_PATH": str(tmp_path / "zoned"),
                      "TIMEZONE": zone, "BABEL_DEFAULT_TIMEZONE": zone, "NOW": NOW,
                      **FAST_ARGON2})
    yield app
    with app.app_context():
        db.engine.dispose()


def _weekly(w: dict, zone: str, first: date, until: date, *, title: str = "Chorprobe",
            is_public: bool = False) -> int:
    """A 09:30-11:00 weekly rehearsal in ``zone`` from ``first`` to ``until``, with a role
    for the patrol team; returns the series id."""
    data = SeriesInput(kind="rehearsal", title=title, community_id=w["community"],
                       start_date=first, start_time=time(9, 30), duration_minutes=90,
                       rrule="FREQ=WEEKLY", until=until, is_public=is_public,
                       roles=(RoleInput("Sänger", 1, 20, w["team"]),))
    begin_write(db.session)
    series = create_series(db.session, account(w["coordinator"]), data, NOW, zone=zone,
                           horizon_end=datetime.combine(until, time(0), UTC)
                           + timedelta(days=2))
    db.session.commit()
    return series.id


def _held(occurrence_ids) -> set[readback.Instant]:
    """What the database holds for these occurrences."""
    rows = db.session.scalars(db.select(Occurrence).where(Occurrence.id.in_(occurrence_ids)))
    return {(uid(o.id), o.start_at.astimezone(UTC), o.end_at.astimezone(UTC)) for o in rows}


def _window(app) -> tuple[datetime, datetime]:
    return (NOW - timedelta(days=app.config["FEED_PAST_DAYS"]),
            NOW + timedelta(days=app.config["FEED_FUTURE_DAYS"]))


def test_weekly_rehearsal_stays_at_0930_in_berlin_across_both_changes(berlin):
    today = (NOW + timedelta(hours=8)).date()
    year = today.year + 1 if today >= date(today.year, 2, 1) else today.year
    first = date(year, 2, 1) + timedelta(days=(1 - date(year, 2, 1).weekday()) % 7)  # Tuesday
    until = date(year, 11, 30)
    berlin.config["FEED_FUTURE_DAYS"] = (until - today).days + 30
    with berlin.app_context():
        w = feed_world()
        series = _weekly(w, "Europe/Berlin", first, until)
        held = _held(occurrences(series))
        token = subscribe(w["accounts"][0], "team", w["team"])
    [shown] = readback.every_reader([get(berlin.test_client(), token)], *_window(berlin))
    berlin_tz = ZoneInfo("Europe/Berlin")
    tuesdays = [first + timedelta(weeks=n) for n in range((until - first).days // 7 + 1)]
    want = {datetime.combine(d, time(9, 30), berlin_tz).astimezone(UTC) for d in tuesdays}
    assert {start for _, start, _ in shown} == want and len(shown) == len(tuesdays)
    assert all(end - start == timedelta(minutes=90) for _, start, end in shown)
    summer = {s.astimezone(UTC).time() for _, s, _ in shown
              if readback.last_sunday(year, 3) < s.date() < readback.last_sunday(year, 10)}
    winter = {s.astimezone(UTC).time() for _, s, _ in shown} - summer
    assert summer == {time(7, 30)} and winter == {time(8, 30)}
    assert shown == held


def test_every_kind_of_feed_reads_back_as_the_database_holds_it(zoned):
    zone = zoned.config["TIMEZONE"]
    client = zoned.test_client()
    change = readback.next_european_change((NOW + timedelta(hours=8)).date() + timedelta(21))
    with zoned.app_context():
        w = feed_world()
        db.session.get(Community, w["community"]).is_public_feed = True
        db.session.commit()
        rehearsal = occurrences(_weekly(w, zone, change - timedelta(days=20),
                                        change + timedelta(days=20), is_public=True))
        daily = occurrences(patrol(w, venue=w["room"]))
        care = occurrences(add_care_visit(w))
        mine = [rehearsal[0], rehearsal[-1], daily[0]]
        for occ in mine:
            sign(w["accounts"][0], db.session.scalar(db.select(OccurrenceRole.id).where(
                OccurrenceRole.occurrence_id == occ)))
        feeds = {
            "mine": (subscribe(w["accounts"][0]), mine),
            "team": (subscribe(w["accounts"][0], "team", w["team"]), rehearsal + daily),
            "community": (subscribe(w["coordinator"], "community", w["community"]),
                          rehearsal + daily + care),
            "organisation": (subscribe(w["leader"], "organisation"), rehearsal + daily + care),
        }
        held = {name: _held(ids) for name, (_, ids) in feeds.items()}
        held["public"] = _held(rehearsal)
    bodies = {name: get(client, token) for name, (token, _) in feeds.items()}
    public = client.get("/feeds/public/C01.ics")
    assert public.status_code == 200
    bodies["public"] = public.data
    readings = readback.every_reader(list(bodies.values()), *_window(zoned))
    for name, shown in zip(bodies, readings):
        assert shown == held[name], (zone, name, sorted(shown ^ held[name])[:3])
