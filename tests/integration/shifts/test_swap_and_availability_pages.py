"""The volunteer's pages through the test client: swaps, availability, and what each
account may see and do. Everyone logs in through the real form; every POST carries
a CSRF token."""
from __future__ import annotations

from datetime import time, timedelta

import pytest

from coordinator.database import begin_write
from coordinator.extensions import db
from coordinator.models import (
    Assignment,
    Person,
    Series,
    SwapOffer,
    Unavailability,
)
from tests.support.scheduling import NOW, patrol, roles_of
from tests.support.shift_pages import (
    OUTSIDER_PHONE,
    PHONE,
    act,
    client_for,
    local_date,
    page,
    phone,
    section,
    series,
    shift_pages_world,
    sign,
)
from tests.support.web import post


@pytest.fixture
def world(app):
    return shift_pages_world(app)


def test_offer_and_take_a_swap_between_two_volunteers(app, world):
    with app.app_context():
        series_id = patrol(world, needed=1, maximum=1, title="晚间巡逻")
        first, second = roles_of(series_id)[1:3]
        giver = sign(world["accounts"][0], first)
        giver2 = sign(world["accounts"][0], second)
    alice = client_for(app, phone(0), english=True)
    html = act(alice, f"/assignments/{giver.assignment_id}/offer").get_data(as_text=True)
    assert "Your shift is offered for a swap" in html
    offers = section(html, "offers-h")
    assert "晚间巡逻" in offers and "Take back the offer" in offers
    assert "晚间巡逻" not in page(alice, "/swaps")  # not my own offer
    with app.app_context():
        offer = db.session.scalar(db.select(SwapOffer))
        offer_id = offer.id
    outsider = client_for(app, OUTSIDER_PHONE)
    assert "晚间巡逻" not in page(outsider, "/swaps")  # another community, not in the team

    bob = client_for(app, phone(1), english=True)
    swaps_page = page(bob, "/swaps")
    assert "晚间巡逻" in swaps_page and f'action="/swaps/{offer_id}/take"' in swaps_page
    assert phone(0) not in swaps_page and "队员0" not in swaps_page  # the giver stays private
    html = post(bob, f"/swaps/{offer_id}/take", token_from="/swaps",
                follow_redirects=True).get_data(as_text=True)
    assert "The shift is yours now." in html
    assert "晚间巡逻" in section(page(bob, "/shifts/mine"), "coming-h")
    with app.app_context():
        assert db.session.get(Assignment, giver.assignment_id).status == "withdrawn"
        taken = db.session.scalar(db.select(Assignment).where(
            Assignment.person_id == world["people"][1]))
        assert taken.occurrence_role_id == first and taken.status == "confirmed"
        db.session.get(Series, series_id).requires_swap_approval = True
        db.session.commit()

    act(alice, f"/assignments/{giver2.assignment_id}/offer")
    with app.app_context():
        offer2 = db.session.scalar(db.select(SwapOffer).where(SwapOffer.status == "open")).id
    html = post(bob, f"/swaps/{offer2}/take", token_from="/swaps",
                follow_redirects=True).get_data(as_text=True)
    assert "It waits for coordinator approval." in html
    assert "Waits for coordinator approval" in section(html, "pending-h")
    assert "waits for coordinator approval" in section(page(alice, "/shifts/mine"), "offers-h")
    with app.app_context():
        assert db.session.get(SwapOffer, offer2).status == "pending"
        assert db.session.get(Assignment, giver2.assignment_id).status == "confirmed"


def test_take_back_a_swap_offer(app, world):
    with app.app_context():
        role = roles_of(patrol(world, rule=None, until_days=None))[0]
        signed = sign(world["accounts"][0], role)
    client = client_for(app, phone(0), english=True)
    act(client, f"/assignments/{signed.assignment_id}/offer")
    html = act(client, f"/assignments/{signed.assignment_id}/offer").get_data(as_text=True)
    assert "This shift is already offered." in html
    with app.app_context():
        offer_id = db.session.scalar(db.select(SwapOffer.id))
    html = act(client, f"/swaps/{offer_id}/withdraw").get_data(as_text=True)
    assert "Your swap offer is taken back." in html
    assert "You are not offering any shift." in html and "Offer to swap" in html
    with app.app_context():
        assert db.session.get(SwapOffer, offer_id).status == "withdrawn"
        assert db.session.get(Assignment, signed.assignment_id).status == "confirmed"


def test_a_volunteer_cannot_act_on_someone_elses_shift(app, world):
    with app.app_context():
        role = roles_of(patrol(world, rule=None, until_days=None))[0]
        signed = sign(world["accounts"][0], role)
    owner = client_for(app, phone(0))
    act(owner, f"/assignments/{signed.assignment_id}/offer")
    with app.app_context():
        offer_id = db.session.scalar(db.select(SwapOffer.id))
    other = client_for(app, phone(1))
    for path in (f"/assignments/{signed.assignment_id}/withdraw",
                 f"/assignments/{signed.assignment_id}/offer",
                 f"/swaps/{offer_id}/withdraw", "/assignments/99999/withdraw"):
        assert post(other, path, token_from="/").status_code == 404, path
    with app.app_context():
        assert db.session.get(Assignment, signed.assignment_id).status == "confirmed"
        assert db.session.get(SwapOffer, offer_id).status == "open"


# --- Availability ---------------------------------------------------------------------------


def test_availability_add_and_delete(app, world):
    client = client_for(app, phone(0), english=True)
    html = page(client, "/availability")
    assert "No weekly times yet." in html and "No limit now." in html
    response = post(client, "/availability", {"action": "weekly", "weekday": "4",
                                              "start_time": "19:00", "end_time": "22:00",
                                              "weekly_note": "看孙子"})
    assert response.status_code == 302
    post(client, "/availability", {"action": "range", "start_date": "2026-12-10",
                                   "end_date": "2026-12-20", "range_note": "回老家"})
    post(client, "/availability", {"action": "limit", "max_shifts_per_week": "2"})
    html = page(client, "/availability")
    assert "Friday 19:00–22:00" in html and "看孙子" in html
    assert "10 Dec 2026 – 20 Dec 2026" in html and "At most 2 shifts a week now." in html
    assert 'name="max_shifts_per_week" type="number" value="2"' in html
    with app.app_context():
        rows = db.session.scalars(db.select(Unavailability).order_by(Unavailability.id)).all()
        assert [(r.weekday, r.start_time, r.end_time) for r in rows[:1]] == [
            (4, time(19), time(22))]
        weekly_id, range_id = rows[0].id, rows[1].id
        assert db.session.get(Person, world["people"][0]).max_shifts_per_week == 2
    post(client, "/availability", {"action": "limit", "max_shifts_per_week": ""})
    assert post(client, f"/availability/{weekly_id}/delete",
                token_from="/availability").status_code == 302
    other = client_for(app, phone(1))
    assert post(other, f"/availability/{range_id}/delete",
                token_from="/availability").status_code == 404
    with app.app_context():
        assert [r.id for r in db.session.scalars(db.select(Unavailability))] == [range_id]
        assert db.session.get(Person, world["people"][0]).max_shifts_per_week is None


def test_availability_blocks_a_later_signup(app, world):
    with app.app_context():
        role = roles_of(patrol(world, rule=None, until_days=None))[0]  # tomorrow evening
    client = client_for(app, phone(0), english=True)
    weekday = str(local_date(1).weekday())
    post(client, "/availability", {"action": "weekly", "weekday": weekday, "start_time": "18:00",
                                   "end_time": "23:00"})
    html = act(client, f"/slots/{role}/signup").get_data(as_text=True)
    assert "said they cannot do this weekday and time" in html


BAD_AVAILABILITY = [
    ({"action": "weekly", "weekday": "2", "start_time": "20:00", "end_time": "19:00"},
     "end_time"),
    ({"action": "weekly", "weekday": "2", "start_time": "19:00", "end_time": "19:00"},
     "end_time"),
    ({"action": "weekly", "weekday": "9", "start_time": "19:00", "end_time": "20:00"},
     "weekday"),
    ({"action": "weekly", "weekday": "Monday", "start_time": "19:00", "end_time": "20:00"},
     "weekday"),
    ({"action": "weekly", "weekday": "1", "start_time": "25:00", "end_time": "26:00"},
     "start_time"),
    ({"action": "weekly", "weekday": "1", "start_time": "", "end_time": "20:00"},
     "start_time"),
    ({"action": "weekly", "weekday": "1", "start_time": "19:00", "end_time": "20:00",
      "weekly_note": "长" * 201}, "weekly_note"),
    ({"action": "range", "start_date": "2026-12-20", "end_date": "2026-12-10"}, "end_date"),
    ({"action": "range", "start_date": "2026-02-30", "end_date": "2026-12-10"}, "start_date"),
    ({"action": "range", "start_date": "2026-12-01", "end_date": "2031-12-10"}, "end_date"),
    ({"action": "limit", "max_shifts_per_week": "99"}, "max_shifts_per_week"),
    ({"action": "limit", "max_shifts_per_week": "-1"}, "max_shifts_per_week"),
    ({"action": "limit", "max_shifts_per_week": "two"}, "max_shifts_per_week"),
]


@pytest.mark.parametrize("data,field", BAD_AVAILABILITY)
def test_bad_availability_input_is_refused_and_nothing_saved(app, world, data, field):
    with app.app_context():
        db.session.get(Person, world["people"][0]).max_shifts_per_week = 3
        db.session.commit()
    client = client_for(app, phone(0))
    response = post(client, "/availability", data)
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert f'id="{field}-err"' in html and "错误：" in html
    if data.get("max_shifts_per_week") == "99":
        assert "请填写0到21之间的数字。" in html  # already in the Chinese catalogue
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(Unavailability)) == 0
        assert db.session.get(Person, world["people"][0]).max_shifts_per_week == 3


def test_unknown_availability_action_is_a_bad_request(app, world):
    client = client_for(app, phone(0))
    assert post(client, "/availability", {"action": "drop"}).status_code == 400


# --- Security and privacy --------------------------------------------------------------------


def test_posts_without_a_csrf_token_are_refused(app, world):
    with app.app_context():
        role = roles_of(patrol(world, rule=None, until_days=None))[0]
    client = client_for(app, phone(0))
    for path, data in ((f"/slots/{role}/signup", {}),
                       ("/availability", {"action": "limit", "max_shifts_per_week": "1"})):
        assert client.post(path, data=data).status_code == 400, path
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(Assignment)) == 0
        assert db.session.get(Person, world["people"][0]).max_shifts_per_week is None


def test_accounts_without_a_member_record_get_403(app, world):
    client = client_for(app, "admin")
    for path in ("/shifts/open", "/shifts/mine", "/swaps", "/availability"):
        assert client.get(path).status_code == 403, path
    assert 'href="/shifts/open"' not in page(client, "/")  # no volunteer links in the menu


def test_pages_show_only_the_users_own_data(app, world):
    with app.app_context():
        mine = roles_of(patrol(world, rule=None, until_days=None, title="我的巡逻"))[0]
        theirs = roles_of(patrol(world, rule=None, until_days=None, title="别人的巡逻",
                                 at=time(8, 0)))[0]
        sign(world["accounts"][0], mine)
        sign(world["accounts"][1], theirs)
        begin_write(db.session)
        db.session.add(Unavailability(person_id=world["people"][1], weekday=0,
                                      start_time=time(8), end_time=time(9), note="别人的备注"))
        db.session.commit()
    client = client_for(app, phone(0))
    for path in ("/shifts/open", "/shifts/mine", "/swaps", "/availability", "/"):
        html = page(client, path)
        assert PHONE.findall(html) == [], path  # nobody's phone, not even a coordinator's
        assert "别人的备注" not in html
    assert "别人的巡逻" not in section(page(client, "/shifts/mine"), "coming-h")
    nav = page(client, "/")
    for link in ("/shifts/open", "/shifts/mine", "/swaps", "/availability"):
        assert f'href="{link}"' in nav



def test_page_query_counts_do_not_grow_with_the_data(app, world):
    from sqlalchemy import event
    with app.app_context():
        engine = db.engine
    statements = []

    def count(*_args):
        statements.append(1)

    def queries(client, path):
        statements.clear()
        event.listen(engine, "before_cursor_execute", count)
        try:
            page(client, path)
        finally:
            event.remove(engine, "before_cursor_execute", count)
        return len(statements)

    paths = ("/shifts/open", "/shifts/mine", "/swaps", "/availability")
    with app.app_context():
        roles = roles_of(patrol(world, title="晚间巡逻", rule=None, until_days=None))
        sign(world["accounts"][0], roles[0])
    client = client_for(app, phone(0))
    small = {path: queries(client, path) for path in paths}
    with app.app_context():
        for i, role in enumerate(roles_of(patrol(world, title="每日巡逻", at=time(6, 0),
                                                 until_days=12))):
            sign(world["accounts"][0 if i % 2 else 1], role)
        series(world, title="报告会", rule="FREQ=DAILY", until_days=20)
        series(world, title="绿太阳合唱", kind="rehearsal", participation="team",
               team_id=world["team"], rule="FREQ=DAILY", until_days=10)
    other = client_for(app, phone(1))
    with app.app_context():
        offers = [a.id for a in db.session.scalars(db.select(Assignment).where(
            Assignment.person_id == world["people"][1]))]
    for assignment_id in offers[:4]:
        act(other, f"/assignments/{assignment_id}/offer")
    # Dates past every shift here: an unavailable day under an offered shift hides it.
    for entry in (str((NOW + timedelta(days=d)).date()) for d in (40, 44, 48)):
        post(client, "/availability", {"action": "range", "start_date": entry,
                                       "end_date": entry})
    assert page(client, "/swaps").count('action="/swaps/') == 4  # the pages did grow
    assert page(client, "/shifts/open").count("/signup") == 20
    assert {path: queries(client, path) for path in paths} == small
