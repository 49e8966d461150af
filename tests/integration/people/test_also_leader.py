"""A coordinator who also sits on the township committee: reads every community as a
leader does (the weekly plan, rosters, series), changes only their own communities, and
sees other communities' private details no more than a leader does."""
from __future__ import annotations

import re
from datetime import timedelta

from coordinator.extensions import db
from coordinator.models import Account, Occurrence
from tests.support.people import also_leader
from tests.support.plan import entries, login_as
from tests.support.web import login, post


def test_the_plan_shows_every_community_but_assign_links_only_their_own(app, client, world):
    login_as(client, "coord2")
    day = world["first_day"]
    talk_day = day + timedelta(days=1)
    html = client.get(f"/plan?date={day}").get_data(as_text=True)
    shown = entries(html) | entries(client.get(f"/plan?date={talk_day}").get_data(as_text=True))
    assert world["occ"][0] in shown  # community 1's patrol: read like a leader
    patrol = html.split(f'data-occurrence-id="{world["occ"][0]}"')[1].split("</article>")[0]
    assert "/occurrences/" in patrol and "#role-" not in patrol  # no assign link there
    with app.app_context():
        talk = db.session.scalar(db.select(Occurrence.id).where(
            Occurrence.series_id == world["talk"]).order_by(Occurrence.start_at))
    assert talk in shown  # their own community's talk


def test_other_communities_are_read_only_and_their_care_visits_private(app, client, world):
    login_as(client, "coord2")
    page = client.get(f"/occurrences/{world['occ'][0]}")
    assert page.status_code == 200  # community 1's patrol opens ...
    html = page.get_data(as_text=True)
    assert 'name="person_id"' not in html and "/cancel" not in html  # ... with no forms
    assert post(client, f"/occurrences/{world['occ'][0]}/cancel", {"reason": "测试"},
                token_from="/").status_code in (403, 404)
    with app.app_context():
        assert db.session.get(Occurrence, world["occ"][0]).status == "scheduled"
    # Community 1's care visit: nothing of it, as for a leader.
    assert client.get(f"/occurrences/{world['care_occ'][0]}").status_code == 404
    assert client.get(f"/series/{world['care']}").status_code == 404
    care_day = world["first_day"] + timedelta(days=1)
    care = entries(client.get(f"/plan?date={care_day}").get_data(as_text=True))
    assert world["care_occ"][0] in care and "探望独居老人" not in care[world["care_occ"][0]]
    listing = client.get("/series").get_data(as_text=True)
    assert "晚间巡逻" in listing and "探望独居老人" not in listing


def test_without_the_flag_a_coordinator_sees_only_their_own(app, client, world):
    with app.app_context():
        db.session.get(Account, world["coord2"]).is_also_leader = False
        db.session.commit()
    login_as(client, "coord2")
    assert world["occ"][0] not in entries(
        client.get(f"/plan?date={world['first_day']}").get_data(as_text=True))
    assert client.get(f"/occurrences/{world['occ'][0]}").status_code == 404


def test_rosters_of_other_communities_without_phones_or_addresses(client, org, app):
    also_leader(app, org["coord2"].id)
    login(client, "coord2")
    listing = client.get("/people").get_data(as_text=True)
    assert "王秀英" in listing and "李建国" in listing
    detail = client.get(f"/people/{org['v1'].id}").get_data(as_text=True)
    assert "王秀英" in detail and org["v1"].address not in detail
    own = client.get(f"/people/{org['v2'].id}").get_data(as_text=True)
    assert org["v2"].address in own
    assert client.get(f"/people/{org['v1'].id}/edit").status_code in (403, 404)
    home = client.get("/").get_data(as_text=True)
    assert 'href="/plan"' in home


def test_admin_sets_the_flag_for_coordinators_only(client, org, app):
    login(client, "admin1")
    coord = org["coord1"].id
    form = {"role": "coordinator", "username": "coord1", "community_ids": [org["c1"].id],
            "is_also_leader": "y"}
    assert post(client, f"/admin/accounts/{coord}", form).status_code == 302
    volunteer = org["vol1"].id
    assert post(client, f"/admin/accounts/{volunteer}",
                {"role": "volunteer", "person_id": org["v1"].id, "is_also_leader": "y"}
                ).status_code == 302
    with app.app_context():
        assert db.session.get(Account, coord).is_also_leader is True
        assert db.session.get(Account, volunteer).is_also_leader is False
    page = client.get(f"/admin/accounts/{coord}").get_data(as_text=True)
    box = re.search(r'<input[^>]*name="is_also_leader"[^>]*>', page).group(0)
    assert "checked" in box


def test_community_feeds_of_every_community(app, world):
    from coordinator.services.feeds.tokens import may_read
    with app.app_context():
        account = db.session.get(Account, world["coord2"])
        assert may_read(db.session, account, "community", world["community"])
        account.is_also_leader = False
        assert not may_read(db.session, account, "community", world["community"])
        assert may_read(db.session, account, "community", world["other"])
