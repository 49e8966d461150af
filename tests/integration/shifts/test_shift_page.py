"""The page of one shift for the people on it (``/shifts/<occurrence>``): what, when,
where with a map link, the role, the teammates and the coordinator to call, the notes;
who may open it; a care visit's details for its visitors and coordinators only; linked
from My shifts, the home page, reminders and the calendar feed; the same queries
whatever the number of people."""
from __future__ import annotations

from datetime import timedelta
from urllib.parse import quote

import pytest

from coordinator.extensions import db
from coordinator.jobs.messages import compose
from coordinator.models import (
    Account,
    CareRecipient,
    CareVisitDetail,
    Occurrence,
    Series,
    TeamMember,
    Venue,
)
from coordinator.services.notify import NotifySettings
from coordinator.services.notify.deliveries import Claimed
from tests.support.plan import count_queries
from tests.support.scheduling import NOW, patrol, roles_of
from tests.support.shift_pages import (
    COORD_PHONE,
    OTHER_COORD_PHONE,
    OUTSIDER_PHONE,
    client_for,
    local_date,
    page,
    phone,
    series,
    shift_pages_world,
    sign,
)
from tests.support.web import login

ADDRESS = "兵团路 12 号 (东门)"
NOTES = "请带上手电筒和红袖章"
RECIPIENT = "独一无二的受访人甲乙丙"
RECIPIENT_ADDRESS = "幸福里九号楼三单元"


@pytest.fixture
def world(app):
    w = shift_pages_world(app)
    with app.app_context():
        db.session.get(Venue, w["room"]).address = ADDRESS
        w["patrol"] = patrol(w, needed=2, maximum=2, rule=None, until_days=None,
                             venue=w["room"])
        db.session.get(Series, w["patrol"]).description = NOTES
        db.session.commit()
        [role] = roles_of(w["patrol"])
        w["occ"] = db.session.scalar(db.select(Occurrence.id).where(
            Occurrence.series_id == w["patrol"]))
        for i in (0, 1, 2):  # 0 and 1 confirmed, 2 on the waitlist
            sign(w["accounts"][i], role)
        db.session.remove()
    return w


def _login(app, who: str):
    client = app.test_client()
    assert login(client, who).status_code == 302
    return client


def test_the_volunteer_reads_what_when_where_and_whom_to_call(app, world):
    html = page(client_for(app, phone(0)), f"/shifts/{world['occ']}")
    assert "晚间巡逻" in html and "巡逻" in html and "巡逻队员" in html  # kind, title, role
    day = local_date(1)
    assert f"{day.month}月{day.day}日" in html and "19:30–21:30" in html  # Shanghai time
    assert "活动室一" in html and ADDRESS in html
    assert f'href="https://uri.amap.com/search?keyword={quote(ADDRESS, safe="")}"' in html
    assert 'href="tel:13900000001"' in html and "队员1" in html  # the confirmed teammate
    assert "队员2" not in html  # on the waitlist: not on the shift
    assert "tel:13900000000" not in html  # not oneself
    assert f'href="tel:{COORD_PHONE}"' in html and "张书记" in html
    assert OTHER_COORD_PHONE not in html
    assert NOTES in html
    assert "<script" not in html.split("<main", 1)[-1]  # no script needed


def test_the_waitlist_sees_names_and_the_coordinator_but_not_the_teams_phones(app, world):
    html = page(client_for(app, phone(2)), f"/shifts/{world['occ']}")
    assert "队员0" in html and "队员1" in html
    assert "tel:13900000000" not in html and "tel:13900000001" not in html
    assert f'href="tel:{COORD_PHONE}"' in html
    assert "候补" in html or "waitlist" in html.lower()


def test_only_its_people_its_coordinators_and_admins_open_it(app, world):
    path = f"/shifts/{world['occ']}"
    for who, code in ((phone(3), 403), (OUTSIDER_PHONE, 403), ("coord2", 403),
                      ("coord", 200), ("admin", 200)):
        response = _login(app, who).get(path)
        assert response.status_code == code, who
        html = response.get_data(as_text=True)
        if code == 403:
            assert "只有这个班次的志愿者、本社区的协调员和管理员可以打开这个页面" in html
            assert "队员1" not in html and ADDRESS not in html
        else:  # staff see the whole shift, phones included
            assert 'href="tel:13900000000"' in html and 'href="tel:13900000001"' in html
    anonymous = app.test_client().get(path)
    assert anonymous.status_code == 302 and "/login" in anonymous.headers["Location"]
    assert client_for(app, phone(0)).get("/shifts/99999").status_code == 404


def test_a_care_visit_shows_the_person_visited_only_to_its_visitors_and_coordinators(
        app, world):
    with app.app_context():
        for i in (4, 5):
            db.session.add(TeamMember(team_id=world["care_team"], person_id=world["people"][i]))
        visit = series(world, title="探望慰问老党员", kind="care", team=world["care_team"],
                       needed=1, maximum=1)
        recipient = CareRecipient(community_id=world["community"], full_name=RECIPIENT,
                                  address=RECIPIENT_ADDRESS, ward="三病区 5 床")
        db.session.add(recipient)
        db.session.flush()
        db.session.add(CareVisitDetail(series_id=visit, recipient_id=recipient.id))
        db.session.commit()
        [role] = roles_of(visit)
        occ = db.session.scalar(db.select(Occurrence.id).where(Occurrence.series_id == visit))
        sign(world["accounts"][4], role)  # confirmed
        sign(world["accounts"][5], role)  # waitlisted
        db.session.remove()
    # Its confirmed visitor and the community's coordinator read whom they visit (the
    # care-log tests hold the whole matrix); the waitlist and admins do not.
    for who in (phone(4), "coord"):
        html = page(_login(app, who), f"/shifts/{occ}")
        assert RECIPIENT in html and RECIPIENT_ADDRESS in html
    for who in (phone(5), "admin"):
        html = page(_login(app, who), f"/shifts/{occ}")
        assert RECIPIENT not in html and RECIPIENT_ADDRESS not in html and "三病区" not in html
        assert "探望慰问" in html and f'href="tel:{COORD_PHONE}"' in html
        assert "探望慰问老党员" not in html and "队员4" not in html
    assert "探望慰问老党员" in page(_login(app, phone(4)), f"/shifts/{occ}")


def test_my_shifts_and_the_home_page_link_to_it(app, world):
    client = client_for(app, phone(0))
    link = f'href="/shifts/{world["occ"]}"'
    assert link in page(client, "/shifts/mine")
    assert link in page(client, "/")


def test_the_reminder_and_the_calendar_event_link_to_it(app, world):
    occ = world["occ"]
    start = NOW + timedelta(days=1)
    payload = {"occurrence_id": occ, "start": start.isoformat(),
               "end": (start + timedelta(hours=2)).isoformat(), "seq": 0,
               "updated": NOW.isoformat(), "title": "晚间巡逻", "venue": "活动室一",
               "role": "巡逻队员", "kind": "patrol", "locale": "zh_CN",
               "email": "a@example.org"}
    row = Claimed(id=1, kind="reminder24", channel="email", dedup_key="k", payload=payload,
                  account_id=None, person_id=None, occurrence_id=occ, ref_at=start,
                  attempts=0)
    settings = NotifySettings(base_url="https://vol.example.org", uid_domain="vol.example.org")
    with app.app_context():
        [message] = compose([row], settings).values()
    url = f"https://vol.example.org/shifts/{occ}"
    assert url in message.body and url in message.email.html
    assert message.url_path == f"/shifts/{occ}"
    assert f"URL:{url}" in message.email.ics.decode().replace("\r\n ", "")


def test_the_page_costs_the_same_queries_with_more_people_on_it(app, world):
    path = f"/shifts/{world['occ']}"
    client = client_for(app, phone(0))
    client.get(path)  # warm: the first request loads what every request loads once
    with count_queries(app) as few:
        page(client, path)
    with app.app_context():
        big = patrol(world, needed=6, maximum=6, rule=None, until_days=None,
                     venue=world["room"], start_day=3)
        [role] = roles_of(big)
        occ = db.session.scalar(db.select(Occurrence.id).where(Occurrence.series_id == big))
        for i in range(6):
            sign(world["accounts"][i], role)
        db.session.remove()
    with count_queries(app) as many:
        assert page(client, f"/shifts/{occ}").count('href="tel:') == 6  # 5 + coordinator
    assert many.count == few.count


def test_a_disabled_coordinators_phone_is_not_offered(app, world):
    with app.app_context():
        db.session.get(Account, world["coordinator"]).is_enabled = False
        db.session.commit()
        db.session.remove()
    html = page(client_for(app, phone(0)), f"/shifts/{world['occ']}")
    assert COORD_PHONE not in html
    assert "还没有登记协调员的电话" in html



def test_a_township_wide_shift_gives_the_volunteers_own_coordinator(app, world):
    with app.app_context():
        talk = series(world, title="全团场报告会", community=None)
        [role] = roles_of(talk)
        occ = db.session.scalar(db.select(Occurrence.id).where(Occurrence.series_id == talk))
        sign(world["accounts"][0], role)
        db.session.remove()
    html = page(client_for(app, phone(0)), f"/shifts/{occ}")
    assert "全团场报告会" in html and f'href="tel:{COORD_PHONE}"' in html
    assert _login(app, "coord").get(f"/shifts/{occ}").status_code == 403  # not theirs


def test_leaders_and_also_leaders_do_not_open_it(app, world):
    """Leaders read the plan, not a shift's page with its people's phones."""
    from coordinator.services.people.accounts import hash_password
    from tests.support.database import TEST_PASSWORD

    with app.app_context():
        db.session.add_all([
            Account(role="leader", username="leader-sp",
                    password_hash=hash_password(TEST_PASSWORD)),
            Account(role="coordinator", username="also-sp", is_also_leader=True,
                    password_hash=hash_password(TEST_PASSWORD))])
        db.session.commit()
    for who in ("leader-sp", "also-sp"):
        response = _login(app, who).get(f"/shifts/{world['occ']}")
        assert response.status_code == 403, who
        html = response.get_data(as_text=True)
        assert "队员1" not in html and ADDRESS not in html and "tel:139" not in html
