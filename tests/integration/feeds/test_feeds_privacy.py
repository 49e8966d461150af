"""Who sees what in which feed: team, community, organisation and public feeds; care visits
and phone numbers; alarms only in the personal feed; filters of the large feeds."""
from __future__ import annotations

import pytest

from coordinator.extensions import db
from coordinator.models import Community, CoordinatorScope, Person, Series
from tests.support.feeds import (
    CARE_NOTES,
    CARE_TITLE,
    COORD_PHONE,
    RECIPIENT,
    add_care_visit,
    add_series,
    expanded,
    get,
    occurrences,
    parse,
    patrol_world,
    sign,
    subscribe,
    text,
    uid,
    unfolded,
    vevents,
    zh,
    zh_kind,
    zh_summary,
)
from tests.support.scheduling import roles_of
from tests.support.web import login, post

SECRETS = (RECIPIENT["full_name"], RECIPIENT["address"], RECIPIENT["ward"], CARE_TITLE,
           CARE_NOTES, "糖尿病")


@pytest.fixture
def world(app):
    w = patrol_world(app)
    with app.app_context():
        w["care"] = add_care_visit(w)
        w["care_occ"] = occurrences(w["care"])
        sign(w["accounts"][5], roles_of(w["care"])[0])  # person 5 visits on the first date
        w["talk"] = add_series(w, w["coordinator"], w["community"], "防诈骗讲座", is_public=True)
        w["meeting"] = add_series(w, w["coordinator"], w["community"], "内部学习会",
                                  kind="meeting", start_day=4)
        w["away"] = add_series(w, w["coord2"], w["other"], "二连排练", kind="rehearsal")
    return w


def _uids(*series_lists):
    return {uid(o) for occs in series_lists for o in occs}


def _public(client, code="C01"):
    return client.get(f"/feeds/public/{code}.ics")


def test_team_community_and_organisation_feeds(app, client, world):
    with app.app_context():
        talk, meeting, away = (occurrences(world[k]) for k in ("talk", "meeting", "away"))
        team = subscribe(world["accounts"][0], "team", world["team"])
        community = subscribe(world["coordinator"], "community", world["community"])
        leader = subscribe(world["leader"], "organisation")
        coordinator = subscribe(world["coordinator"], "organisation")
    body = get(client, team)
    assert set(vevents(body)) == _uids(world["occ"])
    assert str(parse(body)["X-WR-CALNAME"]) == "巡逻队"
    body = get(client, community)
    assert set(vevents(body)) == _uids(world["occ"], world["care_occ"], talk, meeting)
    assert str(parse(body)["X-WR-CALNAME"]) == "一连社区"
    everything = _uids(world["occ"], world["care_occ"], talk, meeting, away)
    for token in (leader, coordinator):
        body = get(client, token)
        assert set(vevents(body)) == everything
        assert str(parse(body)["X-WR-CALNAME"]) == zh(app, "All communities")
        kinds = {e["CATEGORIES"].cats[0] for e in vevents(body).values()}
        assert kinds == {"PATROL", "CARE", "TALK", "MEETING", "REHEARSAL"}
        links = {text(e, "URL").split("?")[0].rsplit("/", 1)[0]
                 for key, e in vevents(body).items() if key not in _uids(
                     world["care_occ"], away)}
        assert links == {"http://localhost/occurrences"}  # pages they can open
    events = vevents(get(client, leader))  # a leader opens no care visit: the plan's day
    assert {text(events[u], "URL").split("=")[0] for u in _uids(world["care_occ"])} == {
        "http://localhost/plan?date"}
    assert {text(events[u], "URL") for u in _uids(away)} == {
        f"http://localhost/occurrences/{o}" for o in away}
    events = vevents(get(client, coordinator))  # another community's: not their pages
    assert {text(events[u], "URL") for u in _uids(away)} == {"http://localhost/shifts/open"}


def test_public_feed_is_off_until_a_coordinator_switches_it_on(app, client, world):
    with app.app_context():
        sign(world["coordinator"], roles_of(world["talk"])[0], person_id=world["people"][3])
        people = [(p.full_name, p.phone) for p in db.session.scalars(db.select(Person))]
        c1, talk = world["community"], occurrences(world["talk"])
    assert _public(client).status_code == 404
    login(client, "13900000000")  # a volunteer cannot switch it on
    assert post(client, f"/calendar/public/{c1}", {"on": "1"}, token_from="/calendar"
                ).status_code == 403
    post(client, "/logout", token_from="/")
    login(client, "coord2")  # nor the coordinator of another community
    assert post(client, f"/calendar/public/{c1}", {"on": "1"}, token_from="/calendar"
                ).status_code == 403
    post(client, "/logout", token_from="/")
    assert _public(client).status_code == 404
    login(client, "coord")
    page = client.get("/calendar").get_data(as_text=True)
    assert "/feeds/public/C01.ics" not in page
    assert post(client, f"/calendar/public/{c1}", {"on": "1"}, token_from="/calendar"
                ).status_code == 302
    assert "http://localhost/feeds/public/C01.ics" in client.get("/calendar").get_data(
        as_text=True)
    response = _public(client)
    assert response.status_code == 200 and "public" in response.headers["Cache-Control"]
    body = response.data
    events = vevents(body)
    assert set(events) == _uids(talk)  # public series only
    event = next(iter(events.values()))
    assert text(event, "SUMMARY") == zh_summary(app, "talk", "防诈骗讲座")
    assert "URL" not in event and "DESCRIPTION" not in event
    content = unfolded(body)
    for name, phone in people:
        assert name not in content and phone not in content
    assert "张书记" not in content and COORD_PHONE not in content
    assert _public(client, "C02").status_code == 404  # each community on its own
    post(client, f"/calendar/public/{c1}", {"on": "0"}, token_from="/calendar")
    assert _public(client).status_code == 404


def _assert_hidden(app, body: bytes, world, visitor_name="队员5"):
    content = unfolded(body)
    for secret in SECRETS + (visitor_name, "13900000005"):
        assert secret not in content, secret
    care = [e for e in vevents(body).values() if e["CATEGORIES"].cats == ["CARE"]]
    assert {e["UID"] for e in care} == _uids(world["care_occ"])
    for event in care:
        assert text(event, "SUMMARY") == zh(app, "Care visit")
        assert text(event, "LOCATION") == "一连社区"
        assert text(event, "DESCRIPTION") in ("", text(event, "URL"))
    shown = [e for e in expanded(body) if e["CATEGORIES"].cats == ["CARE"]]
    assert {(e.decoded("DTSTART").hour, e.decoded("DTSTART").minute) for e in shown} == {
        (15, 0)}


def test_care_visit_is_private_to_its_visitors_and_its_coordinators(app, client, world):
    with app.app_context():
        visitor = subscribe(world["accounts"][5])
        coordinator = subscribe(world["coordinator"], "community", world["community"])
        unassigned = subscribe(world["accounts"][6], "team", world["care_team"])
        other_coordinator = subscribe(world["coord2"], "organisation")
        leader = subscribe(world["leader"], "organisation")
        db.session.get(Series, world["care"]).is_public = True  # even if marked public
        db.session.get(Community, world["community"]).is_public_feed = True
        db.session.commit()
    first = uid(world["care_occ"][0])
    event = vevents(get(client, visitor))[first]
    assert text(event, "SUMMARY") == zh_summary(app, "care", CARE_TITLE)
    assert text(event, "LOCATION") == RECIPIENT["ward"]
    for secret in (RECIPIENT["full_name"], RECIPIENT["address"], CARE_NOTES):
        assert secret in text(event, "DESCRIPTION")
    events = vevents(get(client, coordinator))
    for occ in world["care_occ"]:
        description = text(events[uid(occ)], "DESCRIPTION")
        assert RECIPIENT["full_name"] in description and RECIPIENT["address"] in description
        assert RECIPIENT["ward"] in description + text(events[uid(occ)], "LOCATION")
    assert "队员5 13900000005" in text(events[first], "DESCRIPTION")
    for token in (unassigned, other_coordinator, leader):
        _assert_hidden(app, get(client, token), world)
    public = _public(client)
    assert public.status_code == 200
    _assert_hidden(app, public.data, world)


def test_volunteer_phones_only_for_the_same_shift_and_coordinators(app, client, world):
    with app.app_context():
        for person in (0, 1):
            sign(world["accounts"][person], world["roles"][0])
        mine = subscribe(world["accounts"][0])
        teammate_team = subscribe(world["accounts"][0], "team", world["team"])
        other_team = subscribe(world["accounts"][2], "team", world["team"])
        coordinator = subscribe(world["coordinator"], "community", world["community"])
        leader = subscribe(world["leader"], "organisation")
        other_coordinator = subscribe(world["coord2"], "organisation")
    first = uid(world["occ"][0])
    for token in (mine, teammate_team, coordinator):
        description = text(vevents(get(client, token))[first], "DESCRIPTION")
        assert "队员1 13900000001" in description
    for token in (other_team, leader, other_coordinator):
        body = get(client, token)
        assert "队员0" in text(vevents(body)[first], "DESCRIPTION")  # names, not phones
        content = unfolded(body)
        for phone in ("13900000000", "13900000001"):
            assert phone not in content


def test_alarms_only_in_the_personal_feed_and_only_when_asked(app, client, world):
    with app.app_context():
        sign(world["accounts"][0], world["roles"][0])
        mine = subscribe(world["accounts"][0])
        team = subscribe(world["accounts"][0], "team", world["team"])
    assert b"VALARM" not in get(client, mine)
    login(client, "13900000000")
    assert post(client, "/calendar/alarm", {"minutes": "60"}, token_from="/calendar"
                ).status_code == 302
    body = get(client, mine)
    event = vevents(body)[uid(world["occ"][0])]
    (alarm,) = event.walk("VALARM")
    assert str(alarm["ACTION"]) == "DISPLAY" and text(alarm, "DESCRIPTION")
    assert b"\r\nTRIGGER:-PT1H\r\n" in body
    assert b"VALARM" not in get(client, team)
    post(client, "/calendar/alarm", {"minutes": ""}, token_from="/calendar")
    assert b"VALARM" not in get(client, mine)


def test_organisation_feed_filters(app, client, world):
    with app.app_context():
        leader = subscribe(world["leader"], "organisation")
        talk, away = occurrences(world["talk"]), occurrences(world["away"])
    c1, c2 = world["community"], world["other"]
    body = get(client, leader, f"?kind=patrol&community={c1}")
    assert set(vevents(body)) == _uids(world["occ"])
    assert set(vevents(get(client, leader, "?kind=talk,rehearsal"))) == _uids(talk, away)
    assert set(vevents(get(client, leader, f"?community={c2}"))) == _uids(away)
    assert set(vevents(get(client, leader, f"?team={world['care_team']}"))) == _uids(
        world["care_occ"])
    for bad in ("?kind=party", "?kind=patrol,party", "?community=abc", "?community=999",
                "?team=0x1"):
        assert client.get(f"/feeds/{leader}.ics{bad}").status_code == 400, bad


def test_coordinator_moved_to_another_community_loses_its_care_details(app, client, world):
    """The cached feed and its ETag depend on whose eyes read it, not only on the data."""
    with app.app_context():
        token = subscribe(world["coordinator"], "organisation")
    response = client.get(f"/feeds/{token}.ics")
    assert RECIPIENT["full_name"] in unfolded(response.data)
    with app.app_context():
        scope = db.session.scalar(db.select(CoordinatorScope).where(
            CoordinatorScope.account_id == world["coordinator"]))
        scope.community_id = world["other"]
        db.session.commit()
    again = client.get(f"/feeds/{token}.ics", headers={"If-None-Match": response.headers["ETag"]})
    assert again.status_code == 200
    _assert_hidden(app, again.data, world)


def test_waitlisted_visitor_is_not_an_assigned_visitor(app, client, world):
    with app.app_context():
        from coordinator.models import TeamMember
        db.session.add(TeamMember(team_id=world["care_team"], person_id=world["people"][7]))
        db.session.commit()
        first = roles_of(world["care"])[0]
        sign(world["accounts"][6], first)  # the second (and last) place
        sign(world["accounts"][7], first)  # waitlisted
        waiting = subscribe(world["accounts"][7])
        visitor = subscribe(world["accounts"][6])
    event = vevents(get(client, waiting))[uid(world["care_occ"][0])]
    assert text(event, "STATUS") == "TENTATIVE"
    assert text(event, "SUMMARY") == zh(app, "Care visit")
    content = unfolded(get(client, waiting))
    for secret in SECRETS + ("13900000005", "13900000006"):
        assert secret not in content, secret
    event = vevents(get(client, visitor))[uid(world["care_occ"][0])]
    assert RECIPIENT["full_name"] in text(event, "DESCRIPTION")
    assert "队员5 13900000005" in text(event, "DESCRIPTION")


def test_care_visit_titled_like_its_kind_keeps_the_details_for_staff(app, client, world):
    with app.app_context():
        db.session.get(Series, world["care"]).title = zh_kind(app, "care")
        db.session.commit()
        coordinator = subscribe(world["coordinator"], "community", world["community"])
        visitor = subscribe(world["accounts"][5])
        sign(world["accounts"][6], roles_of(world["care"])[0])
    event = vevents(get(client, coordinator))[uid(world["care_occ"][0])]
    assert text(event, "SUMMARY") == zh_kind(app, "care")
    names = zh(app, ", ").join(["队员5 13900000005", "队员6 13900000006"])
    line = zh(app, "%(role)s %(filled)s/%(needed)s: %(names)s", role="探望员", filled=2,
              needed=1, names=names)
    assert line in text(event, "DESCRIPTION")
    event = vevents(get(client, visitor))[uid(world["care_occ"][0])]
    assert "队员6 13900000006" in text(event, "DESCRIPTION")
