"""The coordinator's gap list: unfilled places of the next 14 days in their communities,
soonest first, with suggestions and a one-action assign (plain form, or JSON for the
in-place update)."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from coordinator.extensions import db
from coordinator.models import Assignment, Occurrence, OccurrenceRole, Person
from tests.support.plan import login_as, plan_world, set_locale, text_of
from tests.support.web import csrf_token


@pytest.fixture
def world(app):
    return plan_world(app)


GAP = re.compile(r'<li class="gap-item[^"]*" id="gap-(\d+)">(.*?)</li>\s*(?=<li class="gap|</ol>)',
                 re.S)


def gaps_on(html: str) -> list[tuple[int, str]]:
    return [(int(m.group(1)), m.group(2)) for m in GAP.finditer(html)]


def confirmed(app, role_id: int) -> set[int]:
    with app.app_context():
        return set(db.session.scalars(select(Assignment.person_id).where(
            Assignment.occurrence_role_id == role_id, Assignment.status == "confirmed")))


def test_gap_list_shows_own_gaps_soonest_first_with_suggestions(app, client, world):
    set_locale(app, world["coordinator"], "en")
    login_as(client, "coord")
    html = client.get("/plan/gaps").get_data(as_text=True)
    found = gaps_on(html)
    assert found, html[:3000]
    with app.app_context():
        starts = [db.session.scalar(select(Occurrence.start_at).join(OccurrenceRole).where(
            OccurrenceRole.id == role_id)) for role_id, _ in found]
        communities = {db.session.scalar(select(Occurrence.series_id).join(OccurrenceRole)
                                         .where(OccurrenceRole.id == r)) for r, _ in found}
    assert starts == sorted(starts)
    assert world["talk"] not in communities  # the other community's talk is not listed
    role_ids = [r for r, _ in found]
    assert world["roles"][0] in role_ids and world["roles"][2] not in role_ids  # cancelled
    first = dict(found)[world["roles"][0]]
    assert "Filled 2/3" in text_of(first) and "1 missing" in text_of(first)
    suggested = re.findall(r'name="person_id" value="(\d+)"', first)
    assert suggested and len(suggested) <= 3
    # Suggestions are free members of the patrol team, not the people already on it.
    assert not {int(p) for p in suggested} & {world["people"][0], world["people"][1]}
    assert {int(p) for p in suggested} <= set(world["people"])


def test_one_action_assign_without_javascript(app, client, world):
    login_as(client, "coord")
    html = client.get("/plan/gaps").get_data(as_text=True)
    first = dict(gaps_on(html))[world["roles"][0]]
    person = int(re.findall(r'name="person_id" value="(\d+)"', first)[0])
    response = client.post(f"/plan/gaps/{world['roles'][0]}/assign",
                           data={"csrf_token": csrf_token(client, "/plan/gaps"),
                                 "person_id": person, "page": 1})
    # Back at the card acted on, not at the top of the list.
    assert response.status_code == 302 and response.headers["Location"].endswith(
        f"/plan/gaps#gap-{world['roles'][0]}")
    assert person in confirmed(app, world["roles"][0])
    html = client.get("/plan/gaps").get_data(as_text=True)
    # That slot had one place open: it has left the list, and where it was its card says so
    # (once: the next page load is the plain list).
    done = dict(gaps_on(html))[world["roles"][0]]
    assert "flash-info" in done and "gap-done" in html and "name=\"person_id\"" not in done
    assert world["roles"][0] not in dict(gaps_on(client.get("/plan/gaps").get_data(
        as_text=True)))


def test_assign_in_place_returns_the_updated_gap_as_json(app, client, world):
    set_locale(app, world["coordinator"], "en")
    login_as(client, "coord")
    role = world["roles"][1]  # nobody on it yet: three places open
    html = client.get("/plan/gaps").get_data(as_text=True)
    places = int(re.search(r"(\d+) open places in", html).group(1))
    first = dict(gaps_on(html))[role]
    person = int(re.findall(r'name="person_id" value="(\d+)"', first)[0])
    response = client.post(f"/plan/gaps/{role}/assign",
                           data={"csrf_token": csrf_token(client, "/plan/gaps"),
                                 "person_id": person},
                           headers={"Accept": "application/json"})
    assert response.status_code == 200
    data = response.get_json()
    with app.app_context():
        name = db.session.get(Person, person).full_name
    assert data["ok"] is True and data["message"] == f"Assigned {name}."
    assert data["filled"] is False and f"Assigned {name}." in text_of(data["html"])
    assert f'id="gap-{role}"' in data["html"] and "Filled 1/3" in text_of(data["html"])
    assert f"{places - 1} open places in" in data["lead"]  # the count on top follows
    # no longer suggested for that slot
    assert f'name="person_id" value="{person}"' not in data["html"]
    assert person in confirmed(app, role)


def test_assigning_someone_who_may_not_take_it_writes_nothing(app, client, world):
    login_as(client, "coord")
    role = world["roles"][1]
    before = confirmed(app, role)
    response = client.post(f"/plan/gaps/{role}/assign",
                           data={"csrf_token": csrf_token(client, "/plan/gaps"),
                                 "person_id": world["outsider"]},
                           headers={"Accept": "application/json"})
    assert response.status_code in (400, 403)
    assert confirmed(app, role) == before
    if response.status_code == 400:
        assert response.get_json()["message"]
    # Unknown person and malformed input: a clear 4xx, nothing written.
    response = client.post(f"/plan/gaps/{role}/assign",
                           data={"csrf_token": csrf_token(client, "/plan/gaps"),
                                 "person_id": "abc"}, headers={"Accept": "application/json"})
    assert response.status_code == 400 and response.get_json()["ok"] is False
    response = client.post(f"/plan/gaps/{role}/assign",
                           data={"csrf_token": csrf_token(client, "/plan/gaps"),
                                 "person_id": 999999})
    assert response.status_code in (302, 404)
    assert confirmed(app, role) == before
    assert client.post("/plan/gaps/999999/assign", data={
        "csrf_token": csrf_token(client, "/plan/gaps"), "person_id": 1}).status_code == 404


def test_other_coordinator_cannot_assign_here(app, client, world):
    login_as(client, "coord2")
    role = world["roles"][1]
    html = client.get("/plan/gaps").get_data(as_text=True)
    assert role not in dict(gaps_on(html))
    with app.app_context():
        person = db.session.get(Person, world["people"][3]).id
    response = client.post(f"/plan/gaps/{role}/assign",
                           data={"csrf_token": csrf_token(client, "/plan/gaps"),
                                 "person_id": person})
    assert response.status_code in (403, 404) or person not in confirmed(app, role)
    assert person not in confirmed(app, role)


def test_leaders_and_volunteers_have_no_gap_list(app, client, world):
    login_as(client, "leader")
    assert client.get("/plan/gaps").status_code == 403
    other = app.test_client()
    login_as(other, "13900000000")
    assert other.get("/plan/gaps").status_code == 403


def test_assign_needs_the_csrf_token(app, client, world):
    login_as(client, "coord")
    response = client.post(f"/plan/gaps/{world['roles'][1]}/assign",
                           data={"person_id": world["people"][3]})
    assert response.status_code == 400
    assert world["people"][3] not in confirmed(app, world["roles"][1])
