"""Feeds never go stale (issue 12.1, 12.2, 12.5, 12.7): what a feed prints is described
once (``services/feeds/sources.py``); its stamp and its events' LAST-MODIFIED come from
that description, its ETag from its bytes. Checked as a client sees it, through two app
processes sharing one database (each with its own memory), on every backend."""
from __future__ import annotations

import re
from datetime import datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import event as sa_event
from sqlalchemy import update
from werkzeug.http import http_date

from coordinator import create_app
from coordinator.clock import now as clock_now
from coordinator.database import begin_write
from coordinator.extensions import db
from coordinator.models import (
    Account,
    Assignment,
    CareRecipient,
    Community,
    CoordinatorScope,
    FeedCache,
    Occurrence,
    OccurrenceRole,
    Person,
    Series,
    Team,
    Venue,
)
from coordinator.services.feeds import sources
from coordinator.services.feeds.content import FeedSpec, Texts, Viewer, events, window
from coordinator.services.schedule import changes
from coordinator.services.schedule.series import RoleInput, SeriesInput, create_series
from coordinator.services.shifts import responses
from tests.support.feeds import (
    ADMIN,
    add_care_visit,
    coordinator_of,
    get,
    later,
    occurrences,
    sign,
    subscribe,
    text,
    tick,
    uid,
    url,
    vevents,
    withdraw,
)
from tests.support.scheduling import NOW, ZONE, account, patrol, roles_of


@pytest.fixture
def other(app, tmp_path):
    """A second app process on the same database, with its own memory and the same clock."""
    config = {k: app.config[k] for k in ("TESTING", "SQLALCHEMY_DATABASE_URI", "SECRET_KEY",
                                         "PUBLIC_URL", "ARGON2_TIME_COST",
                                         "ARGON2_MEMORY_COST", "ARGON2_PARALLELISM")
              if k in app.config}
    second = create_app({**config, "INSTANCE_PATH": str(tmp_path / "second"),
                         "NOW": lambda: clock_now(app)})
    yield second
    with second.app_context():
        db.engine.dispose()


@pytest.fixture
def feeds(app, world):
    """Person 0 and 1 on the first patrol, person 5 visiting the care recipient; a
    personal, a team, a community (coordinator), an organisation (leader) and the same
    organisation feed filtered by the care team."""
    with app.app_context():
        sign(world["accounts"][0], world["roles"][0])
        sign(world["accounts"][1], world["roles"][0])
        world["care"] = add_care_visit(world)
        world["care_occ"] = occurrences(world["care"])[0]
        sign(world["accounts"][5], roles_of(world["care"])[0])
        tokens = {"mine": subscribe(world["accounts"][0]),
                  "team": subscribe(world["accounts"][2], "team", world["team"]),
                  "community": subscribe(world["coordinator"], "community",
                                         world["community"]),
                  "organisation": subscribe(world["leader"], "organisation"),
                  "visitor": subscribe(world["accounts"][5])}
    return tokens


def _edit(app, change) -> None:
    """Let a second pass, then make one change in its own transaction."""
    tick(app)
    with app.app_context():
        begin_write(db.session)
        change()
        db.session.commit()


def _fetch(client, token, etag=None):
    headers = {"If-None-Match": etag} if etag else {}
    return client.get(url(token), headers=headers)


# Each kind of thing a feed prints, changed as a coordinator would, and where it shows.
def _rename_person(w):
    person = db.session.get(Person, w["people"][1])
    person.full_name, person.phone = "队员一号", "13977776666"


def _rename_venue(w):
    db.session.get(Venue, w["room"]).name = "新活动室"


def _rename_community(w):
    db.session.get(Community, w["community"]).name = "一连新社区"


def _add_scope(w):
    db.session.add(CoordinatorScope(account_id=w["coord2"], community_id=w["community"]))


def _move_ward(w):
    recipient = db.session.scalar(db.select(CareRecipient))
    recipient.ward = "中心医院三病区"


def _rename_team(w):
    db.session.execute(update(Team).where(Team.id == w["team"]).values(name="夜巡队"))


CHANGES = [  # (change, feeds that print it, the new text, the event that changed)
    (_rename_person, ("mine", "team", "community", "organisation"), "队员一号", "patrol"),
    (_rename_person, ("mine", "community"), "13977776666", "patrol"),
    (_rename_venue, ("mine", "team", "community", "organisation"), "新活动室", "patrol"),
    (_rename_community, ("community",), "一连新社区", None),
    (_add_scope, ("mine", "team", "community", "organisation"), "钱主任", "patrol"),
    (_move_ward, ("community", "visitor"), "中心医院三病区", "care"),
    (_rename_team, ("team",), "夜巡队", None),
]


@pytest.mark.parametrize("change,shown,new,changed", CHANGES,
                         ids=[f"{c[0].__name__}-{c[2]}" for c in CHANGES])
def test_every_printed_change_reaches_every_feed_through_both_processes(
        app, other, client, world, feeds, change, shown, new, changed):
    """The issue's reproduction: a changed phone kept the ETag (304) in three feeds."""
    before = {}
    for name, token in feeds.items():
        answer = _fetch(client, token)
        assert answer.status_code == 200 and new not in answer.get_data(as_text=True)
        before[name] = (answer.headers["ETag"], vevents(answer.data))
    _edit(app, lambda: change(world))
    target = {"patrol": uid(world["occ"][0]), "care": uid(world["care_occ"]),
              None: None}[changed]
    with app.app_context():  # the events that print what changed
        affected = {uid(o) for o in world["occ"]} if changed == "patrol" else {
            uid(o) for o in occurrences(world["care"])}
    with other.test_client() as second:
        for process in (second, client):  # the other process first, then this one
            for name in shown:
                etag, old = before[name]
                answer = _fetch(process, feeds[name], etag)
                assert answer.status_code == 200, (name, process)
                assert answer.headers["ETag"] != etag
                assert new in answer.get_data(as_text=True).replace("\r\n ", ""), name
                if target is not None:
                    assert (vevents(answer.data)[target].decoded("LAST-MODIFIED")
                            > old[target].decoded("LAST-MODIFIED")), name
                    assert (vevents(answer.data)[target].decoded("SEQUENCE")
                            > old[target].decoded("SEQUENCE")), name
                    for u in set(old) & set(vevents(answer.data)) - affected:
                        if change in (_rename_person, _add_scope) and name in (
                                "community", "organisation"):
                            continue  # those print the person or coordinator on many events
                        assert (vevents(answer.data)[u].decoded("SEQUENCE")
                                == old[u].decoded("SEQUENCE")), (name, u)
                assert _fetch(process, feeds[name], answer.headers["ETag"]).status_code == 304


def test_a_change_no_feed_prints_keeps_every_etag(app, other, client, world, feeds):
    etags = {name: _fetch(client, token).headers["ETag"] for name, token in feeds.items()}

    def unprinted():
        db.session.get(Person, world["people"][1]).notes = "只在名册上"
        db.session.get(Venue, world["room"]).capacity = 55
        series = db.session.get(Series, world["patrol"])
        series.materialized_until = series.materialized_until + timedelta(days=1)
        db.session.get(Account, world["accounts"][0]).text_size = "large"

    _edit(app, unprinted)
    with other.test_client() as second:
        for process in (second, client):
            for name, token in feeds.items():
                assert _fetch(process, token, etags[name]).status_code == 304, name


# --- the property: the ETag changes exactly when the body does ----------------------------

EDITS = {
    "person-name": lambda w, i: setattr(db.session.get(Person, w["people"][i % 4]),
                                        "full_name", f"改名{i}"),
    "person-phone": lambda w, i: setattr(db.session.get(Person, w["people"][i % 4]),
                                         "phone", f"1370000{i:04d}"),
    "person-notes": lambda w, i: setattr(db.session.get(Person, w["people"][i % 4]),
                                         "notes", f"备注{i}"),
    "same-name": lambda w, i: setattr(db.session.get(Person, w["people"][0]), "full_name",
                                      db.session.get(Person, w["people"][0]).full_name),
    "venue": lambda w, i: setattr(db.session.get(Venue, w["room"]), "name", f"室{i}"),
    "venue-capacity": lambda w, i: setattr(db.session.get(Venue, w["room"]), "capacity",
                                           30 + i),
    "community": lambda w, i: setattr(db.session.get(Community, w["community"]), "name",
                                      f"社区{i}"),
    "team": lambda w, i: setattr(db.session.get(Team, w["team"]), "name", f"队{i}"),
    "ward": lambda w, i: setattr(db.session.scalar(db.select(CareRecipient)), "ward",
                                 f"病区{i}"),
    "health": lambda w, i: setattr(db.session.scalar(db.select(CareRecipient)),
                                   "health_notes", f"病情{i}"),
    "scope": lambda w, i: _toggle_scope(w),
    "disable-coordinator": lambda w, i: _toggle_account(w["coord2"]),
    "series-title": lambda w, i: setattr(db.session.get(Series, w["patrol"]), "title",
                                         f"巡逻{i}"),
    "role-needed": lambda w, i: db.session.execute(
        update(OccurrenceRole).where(OccurrenceRole.id == w["roles"][1])
        .values(needed=2 + i % 2)),
    "assignment-status": lambda w, i: _toggle_assignment(w),
    "occurrence-reason": lambda w, i: setattr(db.session.get(Occurrence, w["occ"][1]),
                                              "reason", f"原因{i}"),
}


def _toggle_scope(w):
    row = db.session.scalar(db.select(CoordinatorScope).where(
        CoordinatorScope.account_id == w["coord2"],
        CoordinatorScope.community_id == w["community"]))
    if row is None:
        db.session.add(CoordinatorScope(account_id=w["coord2"], community_id=w["community"]))
    else:
        db.session.delete(row)


def _toggle_account(account_id):
    row = db.session.get(Account, account_id)
    row.is_enabled = not row.is_enabled


def _toggle_assignment(w):
    row = db.session.scalar(db.select(Assignment).where(
        Assignment.person_id == w["people"][1]).order_by(Assignment.id))
    row.status = "withdrawn" if row.status == "confirmed" else "confirmed"


def _cold_body(other, token) -> bytes:
    """The feed rendered from scratch by the other process (no memory, no shared row)."""
    other.extensions["feed_caches"].clear()
    with other.app_context():
        begin_write(db.session)
        db.session.execute(db.delete(FeedCache))
        db.session.commit()
    with other.test_client() as second:
        answer = _fetch(second, token)
        assert answer.status_code == 200
        return answer.data


@settings(max_examples=12, deadline=None, suppress_health_check=[
    HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(steps=st.lists(st.tuples(st.sampled_from(sorted(EDITS)), st.integers(0, 9)),
                      min_size=1, max_size=4))
def test_the_etag_changes_exactly_when_the_body_does(app, other, client, world, feeds,
                                                     steps):
    held = {}
    for name, token in feeds.items():
        answer = _fetch(client, token)
        held[name] = (answer.headers["ETag"], answer.data)
    for edit, n in steps:
        _edit(app, lambda edit=edit, n=n: EDITS[edit](world, n))
        for name, token in feeds.items():
            etag, body = held[name]
            answer = _fetch(client, token, etag)
            fresh = _cold_body(other, token)
            if fresh == body:
                assert answer.status_code == 304, (edit, name)
            else:
                assert answer.status_code == 200, (edit, name)
                assert answer.data == fresh and answer.headers["ETag"] != etag
                held[name] = (answer.headers["ETag"], fresh)


# --- the renderer reads nothing the description misses ---------------------------------

TEXTS = Texts(kinds={}, care_visit="c", summary="%(kind)s %(title)s", role="%(role)s",
              waitlisted="w", with_="%(names)s", coordinator="%(names)s",
              filled="%(role)s %(filled)s %(needed)s %(names)s", missing="%(n)s",
              cancelled="%(reason)s", removed="r", visited="%(name)s %(ward)s")


def test_the_renderer_reads_only_tables_the_description_lists(app, world, feeds):
    seen: set[str] = set()

    def record(_conn, _cursor, statement, *_args):
        seen.update(m.lower() for m in re.findall(
            r'\b(?:FROM|JOIN)\s+"?([a-z_]+)"?', statement, re.I))

    with app.app_context():
        for model, columns in sources.SHOWN.items():  # no typo in the description
            assert set(columns) <= set(model.__table__.c.keys()), model
        win = window(NOW, ZONE, 30, 365)
        specs = [(FeedSpec("mine"), Viewer(person_id=world["people"][0])),
                 (FeedSpec("mine"), Viewer(person_id=world["people"][5])),
                 (FeedSpec("team", world["team"]), Viewer(person_id=world["people"][2])),
                 (FeedSpec("community", world["community"]),
                  coordinator_of(world["community"])),
                 (FeedSpec("organisation", kinds=("care",), team_id=world["care_team"]),
                  coordinator_of(world["community"])),
                 (FeedSpec("organisation"), ADMIN),
                 (FeedSpec("public", world["community"]), Viewer(is_public=True))]
        sa_event.listen(db.engine, "before_cursor_execute", record)
        try:
            shown = [len(events(db.session, spec, viewer, TEXTS, win)) for spec, viewer in specs]
        finally:
            sa_event.remove(db.engine, "before_cursor_execute", record)
    assert all(shown[:5]), shown
    seen.discard("sel")
    seen.discard("printed")
    assert seen and seen <= sources.TABLES, seen - sources.TABLES


# --- Last-Modified -----------------------------------------------------------------------

def test_last_modified_is_the_last_change_never_later_than_now(app, client, world, feeds):
    """At 20:43 UTC (04:43 the next day in Shanghai) every feed said the next local
    midnight; a change then answered 304 to If-Modified-Since."""
    evening = datetime.combine(NOW.date(), time(20, 43), timezone.utc)
    app.config["NOW"] = lambda: evening
    _edit(app, lambda: _rename_venue(world))
    first = _fetch(client, feeds["mine"])
    modified = first.last_modified
    assert modified <= clock_now(app) and modified == evening + timedelta(seconds=1)
    assert _fetch(client, feeds["mine"]).last_modified == modified  # the same bytes
    since = {"If-Modified-Since": http_date(modified)}
    assert client.get(url(feeds["mine"]), headers=since).status_code == 304
    tick(app, 30)
    _edit(app, lambda: _rename_person(world))
    changed = client.get(url(feeds["mine"]), headers=since)
    assert changed.status_code == 200 and "队员一号" in changed.get_data(as_text=True)
    assert modified < changed.last_modified <= clock_now(app)
    later_since = {"If-Modified-Since": http_date(changed.last_modified)}
    assert client.get(url(feeds["mine"]), headers=later_since).status_code == 304
    # If-None-Match wins over If-Modified-Since
    stale = {**later_since, "If-None-Match": first.headers["ETag"]}
    assert client.get(url(feeds["mine"]), headers=stale).status_code == 200


def test_if_modified_since_is_refused_when_two_versions_share_a_second(app, client, world,
                                                                       feeds):
    first = _fetch(client, feeds["team"])
    since = {"If-Modified-Since": http_date(first.last_modified)}
    with app.app_context():  # no second passes: the change falls in the same second
        begin_write(db.session)
        _rename_venue(world)
        db.session.commit()
    again = client.get(url(feeds["team"]), headers=since)
    assert again.status_code == 200 and "新活动室" in again.get_data(as_text=True)
    assert again.last_modified == first.last_modified
    assert client.get(url(feeds["team"]), headers=since).status_code == 200
    assert _fetch(client, feeds["team"], again.headers["ETag"]).status_code == 304


def test_a_new_local_day_keeps_the_etag_while_the_bytes_stay_the_same(app, client, world,
                                                                        feeds):
    etags = {name: _fetch(client, token).headers["ETag"] for name, token in feeds.items()}
    later(app, 1)
    for name, token in feeds.items():
        assert _fetch(client, token, etags[name]).status_code == 304, name
    later(app, 45)  # every patrol date has left the window: the bytes change
    answer = _fetch(client, feeds["team"], etags["team"])
    assert answer.status_code == 200 and uid(world["occ"][0]) not in vevents(answer.data)


# --- SEQUENCE ----------------------------------------------------------------------------

def _team_event(w) -> int:
    start = (NOW + timedelta(hours=8)).date() + timedelta(days=4)
    data = SeriesInput(kind="rehearsal", title="合唱排练", community_id=w["community"],
                       start_date=start, start_time=time(9, 30), duration_minutes=90,
                       participation="team", team_id=w["team"], venue_id=w["hall"])
    begin_write(db.session)
    series = create_series(db.session, account(w["coordinator"]), data, NOW, zone=ZONE,
                           horizon_end=NOW + timedelta(weeks=12))
    db.session.commit()
    return occurrences(series.id)[0]


def _respond(app, w, occ, attending):
    _edit(app, lambda: responses.respond(db.session, account(w["accounts"][0]), occ,
                                         attending, clock_now()))


def test_sequence_rises_when_a_member_declines_and_accepts_again(app, client, world, feeds):
    with app.app_context():
        occ = _team_event(world)
    seen = []
    for attending in (None, False, True, False, True):
        if attending is not None:
            _respond(app, world, occ, attending)
        event = vevents(get(client, feeds["mine"]))[uid(occ)]
        seen.append((text(event, "STATUS"), event.decoded("SEQUENCE")))
    assert [s for s, _ in seen] == ["CONFIRMED", "CANCELLED", "CONFIRMED", "CANCELLED",
                                    "CONFIRMED"]
    sequences = [n for _, n in seen]
    assert sequences == sorted(sequences) and len(set(sequences)) == len(sequences)


def test_a_waitlist_promotion_raises_the_sequence(app, client, world):
    with app.app_context():
        single = patrol(world, needed=1, maximum=1, rule=None, at=time(8, 0), title="早班",
                        until_days=None)
        occ, role = occurrences(single)[0], roles_of(single)[0]
        first = sign(world["accounts"][1], role)
        sign(world["accounts"][0], role)  # full: waitlisted
        mine = subscribe(world["accounts"][0])
    before = vevents(get(client, mine))[uid(occ)]
    assert text(before, "STATUS") == "TENTATIVE"
    tick(app)
    with app.app_context():
        withdraw(world["accounts"][1], first)
    after = vevents(get(client, mine))[uid(occ)]
    assert text(after, "STATUS") == "CONFIRMED"
    assert after.decoded("SEQUENCE") > before.decoded("SEQUENCE")
    assert after.decoded("DTSTAMP") > before.decoded("DTSTAMP")


def test_a_changed_list_of_people_dates_the_event_in_shared_feeds(app, client, world, feeds):
    target = uid(world["occ"][0])
    before = {n: vevents(get(client, feeds[n]))[target]
              for n in ("team", "community", "organisation")}
    tick(app)
    with app.app_context():
        sign(world["accounts"][3], world["roles"][0])
    for name, old in before.items():
        new = vevents(get(client, feeds[name]))[target]
        assert "队员3" in text(new, "DESCRIPTION"), name
        assert new.decoded("DTSTAMP") > old.decoded("DTSTAMP"), name
        assert new.decoded("LAST-MODIFIED") > old.decoded("LAST-MODIFIED"), name
        assert new.decoded("SEQUENCE") > old.decoded("SEQUENCE"), name


def test_splitting_a_series_leaves_its_past_events_as_they_were(app, client, world, feeds):
    later(app, 3)  # the first three patrol dates are past
    before = vevents(get(client, feeds["team"]))
    tick(app)
    with app.app_context():
        occ = db.session.get(Occurrence, world["occ"][4])
        local = occ.start_at.astimezone(ZoneInfo(ZONE))
        data = SeriesInput(kind="patrol", title="晚间巡逻", community_id=world["community"],
                           start_date=local.date(), start_time=time(19, 0),
                           duration_minutes=120, rrule="FREQ=DAILY",
                           until=local.date() + timedelta(days=5), team_id=world["team"],
                           venue_id=world["room"], roles=(RoleInput("巡逻队员", 3, 3),))
        begin_write(db.session)
        changes.split_series(db.session, account(world["coordinator"]), occ.id, data,
                             clock_now(), horizon_end=clock_now() + timedelta(weeks=12))
        db.session.commit()
    after = vevents(get(client, feeds["team"]))
    for past in world["occ"][:3]:
        assert (after[uid(past)].decoded("DTSTAMP") == before[uid(past)].decoded("DTSTAMP")
                ), past
        assert after[uid(past)].decoded("SEQUENCE") == before[uid(past)].decoded("SEQUENCE")
    moved = [u for u in (uid(o) for o in world["occ"][4:]) if u in after and u in before]
    assert all(after[u].decoded("SEQUENCE") > before[u].decoded("SEQUENCE") for u in moved)

