"""Issue 13, item 5: past the withdrawal cut-off "My shifts" gives the coordinator's name
and phone (a tel: link) instead of a withdraw button that can only say no, and a stale
page's withdraw names the coordinator of the shift's community and the number."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest

from coordinator.extensions import db
from coordinator.models import Account, Assignment, Person
from tests.support.scheduling import NOW, patrol, roles_of
from tests.support.shift_pages import (
    COORD_PHONE,
    OTHER_COORD_PHONE,
    act,
    client_for,
    page,
    phone,
    section,
    series,
    shift_pages_world,
    sign,
)

LATE = NOW + timedelta(days=1, hours=3)  # 4½ hours before tomorrow's 19:30 patrol
FLASH = re.compile(r'<p class="flash flash-error"[^>]*>(.*?)</p>', re.S)


@pytest.fixture
def world(app):
    return shift_pages_world(app)


def _withdraw_form(assignment_id: int) -> str:
    return f'action="/assignments/{assignment_id}/withdraw"'


def test_past_the_cutoff_my_shifts_shows_the_coordinators_phone_instead_of_the_button(
        app, world):
    with app.app_context():
        role = roles_of(patrol(world, needed=1, maximum=1, rule=None, until_days=None))[0]
        signed = sign(world["accounts"][0], role)
        waiting = sign(world["accounts"][1], role)
    client = client_for(app, phone(0))
    early = section(page(client, "/shifts/mine"), "coming-h")
    assert _withdraw_form(signed.assignment_id) in early and "tel:" not in early

    app.config["NOW"] = lambda: LATE
    coming = section(page(client, "/shifts/mine"), "coming-h")
    assert _withdraw_form(signed.assignment_id) not in coming
    assert f'href="tel:{COORD_PHONE}"' in coming and "张书记" in coming
    assert "请给协调员张书记打电话" in coming
    # A waitlisted place holds nobody's shift: it may still be left, with no phone shown.
    waiting_client = client_for(app, phone(1))
    theirs = section(page(waiting_client, "/shifts/mine"), "coming-h")
    assert _withdraw_form(waiting.assignment_id) in theirs and "tel:" not in theirs


def test_a_stale_withdraw_names_the_shift_communitys_coordinator_and_number(app, world):
    with app.app_context():
        role = roles_of(patrol(world, rule=None, until_days=None))[0]
        signed = sign(world["accounts"][0], role)
        # She has since moved to the other community: the shift's coordinator is still 张书记.
        db.session.get(Person, world["people"][0]).community_id = world["other"]
        db.session.commit()
    client = client_for(app, phone(0))
    token_page = page(client, "/shifts/mine")  # the page as loaded before the cut-off
    assert _withdraw_form(signed.assignment_id) in token_page
    app.config["NOW"] = lambda: LATE
    html = act(client, f"/assignments/{signed.assignment_id}/withdraw").get_data(as_text=True)
    refusal = " ".join(FLASH.findall(html))
    assert "张书记" in refusal and COORD_PHONE in refusal
    assert OTHER_COORD_PHONE not in html
    with app.app_context():
        assert db.session.get(Assignment, signed.assignment_id).status == "confirmed"


def test_a_shift_of_no_community_gives_the_volunteers_own_coordinator(app, world):
    with app.app_context():
        role = roles_of(series(world, title="全团场报告会", community=None, start_day=1))[0]
        signed = sign(world["accounts"][0], role)
    app.config["NOW"] = lambda: NOW + timedelta(days=1, hours=-4)  # tomorrow 9:00 is near
    client = client_for(app, phone(0))
    coming = section(page(client, "/shifts/mine"), "coming-h")
    assert _withdraw_form(signed.assignment_id) not in coming
    assert f'href="tel:{COORD_PHONE}"' in coming


def test_without_a_coordinators_phone_the_page_still_says_to_call(app, world):
    with app.app_context():
        role = roles_of(patrol(world, rule=None, until_days=None))[0]
        signed = sign(world["accounts"][0], role)
        db.session.get(Account, world["coordinator"]).person_id = None
        db.session.commit()
    app.config["NOW"] = lambda: LATE
    client = client_for(app, phone(0))
    coming = section(page(client, "/shifts/mine"), "coming-h")
    assert _withdraw_form(signed.assignment_id) not in coming and "tel:" not in coming
    assert "请给协调员打电话" in coming
