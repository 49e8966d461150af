"""Shared set-up of the calendar feed tests (test_feeds*.py): a community with a patrol
team, a coordinator who has a phone, a second community's coordinator, a leader, a care
group with a care visit, and helpers to subscribe, fetch and parse what we publish."""
from __future__ import annotations

from datetime import datetime, time, timedelta

import icalendar
import recurring_ical_events
from flask_babel import force_locale, gettext

from coordinator.clock import now
from coordinator.database import begin_write
from coordinator.extensions import db
from coordinator.models import (
    Account,
    CareRecipient,
    CareVisitDetail,
    CoordinatorScope,
    Occurrence,
    Person,
    Team,
    TeamMember,
)
from coordinator.services.feeds import tokens as feed_tokens
from coordinator.services.feeds.viewer import Viewer
from coordinator.services.people.accounts import hash_password
from coordinator.services.schedule import changes
from coordinator.services.schedule.series import RoleInput, SeriesInput, create_series
from coordinator.services.shifts import signups
from coordinator.vocab import SERIES_KINDS
from tests.support.database import TEST_PASSWORD
from tests.support.scheduling import NOW, ZONE, account, build_world, patrol, roles_of

COORD_PHONE = "13812340000"
COORD2_PHONE = "13822220000"
RECIPIENT = {"full_name": "赵桂兰", "place": "hospital", "address": "一连七栋三单元301室",
             "ward": "人民医院五病区"}
CARE_TITLE = "探望独居老人"
CARE_NOTES = "门铃坏了，请先打电话"

# Feed readers as ``viewer_for`` builds them (for tests calling ``content`` directly).
ADMIN = Viewer(phones=None, opens=None, opens_all=True)


def coordinator_of(*community_ids: int, person_id: int | None = None) -> Viewer:
    ids = frozenset(community_ids)
    return Viewer(person_id=person_id, care=ids, phones=ids, opens=ids)


def forget_process_memory(app) -> None:
    """Forget what this app remembers of each feed, as another app process would
    (the next poll goes through the token lookup and the validator again). Each app has
    its own caches (``create_app``), so a test starts with empty ones."""
    app.extensions["feed_caches"].forget_feeds()


def feed_world() -> dict:
    """Commit the world of the feed tests (inside an app context); returns ids."""
    w = build_world()
    coord = db.session.get(Account, w["coordinator"])
    me = Person(full_name="张书记", phone=COORD_PHONE, community_id=w["community"])
    other = Person(full_name="钱主任", phone=COORD2_PHONE, community_id=w["other"])
    db.session.add_all([me, other])
    db.session.flush()
    coord.person_id = me.id
    coord2 = Account(role="coordinator", username="coord2", person_id=other.id)
    leader = Account(role="leader", username="leader")
    care = Team(name="探望组", kind="care", community_id=w["community"])
    db.session.add_all([coord2, leader, care])
    db.session.flush()
    db.session.add(CoordinatorScope(account_id=coord2.id, community_id=w["other"]))
    for person_id in w["people"][5:7]:
        db.session.add(TeamMember(team_id=care.id, person_id=person_id))
    for row in db.session.scalars(db.select(Account)):
        row.password_hash = hash_password(TEST_PASSWORD)
    db.session.commit()
    w.update(coord2=coord2.id, leader=leader.id, care_team=care.id, coord_person=me.id)
    return w


def patrol_world(app) -> dict:
    """The feed world plus a daily patrol in the room, 19:30-21:30 from tomorrow, 7 dates."""
    with app.app_context():
        w = feed_world()
        w["patrol"] = patrol(w, venue=w["room"])
        w["occ"] = occurrences(w["patrol"])
        w["roles"] = roles_of(w["patrol"])
    return w


def add_series(w: dict, actor: int, community: int, title: str, *, kind: str = "talk",
               is_public: bool = False, start_day: int = 3, at: time = time(9, 0),
               team: int | None = None) -> int:
    """A single event (default: a talk at 09:00 in three days) with one role."""
    start = (NOW + timedelta(hours=8)).date() + timedelta(days=start_day)
    data = SeriesInput(kind=kind, title=title, community_id=community, start_date=start,
                       start_time=at, duration_minutes=90, is_public=is_public,
                       roles=(RoleInput("讲师", 1, 2, team),))
    begin_write(db.session)
    series = create_series(db.session, account(actor), data, NOW, zone=ZONE,
                           horizon_end=NOW + timedelta(weeks=12))
    db.session.commit()
    return series.id


def add_care_visit(w: dict, start_day: int = 2) -> int:
    """A weekly care visit of the care group (people 5 and 6), linked to a recipient;
    person 5 is assigned to its first date. Returns the series id."""
    recipient = CareRecipient(community_id=w["community"], health_notes="糖尿病", **RECIPIENT)
    db.session.add(recipient)
    db.session.commit()
    start = (NOW + timedelta(hours=8)).date() + timedelta(days=start_day)
    data = SeriesInput(kind="care", title=CARE_TITLE, community_id=w["community"],
                       start_date=start, start_time=time(15, 0), duration_minutes=60,
                       rrule="FREQ=WEEKLY", until=start + timedelta(days=14),
                       team_id=w["care_team"], description=CARE_NOTES,
                       roles=(RoleInput("探望员", 1, 2, w["care_team"]),))
    begin_write(db.session)
    series = create_series(db.session, account(w["coordinator"]), data, NOW, zone=ZONE,
                           horizon_end=NOW + timedelta(weeks=12))
    db.session.add(CareVisitDetail(series_id=series.id, recipient_id=recipient.id))
    db.session.commit()
    return series.id


def subscribe(account_id: int, scope: str = "mine", scope_id: int | None = None,
              rotate: bool = False) -> str:
    """Issue (or rotate) a feed token as the service does; returns the raw token."""
    begin_write(db.session)
    token = feed_tokens.issue(db.session, db.session.get(Account, account_id), scope, scope_id,
                              "test-secret", NOW, rotate=rotate)
    db.session.commit()
    return token


def sign(account_id: int, role_id: int, now: datetime = NOW, **kw) -> int:
    begin_write(db.session)
    result = signups.sign_up(db.session, account(account_id), role_id, now, zone=ZONE, **kw)
    db.session.commit()
    return result.assignment_id


def withdraw(account_id: int, assignment_id: int, now: datetime = NOW) -> None:
    begin_write(db.session)
    signups.withdraw(db.session, account(account_id), assignment_id, now)
    db.session.commit()


def cancel(w: dict, occurrence_id: int, reason: str = "暴雨预警") -> None:
    begin_write(db.session)
    changes.cancel_occurrence(db.session, account(w["coordinator"]), occurrence_id, reason, NOW)
    db.session.commit()


def move(w: dict, occurrence_id: int, start_at: datetime, minutes: int = 120) -> None:
    """Move an occurrence to ``start_at`` (an aware local time) through the service."""
    begin_write(db.session)
    changes.move_occurrence(db.session, account(w["coordinator"]), occurrence_id,
                            start_date=start_at.date(), start_time=start_at.timetz().replace(
                                tzinfo=None), duration_minutes=minutes,
                            venue_id=db.session.get(Occurrence, occurrence_id).venue_id,
                            now=NOW)
    db.session.commit()


def occurrences(series_id: int) -> list[int]:
    return list(db.session.scalars(db.select(Occurrence.id).where(
        Occurrence.series_id == series_id).order_by(Occurrence.start_at)))


def uid(occurrence_id: int) -> str:
    return f"occ-{occurrence_id}@localhost"


def url(token: str) -> str:
    return f"/feeds/{token}.ics"


def parse(body: bytes) -> icalendar.Calendar:
    return icalendar.Calendar.from_ical(body)


def vevents(body: bytes) -> dict[str, icalendar.Event]:
    """The VEVENTs of a feed by UID (and each UID exactly once)."""
    events = parse(body).walk("VEVENT")
    by_uid = {str(e["UID"]): e for e in events}
    assert len(by_uid) == len(events), "duplicate UIDs"
    return by_uid


def expanded(body: bytes, days: int = 400) -> list[icalendar.Event]:
    """The events a client would show, as recurring-ical-events expands them."""
    start = NOW - timedelta(days=40)
    return recurring_ical_events.of(parse(body)).between(start, start + timedelta(days=days))


def text(event: icalendar.Event, name: str) -> str:
    return str(event.get(name, ""))


def get(client, token: str, query: str = "", **kw) -> bytes:
    """GET a private feed; it must answer 200."""
    response = client.get(url(token) + query, **kw)
    assert response.status_code == 200, response.status_code
    return response.data


def unfolded(body: bytes) -> str:
    """The feed as text with folded lines joined (so a search cannot miss a folded name)."""
    return body.replace(b"\r\n ", b"").decode("utf-8")


def later(app, days: float) -> None:
    """Pretend ``days`` have passed since ``NOW``, for the feed views (clock.now honours
    the app's NOW)."""
    moment = NOW + timedelta(days=days)
    app.config["NOW"] = lambda: moment


def tick(app, seconds: float = 1) -> None:
    """Let time pass on the app's clock. Feeds date what they print to the second (DTSTAMP,
    LAST-MODIFIED, and SEQUENCE counts seconds), so a test that makes two changes and
    expects a client to see each as newer lets a second pass between them."""
    moment = now(app) + timedelta(seconds=seconds)
    app.config["NOW"] = lambda: moment


def zh(app, msgid: str, **params) -> str:
    """The feeds' words in Chinese (the default language), as the catalogue has them."""
    with app.test_request_context(), force_locale("zh_CN"):
        return gettext(msgid, **params)


def zh_kind(app, kind: str) -> str:
    with app.test_request_context(), force_locale("zh_CN"):
        return str(SERIES_KINDS[kind])


def zh_summary(app, kind: str, title: str) -> str:
    """The SUMMARY of an event of ``kind`` titled ``title``, in Chinese."""
    return zh(app, "%(kind)s: %(title)s", kind=zh_kind(app, kind), title=title)
