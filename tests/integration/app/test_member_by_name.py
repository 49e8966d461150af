"""Admin forms without developer hints: communities are ticked (no Ctrl-click
multi-select), and a member is chosen by name or phone number (never by an internal
number), with a clear error when the name is unknown or shared."""
from __future__ import annotations

import re

from coordinator.extensions import db
from coordinator.models import Account, Person, Team, TeamMember
from tests.support.web import login, post


def _account_of(app, person_id):
    with app.app_context():
        return db.session.scalar(db.select(Account).where(Account.person_id == person_id))


def test_account_form_ticks_communities_and_names_the_member(app, client, org, make):
    login(client, "admin1")
    page = client.get("/admin/accounts/new").get_data(as_text=True)
    assert "Ctrl" not in page and "/people/" not in page and "<select multiple" not in page
    boxes = [t for t in re.findall(r"<input[^>]*>", page)
             if 'type="checkbox"' in t and 'name="community_ids"' in t]
    assert len(boxes) == 2  # one box per community, each with its own label
    assert "一连社区</label>" in page and "<legend>" in page
    assert 'name="member"' in page and "姓名或手机号" in page
    namesake = make.person(org["c2"], full_name="张书记", phone="13911110000")
    # A shared name: the error says so and asks for the phone number.
    shared = post(client, "/admin/accounts/new",
                  {"role": "volunteer", "member": "张书记", "password": "long enough pw"})
    text = shared.get_data(as_text=True)
    assert shared.status_code == 400 and "有2位成员叫张书记，请填写" in text
    assert 'id="member-err"' in text
    unknown = post(client, "/admin/accounts/new",
                   {"role": "volunteer", "member": "张三丰", "password": "long enough pw"})
    assert unknown.status_code == 400 and "没有找到姓名或手机号为“张三丰”的成员" in \
        unknown.get_data(as_text=True)
    # The phone number typed in full-width digits (a Chinese IME) picks the one meant.
    done = post(client, "/admin/accounts/new",
                {"role": "volunteer", "member": "１３９１１１１００００",
                 "password": "long enough pw"})
    assert done.status_code == 302
    assert _account_of(app, namesake.id) is not None
    # A coordinator for two communities: both ticked, both kept; the edit page names the
    # member instead of a number field.
    coord = post(client, "/admin/accounts/new",
                 {"role": "coordinator", "username": "twocomm", "password": "long enough pw",
                  "community_ids": [org["c1"].id, org["c2"].id]})
    assert coord.status_code == 302
    edit = client.get(coord.headers["Location"]).get_data(as_text=True)
    assert len([t for t in re.findall(r"<input[^>]*>", edit)
                if 'name="community_ids"' in t and "checked" in t]) == 2
    volunteer = client.get(f"/admin/accounts/{_account_of(app, namesake.id).id}")
    assert "成员：张书记" in volunteer.get_data(as_text=True)


def test_team_member_added_by_name_or_phone(app, client, org):
    with app.app_context():
        team = Team(name="巡逻队", kind="patrol", community_id=org["c1"].id)
        db.session.add(team)
        db.session.commit()
        team_id = team.id
        phone = db.session.get(Person, org["coord1"].person_id).phone
    login(client, "coord1")
    url = f"/admin/teams/{team_id}"
    page = client.get(url).get_data(as_text=True)
    assert "/people/" not in page and "一连社区人员名单上的姓名" in page
    other = post(client, url, {"member": "李建国"})  # a member of another community
    assert other.status_code == 400 and "没有找到姓名或手机号为“李建国”的成员" in \
        other.get_data(as_text=True)
    assert post(client, url, {"member": "王秀英"}).status_code == 302
    assert post(client, url, {"member": phone}).status_code == 302  # 张书记's phone
    with app.app_context():
        names = set(db.session.scalars(db.select(TeamMember.person_id).where(
            TeamMember.team_id == team_id)))
    assert names == {org["v1"].id, org["coord1"].person_id}
    assert "王秀英" in client.get(url).get_data(as_text=True)
