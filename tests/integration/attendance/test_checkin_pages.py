"""Self check-in: the code typed (full-width digits too) or scanned (the QR's address),
a wrong, early or expired code with its message and nothing written, a second scan that
changes nothing, the optional check-out, My shifts while checked in."""
from __future__ import annotations

import re
from datetime import timedelta

from coordinator.database import begin_write
from coordinator.extensions import db
from coordinator.models import AttendanceEntry, Occurrence
from coordinator.services.attendance import checkin, settings_from
from tests.support.scheduling import NOW
from tests.support.web import csrf_token, login


def code_of(app, occurrence_id) -> str:
    with app.app_context():
        begin_write(db.session)
        code = checkin.code_for(db.session, db.session.get(Occurrence, occurrence_id),
                                settings_from(app.config)).code
        db.session.commit()
        return code


def entry(app, world, occurrence, person=1):
    with app.app_context():
        return db.session.scalar(db.select(AttendanceEntry).where(
            AttendanceEntry.occurrence_id == occurrence,
            AttendanceEntry.person_id == world["people"][person]))


def type_code(client, code):
    return client.post("/checkin", data={"code": code, "csrf_token": csrf_token(client,
                                                                              "/checkin")})


def test_the_qr_shown_to_the_lead_opens_the_check_in_and_twice_changes_nothing(app, client,
                                                                              world):
    occ = world["occ"]["today"]
    lead = app.test_client()
    login(lead, world["logins"]["lead"])
    html = lead.get(f"/attendance/{occ}").get_data(as_text=True)
    digits = re.search(r'class="code-digits">(\d{3}) (\d{3})<', html)
    code = digits.group(1) + digits.group(2)
    assert "<svg" in html and "http://localhost/checkin" in html
    login(client, world["logins"]["on_shift"])
    page = client.get(f"/checkin/{code}").get_data(as_text=True)
    assert "午间巡逻" in page and "确认签到" in page
    response = client.post(f"/checkin/{code}", data={"csrf_token": csrf_token(
        client, f"/checkin/{code}")})
    assert response.status_code == 302
    done = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "已签到 12:00" in done and "签退" in done
    first = entry(app, world, occ)
    assert (first.status, first.source, first.actual_start) == ("late", "checkin", NOW)
    again = client.get(f"/checkin/{code}", follow_redirects=True).get_data(as_text=True)
    assert "您已签到，无需再次签到" in again
    response = type_code(client, code)
    assert "您已签到" in client.get(response.headers["Location"]).get_data(as_text=True)
    assert entry(app, world, occ).version == first.version
    assert "已签到" in client.get("/shifts/mine").get_data(as_text=True)


def test_typed_full_width_digits_before_the_start_check_in_present(app, client, world):
    occ = world["occ"]["today"]
    code = code_of(app, occ)
    app.config["NOW"] = NOW - timedelta(minutes=40)  # 11:20, the window opened at 11:00
    login(client, world["logins"]["on_shift"])
    wide = "".join(chr(ord(c) + 0xFEE0) for c in code)
    response = type_code(client, f"{wide[:3]} {wide[3:]}")
    assert response.status_code == 302
    row = entry(app, world, occ)
    assert row.status == "present" and row.minutes == 120
    # Leaving early, with a check-out an hour in: left early, an hour served.
    app.config["NOW"] = NOW + timedelta(minutes=30)
    response = client.post(f"/checkin/at/{occ}/out", data={
        "csrf_token": csrf_token(client, f"/checkin/at/{occ}"), "next": "/shifts/mine"})
    assert response.status_code == 302 and response.headers["Location"] == "/shifts/mine"
    row = entry(app, world, occ)
    assert (row.status, row.minutes, row.checked_out_at) == ("left_early", 60,
                                                              NOW + timedelta(minutes=30))
    mine = client.get("/shifts/mine").get_data(as_text=True)
    assert "已签退，谢谢您" in mine and f"/checkin/at/{occ}/out" not in mine
    assert "已签退 12:30" in client.get(f"/checkin/at/{occ}").get_data(as_text=True)


def test_wrong_early_and_expired_codes_say_why_and_write_nothing(app, client, world):
    today = code_of(app, world["occ"]["today"])
    early, expired = code_of(app, world["occ"]["early"]), code_of(app, world["occ"]["yesterday"])
    wrong = "000000" if today != "000000" else "000001"
    login(client, world["logins"]["on_shift"])
    for typed, message in ((wrong, "没有这个签到码"), ("12345", "签到码是六位数字"),
                           ("", "请输入六位数字的签到码"), (early, "分钟开放，现在还不能签到"),
                           (expired, "签到码已过期")):
        response = type_code(client, typed)
        assert response.status_code == 400, typed
        assert message in response.get_data(as_text=True), typed
    for code in (wrong, early, expired):
        response = client.get(f"/checkin/{code}")
        assert response.status_code == 400 and "确认签到" not in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(AttendanceEntry)) == 0


def test_someone_not_on_the_patrol_checks_in_as_a_walk_in_and_sees_only_their_own(
        app, client, world):
    occ = world["occ"]["today"]
    login(client, world["logins"]["volunteer"])
    assert client.get(f"/checkin/at/{occ}").status_code == 404  # nothing of theirs there
    assert type_code(client, code_of(app, occ)).status_code == 302
    with app.app_context():
        row = db.session.scalar(db.select(AttendanceEntry).where(
            AttendanceEntry.person_id == world["other_volunteer"]))
        assert row.is_walk_in and row.status == "late"
    refused = client.post(f"/checkin/at/{world['occ']['yesterday']}/out", data={
        "csrf_token": csrf_token(client, "/checkin")}, follow_redirects=True)
    assert "您还没有签到这次活动" in refused.get_data(as_text=True)


def test_a_cancelled_date_has_no_roll_and_its_code_says_so(app, client, world):
    from coordinator.models import Account
    from coordinator.services.schedule import changes

    occ = world["occ"]["today"]
    code = code_of(app, occ)
    with app.app_context():
        begin_write(db.session)
        changes.cancel_occurrence(db.session, db.session.get(Account, world["coordinator"]),
                                  occ, "大风", NOW - timedelta(hours=2))
        db.session.commit()
    login(client, world["logins"]["lead"])
    html = client.get(f"/attendance/{occ}").get_data(as_text=True)
    assert "此活动已取消，没有考勤" in html and "全部按时到" not in html and "签到码" not in html
    response = type_code(client, code)
    assert response.status_code == 400 and "此活动已取消" in response.get_data(as_text=True)
