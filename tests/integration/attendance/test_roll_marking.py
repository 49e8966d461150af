"""Taking the roll on its page: all present, then the exceptions with their times;
walk-ins by name, phone or member number; bad input re-rendered with the message and
nothing saved; a form posted over a newer change refused; closed and early rolls; the
page's query count does not grow with the people on it."""
from __future__ import annotations

import re
from datetime import datetime, timedelta

import pytest
from sqlalchemy import event

from coordinator.database import begin_write
from coordinator.domain.errors import DomainError
from coordinator.extensions import db
from coordinator.models import Account, AttendanceEntry, AuditEntry, Person
from coordinator.services.attendance import roll as rolls
from coordinator.services.attendance import settings_from
from coordinator.services.people.lookup import find_member
from coordinator.services.shifts import signups
from tests.support.attendance import CREATED, WALK_IN_NUMBER
from tests.support.scheduling import NOW, ZONE
from tests.support.web import csrf_token, login

SHANGHAI = timedelta(hours=8)


def page_of(client, occurrence):
    response = client.get(f"/attendance/{occurrence}")
    return response, response.get_data(as_text=True)


def versions(html) -> dict[int, str]:
    return {int(p): v for p, v in re.findall(r'name="version-(\d+)" value="(\d*)"', html)}


def post_marks(client, occurrence, lines: dict[int, dict], html=None):
    """Post the roll form as the page shows it, with ``lines`` changed."""
    html = html or page_of(client, occurrence)[1]
    data = {"action": "mark", "csrf_token": csrf_token(client, f"/attendance/{occurrence}"),
            "person": []}
    for pid, version in versions(html).items():
        current = re.search(rf'name="status-{pid}" value="(\w+)" checked', html)
        data["person"].append(str(pid))
        data[f"version-{pid}"] = version
        if current:
            data[f"status-{pid}"] = current.group(1)
        for key, value in lines.get(pid, {}).items():
            data[f"{key}-{pid}"] = value
    return client.post(f"/attendance/{occurrence}", data=data)


def rows(app, occurrence) -> dict[int, AttendanceEntry]:
    with app.app_context():
        return {e.person_id: e for e in db.session.scalars(db.select(AttendanceEntry).where(
            AttendanceEntry.occurrence_id == occurrence))}


def local(hhmm: str) -> datetime:
    day = (NOW + SHANGHAI).date()
    return datetime.fromisoformat(f"{day}T{hhmm}:00+08:00")


def all_present(client, occurrence):
    return client.post(f"/attendance/{occurrence}", data={
        "action": "all_present", "csrf_token": csrf_token(client, f"/attendance/{occurrence}")})


def test_all_present_then_one_late_and_one_absent(app, client, world):
    occ = world["occ"]["today"]
    login(client, world["logins"]["lead"])
    response = all_present(client, occ)
    assert response.status_code == 302
    assert "已记为全部按时到：10人" in client.get(response.headers["Location"]).get_data(
        as_text=True)
    marked = rows(app, occ)
    assert len(marked) == 10 and {e.status for e in marked.values()} == {"present"}
    assert {e.minutes for e in marked.values()} == {120}
    late, absent = world["people"][1], world["people"][2]
    # Full-width digits from a Chinese keyboard are digits.
    response = post_marks(client, occ, {late: {"status": "late", "arrival": "１１：４５"},
                                        absent: {"status": "absent"}})
    assert response.status_code == 302
    assert "已保存：2处更改" in client.get(f"/attendance/{occ}").get_data(as_text=True)
    after = rows(app, occ)
    assert after[late].status == "late" and after[late].actual_start == local("11:45")
    assert after[late].minutes == 105
    assert (after[absent].status, after[absent].minutes) == ("absent", 0)
    assert {after[p].version for p in world["people"][3:10]} == {1}  # untouched
    html = page_of(client, occ)[1]
    assert 'value="11:45"' in html and "未记录 0" in html
    with app.app_context():
        actions = db.session.scalars(db.select(AuditEntry.action).where(
            AuditEntry.action.like("attendance.%"))).all()
    assert sorted(actions) == ["attendance.all_present", "attendance.mark", "attendance.mark"]


def test_coordinator_and_admin_mark_too(app, world):
    occ = world["occ"]["yesterday"]
    for who in ("coordinator", "admin"):
        client = app.test_client()
        login(client, world["logins"][who])
        pid = world["people"][0 if who == "coordinator" else 1]
        assert post_marks(client, occ, {pid: {"status": "absent"}}).status_code == 302
    assert {p: e.status for p, e in rows(app, occ).items()} == {
        world["people"][0]: "absent", world["people"][1]: "absent"}


@pytest.mark.parametrize("line,field,message", [
    ({"status": "late"}, "arrival", "请填写到达时间"),
    ({"status": "left_early"}, "leaving", "请填写离开时间"),
    ({"status": "late", "arrival": "25:70"}, "arrival", "请按“时:分”填写时间"),
    ({"status": "left_early", "arrival": "11:50", "leaving": "11:40"}, "leaving",
     "离开时间早于到达时间"),
    ({"status": "left_early", "leaving": "14:30"}, "leaving", "离开时间还没到"),
    ({"status": "maybe"}, "status", "请选择出勤情况"),
])
def test_bad_lines_come_back_with_the_message_and_save_nothing(app, client, world, line,
                                                               field, message):
    occ = world["occ"]["today"]
    login(client, world["logins"]["lead"])
    pid = world["people"][5]
    response = post_marks(client, occ, {pid: line, world["people"][6]: {"status": "absent"}})
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert message in html and f'id="{field}-{pid}-err"' in html
    assert rows(app, occ) == {}
    # What was typed stays on the form, to fix rather than retype.
    assert re.search(rf'name="status-{world["people"][6]}" value="absent" checked', html)


def test_more_than_a_day_in_one_go_is_refused(app, world):
    with app.app_context():
        lead = db.session.get(Account, world["accounts"][0])
        start = NOW - timedelta(hours=30)
        begin_write(db.session)
        with pytest.raises(DomainError) as refused:
            rolls.mark(db.session, lead, world["occ"]["today"], [rolls.Mark(
                world["people"][1], "late", start, NOW)], NOW, settings_from(app.config))
        db.session.rollback()
    assert "24" in str(refused.value) and refused.value.person_id == world["people"][1]
    assert rows(app, world["occ"]["today"]) == {}


def test_a_form_posted_over_a_newer_change_is_refused_and_shown_as_it_is(app, client, world):
    occ = world["occ"]["today"]
    login(client, world["logins"]["lead"])
    all_present(client, occ)
    stale = page_of(client, occ)[1]
    pid = world["people"][3]
    other = app.test_client()
    login(other, world["logins"]["coordinator"])
    assert post_marks(other, occ, {pid: {"status": "absent"}}).status_code == 302
    response = post_marks(client, occ, {pid: {"status": "late", "arrival": "11:50"},
                                        world["people"][4]: {"status": "absent"}}, html=stale)
    html = response.get_data(as_text=True)
    assert response.status_code == 409 and "刚刚已被其他人记录" in html
    assert re.search(rf'name="status-{pid}" value="absent" checked', html)  # as it is now
    after = rows(app, occ)
    assert after[pid].status == "absent" and after[world["people"][4]].status == "present"


def test_walk_ins_by_member_number_phone_and_name(app, client, world):
    occ = world["occ"]["today"]
    login(client, world["logins"]["lead"])
    path = f"/attendance/{occ}"
    with app.app_context():
        phone = db.session.get(Person, world["other_volunteer"]).phone
    for typed in (WALK_IN_NUMBER, phone, "外人"):
        response = client.post(path, data={"action": "walk_in", "member": typed,
                                           "csrf_token": csrf_token(client, path)})
        assert response.status_code == 302, typed
    added = rows(app, occ)
    assert set(added) == {world["walk_in"], world["other_volunteer"], world["outsider"]}
    assert all(e.is_walk_in and e.status == "present" for e in added.values())
    for typed, message in (("张三丰", "没有找到姓名或手机号为“张三丰”的成员"),
                           (WALK_IN_NUMBER, "已在考勤名单上"),
                           (world["names"][world["people"][2]], "已在考勤名单上"),
                           ("外\x00人", "U+0000")):
        response = client.post(path, data={"action": "walk_in", "member": typed,
                                           "csrf_token": csrf_token(client, path)})
        html = response.get_data(as_text=True)
        assert response.status_code == 400 and message in html and 'id="member-err"' in html
    assert len(rows(app, occ)) == 3


def test_find_member_matches_a_member_number(app, world):
    with app.app_context():
        db.session.get(Person, world["people"][7]).member_number = "20240007"
        db.session.commit()
        assert find_member(db.session, WALK_IN_NUMBER).id == world["walk_in"]
        assert find_member(db.session, "２０２４０００７").id == world["people"][7]
        with pytest.raises(DomainError):
            find_member(db.session, "M-9999")


def test_closed_and_not_yet_open_rolls_are_read_only(app, client, world):
    login(client, world["logins"]["coordinator"])
    for day, said in (("closed", "请协调员更正"), ("early", "考勤将于")):
        occ = world["occ"][day]
        response, html = page_of(client, occ)
        assert response.status_code == 200 and said in html
        assert 'name="action" value="mark"' not in html and "全部按时到" not in html
        assert ("签到码" in html) is (day == "early")
        refused = all_present(client, occ)
        assert refused.status_code == 400
        assert ("考勤已结束" if day == "closed" else "分钟开放") in refused.get_data(as_text=True)
        assert rows(app, occ) == {}


def count_queries(app, client, path) -> int:
    with app.app_context():
        engine = db.engine
    seen = []

    def record(*_args):
        seen.append(1)
    event.listen(engine, "before_cursor_execute", record)
    try:
        assert client.get(path).status_code == 200
    finally:
        event.remove(engine, "before_cursor_execute", record)
    return len(seen)


def test_the_roll_page_query_count_does_not_grow_with_its_people(app, client, world):
    occ = world["occ"]["today"]
    login(client, world["logins"]["lead"])
    client.get(f"/attendance/{occ}")  # makes the check-in code
    ten = count_queries(app, client, f"/attendance/{occ}")
    with app.app_context():
        coordinator = db.session.get(Account, world["coordinator"])
        for pid in (world["walk_in"], world["other_volunteer"]):
            begin_write(db.session)
            signups.sign_up(db.session, coordinator, world["role"]["today"], CREATED,
                            person_id=pid, zone=ZONE, override=True)
            db.session.commit()
    assert count_queries(app, client, f"/attendance/{occ}") == ten
    all_present(client, occ)
    assert count_queries(app, client, f"/attendance/{occ}") == ten
    assert ten <= 15


def test_a_team_event_rolls_every_member_who_did_not_decline(app, client, world):
    """A rehearsal of the whole team (organisational life, not service hours): everyone
    in the team is on the roll unless they said they would not come."""
    from datetime import time

    from coordinator.models import Occurrence
    from coordinator.services.schedule.series import SeriesInput, create_series
    from coordinator.services.shifts import responses

    with app.app_context():
        coordinator = db.session.get(Account, world["coordinator"])
        begin_write(db.session)
        series = create_series(db.session, coordinator, SeriesInput(
            kind="rehearsal", title="队列排练", community_id=world["community"],
            start_date=(NOW + SHANGHAI).date(), start_time=time(11, 0), duration_minutes=90,
            participation="team", team_id=world["team"]), CREATED, zone=ZONE,
            horizon_end=NOW + timedelta(weeks=2))
        db.session.commit()
        occ = db.session.scalar(db.select(Occurrence.id).where(
            Occurrence.series_id == series.id))
        begin_write(db.session)
        responses.respond(db.session, db.session.get(Account, world["accounts"][5]), occ,
                          False, CREATED)
        db.session.commit()
    login(client, world["logins"]["lead"])
    assert all_present(client, occ).status_code == 302
    marked = rows(app, occ)
    assert len(marked) == 11 and world["people"][5] not in marked  # 12 members, one said no
    assert not any(e.is_service for e in marked.values())


def test_leave_shows_read_only_with_its_reason_and_all_present_keeps_it(app, client, world):
    from coordinator.services.attendance.leave import ask_leave

    occ, pid = world["occ"]["today"], world["people"][9]
    with app.app_context():
        begin_write(db.session)
        ask_leave(db.session, db.session.get(Account, world["accounts"][9]), occ, "illness",
                  "MK住院", CREATED, settings_from(app.config))
        db.session.commit()
    login(client, world["logins"]["lead"])
    html = page_of(client, occ)[1]
    assert "已请假：生病" in html and "MK住院" in html
    assert f'name="status-{pid}"' not in html
    all_present(client, occ)
    marked = rows(app, occ)
    assert marked[pid].status == "excused" and len(marked) == 10
    assert post_marks(client, occ, {}).status_code in (302, 400)
    assert rows(app, occ)[pid].status == "excused"
