"""Who may open and mark the roll, as every actor (README "Accounts and roles"; decided
in ``services/attendance/roll.py`` through ``services/access.py``): the occurrence's team
lead, the coordinators of its community and admins; not a volunteer on the patrol, not
another volunteer, not another community's coordinator, not a leader. Unique markers:
a name on the roll (seen by those who may take it, by nobody else), a phone number (on
no roll page at all: a roll needs no phone). Refused posts write nothing."""
from __future__ import annotations

import pytest

from coordinator.extensions import db
from coordinator.models import AttendanceEntry, Person
from tests.support.web import csrf_token, login

NAME_MARKER, PHONE_MARKER = "MK名单上的人", "13977700003"
ALLOWED = {"lead", "coordinator", "admin"}
ACTORS = ("lead", "on_shift", "volunteer", "coordinator", "other_coordinator", "leader",
          "admin")


@pytest.fixture(scope="module")
def world(shared):
    app, w = shared
    with app.app_context():
        person = db.session.get(Person, w["people"][3])
        if person.full_name != NAME_MARKER:
            person.full_name, person.phone = NAME_MARKER, PHONE_MARKER
            db.session.commit()
    return w


@pytest.fixture(scope="module")
def clients(shared, world):
    app, _w = shared
    made = {}

    def get(actor):
        if actor not in made:
            client = app.test_client()
            if actor != "anonymous":
                assert login(client, world["logins"][actor]).status_code == 302
            made[actor] = client
        return made[actor]
    return get


def entries(app) -> int:
    with app.app_context():
        return db.session.scalar(db.select(db.func.count()).select_from(AttendanceEntry))


@pytest.mark.parametrize("actor", ACTORS)
def test_the_roll_opens_only_for_its_lead_coordinators_and_admins(shared, world, clients,
                                                                   actor):
    response = clients(actor).get(f"/attendance/{world['occ']['today']}")
    page = response.get_data(as_text=True)
    if actor in ALLOWED:
        assert response.status_code == 200
        assert NAME_MARKER in page and "全部按时到" in page and "签到码" in page
    else:
        assert response.status_code == 403
        assert NAME_MARKER not in page and "签到码" not in page
    assert PHONE_MARKER not in page


@pytest.mark.parametrize("actor", sorted(set(ACTORS) - ALLOWED))
def test_refused_actors_cannot_mark_or_add_anyone(shared, world, clients, actor):
    app, _w = shared
    client = clients(actor)
    path = f"/attendance/{world['occ']['today']}"
    token = csrf_token(client, "/")
    pid = world["people"][4]
    for data in ({"action": "all_present"},
                 {"action": "mark", "person": pid, f"status-{pid}": "absent"},
                 {"action": "walk_in", "member": "M-0042"}):
        response = client.post(path, data={**data, "csrf_token": token})
        assert response.status_code == 403, data
        assert NAME_MARKER not in response.get_data(as_text=True)
    assert entries(app) == 0


def test_anonymous_is_sent_to_log_in_and_back(world, clients):
    path = f"/attendance/{world['occ']['today']}"
    response = clients("anonymous").get(path)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")
    assert "next=%2Fattendance%2F" in response.headers["Location"]
    for checkin in ("/checkin", "/checkin/123456"):
        response = clients("anonymous").get(checkin)
        assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_an_unknown_date_is_404(world, clients):
    assert clients("coordinator").get("/attendance/999999").status_code == 404
    assert clients("lead").get("/attendance/999999").status_code == 404


@pytest.mark.parametrize("actor", ["coordinator", "other_coordinator", "leader", "admin"])
def test_accounts_without_a_member_do_not_check_in(world, clients, actor):
    assert clients(actor).get("/checkin").status_code == 403
    assert clients(actor).get("/checkin/123456").status_code == 403


@pytest.mark.parametrize("actor,shown", [("coordinator", True), ("admin", True),
                                         ("leader", False), ("other_coordinator", False)])
def test_the_occurrence_page_links_to_the_roll_for_those_who_take_it(world, clients, actor,
                                                                     shown):
    occurrence = world["occ"]["today"]
    response = clients(actor).get(f"/occurrences/{occurrence}")
    if response.status_code != 200:  # another community's coordinator may not read it
        assert not shown and response.status_code in (403, 404)
        return
    assert (f'href="/attendance/{occurrence}"' in response.get_data(as_text=True)) is shown


@pytest.mark.parametrize("actor,shown", [("lead", True), ("on_shift", False),
                                         ("volunteer", False)])
def test_my_shifts_offers_the_open_rolls_to_the_lead(world, clients, actor, shown):
    page = clients(actor).get("/shifts/mine").get_data(as_text=True)
    assert ("需要考勤" in page) is shown
    for day in ("today", "yesterday"):
        assert (f'href="/attendance/{world["occ"][day]}"' in page) is shown
    for day in ("closed", "early"):
        assert f'href="/attendance/{world["occ"][day]}"' not in page
