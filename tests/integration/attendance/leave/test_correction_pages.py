"""Corrections after the roll closed: the form for every actor, bad input saving nothing,
a correction applied at once (added by staff), and with approval on: the queue for
leaders and admins (never one's own), the coordinators' own pending ones."""
from __future__ import annotations

import re

from coordinator.extensions import db
from coordinator.models import AttendanceCorrection, AttendanceEntry
from tests.support.leave_pages import ACTORS, actor_client, at, mark, occurrence_of
from tests.support.scheduling import roles_of
from tests.support.shift_pages import series, sign
from tests.support.web import post

TITLE = "MK补录讲座"


def _closed(app, world):
    """A talk two people did, the first marked present; the clock after its roll closed."""
    with app.app_context():
        talk = series(world, title=TITLE, needed=3, maximum=3, start_day=1)
        role = roles_of(talk)[0]
        for i in (0, 1):
            sign(world["accounts"][i], role)
        occurrence_id = occurrence_of(role)
        mark(occurrence_id, world["people"][0], "present")
    at(app, 6)
    return occurrence_id


def _count(model) -> int:
    return db.session.scalar(db.select(db.func.count(model.id)))


def test_correct_page_as_every_actor(app, world):
    occurrence_id = _closed(app, world)
    path = f"/attendance/{occurrence_id}/correct"
    expected = {"anonymous": 302, "volunteer": 403, "on_shift": 403, "coordinator": 200,
                "other_coordinator": 403, "leader": 403, "admin": 200}
    for actor in ACTORS:
        response = actor_client(app, actor).get(path)
        assert response.status_code == expected[actor], actor
        assert (TITLE in response.get_data(as_text=True)) == (expected[actor] == 200), actor
    # A team lead marks the roll while it is open; they never correct it.
    assert actor_client(app, "on_shift", 7).get(path).status_code == 403
    # The queue: leaders, coordinators and admins read it; volunteers do not.
    assert actor_client(app, "on_shift").get("/attendance/corrections").status_code == 403
    for actor in ("coordinator", "leader", "admin"):
        assert actor_client(app, actor).get("/attendance/corrections").status_code == 200


def test_bad_corrections_save_nothing(app, world):
    occurrence_id = _closed(app, world)
    client = actor_client(app, "coordinator")
    path = f"/attendance/{occurrence_id}/correct"
    person = world["people"][1]
    bad = [({"person_id": person, "status": "present", "reason": ""}, "原因"),
           ({"person_id": person, "status": "present", "reason": "MK忘记",
             "actual_start": "21:00", "actual_end": "20:00"}, "离开时间早于到达时间"),
           ({"member": "MK没有这个人", "status": "present", "reason": "MK忘记"}, "错误"),
           ({"person_id": 0, "status": "present", "reason": "MK忘记"}, "请从名单中选择"),
           ({"person_id": person, "status": "excused", "reason": "MK忘记"}, "错误"),
           ({"person_id": person, "status": "present", "reason": "MK忘记",
             "actual_start": "25:00"}, "错误")]
    for data, message in bad:
        response = post(client, path, data)
        assert response.status_code == 400, data
        assert message in response.get_data(as_text=True), data
    with app.app_context():
        assert _count(AttendanceCorrection) == 0 and _count(AttendanceEntry) == 1
    # While the roll is open there is nothing to correct.
    at(app, 0.5)
    html = client.get(path).get_data(as_text=True)
    assert "考勤还没有结束" in html and 'name="reason"' not in html


def test_correction_applied_at_once(app, world):
    occurrence_id = _closed(app, world)
    client = actor_client(app, "coordinator")
    path = f"/attendance/{occurrence_id}/correct"
    detail = client.get(f"/occurrences/{occurrence_id}").get_data(as_text=True)
    assert f'href="{path}"' in detail and f"/attendance/{occurrence_id}/sheet.pdf" in detail
    response = post(client, path, {"person_id": world["people"][1], "status": "late",
                                   "actual_start": "09:20", "reason": "MK纸质签到表补录"})
    assert response.status_code == 302
    html = client.get(path).get_data(as_text=True)
    assert "MK纸质签到表补录" in html and "已生效" in html
    # Someone not on the roll, found by phone: a walk-in added by staff.
    assert post(client, path, {"member": "13900000005", "status": "present",
                               "reason": "MK临时来帮忙"}).status_code == 302
    with app.app_context():
        rows = {e.person_id: e for e in db.session.scalars(db.select(AttendanceEntry))}
        late = rows[world["people"][1]]
        assert (late.status, late.source) == ("late", "staff") and 0 < late.minutes < 60
        assert rows[world["people"][5]].source == "staff"


def test_approval_queue(app, world):
    app.config["CORRECTIONS_NEED_APPROVAL"] = True
    occurrence_id = _closed(app, world)
    coordinator = actor_client(app, "coordinator")
    assert post(coordinator, f"/attendance/{occurrence_id}/correct",
                {"person_id": world["people"][1], "status": "present",
                 "reason": "MK等待审批"}).status_code == 302
    admin = actor_client(app, "admin")
    assert post(admin, f"/attendance/{occurrence_id}/correct",
                {"person_id": world["people"][0], "status": "absent",
                 "reason": "MK管理员自己提的"}).status_code == 302
    with app.app_context():
        assert _count(AttendanceEntry) == 1  # nothing applied yet
        mine, admins = [c.id for c in db.session.scalars(
            db.select(AttendanceCorrection).order_by(AttendanceCorrection.id))]
    queue = coordinator.get("/attendance/corrections").get_data(as_text=True)
    assert "MK等待审批" in queue and "批准" not in queue  # follows, does not decide
    other = actor_client(app, "other_coordinator").get("/attendance/corrections")
    assert "MK等待审批" not in other.get_data(as_text=True)
    leader = actor_client(app, "leader")
    assert "等待审批的考勤更正：2 条" in leader.get("/").get_data(as_text=True)
    assert "等待审批的考勤更正：2 条" in coordinator.get("/").get_data(as_text=True)
    page = leader.get("/attendance/corrections").get_data(as_text=True)
    assert "MK等待审批" in page and "MK管理员自己提的" in page and "批准" in page
    assert not re.search(r"1[3-9]\d{9}", page)  # leaders never read phones
    # The admin cannot approve their own; the leader can.
    admin_page = admin.get("/attendance/corrections").get_data(as_text=True)
    assert "这条更正是您提出的" in admin_page
    response = post(admin, "/attendance/corrections/decide",
                    {"correction_id": admins, "decision": "approve"},
                    token_from="/attendance/corrections", follow_redirects=True)
    assert "另一个人审批" in response.get_data(as_text=True)
    assert post(coordinator, "/attendance/corrections/decide",
                {"correction_id": mine, "decision": "approve"},
                token_from="/attendance/corrections").status_code == 403
    post(leader, "/attendance/corrections/decide", {"correction_id": mine,
                                                     "decision": "approve"},
         token_from="/attendance/corrections")
    post(leader, "/attendance/corrections/decide", {"correction_id": admins,
                                                     "decision": "reject"},
         token_from="/attendance/corrections")
    with app.app_context():
        states = dict(db.session.execute(db.select(AttendanceCorrection.id,
                                                   AttendanceCorrection.state)).all())
        assert states == {mine: "applied", admins: "rejected"}
        entries = dict(db.session.execute(db.select(AttendanceEntry.person_id,
                                                    AttendanceEntry.status)).all())
        assert entries == {world["people"][0]: "present", world["people"][1]: "present"}


def test_the_closed_roll_links_to_its_correction_and_lists_it(app, world):
    occurrence_id = _closed(app, world)
    coordinator = actor_client(app, "coordinator")
    post(coordinator, f"/attendance/{occurrence_id}/correct",
         {"person_id": world["people"][1], "status": "present", "reason": "MK纸质签到表补录"},
         token_from=f"/attendance/{occurrence_id}/correct")
    page = coordinator.get(f"/attendance/{occurrence_id}").get_data(as_text=True)
    assert f'href="/attendance/{occurrence_id}/correct"' in page
    assert "MK纸质签到表补录" in page
    # The admin reads the correction on the roll too.
    assert "MK纸质签到表补录" in actor_client(app, "admin").get(
        f"/attendance/{occurrence_id}").get_data(as_text=True)
