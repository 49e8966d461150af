"""Leave (请假) from My shifts: the form for every actor, bad input saving nothing, the
shift gone from My shifts and listed as on leave, the waitlist promoted, the
coordinator's "recent leave" list, refusals in Chinese, a team event's leave."""
from __future__ import annotations

from coordinator.database import begin_write
from coordinator.extensions import db
from coordinator.models import Assignment, AttendanceEntry, Occurrence, Response
from coordinator.services.schedule import changes
from tests.support.leave_pages import ACTORS, actor_client, at, occurrence_of
from tests.support.scheduling import NOW, account, roles_of
from tests.support.shift_pages import section, series, sign
from tests.support.web import post

TITLE = "MK请假讲座"


def _talk(app, world):
    with app.app_context():
        talk = series(world, title=TITLE, needed=1, maximum=1, start_day=2)
        role = roles_of(talk)[0]
        sign(world["accounts"][0], role)  # confirmed
        sign(world["accounts"][1], role)  # waitlisted
        return role, occurrence_of(role)


def test_leave_form_as_every_actor(app, world):
    _role, occurrence_id = _talk(app, world)
    path = f"/attendance/{occurrence_id}/leave"
    expected = {"anonymous": 302, "volunteer": 403, "on_shift": 200, "coordinator": 403,
                "other_coordinator": 403, "leader": 403, "admin": 403}
    for actor in ACTORS:
        response = actor_client(app, actor).get(path)
        assert response.status_code == expected[actor], actor
        html = response.get_data(as_text=True)
        # Only the person on the shift reads its title here.
        assert (TITLE in html) == (actor == "on_shift"), actor
    html = actor_client(app, "on_shift").get(path).get_data(as_text=True)
    for reason in ("生病", "外出", "家中有事", "其他"):
        assert reason in html
    assert 'type="radio"' in html


def test_leave_from_my_shifts(app, world):
    role, occurrence_id = _talk(app, world)
    client = actor_client(app, "on_shift")
    mine = client.get("/shifts/mine").get_data(as_text=True)
    assert f"/attendance/{occurrence_id}/leave" in mine
    path = f"/attendance/{occurrence_id}/leave"
    # "Other" without a word, and no reason at all: refused on the field, nothing saved.
    for data in ({"reason": "other", "note": ""}, {}, {"reason": "bogus"}):
        response = post(client, path, data)
        assert response.status_code == 400, data
        assert "错误" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(AttendanceEntry.id))) == 0
        assert db.session.scalar(db.select(Assignment.status).where(
            Assignment.person_id == world["people"][0])) == "confirmed"
    response = post(client, path, {"reason": "illness", "note": "MK发烧"})
    assert response.status_code == 302
    mine = client.get("/shifts/mine").get_data(as_text=True)
    assert TITLE not in section(mine, "coming-h")
    leaves = section(mine, "leaves-h")
    assert TITLE in leaves and "生病" in leaves and "MK发烧" in leaves
    with app.app_context():
        entry = db.session.scalar(db.select(AttendanceEntry))
        assert (entry.status, entry.leave_reason, entry.person_id) == (
            "excused", "illness", world["people"][0])
        statuses = dict(db.session.execute(db.select(Assignment.person_id, Assignment.status)
                                           .where(Assignment.occurrence_role_id == role)).all())
        assert statuses == {world["people"][0]: "withdrawn", world["people"][1]: "confirmed"}
    # Asking again: they are no longer on it; the page says so without the title.
    again = client.get(path)
    assert again.status_code == 403 and "您不在这个班次上" in again.get_data(as_text=True)
    # The coordinator of the community sees it on the home page; the other one does not.
    home = section(actor_client(app, "coordinator").get("/").get_data(as_text=True),
                   "leaves-h")
    assert "队员0" in home and TITLE in home and "生病" in home
    other = actor_client(app, "other_coordinator").get("/").get_data(as_text=True)
    assert "队员0" not in section(other, "leaves-h")


def test_leave_refusals(app, world):
    _role, occurrence_id = _talk(app, world)
    client = actor_client(app, "on_shift")
    path = f"/attendance/{occurrence_id}/leave"
    at(app, 3)  # after the start
    response = client.get(path)
    assert response.status_code == 409
    assert "已经开始" in response.get_data(as_text=True)
    assert post(client, path, {"reason": "illness"}, token_from="/shifts/mine"
                ).status_code == 400
    at(app, 0)
    with app.app_context():
        begin_write(db.session)
        changes.cancel_occurrence(db.session, account(world["admin"]), occurrence_id,
                                  "MK下雨", NOW)
        db.session.commit()
    assert "取消" in client.get(path).get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(AttendanceEntry.id))) == 0


def test_leave_from_a_team_event(app, world):
    with app.app_context():
        rehearsal = series(world, title="MK团队排练", kind="rehearsal", participation="team",
                           team_id=world["team"], start_day=3)
        occurrence_id = db.session.scalar(db.select(Occurrence.id).where(
            Occurrence.series_id == rehearsal))
    client = actor_client(app, "on_shift", 2)
    mine = client.get("/shifts/mine").get_data(as_text=True)
    assert "MK团队排练" in section(mine, "events-h")
    response = post(client, f"/attendance/{occurrence_id}/leave",
                    {"reason": "away"}, token_from="/shifts/mine")
    assert response.status_code == 302
    mine = client.get("/shifts/mine").get_data(as_text=True)
    assert "MK团队排练" not in section(mine, "events-h")
    assert "MK团队排练" in section(mine, "leaves-h")
    with app.app_context():
        assert db.session.scalar(db.select(Response.is_attending).where(
            Response.person_id == world["people"][2])) is False
    # The outsider is not in the team: refused, nothing named.
    outsider = actor_client(app, "volunteer").get(f"/attendance/{occurrence_id}/leave")
    assert outsider.status_code == 403
    assert "MK团队排练" not in outsider.get_data(as_text=True)
