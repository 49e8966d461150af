"""The volunteer's pages through the test client: open shifts, sign-up and my
shifts. Everyone logs in through the real form; every POST carries a CSRF token."""
from __future__ import annotations

from datetime import time, timedelta

import pytest

from coordinator.extensions import db
from coordinator.models import (
    Account,
    Assignment,
    Response,
    Series,
)
from tests.support.scheduling import NOW, patrol, roles_of
from tests.support.shift_pages import (
    COORD_PHONE,
    OTHER_COORD_PHONE,
    OUTSIDER_PHONE,
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
    assert "full: signing up puts you on the waitlist" in slots and "Join the waitlist" in slots
    assert f'action="/slots/{free}/signup"' in slots and "Sign up" in slots
    assert f'action="/slots/{full}/signup"' in slots
    assert "3 shifts found" in slots
    assert "太远的报告会" in section(page(client, "/shifts/open?days=60"), "slots-h")
    # the outsider lives in the other community and is in no team
    outsider = page(client_for(app, OUTSIDER_PHONE, english=True), "/shifts/open")
    assert "二连报告会" in outsider and "全团场报告会" in outsider
    assert "本社区报告会" not in outsider and "满员巡逻" not in outsider


def test_each_sign_up_button_says_what_it_does(app, world):
    """"已有2人，共需2人" stood next to a plain 报名 button: the fill line now says whether
    signing up fills a gap, adds an extra person or joins the waitlist, and the button is
    described by it."""
    with app.app_context():
        short = roles_of(series(world, title="缺人的报告会", needed=2, maximum=3))[0]
        enough = roles_of(series(world, title="人够的报告会", needed=2, maximum=3,
                                 at=time(11, 0)))[0]
        full = roles_of(series(world, title="已满的报告会", needed=2, maximum=2,
                               at=time(15, 0)))[0]
        for role, people in ((enough, (6, 7)), (full, (6, 7))):
            for who in people:
                sign(world["accounts"][who], role)
    html = section(page(client_for(app, phone(0)), "/shifts/open"), "slots-h")

    def entry(title):
        start = html.index(title)
        return html[start:html.find("</li>", start)]

    assert "还差2人" in entry("缺人的报告会") and ">报名<" in entry("缺人的报告会")
    assert "人数已够，还可以多报1人" in entry("人够的报告会")
    assert ">报名<" in entry("人够的报告会")
    assert "已满，现在报名会排进候补名单" in entry("已满的报告会")
    assert ">报名候补<" in entry("已满的报告会")
    for title, role in (("缺人的报告会", short), ("人够的报告会", enough), ("已满的报告会", full)):
        assert f'aria-describedby="slot-{role} fill-{role}"' in entry(title)
        assert f'id="fill-{role}"' in entry(title)


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
    assert "full: signing up puts you on the waitlist" in page(second, "/shifts/open")
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
    day = cutoff.strftime("%a %-d %b")  # the "when" style in English: Sat 5 Dec, 07:30
    assert f"You can withdraw here until {day}, 07:30." in mine
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
    """Hours served are the roll's recorded service minutes: of two past shifts, the one
    marked present counts, the no-show does not (nor a shift nobody recorded)."""
    from coordinator.database import begin_write
    from coordinator.models import Occurrence, OccurrenceRole, Series
    from coordinator.services.attendance import AttendanceSettings
    from coordinator.services.attendance.roll import write_entry
    with app.app_context():
        roles = roles_of(patrol(world, title="晚间巡逻"))
        sign(world["accounts"][0], roles[0])
        sign(world["accounts"][0], roles[1])
        sign(world["accounts"][0], roles[4])
    app.config["NOW"] = lambda: NOW + timedelta(days=3)
    client = client_for(app, phone(0), english=True)
    past = section(page(client, "/shifts/mine"), "past-h")
    assert "Hours served: 0.0" in past and past.count("晚间巡逻") == 2  # nothing recorded
    with app.app_context():
        begin_write(db.session)
        for role_id, status in ((roles[0], "present"), (roles[1], "absent")):
            occ = db.session.get(Occurrence, db.session.get(OccurrenceRole, role_id)
                                 .occurrence_id)
            write_entry(db.session, occ, db.session.get(Series, occ.series_id),
                        world["people"][0], status=status, actual_start=None,
                        actual_end=None, source="roll", actor=None, now=NOW,
                        settings=AttendanceSettings())
        db.session.commit()
    html = page(client, "/shifts/mine")
    assert "Hours served: 2.0" in section(html, "past-h")
    assert section(html, "coming-h").count("晚间巡逻") == 1
