"""Fuzz every form and filter page with hostile values: NUL and other control characters,
huge and Unicode-digit numbers, full-width digits, years 0001 and 9999, very long text.

Whatever is sent, the answer is never a 5xx; and when the request is refused (a 4xx, or
the form shown again with errors) the database is exactly as it was."""
from __future__ import annotations

import hashlib
import re
from datetime import date, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from coordinator.extensions import db
from coordinator.models import Account, Occurrence, OccurrenceRole, Person
from tests.support.database import TEST_PASSWORD
from tests.support.feeds import subscribe
from tests.support.plan import plan_world
from tests.support.web import csrf_token, login

pytestmark = pytest.mark.slow

SOON = (date.today() + timedelta(days=3)).isoformat()
NASTY = st.sampled_from([
    "\x00", "a\x00b", "", " ", "/\r", "\t", "\x0b", "标题\x0b", "\x1f\x7f", "\r\n",
    "\u202e反转", "\ufeff",
    "²", "¹²", "１２", "٣", "⑫", "-1", "0", "2147483648", "99999999999999999999", "9" * 5000,
    "1e9", "0001-01-01", "9999-12-31", "0000-00-00", "２０２６-０１-０１", "24:61", "23:59",
    "x" * 20_000, "名" * 300, "=1+1", "<script>", "'; DROP TABLE people; --", "null",
])
HOSTILE = st.one_of(NASTY, st.text(max_size=40), st.integers(-2**40, 2**40).map(str))


def hostile(good: str):
    """A hostile value, or the good one with a hostile tail (so it passes the other checks)."""
    return st.one_of(NASTY, NASTY.map(lambda tail: good + tail), HOSTILE)


def _forms(w: dict) -> list[tuple[str, str, dict]]:
    """(actor, path, good values) for every POST form; each field may be replaced."""
    occ, role = w["occ"][1], w["roles"][0]
    series = {"kind": "talk", "title": "讲座", "community_id": str(w["community"]),
              "participation": "slots", "team_id": "0", "venue_id": "0",
              "start_date": SOON, "start_time": "09:00", "duration_minutes": "60",
              "frequency": "once", "interval": "1", "until": "", "rrule": "",
              "withdraw_cutoff_hours": "12", "signup_opens_days": "", "month_day": "",
              "description": "说明", "roles-0-name": "讲师", "roles-0-needed": "1",
              "roles-0-maximum": "1", "roles-0-required_team_id": "0",
              "roles-1-required_team_id": "0", "roles-2-required_team_id": "0"}
    person = {"full_name": "赵大爷", "community_id": str(w["community"]), "phone": "",
              "email": "", "address": "", "languages": "", "birth_year": "1950",
              "status": "active", "away_from": "", "away_until": "",
              "max_shifts_per_week": "", "notes": ""}
    return [
        ("anonymous", "/login", {"identifier": "coord", "password": "wrong", "next": ""}),
        ("coord", "/people/new", person),
        ("coord", f"/people/{w['people'][2]}/edit", dict(person, full_name="队员2")),
        ("coord", "/series/new?kind=patrol", series),
        ("coord", f"/occurrences/{occ}/move", {"start_date": SOON, "start_time": "20:00",
                                               "duration_minutes": "90", "venue_id": "0"}),
        ("coord", f"/occurrences/{occ}/cancel", {"reason": "大风"}),
        ("coord", f"/occurrences/{occ}/counts", {f"needed-{role_id}": "3"
                                                 for role_id in w["occ_roles"]}),
        ("coord", f"/slots/{role}/assign", {"person_id": str(w["people"][3])}),
        ("coord", f"/plan/gaps/{role}/assign", {"person_id": str(w["people"][3]), "page": "1"}),
        ("coord", f"/series/{w['patrol']}/end", {"last_day": SOON}),
        ("coord", "/calendar/alarm", {"minutes": "60"}),
        ("coord", "/calendar/link", {"scope": "community", "scope_id": str(w["community"])}),
        ("admin", "/admin/communities", {"name": "三连社区", "code": "C03"}),
        ("admin", "/admin/teams", {"name": "新队", "kind": "patrol", "community_id": "0"}),
        ("admin", "/admin/venues", {"name": "新厅", "kind": "hall", "community_id": "0",
                                    "capacity": "30", "address": "路"}),
        ("admin", "/admin/accounts/new", {"role": "volunteer", "username": "",
                                          "member": "队员7", "password": "",
                                          "community_ids": ""}),
        ("admin", f"/admin/teams/{w['team']}", {"member": "外人"}),
        ("volunteer", "/availability", {"action": "range", "start_date": SOON,
                                        "end_date": SOON, "range_note": "出差"}),
        ("volunteer", "/availability", {"action": "weekly", "weekday": "2",
                                        "start_time": "08:00", "end_time": "09:00",
                                        "weekly_note": ""}),
        ("volunteer", "/availability", {"action": "limit", "max_shifts_per_week": "3"}),
        ("volunteer", "/account/password", {"current": TEST_PASSWORD, "new": "x"}),
        ("volunteer", "/preferences", {"locale": "en", "text_size": "large", "next": "/"}),
    ]


def _pages(w: dict) -> list[tuple[str, str, tuple[str, ...]]]:
    """(actor, path, query argument names) for every GET page that reads its query."""
    plan = ("date", "by", "community", "kind", "team", "venue", "page")
    return [
        ("leader", "/plan", plan), ("leader", "/plan/week.csv", plan),
        ("leader", "/plan/week.xlsx", plan), ("coord", "/plan/gaps", ("page",)),
        ("coord", "/people", ("community", "q", "page")), ("coord", "/series", ("page",)),
        ("volunteer", "/shifts/open", ("kind", "community", "days", "page")),
        ("admin", "/admin/accounts", ("q", "page")), ("admin", "/admin/audit", ("page",)),
        ("anonymous", f"/feeds/{w['token']}.ics", ("kind", "community", "team")),
        ("anonymous", "/feeds/public/C01.ics", ("lang",)),
    ]


def _digest(app) -> dict[str, str]:
    """A hash of every table's rows, in primary-key order."""
    out = {}
    with app.app_context():
        for table in db.metadata.sorted_tables:
            rows = db.session.execute(select(table).order_by(*table.primary_key.columns)).all()
            out[table.name] = hashlib.sha256(repr(rows).encode()).hexdigest()
        db.session.remove()
    return out


# Tables a refused request may still touch for good reasons: the feed cache fills on a read.
VOLATILE = {"feed_cache"}
# A refused login is written on purpose: the failure counts against the account and the
# address (the throttle).
COUNTED = {"/login": {"login_throttles"}}


def _refused(response) -> bool:
    if 400 <= response.status_code < 500:
        return True
    return response.status_code == 200 and 'aria-invalid="true"' in response.get_data(True)


@pytest.fixture
def fuzz_world(app):
    w = plan_world(app)
    with app.app_context():
        w["occ_roles"] = list(db.session.scalars(select(OccurrenceRole.id).where(
            OccurrenceRole.occurrence_id == w["occ"][1])))
        w["token"] = subscribe(w["coordinator"], "community", w["community"])
        volunteer = db.session.get(Person, w["people"][4]).phone
        assert db.session.get(Occurrence, w["occ"][1]).status == "scheduled"
        assert db.session.get(Account, w["coordinator"]).username == "coord"
    clients = {}
    for actor, identifier in (("anonymous", None), ("coord", "coord"), ("admin", "admin"),
                              ("leader", "leader"), ("volunteer", volunteer)):
        client = app.test_client()
        if identifier:
            assert login(client, identifier).status_code == 302
        clients[actor] = (client, csrf_token(client, "/login" if not identifier else "/calendar"))
    return w, clients


def _table_names(digest_before, digest_after):
    return sorted(name for name in digest_before
                  if name not in VOLATILE and digest_before[name] != digest_after[name])


FORMS, PAGES = 22, 11  # len(_forms(w)), len(_pages(w)): one test per form, so none is missed
FUZZ = settings(max_examples=6, deadline=None, database=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])


@pytest.mark.parametrize("form", range(FORMS))
@FUZZ
@given(data=st.data())
def test_no_form_answers_5xx_and_refusals_change_nothing(app, fuzz_world, form, data):
    w, clients = fuzz_world
    assert len(_forms(w)) == FORMS
    actor, path, good = _forms(w)[form]
    fields = data.draw(st.sets(st.sampled_from(sorted(good)), min_size=1,
                               max_size=min(3, len(good))), label="fields")
    values = dict(good)
    for name in sorted(fields):
        values[name] = data.draw(hostile(good[name]), label=name)
    client, token = clients[actor]
    before = _digest(app)
    response = client.post(path, data=dict(values, csrf_token=token))
    assert response.status_code < 500, (path, values)
    if _refused(response):
        changed = set(_table_names(before, _digest(app))) - COUNTED.get(path, set())
        assert sorted(changed) == [], (path, values, response.status_code)


@pytest.mark.parametrize("page", range(PAGES))
@FUZZ
@given(data=st.data())
def test_no_filter_page_answers_5xx_and_changes_nothing(app, fuzz_world, page, data):
    w, clients = fuzz_world
    assert len(_pages(w)) == PAGES
    actor, path, names = _pages(w)[page]
    args = {name: data.draw(HOSTILE, label=name)
            for name in data.draw(st.sets(st.sampled_from(names), min_size=1), label="args")}
    client, _token = clients[actor]
    before = _digest(app)
    response = client.get(path, query_string=args)
    assert response.status_code < 500, (path, args)
    assert _table_names(before, _digest(app)) == [], (path, args)


def test_fuzz_values_reach_the_server_unchanged(app, fuzz_world):
    """The test client really sends NUL and long values (the fuzz would be toothless if
    they were dropped on the way)."""
    _w, clients = fuzz_world
    client, token = clients["anonymous"]
    response = client.post("/login", data={"identifier": "a\x00b", "password": "x",
                                           "csrf_token": token})
    assert re.search("不能包含控制字符", response.get_data(as_text=True))
