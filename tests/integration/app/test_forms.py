"""Bad input on every form: field errors in the user's language, nothing half-saved."""
from __future__ import annotations

import pytest

from coordinator.extensions import db
from coordinator.models import Account, AuditEntry, Community, Person, Team, TeamMember, Venue
from tests.support.web import login, post


def _count(app, model):
    with app.app_context():
        return db.session.scalar(db.select(db.func.count()).select_from(model))


def _person(org, **over):
    data = {"full_name": "赵大爷", "community_id": org["c1"].id, "phone": "13900001111",
            "status": "active"}
    data.update(over)
    return data


PERSON_CASES = [
    ({"full_name": ""}, "full_name"),
    ({"full_name": "名" * 101}, "full_name"),
    ({"phone": "12"}, "phone"),
    ({"phone": "abc"}, "phone"),
    ({"email": "not-an-email"}, "email"),
    ({"birth_year": "nineteen"}, "birth_year"),
    ({"birth_year": "1800"}, "birth_year"),
    ({"status": "dead"}, "status"),
    ({"status": "away", "away_from": "2026-12-01", "away_until": "2026-11-01"}, "away_until"),
    ({"away_from": "2026-13-45", "status": "away"}, "away_from"),
    ({"max_shifts_per_week": "-1"}, "max_shifts_per_week"),
    ({"community_id": "999"}, "community_id"),
]


@pytest.mark.parametrize("override,field", PERSON_CASES)
def test_person_form_rejects_bad_input(app, client, org, override, field):
    login(client, "coord1")
    before = _count(app, Person)
    response = post(client, "/people/new", _person(org, **override))
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert f'id="{field}-err"' in html
    assert 'aria-invalid="true"' in html
    assert _count(app, Person) == before


def test_person_form_refuses_duplicate_phone_in_chinese(app, client, org):
    login(client, "coord1")
    response = post(client, "/people/new", _person(org, phone=org["v1"].phone))
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert 'id="phone-err"' in html
    assert "电话" in html  # the message is in Chinese by default
    assert "赵大爷" in html  # what was typed is kept


def test_person_form_saves_good_input_with_audit(app, client, org):
    login(client, "coord1")
    response = post(client, "/people/new", _person(org, phone="+86 139-0000-2222",
                                                    address="一连 7 栋"))
    assert response.status_code == 302
    with app.app_context():
        person = db.session.scalar(db.select(Person).where(Person.full_name == "赵大爷"))
        assert person.phone == "13900002222" and person.community_id == org["c1"].id
        entry = db.session.scalar(db.select(AuditEntry).where(AuditEntry.entity == "person",
                                                              AuditEntry.entity_id == person.id))
        assert entry.action == "person.create" and entry.actor_id == org["coord1"].id
        assert "一连 7 栋" not in str(entry.details)  # private values stay out of the log


def test_person_edit_keeps_data_on_error(app, client, org):
    login(client, "coord1")
    url = f"/people/{org['v1'].id}/edit"
    response = post(client, url, _person(org, full_name="王秀英", email="bad"))
    assert response.status_code == 400
    with app.app_context():
        assert db.session.get(Person, org["v1"].id).email == "w@example.org"


ACCOUNT_CASES = [
    ({"role": "admin", "username": "x", "password": "long enough pw"}, "username"),
    ({"role": "admin", "username": "new admin", "password": "long enough pw"}, "username"),
    ({"role": "admin", "username": "admin1", "password": "long enough pw"}, "username"),
    ({"role": "admin", "username": "newadmin", "password": "short"}, "password"),
    ({"role": "admin", "username": "newadmin", "password": "password1"}, "password"),
    ({"role": "admin", "username": "newadmin"}, "password"),
    ({"role": "coordinator", "username": "newcoord", "password": "long enough pw"},
     "community_ids"),
    ({"role": "king", "username": "newadmin", "password": "long enough pw"}, "role"),
    ({"role": "volunteer", "member": "99999", "password": "long enough pw"}, "member"),
    ({"role": "volunteer", "member": "没这个人", "password": "long enough pw"}, "member"),
    ({"role": "volunteer", "password": "long enough pw"}, "username"),
]


@pytest.mark.parametrize("data,field", ACCOUNT_CASES)
def test_account_form_rejects_bad_input(app, client, org, data, field):
    login(client, "admin1")
    before = _count(app, Account)
    response = post(client, "/admin/accounts/new", data)
    assert response.status_code == 400
    assert f'id="{field}-err"' in response.get_data(as_text=True)
    assert _count(app, Account) == before


def test_account_for_person_who_has_one_is_refused(app, client, org):
    login(client, "admin1")
    response = post(client, "/admin/accounts/new",
                    {"role": "volunteer", "member": "王秀英", "password": "long enough pw"})
    assert response.status_code == 400 and 'id="member-err"' in response.get_data(as_text=True)


def test_admin_creates_coordinator_who_can_log_in(app, client, org):
    login(client, "admin1")
    response = post(client, "/admin/accounts/new",
                    {"role": "coordinator", "username": "newcoord", "password": "long enough pw",
                     "community_ids": [org["c2"].id]})
    assert response.status_code == 302
    other = app.test_client()
    assert login(other, "newcoord", "long enough pw").status_code == 302
    assert "李建国" in other.get("/people").get_data(as_text=True)


@pytest.mark.parametrize("data,field", [({"name": "", "code": "C09"}, "name"),
                                        ({"name": "新社区", "code": "bad code!"}, "code"),
                                        ({"name": "一连社区", "code": "C77"}, "name"),
                                        ({"name": "新社区", "code": "C01"}, "code")])
def test_community_form_rejects_bad_input(app, client, org, data, field):
    login(client, "admin1")
    response = post(client, "/admin/communities", data)
    assert response.status_code == 400
    assert f'id="{field}-err"' in response.get_data(as_text=True)
    assert _count(app, Community) == 2


@pytest.mark.parametrize("data,field", [({"name": "", "kind": "patrol"}, "name"),
                                        ({"name": "巡逻队", "kind": "army"}, "kind"),
                                        ({"name": "巡逻队", "kind": "patrol", "community_id": "x"},
                                         "community_id")])
def test_team_form_rejects_bad_input(app, client, org, data, field):
    login(client, "coord1")
    data.setdefault("community_id", org["c1"].id)
    response = post(client, "/admin/teams", data)
    assert response.status_code == 400
    assert f'id="{field}-err"' in response.get_data(as_text=True)
    assert _count(app, Team) == 0


def test_team_duplicate_name_and_membership_rules(app, client, org):
    login(client, "coord1")
    assert post(client, "/admin/teams", {"name": "巡逻队", "kind": "patrol",
                                         "community_id": org["c1"].id}).status_code == 302
    again = post(client, "/admin/teams", {"name": "巡逻队", "kind": "patrol",
                                          "community_id": org["c1"].id})
    assert again.status_code == 400 and 'id="name-err"' in again.get_data(as_text=True)
    with app.app_context():
        team_id = db.session.scalar(db.select(Team.id))
    url = f"/admin/teams/{team_id}"
    for bad in ({"member": "99999"}, {"member": "李建国"}, {"member": "abc"}, {"member": ""}):
        response = post(client, url, bad)  # unknown, of another community, empty
        assert response.status_code == 400 and 'id="member-err"' in response.get_data(
            as_text=True)
    assert _count(app, TeamMember) == 0
    assert post(client, url, {"member": "王秀英", "is_lead": "y"}).status_code == 302
    assert _count(app, TeamMember) == 1


@pytest.mark.parametrize("data,field", [({"name": "", "kind": "room"}, "name"),
                                        ({"name": "活动室", "kind": "castle"}, "kind"),
                                        ({"name": "活动室", "kind": "room", "capacity": "0"},
                                         "capacity"),
                                        ({"name": "活动室", "kind": "room", "capacity": "many"},
                                         "capacity")])
def test_venue_form_rejects_bad_input(app, client, org, data, field):
    login(client, "coord1")
    data.setdefault("community_id", org["c1"].id)
    response = post(client, "/admin/venues", data)
    assert response.status_code == 400
    assert f'id="{field}-err"' in response.get_data(as_text=True)
    assert _count(app, Venue) == 0


def test_login_form_with_empty_fields(client, org):
    response = post(client, "/login", {"identifier": "", "password": ""})
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert 'id="identifier-err"' in html and 'id="password-err"' in html


def test_huge_numbers_do_not_crash(app, client, org):
    login(client, "coord1")
    response = post(client, "/people/new", _person(org, birth_year="9" * 40,
                                                   max_shifts_per_week="9" * 40))
    assert response.status_code == 400
    assert client.get("/people?page=99999999999999999999999").status_code == 200
    assert client.get("/people/99999999999999999999999").status_code == 404
