"""The visitor's page of a care visit and the visit log with its follow-up (issue 15):
who reads whom they visit (the shift page, the log form, the coordinators' home page, the
close form, the visitor's personal feed) as each actor, inside and after the visitors'
seven days; writing, editing and closing with version checks; bad input in Chinese with
nothing saved; audit entries without the private values; reads logged; the home page's
queries. Care visits are set up with CareRecipient / CareVisitDetail rows and the series
service. Both backends; the private values are unique marker strings."""
from __future__ import annotations

import json
import re
from datetime import datetime, time, timedelta

import pytest
from sqlalchemy import func, select

from coordinator.database import begin_write
from coordinator.domain.errors import DomainError, Forbidden
from coordinator.domain.recurrence import get_zone
from coordinator.extensions import db
from coordinator.models import (
    Account,
    AuditEntry,
    CareRead,
    CareRecipient,
    CareVisitDetail,
    CareVisitLog,
    CoordinatorScope,
    Occurrence,
    TeamMember,
)
from coordinator.services.access import care_visitor_since, visitor_reads
from coordinator.services.care import logs
from coordinator.services.people.accounts import hash_password
from tests.support.database import TEST_PASSWORD
from tests.support.feeds import subscribe
from tests.support.plan import count_queries
from tests.support.scheduling import NOW, ZONE, roles_of
from tests.support.shift_pages import client_for, series, shift_pages_world, sign
from tests.support.web import post

NAME = "MK探望对象甲乙丙"
WARD = "MK心内科七病区"
FAMILY_PHONE = "13766665555"
NOTE = "MK想要有人陪着聊天"
SECRETS = (NAME, WARD, FAMILY_PHONE, NOTE)
TZ = get_zone(ZONE)


def _phone(i: int) -> str:
    return f"1390000{i:04d}"


@pytest.fixture
def world(app):
    w = shift_pages_world(app)
    with app.app_context():
        for i in (4, 5, 6):
            db.session.add(TeamMember(team_id=w["care_team"], person_id=w["people"][i]))
        extra = {}
        for key, role, also in (("leader", "leader", False), ("also", "coordinator", True)):
            row = Account(role=role, username=key, is_also_leader=also,
                          password_hash=hash_password(TEST_PASSWORD))
            db.session.add(row)
            db.session.flush()
            extra[key] = row.id
        db.session.add(CoordinatorScope(account_id=extra["also"], community_id=w["other"]))
        db.session.commit()
        visit = series(w, title="探望慰问", kind="care", team=w["care_team"], needed=2,
                       maximum=2)
        recipient = CareRecipient(
            community_id=w["community"], full_name=NAME, place="hospital",
            institution="团场医院", ward=WARD, bed="12", family_name="MK女儿",
            family_relation="女儿", family_phone=FAMILY_PHONE, reason="hospital")
        db.session.add(recipient)
        db.session.flush()
        db.session.add(CareVisitDetail(series_id=visit, recipient_id=recipient.id))
        db.session.commit()
        [role] = roles_of(visit)
        occ = db.session.get(Occurrence, db.session.scalar(
            select(Occurrence.id).where(Occurrence.series_id == visit)))
        for i in (4, 5, 6):  # 4 and 5 confirmed, 6 on the waitlist
            sign(w["accounts"][i], role)
        w.update(extra, occ=occ.id, recipient=recipient.id, start=occ.start_at,
                 end=occ.end_at)
        db.session.remove()
    return w


def _at(app, instant: datetime) -> None:
    app.config["NOW"] = lambda: instant


def _during(w) -> datetime:
    return w["start"] + timedelta(minutes=30)


def _last_day(w) -> datetime:
    """The last minute the visitors still read: the end of the seventh local day."""
    day = w["end"].astimezone(TZ).date() + timedelta(days=7)
    return datetime.combine(day, time(23, 59), TZ)


def _after(w) -> datetime:
    return _last_day(w) + timedelta(minutes=1)


def _account(key_or_id):
    return db.session.get(Account, key_or_id)


def _write(app, w, who: int, **values) -> CareVisitLog:
    data = logs.LogInput(**{"condition": "worse", "needs": ("company",), "note": NOTE,
                            "follow_up": True, **values})
    with app.app_context():
        begin_write(db.session)
        log = logs.write_log(db.session, _account(who), w["occ"], data, _during(w), zone=ZONE)
        db.session.commit()
        return log.id


def _client(app, who):
    if who == "anonymous":
        return app.test_client()
    return client_for(app, who)


ACTORS = ("anonymous", "volunteer", "waitlisted", "visitor", "visitor_after", "coord",
          "coord2", "leader", "also", "admin")
LOGIN = {"volunteer": _phone(0), "waitlisted": _phone(6), "visitor": _phone(4),
         "visitor_after": _phone(4), "coord": "coord", "coord2": "coord2",
         "leader": "leader", "also": "also", "admin": "admin"}
# (shift page, log form, home page shows the need, close form): the status and whether
# the markers are on the page.
MATRIX = {
    "anonymous": ((302, False), (302, False), (302, False), (302, False)),
    "volunteer": ((403, False), (403, False), (200, False), (403, False)),
    "waitlisted": ((200, False), (403, False), (200, False), (403, False)),
    "visitor": ((200, True), (200, True), (200, False), (403, False)),
    "visitor_after": ((200, False), (403, False), (200, False), (403, False)),
    "coord": ((200, True), (200, True), (200, True), (200, True)),
    "coord2": ((403, False), (403, False), (200, False), (403, False)),
    "leader": ((403, False), (403, False), (200, False), (403, False)),
    "also": ((403, False), (403, False), (200, False), (403, False)),
    "admin": ((200, False), (403, False), (200, False), (403, False)),
}


@pytest.mark.parametrize("actor", ACTORS)
def test_who_reads_whom_they_visit(app, world, actor):
    log_id = _write(app, world, world["accounts"][4])
    _at(app, _after(world) if actor == "visitor_after" else _during(world))
    client = _client(app, LOGIN.get(actor, "anonymous"))
    paths = (f"/shifts/{world['occ']}", f"/shifts/{world['occ']}/care-log", "/",
             f"/care/needs/{log_id}/close")
    # The shift page shows all of it; the forms and the home page the name and the note.
    for n, (path, (status, shown)) in enumerate(zip(paths, MATRIX[actor])):
        response = client.get(path)
        assert response.status_code == status, (actor, path)
        html = response.get_data(as_text=True)
        if status == 302:
            assert "/login" in response.headers["Location"]
        for secret in (SECRETS if n == 0 or not shown else (NAME, NOTE)):
            assert (secret in html) == shown, (actor, path, secret)
    if actor == "coord":
        home = client.get("/").get_data(as_text=True)
        assert "需要跟进的探望" in home and f"/care/needs/{log_id}/close" in home
    if actor in ("visitor", "coord"):
        html = client.get(paths[0]).get_data(as_text=True)
        assert f'href="tel:{FAMILY_PHONE}"' in html and "团场医院" in html
        assert "https://uri.amap.com/search?keyword=" in html
        assert f'href="/shifts/{world["occ"]}/care-log"' in html
    if actor == "visitor":  # the teammate's phone, to call
        assert 'href="tel:13900000005"' in client.get(paths[0]).get_data(as_text=True)


def test_reads_are_logged_and_the_audit_holds_no_private_value(app, world):
    log_id = _write(app, world, world["accounts"][4])
    _at(app, _during(world))
    for who in (_phone(4), "coord"):
        assert client_for(app, who).get(f"/shifts/{world['occ']}").status_code == 200
    client_for(app, _phone(6)).get(f"/shifts/{world['occ']}")  # waitlist: not a read
    client_for(app, "admin").get(f"/shifts/{world['occ']}")
    coord = client_for(app, "coord")
    post(coord, f"/care/needs/{log_id}/close", {"note": "MK已联系社区医生", "version": "1"},
         token_from=f"/care/needs/{log_id}/close")
    with app.app_context():
        reads = db.session.execute(select(CareRead.account_id, CareRead.what)
                                   .order_by(CareRead.id)).all()
        assert reads == [(world["accounts"][4], "visitor"), (world["coordinator"], "visitor")]
        entries = list(db.session.scalars(select(AuditEntry).where(
            AuditEntry.action.in_(("care.log", "care.close"))).order_by(AuditEntry.id)))
        assert [e.action for e in entries] == ["care.log", "care.close"]
        text = json.dumps([e.details for e in entries], ensure_ascii=False)
        for secret in (*SECRETS, "worse", "company", "MK已联系社区医生"):
            assert secret not in text


def test_the_line_is_one_rule_at_a_local_midnight():
    end = datetime(2026, 3, 2, 2, 0, tzinfo=get_zone("UTC"))  # 10:00 in Shanghai
    last = datetime(2026, 3, 9, 23, 59, tzinfo=TZ)
    assert visitor_reads(True, end, care_visitor_since(last, 7, ZONE))
    assert not visitor_reads(True, end, care_visitor_since(last + timedelta(minutes=1), 7,
                                                           ZONE))
    assert not visitor_reads(False, end, care_visitor_since(end, 7, ZONE))
    assert not visitor_reads(True, end, None)


def test_the_visitors_feed_stops_showing_whom_they_visited_after_the_line(app, world):
    with app.app_context():
        token = subscribe(world["accounts"][4])
    client = app.test_client()
    _at(app, _last_day(world))
    first = client.get(f"/feeds/{token}.ics")
    body = first.get_data().decode().replace("\r\n ", "")
    assert first.status_code == 200 and NAME in body and WARD in body
    # The clock crosses the line: the same URL, with the old validator, gets a new body.
    _at(app, _after(world))
    again = client.get(f"/feeds/{token}.ics", headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 200 and again.headers["ETag"] != first.headers["ETag"]
    body = again.get_data().decode().replace("\r\n ", "")
    assert NAME not in body and WARD not in body and "探望" in body
    third = client.get(f"/feeds/{token}.ics", headers={"If-None-Match": again.headers["ETag"]})
    assert third.status_code == 304


def _form(client, occ, data):
    path = f"/shifts/{occ}/care-log"
    return post(client, path, data, token_from=path)


def test_the_visitor_writes_the_log_and_the_coordinator_closes_the_need(app, world):
    _at(app, world["start"] - timedelta(hours=1))
    client = client_for(app, _phone(4))
    html = client.get(f"/shifts/{world['occ']}").get_data(as_text=True)
    assert f'href="/shifts/{world["occ"]}/care-log"' not in html
    early = client.get(f"/shifts/{world['occ']}/care-log")
    assert early.status_code == 409 and "还没有开始" in early.get_data(as_text=True)
    _at(app, _during(world))
    log_link = f'href="/shifts/{world["occ"]}/care-log"'
    assert log_link in client.get("/shifts/mine").get_data(as_text=True)
    response = _form(client, world["occ"], {"condition": "worse", "needs": ["medical", "money"],
                                            "note": NOTE, "follow_up": "y"})
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/shifts/{world['occ']}")
    html = client.get(f"/shifts/{world['occ']}").get_data(as_text=True)
    assert "探望记录已保存" in html and NOTE in html and "变差" in html
    home = client_for(app, "coord").get("/").get_data(as_text=True)
    assert NAME in home and NOTE in home and "医疗" in home and "经济" in home
    with app.app_context():
        log = db.session.scalar(select(CareVisitLog))
        assert (log.need_medical, log.need_money, log.need_daily, log.follow_up) == (
            True, True, False, True)
        log_id = log.id
    coord = client_for(app, "coord")
    path = f"/care/needs/{log_id}/close"
    empty = post(coord, path, {"note": "", "version": "1"}, token_from=path)
    assert empty.status_code == 400 and "说明" in empty.get_data(as_text=True)
    done = post(coord, path, {"note": "MK已送药", "version": "1"}, token_from=path)
    assert done.status_code == 302
    assert NAME not in coord.get("/").get_data(as_text=True)
    _at(app, _after(world))  # past the line: My shifts no longer offers the log
    assert log_link not in client.get("/shifts/mine").get_data(as_text=True)
    with app.app_context():
        log = db.session.get(CareVisitLog, log_id)
        assert log.close_note == "MK已送药" and log.closed_by_id == world["coordinator"]


def test_a_second_writer_edits_with_the_version_and_nothing_is_lost(app, world):
    _at(app, _during(world))
    first, second = client_for(app, _phone(4)), client_for(app, _phone(5))
    path = f"/shifts/{world['occ']}/care-log"
    stale = second.get(path)  # opened before the first saved
    assert _form(first, world["occ"], {"condition": "same", "note": NOTE}).status_code == 302
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"',
                      stale.get_data(as_text=True)).group(1)
    lost = second.post(path, data={"csrf_token": token, "condition": "better",
                                   "note": "第二位", "version": ""})
    html = lost.get_data(as_text=True)
    assert lost.status_code == 409 and "有人" in html and NOTE in html
    with app.app_context():
        assert db.session.scalar(select(CareVisitLog.note)) == NOTE
    # On the form as it is now (version 1), the second visitor's edit goes through.
    edited = second.post(path, data={"csrf_token": token, "condition": "better",
                                     "note": "第二位补充", "version": "1"})
    assert edited.status_code == 302
    with app.app_context():
        log = db.session.scalar(select(CareVisitLog))
        assert (log.condition, log.note, log.version) == ("better", "第二位补充", 2)
        assert db.session.scalar(select(func.count(CareVisitLog.id))) == 1


def test_closing_with_a_stale_version_is_refused(app, world):
    log_id = _write(app, world, world["accounts"][4])
    with app.app_context():
        begin_write(db.session)
        logs.write_log(db.session, _account(world["accounts"][5]), world["occ"],
                       logs.LogInput("worse", ("money",), NOTE, True, version=1), _during(world),
                       zone=ZONE)
        db.session.commit()
        with pytest.raises(DomainError):
            logs.close_need(db.session, _account(world["coordinator"]), log_id, "好", 1,
                            _during(world))
        db.session.rollback()
        for key in ("coord2", "also", "leader", "admin"):
            who = world[key] if key != "coord2" else db.session.scalar(
                select(Account.id).where(Account.username == "coord2"))
            with pytest.raises(Forbidden):
                logs.close_need(db.session, _account(who), log_id, "好", 2, _during(world))
            assert logs.open_needs(db.session, _account(who)) == []
        closed = logs.close_need(db.session, _account(world["coordinator"]), log_id, "好", 2,
                                 _during(world))
        assert closed.closed_at is not None
        with pytest.raises(DomainError):  # closed: the visitors' log stays as it is
            logs.write_log(db.session, _account(world["accounts"][4]), world["occ"],
                           logs.LogInput("same", version=3), _during(world), zone=ZONE)


@pytest.mark.parametrize("data, words", [
    ({"note": NOTE}, "请选择对方的情况"),
    ({"condition": "dying"}, "请选择对方的情况"),
    ({"condition": "same", "needs": ["gold"]}, "这个选项不可用"),
    ({"condition": "same", "note": "长" * 501}, "最多 500 个字"),
])
def test_bad_input_is_told_in_chinese_and_nothing_is_saved(app, world, data, words):
    _at(app, _during(world))
    response = _form(client_for(app, _phone(4)), world["occ"], data)
    html = response.get_data(as_text=True)
    assert response.status_code == 400 and words in html, html[-3000:]
    with app.app_context():
        assert db.session.scalar(select(func.count(CareVisitLog.id))) == 0


def test_the_home_page_costs_the_same_queries_with_more_needs(app, world):
    _write(app, world, world["accounts"][4])
    _at(app, _during(world))
    with app.app_context():  # four more visits, first without logs
        visit = series(world, title="探望慰问二", kind="care", team=world["care_team"],
                       needed=1, maximum=1, start_day=1, rule="FREQ=DAILY", until_days=3)
        db.session.add(CareVisitDetail(series_id=visit, recipient_id=world["recipient"]))
        db.session.commit()
        more = list(db.session.scalars(select(Occurrence.id).where(
            Occurrence.series_id == visit)))
        db.session.remove()
    client = client_for(app, "coord")
    client.get("/")
    with count_queries(app) as few:
        assert client.get("/").get_data(as_text=True).count("/close") == 1
    with app.app_context():  # their visitors flag needs too
        for occ_id in more:
            db.session.add(CareVisitLog(occurrence_id=occ_id, recipient_id=world["recipient"],
                                        community_id=world["community"],
                                        author_id=world["coordinator"], written_at=NOW,
                                        condition="same", follow_up=True, note=NOTE))
        db.session.commit()
        db.session.remove()
    with count_queries(app) as many:
        assert client.get("/").get_data(as_text=True).count("/close") == 1 + len(more)
    assert many.count == few.count, many.statements[few.count:]


def test_the_persons_page_partial_lists_the_logs_newest_first(app, world):
    log_id = _write(app, world, world["accounts"][4])
    with app.test_request_context("/"):
        from flask import render_template
        empty = render_template("care/_person_logs.html", logs=[])
        assert "还没有人写过探望记录" in empty
        found = logs.logs_of(db.session, world["recipient"], limit=5)
        assert [line.id for line in found] == [log_id]
        html = render_template("care/_person_logs.html", logs=found)
    assert NOTE in html and "变差" in html and "陪伴聊天" in html and "队员4" in html
    assert "等待协调员跟进" in html and f"/care/needs/{log_id}/close" in html
