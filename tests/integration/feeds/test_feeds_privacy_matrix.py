"""Every feed kind read as every actor, against the pages' who-sees-what rules (README,
"Accounts and roles" and "Calendar feeds"; decided in ``services/access.py``).

Unique marker strings are planted for each private thing a feed could print; the table
``READERS`` says who may read each, and ``FEED_EVENTS`` which of the two events (the first
patrol date, the first care visit) a feed carries. A marker must appear exactly where
its reader reads a feed carrying its event; a care visit's markers only where the reader
also reads that visit's details. Also: every link in a feed opens for its reader; feeds
are named after their filters; township-wide public events are in every public feed.
"""
from __future__ import annotations

import re

import pytest

from coordinator.extensions import db
from coordinator.models import Account, CareRecipient, Community, Person, Series
from tests.support.feeds import (
    COORD_PHONE,
    add_care_visit,
    add_series,
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
)
from tests.support.scheduling import roles_of
from tests.support.web import login

R_NAME, R_ADDRESS, R_WARD = "MK受访人姓名", "MK受访人住址九栋", "MK病区七号"
R_HEALTH = "MK健康情况"
VISITOR_NAME, VISITOR_PHONE = "MK探望同伴", "13966606666"
PATROLLER_NAME, PATROLLER_PHONE = "MK巡逻同伴", "13955501111"
COORD_NAME = "张书记"
PATROL_NOTES, CARE_NOTES = "MK巡逻备注", "MK探望备注"

# Who may read each marker (README): care details and the visitors of a care visit: its
# confirmed visitors and its community's coordinators; phones: people on the same shift,
# the community's coordinators and admins, the coordinator's phone also for anyone signed
# up for the shift, never leaders; series notes: people signed up (personal feed only);
# names of people on a shift: everyone but the public; health notes: no feed.
CARE = {"visitor", "coordinator"}
READERS = {
    R_NAME: CARE, R_ADDRESS: CARE, R_WARD: CARE, R_HEALTH: set(),
    VISITOR_NAME: CARE, VISITOR_PHONE: CARE, CARE_NOTES: {"visitor"},
    PATROLLER_NAME: {"volunteer", "patroller", "coordinator", "other_coordinator", "leader",
                     "admin"},
    PATROLLER_PHONE: {"patroller", "coordinator", "admin"},
    PATROL_NOTES: {"patroller"},
    COORD_NAME: {"volunteer", "patroller", "visitor", "coordinator", "other_coordinator",
                 "leader", "admin"},
    COORD_PHONE: {"patroller", "visitor", "coordinator", "admin"},
}
# The event each marker belongs to (the coordinator's line is on every event).
MARKER_EVENTS = {R_NAME: {"care"}, R_ADDRESS: {"care"}, R_WARD: {"care"},
                 R_HEALTH: {"care"}, VISITOR_NAME: {"care"}, VISITOR_PHONE: {"care"},
                 CARE_NOTES: {"care"}, PATROLLER_NAME: {"patrol"},
                 PATROLLER_PHONE: {"patrol"}, PATROL_NOTES: {"patrol"},
                 COORD_NAME: {"patrol", "care"}, COORD_PHONE: {"patrol", "care"}}
NOTES = {PATROL_NOTES, CARE_NOTES}  # series notes: only in the personal feed

# The feeds each actor may subscribe to, and the events each carries for them.
ALL = {"patrol", "care"}
FEEDS = {
    "public": {"public": {"patrol"}},
    "volunteer": {"mine": set(), "team": {"patrol"}},
    "patroller": {"mine": {"patrol"}, "team": {"patrol"}},
    "visitor": {"mine": {"care"}, "care-team": {"care"}},
    "coordinator": {"mine": set(), "team": {"patrol"}, "care-team": {"care"},
                    "community": ALL, "organisation": ALL, "filtered": ALL},
    "other_coordinator": {"mine": set(), "organisation": ALL, "filtered": ALL},
    "leader": {"team": {"patrol"}, "care-team": {"care"}, "community": ALL,
               "organisation": ALL, "filtered": ALL},
    "admin": {"team": {"patrol"}, "care-team": {"care"}, "community": ALL,
              "organisation": ALL, "filtered": ALL},
}
LOGINS = {"volunteer": "13900000002", "patroller": "13900000000", "visitor": "13900000005",
          "coordinator": "coord", "other_coordinator": "coord2", "leader": "leader",
          "admin": "admin"}


def expected(actor: str, feed: str, marker: str) -> bool:
    if feed == "public" or actor not in READERS[marker]:
        return False
    if marker in NOTES and feed != "mine":
        return False
    carried = FEEDS[actor][feed] & MARKER_EVENTS[marker]
    return bool(carried - {"care"}) or ("care" in carried and actor in CARE)


@pytest.fixture
def world(app):
    w = patrol_world(app)
    with app.app_context():
        w["care"] = add_care_visit(w)
        recipient = db.session.scalar(db.select(CareRecipient))
        recipient.full_name, recipient.address, recipient.ward = R_NAME, R_ADDRESS, R_WARD
        recipient.health_notes = R_HEALTH
        db.session.get(Series, w["care"]).description = CARE_NOTES
        patrol = db.session.get(Series, w["patrol"])
        patrol.description, patrol.is_public = PATROL_NOTES, True
        db.session.get(Community, w["community"]).is_public_feed = True
        partner = db.session.get(Person, w["people"][1])
        partner.full_name, partner.phone = PATROLLER_NAME, PATROLLER_PHONE
        visitor = db.session.get(Person, w["people"][6])
        visitor.full_name, visitor.phone = VISITOR_NAME, VISITOR_PHONE
        db.session.commit()
        for person in (0, 1):
            sign(w["accounts"][person], w["roles"][0])  # the first patrol date
        for person in (5, 6):
            sign(w["accounts"][person], roles_of(w["care"])[0])  # the first care visit
        w["care_occ"] = occurrences(w["care"])
    return w


def _tokens(world) -> dict[tuple[str, str], str]:
    """(actor, feed) -> token path (the public feed: its public URL)."""
    accounts = {"volunteer": world["accounts"][2], "patroller": world["accounts"][0],
                "visitor": world["accounts"][5], "coordinator": world["coordinator"],
                "other_coordinator": world["coord2"], "leader": world["leader"],
                "admin": world["admin"]}
    scopes = {"mine": ("mine", None), "team": ("team", world["team"]),
              "care-team": ("team", world["care_team"]),
              "community": ("community", world["community"]),
              "organisation": ("organisation", None), "filtered": ("organisation", None)}
    out = {}
    for actor, feeds in FEEDS.items():
        for feed in feeds:
            if feed == "public":
                out[actor, feed] = "/feeds/public/C01.ics"
                continue
            token = subscribe(accounts[actor], *scopes[feed])
            query = (f"?kind=patrol,care&community={world['community']}"
                     if feed == "filtered" else "")
            out[actor, feed] = f"/feeds/{token}.ics{query}"
    return out


def _body(client, path: str) -> bytes:
    response = client.get(path)
    assert response.status_code == 200, (path, response.status_code)
    return response.data


def test_every_feed_as_every_actor_follows_the_pages_rules(app, client, world):
    with app.app_context():
        paths = _tokens(world)
    wrong = []
    for (actor, feed), path in paths.items():
        body = _body(client, path)
        content = unfolded(body)
        kinds = {e["CATEGORIES"].cats[0].lower() for e in vevents(body).values()}
        assert kinds == FEEDS[actor][feed], (actor, feed, kinds)
        for marker in READERS:
            if (marker in content) != expected(actor, feed, marker):
                wrong.append((actor, feed, marker, marker in content))
    assert not wrong, "\n".join(f"{a} reading {f}: {m} shown={s}" for a, f, m, s in wrong)


def test_care_visits_hidden_from_admins_and_leaders_say_care_visit(app, client, world):
    with app.app_context():
        paths = _tokens(world)
    first = uid(world["care_occ"][0])
    for actor in ("admin", "leader", "other_coordinator"):
        event = vevents(_body(client, paths[actor, "organisation"]))[first]
        assert text(event, "SUMMARY") == zh(app, "Care visit"), actor
        assert text(event, "LOCATION") == "一连社区", actor


def _links(body: bytes) -> set[str]:
    urls = {text(e, "URL") for e in vevents(body).values()}
    assert all(u.startswith("http://localhost/") for u in urls), urls
    return {u.removeprefix("http://localhost") for u in urls}


@pytest.mark.parametrize("actor", ["volunteer", "patroller", "visitor", "coordinator",
                                   "other_coordinator", "leader", "admin"])
def test_every_link_in_a_feed_opens_for_its_reader(app, client, world, actor):
    with app.app_context():
        paths = _tokens(world)
    links = set()
    for feed in FEEDS[actor]:
        links |= _links(_body(client, paths[actor, feed]))
    reader = app.test_client()
    assert login(reader, LOGINS[actor]).status_code == 302
    for link in sorted(links):
        assert reader.get(link).status_code == 200, (actor, link)
    if actor in ("volunteer", "patroller", "visitor"):
        assert not any(link.startswith("/occurrences/") for link in links)
        # their own shifts link to the page of that shift
        assert any(re.fullmatch(r"/shifts/\d+", link) for link in links) \
            or actor == "volunteer"


def test_feeds_are_named_after_their_filters(app, client, world):
    with app.app_context():
        leader = subscribe(world["leader"], "organisation")
        community = subscribe(world["coordinator"], "community", world["community"])
        team = subscribe(world["accounts"][0], "team", world["team"])
    c1, c2 = world["community"], world["other"]

    def name(token, query=""):
        return str(parse(get(client, token, query))["X-WR-CALNAME"])

    patrol, care = zh_kind(app, "patrol"), zh_kind(app, "care")
    both = zh(app, ", ").join([patrol, care])
    assert name(leader) == zh(app, "All communities")
    assert name(leader, f"?community={c2}") == "二连社区"
    assert name(leader, f"?community={c1}&kind=patrol,care") == zh(
        app, "%(calendar)s · %(filter)s", calendar="一连社区", filter=both)
    assert name(leader, "?kind=patrol") == zh(
        app, "%(calendar)s · %(filter)s", calendar=zh(app, "All communities"), filter=patrol)
    assert name(community) == "一连社区"
    assert name(community, "?kind=patrol") == f"一连社区 · {patrol}"
    assert name(community, f"?team={world['care_team']}") == "一连社区 · 探望组"
    assert name(team, "?kind=patrol") == f"巡逻队 · {patrol}"


def test_township_wide_public_events_are_in_every_public_feed(app, client, world):
    with app.app_context():
        township = add_series(world, world["admin"], None, "MK全团广场演出",
                              kind="rehearsal", is_public=True)
        hidden = add_series(world, world["admin"], None, "MK全团内部会", kind="meeting")
        for community in db.session.scalars(db.select(Community)):
            community.is_public_feed = True
        db.session.commit()
        shown = {uid(o) for o in occurrences(township)}
        not_shown = {uid(o) for o in occurrences(hidden)}
        assert db.session.get(Series, township).community_id is None
    etags = {}
    for code in ("C01", "C02"):
        response = client.get(f"/feeds/public/{code}.ics")
        assert response.status_code == 200
        events = set(vevents(response.data))
        assert shown <= events and not events & not_shown, code
        assert "MK全团广场演出" in unfolded(response.data)
        etags[code] = response.headers["ETag"]
    with app.app_context():
        db.session.get(Series, township).title = "MK全团广场演出改期"
        db.session.commit()
    for code in ("C01", "C02"):
        response = client.get(f"/feeds/public/{code}.ics",
                              headers={"If-None-Match": etags[code]})
        assert response.status_code == 200 and response.headers["ETag"] != etags[code]
        assert "MK全团广场演出改期" in unfolded(response.data)


def test_a_leaders_feed_never_shows_the_coordinators_phone(app, client, world):
    with app.app_context():
        token = subscribe(world["leader"], "organisation")
        assert db.session.get(Account, world["leader"]).person_id is None
    content = unfolded(get(client, token))
    assert COORD_NAME in content and COORD_PHONE not in content
