"""The world and helpers of the volunteer pages' tests (open shifts, sign-up, my
shifts, swaps, availability)."""
from __future__ import annotations

import re
from datetime import date, time, timedelta

from coordinator.database import begin_write
from coordinator.extensions import db
from coordinator.models import (
    Account,
    CoordinatorScope,
    Person,
    Team,
)
from coordinator.services.people.accounts import hash_password
from coordinator.services.schedule.series import RoleInput, SeriesInput, create_series
from coordinator.services.shifts import signups
from tests.support.database import TEST_PASSWORD
from tests.support.scheduling import NOW, ZONE, account, build_world
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


def shift_pages_world(app) -> dict:
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


