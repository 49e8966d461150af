"""The volunteer's pages through the test client: open shifts, sign-up, my shifts, swaps,
availability. Everyone logs in through the real form; every POST carries a CSRF token."""
from __future__ import annotations

import re
from datetime import date, time, timedelta

import pytest

from coordinator.database import begin_write
from coordinator.extensions import db
from coordinator.models import (
    Account,
    Assignment,
    CoordinatorScope,
    Person,
    Response,
    Series,
    SwapOffer,
    Team,
    Unavailability,
)
from coordinator.services.people.accounts import hash_password
from coordinator.services.schedule.series import RoleInput, SeriesInput, create_series
from coordinator.services.shifts import signups
from tests.support.database import TEST_PASSWORD
from tests.support.scheduling import NOW, ZONE, account, build_world, patrol, roles_of
from tests.support.web import login, post

COORD_PHONE = "13812345678"
OTHER_COORD_PHONE = "13887654321"
OUTSIDER_PHONE = "13911112222"
PHONE = re.compile(r"1[3-9]\d{9}")


def local_date(days: int) -> date:
    """The Shanghai date ``days`` after NOW's (NOW follows the real clock)."""
    return (NOW + timedelta(hours=8)).date() + timedelta(days=days)


def phone(i: int) -> str:
    """The login phone of the world's i-th volunteer."""
    return f"1390000{i:04d}"


@pytest.fixture
def world(app):
    """build_world plus passwords, a coordinator with a phone, a second community's
    coordinator and an account for the outsider; the clock pinned at NOW.

    No app context stays pushed afterwards: requests must not share ``g``."""
    app.config["NOW"] = lambda: NOW
    with app.app_context():
        w = build_world()
        for row in db.session.scalars(db.select(Account)):
            row.password_hash = hash_password(TEST_PASSWORD)
        mine = Person(full_name="张书记", phone=COORD_PHONE, community_id=w["community"])
        theirs = Person(full_name="李书记", phone=OTHER_COORD_PHONE, community_id=w["other"])
        db.session.add_all([mine, theirs])
        db.session.flush()
        db.session.get(Account, w["coordinator"]).person_id = mine.id
        other = Account(role="coordinator", username="coord2", person_id=theirs.id,
                        password_hash=hash_password(TEST_PASSWORD))
        outsider = Account(role="volunteer", person_id=w["outsider"],
                           password_hash=hash_password(TEST_PASSWORD))
        db.session.add_all([other, outsider])
        db.session.flush()
        db.session.add(CoordinatorScope(account_id=other.id, community_id=w["other"]))
        care = Team(name="探望组", kind="care", community_id=w["community"])
        db.session.add(care)
        db.session.commit()
        w.update(care_team=care.id, outsider_account=outsider.id)
    return w


def series(world, *, title, kind="talk", community="community", team=None, needed=2,
           maximum=2, start_day=2, at=time(9, 0), participation="slots", team_id=None,
           rule=None, until_days=None) -> int:
    """Create a series as the admin (any community or township-wide); returns its id."""
    start = (NOW + timedelta(hours=8)).date() + timedelta(days=start_day)
    data = SeriesInput(kind=kind, title=title,
                       community_id=world[community] if community else None,
                       start_date=start, start_time=at, duration_minutes=60, rrule=rule,
                       until=start + timedelta(days=until_days) if until_days else None,
                       participation=participation, team_id=team_id,
                       roles=(RoleInput("讲解员", needed, maximum, team),)
                       if participation == "slots" else ())
    begin_write(db.session)
    made = create_series(db.session, account(world["admin"]), data, NOW, zone=ZONE,
                         horizon_end=NOW + timedelta(weeks=12))
    db.session.commit()
    return made.id


def sign(account_id: int, role_id: int) -> signups.SignupResult:
    begin_write(db.session)
    result = signups.sign_up(db.session, account(account_id), role_id, NOW, zone=ZONE)
    db.session.commit()
    return result


def client_for(app, identifier, english=False):
    """A fresh client logged in through the form; optionally switched to English."""
    client = app.test_client()
    assert login(client, identifier).status_code == 302
    if english:
        post(client, "/preferences", {"locale": "en", "next": "/"}, token_from="/")
    return client


def act(client, path, data=None):
    """POST a button's form (CSRF token from a page) and follow the redirect."""
    return post(client, path, data, token_from="/shifts/mine", follow_redirects=True)


def page(client, path) -> str:
    response = client.get(path)
    assert response.status_code == 200, path
    return response.get_data(as_text=True)


def section(html: str, heading_id: str) -> str:
    start = html.index(f'id="{heading_id}"')
    end = html.find("</section>", start)
    return html[start:end]


# --- Open shifts ---------------------------------------------------------------------


def test_open_shifts_show_eligible_slots_and_hide_others(app, world):
    with app.app_context():
        full = roles_of(patrol(world, needed=1, maximum=1, rule=None, until_days=None,
                               title="满员巡逻"))[0]
        sign(world["accounts"][7], full)
        free = roles_of(series(world, title="本社区报告会"))[0]
        series(world, title="探望组任务", kind="care", team=world["care_team"])
        series(world, title="二连报告会", community="other")
        series(world, title="全团场报告会", community=None)
        series(world, title="太远的报告会", start_day=40)
        series(world, title="绿太阳合唱", kind="rehearsal", participation="team",
               team_id=world["team"])
        # in the afternoon: at 9:00 it would make the other talks clash (hidden, rightly)
        mine = roles_of(series(world, title="已报名的报告会", at=time(14, 0)))[0]
        sign(world["accounts"][0], mine)
    client = client_for(app, phone(0), english=True)
    html = page(client, "/shifts/open")
    slots = section(html, "slots-h")
    for shown in ("满员巡逻", "本社区报告会", "全团场报告会"):
        assert shown in slots
    for hidden in ("探望组任务", "二连报告会", "太远的报告会", "已报名的报告会", "绿太阳合唱"):
        assert hidden not in slots
    assert "绿太阳合唱" in section(html, "events-h")
    assert "Full – join the waitlist" in slots and "Join the waitlist" in slots
    assert f'action="/slots/{free}/signup"' in slots and "Sign up" in slots
    assert f'action="/slots/{full}/signup"' in slots
    assert "3 shifts found" in slots
    assert "太远的报告会" in section(page(client, "/shifts/open?days=60"), "slots-h")
    # the outsider lives in the other community and is in no team
    outsider = page(client_for(app, OUTSIDER_PHONE, english=True), "/shifts/open")
    assert "二连报告会" in outsider and "全团场报告会" in outsider
    assert "本社区报告会" not in outsider and "满员巡逻" not in outsider


def test_open_shifts_respect_the_opening_window_and_paginate(app, world):
    with app.app_context():
        windowed = patrol(world, until_days=20, title="限时巡逻")
        db.session.get(Series, windowed).signup_opens_days = 3
        series(world, title="每日报告会", rule="FREQ=DAILY", until_days=26, start_day=1)
        db.session.commit()
    client = client_for(app, phone(0), english=True)
    first = page(client, "/shifts/open?kind=patrol")
    assert first.count("限时巡逻") == 2  # Saturday and Sunday; Monday opens later
    assert page(client, "/shifts/open?kind=patrol&days=2").count("限时巡逻") == 1
    assert "限时巡逻" not in page(client, "/shifts/open?kind=patrol&days=1")
    talks = page(client, "/shifts/open?kind=talk")
    assert "27 shifts found" in talks and talks.count("每日报告会") == 20
    assert "/shifts/open?kind=talk&amp;page=2" in talks
    second = page(client, "/shifts/open?kind=talk&page=2")
    assert second.count("每日报告会") == 7


def test_filter_by_kind_and_community(app, world):
    with app.app_context():
        patrol(world, title="晚间巡逻", rule=None, until_days=None)
        series(world, title="本社区报告会")
        series(world, title="全团场报告会", community=None)
        series(world, title="绿太阳合唱", kind="rehearsal", participation="team",
               team_id=world["team"])
    client = client_for(app, phone(0))
    talks = page(client, "/shifts/open?kind=talk")
    assert "本社区报告会" in talks and "全团场报告会" in talks and "晚间巡逻" not in talks
    assert '<option value="talk" selected>' in talks  # the URL keeps the choice
    assert "绿太阳合唱" not in talks  # team events are filtered by kind too
    here = page(client, f"/shifts/open?community={world['community']}")
    assert "晚间巡逻" in here and "本社区报告会" in here and "全团场报告会" not in here
    assert f'<option value="{world["community"]}" selected>' in here
    township = page(client, "/shifts/open?community=township&kind=talk")
    assert "全团场报告会" in township and "本社区报告会" not in township
    assert '<option value="township" selected>' in township
    assert "二连社区" not in township  # only communities whose work I may take are offered


@pytest.mark.parametrize("query,message", [
    ("kind=dance", "这个选项不可用。"),
    ("kind=%3Cscript%3E", "这个选项不可用。"),
    ("community=99999", "找不到这个社区。"),
    ("community=abc", "找不到这个社区。"),
    ("community=-1", "找不到这个社区。"),
    ("community=%C2%B2", "找不到这个社区。"),  # "²" is a digit to str.isdigit
    ("community=99999999999999999999", "找不到这个社区。"),
    ("community=OTHER", "找不到这个社区。"),  # exists, but not work this volunteer may take
])
def test_bad_filter_values_give_a_clear_message(app, world, query, message):
    with app.app_context():
        patrol(world, title="晚间巡逻", rule=None, until_days=None)
    query = query.replace("OTHER", str(world["other"]))
    client = client_for(app, phone(0))
    response = client.get(f"/shifts/open?{query}")
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert message in html and "错误：" in html and 'aria-invalid="true"' in html
    assert "晚间巡逻" in html  # the bad filter is ignored; the list still helps
    assert "<script>" not in html


# --- Sign-up ---------------------------------------------------------------------------


def test_one_tap_signup_confirms_then_waitlists_with_position(app, world):
    with app.app_context():
        role = roles_of(patrol(world, needed=1, maximum=1, rule=None, until_days=None))[0]
    first = client_for(app, phone(0), english=True)
    response = post(first, f"/slots/{role}/signup", {"next": "/shifts/open?kind=patrol"},
                    token_from="/shifts/open")
    assert response.status_code == 302
    assert response.headers["Location"] == "/shifts/open?kind=patrol"
    assert "Note: You are signed up." in page(first, "/shifts/open")
    second = client_for(app, phone(1), english=True)
    assert "Full – join the waitlist" in page(second, "/shifts/open")
    html = act(second, f"/slots/{role}/signup").get_data(as_text=True)
    assert "The shift is full; you are number 1 on the waitlist." in html
    mine = page(second, "/shifts/mine")
    assert "On the waitlist" in mine and "number 1 on the waitlist" in mine
    assert "Offer to swap" not in mine  # only a confirmed shift can be offered
    with app.app_context():
        rows = db.session.scalars(db.select(Assignment).order_by(Assignment.id)).all()
        assert [(r.person_id, r.status, r.waitlist_position) for r in rows] == [
            (world["people"][0], "confirmed", None), (world["people"][1], "waitlisted", 1)]


def test_my_shifts_show_the_real_place_in_the_waitlist(app, world):
    with app.app_context():
        role = roles_of(patrol(world, needed=1, maximum=1, rule=None, until_days=None))[0]
        results = [sign(a, role) for a in world["accounts"][:4]]
        assert [r.position for r in results[1:]] == [1, 2, 3]
    leaving = client_for(app, phone(1))
    act(leaving, f"/assignments/{results[1].assignment_id}/withdraw")
    last = client_for(app, phone(3), english=True)
    assert "number 2 on the waitlist" in page(last, "/shifts/mine")  # stored: 3


def test_signup_from_the_home_page_and_unsafe_next_is_ignored(app, world):
    with app.app_context():
        role = roles_of(patrol(world, rule=None, until_days=None))[0]
    client = client_for(app, phone(0))
    home = page(client, "/")
    assert f'action="/slots/{role}/signup"' in home and 'href="/shifts/open"' in home
    response = post(client, f"/slots/{role}/signup", {"next": "https://evil.example/"},
                    token_from="/")
    assert response.status_code == 302 and response.headers["Location"] == "/shifts/open"


def test_refused_signups_show_the_reason_and_save_nothing(app, world):
    with app.app_context():
        care = roles_of(series(world, title="探望组任务", kind="care",
                               team=world["care_team"]))[0]
        first = roles_of(patrol(world, rule=None, until_days=None, title="甲巡逻"))[0]
        clash = roles_of(patrol(world, rule=None, until_days=None, title="乙巡逻",
                                at=time(20, 0)))[0]
    client = client_for(app, phone(0))  # Chinese, the default
    html = act(client, f"/slots/{care}/signup").get_data(as_text=True)
    assert 'class="flash flash-error"' in html and "错误：" in html
    assert act(client, f"/slots/{first}/signup").status_code == 200
    html = act(client, f"/slots/{clash}/signup").get_data(as_text=True)
    assert "错误：" in html
    twice = act(client, f"/slots/{first}/signup").get_data(as_text=True)
    assert "错误：" in twice
    assert post(client, "/slots/99999/signup", token_from="/").status_code == 404
    with app.app_context():
        rows = db.session.scalars(db.select(Assignment)).all()
        assert [(r.occurrence_role_id, r.status) for r in rows] == [(first, "confirmed")]
    # the same refusals in English, with their values filled in
    post(client, "/preferences", {"locale": "en", "next": "/"}, token_from="/")
    html = act(client, f"/slots/{clash}/signup").get_data(as_text=True)
    tomorrow = local_date(1)
    assert f"Error: Already busy then: 甲巡逻, {tomorrow:%m-%d} 19:30–21:30." in html
    html = act(client, f"/slots/{care}/signup").get_data(as_text=True)
    assert "Only members of the required team can take this place." in html


def test_signup_outside_the_opening_window_names_the_date(app, world):
    with app.app_context():
        series_id = patrol(world, until_days=20)
        db.session.get(Series, series_id).signup_opens_days = 3
        db.session.commit()
        late = roles_of(series_id)[10]
    client = client_for(app, phone(0), english=True)
    html = act(client, f"/slots/{late}/signup").get_data(as_text=True)
    # the 11th daily patrol (day 11) opens 3 days ahead, at its own start time
    assert f"Sign-up for this date opens on {local_date(8):%Y-%m-%d} 19:30." in html


# --- Team events -------------------------------------------------------------------------


def test_team_members_answer_yes_or_no(app, world):
    with app.app_context():
        series_id = series(world, title="绿太阳合唱", kind="rehearsal", participation="team",
                           team_id=world["team"])
        occurrence = db.session.scalar(db.select(Series).where(Series.id == series_id)
                                       ).occurrences[0].id
    client = client_for(app, phone(2), english=True)
    assert "Not answered yet" in page(client, "/shifts/open")
    html = act(client, f"/occurrences/{occurrence}/respond", {"attending": "yes"}
               ).get_data(as_text=True)
    assert "Your answer: I will come" in html
    act(client, f"/occurrences/{occurrence}/respond", {"attending": "no"})
    assert "Your answer: I cannot come" in page(client, "/shifts/open")
    assert post(client, f"/occurrences/{occurrence}/respond", {"attending": "maybe"},
                token_from="/").status_code == 400
    outsider = client_for(app, OUTSIDER_PHONE)
    assert "绿太阳合唱" not in page(outsider, "/shifts/open")
    assert post(outsider, f"/occurrences/{occurrence}/respond", {"attending": "yes"},
                token_from="/").status_code == 403
    with app.app_context():
        answers = db.session.scalars(db.select(Response)).all()
        assert [(a.person_id, a.is_attending) for a in answers] == [(world["people"][2], False)]


# --- My shifts, withdrawal, swaps ---------------------------------------------------------


def test_my_shifts_list_and_withdraw_before_the_cutoff(app, world):
    with app.app_context():
        role = roles_of(patrol(world, needed=1, maximum=1, rule=None, until_days=None))[0]
        signed = sign(world["accounts"][0], role)
        waiting = sign(world["accounts"][1], role)
    client = client_for(app, phone(0), english=True)
    mine = page(client, "/shifts/mine")
    assert "晚间巡逻" in section(mine, "coming-h") and "Confirmed" in mine
    # tomorrow's 19:30 patrol, 12 hours before
    cutoff = local_date(1)
    assert f"You can withdraw here until {cutoff.month}/{cutoff.day} 07:30." in mine
    html = act(client, f"/assignments/{signed.assignment_id}/withdraw").get_data(as_text=True)
    assert "You are no longer on this shift." in html
    assert "晚间巡逻" not in section(html, "coming-h")
    with app.app_context():
        assert db.session.get(Assignment, signed.assignment_id).status == "withdrawn"
        assert db.session.get(Assignment, waiting.assignment_id).status == "confirmed"


def test_withdraw_inside_the_cutoff_shows_the_coordinators_phone(app, world):
    with app.app_context():
        role = roles_of(patrol(world, rule=None, until_days=None))[0]
        signed = sign(world["accounts"][0], role)
    app.config["NOW"] = lambda: NOW + timedelta(days=1, hours=3)  # 4½ hours before the start
    client = client_for(app, phone(0))
    assert "Offer to swap" not in page(client, "/shifts/mine")
    html = act(client, f"/assignments/{signed.assignment_id}/withdraw").get_data(as_text=True)
    assert "错误：" in html and COORD_PHONE in html
    assert OTHER_COORD_PHONE not in html  # another community's coordinator is not asked
    with app.app_context():
        assert db.session.get(Assignment, signed.assignment_id).status == "confirmed"
        # without a coordinator phone on record the message still asks to call
        db.session.get(Account, world["coordinator"]).person_id = None
        db.session.commit()
    html = act(client, f"/assignments/{signed.assignment_id}/withdraw").get_data(as_text=True)
    assert "错误：" in html and COORD_PHONE not in html


def test_recent_shifts_show_hours_served(app, world):
    with app.app_context():
        roles = roles_of(patrol(world, title="晚间巡逻"))
        sign(world["accounts"][0], roles[0])
        sign(world["accounts"][0], roles[1])
        sign(world["accounts"][0], roles[4])
    app.config["NOW"] = lambda: NOW + timedelta(days=3)
    client = client_for(app, phone(0), english=True)
    html = page(client, "/shifts/mine")
    past = section(html, "past-h")
    assert "Hours served: 4.0" in past and past.count("晚间巡逻") == 2
    assert section(html, "coming-h").count("晚间巡逻") == 1


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
    assert "2026-12-10 – 2026-12-20" in html and "At most 2 shifts a week now." in html
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
