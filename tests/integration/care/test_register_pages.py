"""The care register on the web (issue 15): every route as every actor, with unique
marker strings as the person's name, ward and family phone (they appear only on the
pages of the community's coordinators and of an admin with an opening); bad input
re-renders with field errors and writes nothing; ending cancels the future visits and
the visitors' notice does not name the person; erasure leaves no private value. Both
backends."""
from __future__ import annotations

import json
from datetime import time, timedelta

import pytest
from sqlalchemy import func, select

from coordinator.database import begin_write
from coordinator.extensions import db
from coordinator.models import (
    Account,
    AuditEntry,
    CareRead,
    CareRecipient,
    CareVisitDetail,
    CareVisitLog,
    Delivery,
    Notification,
    Occurrence,
    OccurrenceRole,
    Person,
    Team,
)
from coordinator.services.care import register as care
from coordinator.services.schedule.horizon import materialize
from coordinator.services.schedule.series import RoleInput, SeriesInput, create_series
from coordinator.services.shifts import signups
from tests.support.notify import Clock, make_app
from tests.support.scheduling import NOW, ZONE
from tests.support.web import csrf_token, login, post

NAME = "MK关怀甲乙丙"
WARD = "MK病区九九"
PHONE = "13755550123"
MARKERS = (NAME, WARD, PHONE)
TODAY = (NOW + timedelta(hours=8)).date()


def _world(make) -> dict:
    c1 = make.community(name="一连社区", code="C01")
    c2 = make.community(name="二连社区", code="C02")
    member = make.person(c1, full_name="成员王")
    visitor = make.person(c1, full_name="探望者李", phone="13900000077")
    w = {"c1": c1.id, "c2": c2.id, "member": member.id, "visitor_person": visitor.id,
         "coord1": make.account("coordinator", "coord1",
                                person=make.person(c1, full_name="张书记"), communities=[c1]),
         "coord2": make.account("coordinator", "coord2", communities=[c2]),
         "also_leader": make.account("coordinator", "coord3", communities=[c2],
                                     is_also_leader=True),
         "leader": make.account("leader", "leader1"),
         "admin": make.account("admin", "admin1"),
         "admin2": make.account("admin", "admin2"),
         "volunteer": make.account("volunteer", "vol1",
                                   person=make.person(c1, full_name="志愿者赵")),
         "visitor": make.account("volunteer", "visitor1", person=visitor)}
    return w


def _hospital(**extra) -> care.CareInput:
    values = dict(full_name=NAME, place="hospital", institution="团场医院", ward=WARD,
                  bed="12", family_name="家属", family_relation="女儿", family_phone=PHONE,
                  reason="hospital", visit_every_days=7, health_notes="术后恢复")
    values.update(extra)
    return care.CareInput(**values)


def _registered(app, w, **extra) -> int:
    with app.app_context():
        begin_write(db.session)
        row = care.register(db.session, db.session.get(Account, w["coord1"].id), w["c1"],
                            _hospital(**extra), NOW - timedelta(days=3))
        db.session.commit()
        rid = row.id
        db.session.remove()
    return rid


def _care_series(app, w, rid, *, weekly=True, visitor=True) -> int:
    """A care visit for the person through the series service (weekly from tomorrow,
    the visitor signed up on the first date), linked by CareVisitDetail."""
    with app.app_context():
        begin_write(db.session)
        coord = db.session.get(Account, w["coord1"].id)
        team = Team(name="探望组", kind="care", community_id=w["c1"])
        db.session.add(team)
        db.session.flush()
        start = TODAY + timedelta(days=1)
        series = create_series(db.session, coord, SeriesInput(
            kind="care", title="探望慰问", community_id=w["c1"], start_date=start,
            start_time=time(15, 0), duration_minutes=60,
            rrule="FREQ=WEEKLY" if weekly else None,
            until=start + timedelta(days=27) if weekly else None,
            roles=(RoleInput("探望员", 2, 2, None),)), NOW, zone=ZONE,
            horizon_end=NOW + timedelta(weeks=8))
        db.session.add(CareVisitDetail(series_id=series.id, recipient_id=rid))
        db.session.flush()
        if visitor:
            first = db.session.scalar(select(OccurrenceRole.id).join(Occurrence).where(
                Occurrence.series_id == series.id).order_by(Occurrence.start_at))
            signups.sign_up(db.session, db.session.get(Account, w["visitor"].id), first, NOW,
                            zone=ZONE)
        db.session.commit()
        sid = series.id
        db.session.remove()
    return sid


def _client(app, username=None):
    client = app.test_client()
    if username:
        assert login(client, username).status_code == 302
    return client


def _open_for(app, w, key="admin"):
    client = _client(app, key + "1" if key == "admin" else key)
    response = post(client, "/care/open", {"community_id": w["c1"], "reason": "核对名单"},
                    token_from="/care")
    assert response.status_code == 302
    return client


@pytest.fixture
def world(app, make):
    return _world(make)


# Expected status per route and actor; "name" marks pages that show the markers.
ROUTES = ("/care", "/care/new", "/care/{id}", "/care/{id}/edit", "/care/{id}/end",
          "/care/{id}/erase")
MATRIX = {
    "volunteer": (403, 403, 403, 403, 403, 403),
    "visitor": (403, 403, 403, 403, 403, 403),
    "coord1": (200, 200, 200, 200, 200, 409),
    "coord2": (200, 200, 403, 403, 403, 403),
    "also_leader": (200, 200, 403, 403, 403, 403),
    "leader": (200, 403, 403, 403, 403, 403),
    "admin": (200, 403, 403, 403, 403, 403),
    "opened": (200, 403, 200, 403, 403, 403),
}
SHOWS_NAME = {("coord1", "/care"), ("coord1", "/care/{id}"), ("coord1", "/care/{id}/edit"),
              ("coord1", "/care/{id}/end"), ("coord1", "/care/{id}/erase"), ("opened", "/care"),
              ("opened", "/care/{id}")}
USERNAMES = {"volunteer": "vol1", "visitor": "visitor1", "coord1": "coord1",
             "coord2": "coord2", "also_leader": "coord3", "leader": "leader1",
             "admin": "admin1"}


def test_every_route_as_every_actor_shows_the_person_only_where_allowed(app, world):
    rid = _registered(app, world)
    _care_series(app, world, rid)
    anonymous = _client(app)
    for route in ROUTES:
        response = anonymous.get(route.format(id=rid))
        assert response.status_code == 302 and "/login" in response.headers["Location"]
    for actor, statuses in MATRIX.items():
        client = _open_for(app, world) if actor == "opened" else _client(app, USERNAMES[actor])
        for route, status in zip(ROUTES, statuses):
            response = client.get(route.format(id=rid))
            html = response.get_data(as_text=True)
            assert response.status_code == status, (actor, route)
            shown = [m for m in MARKERS if m in html]
            if (actor, route) in SHOWS_NAME:
                assert NAME in html, (actor, route)
            else:
                assert shown == [], (actor, route)
        if actor in ("coord2", "also_leader", "leader", "admin"):
            listing = client.get("/care").get_data(as_text=True)
            assert "一连社区" in listing and "共1人" in listing  # counts, never names
    # The admin without an opening is told how to open the register.
    closed = _client(app, "admin2").get(f"/care/{rid}").get_data(as_text=True)
    assert "打开" in closed and "/care#open-h" in closed
    with app.app_context():
        readers = set(db.session.scalars(select(CareRead.account_id)))
        assert readers == {world["coord1"].id, world["admin"].id}
        opened = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "care.open"))
        assert opened.actor_id == world["admin"].id
    # The read log is for the community's coordinators, on the person's page.
    page = _client(app, "coord1").get(f"/care/{rid}").get_data(as_text=True)
    assert "谁看过" in page and "admin1" in page


def test_a_coordinator_registers_a_person_in_hospital_with_a_member_record(app, world):
    client = _client(app, "coord1")
    form = client.get("/care/new").get_data(as_text=True)
    assert "成员王" in form and "仅" in form  # members to choose; the privacy note
    response = post(client, "/care/new", {
        "community_id": world["c1"], "full_name": NAME, "person_id": world["member"],
        "place": "hospital", "institution": "团场医院", "ward": WARD, "bed": "3",
        "family_name": "家属", "family_relation": "儿子", "family_phone": PHONE,
        "reason": "hospital", "visit_every_days": "7", "health_notes": "术后",
        "started_on": ""}, token_from="/care/new")
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert NAME in page and WARD in page and f"tel:{PHONE}" in page and "成员王" in page
    rid = int(response.headers["Location"].rsplit("/", 1)[1])
    assert "安排探望" in page and f"/care/{rid}/plan" in page
    listing = client.get("/care").get_data(as_text=True)
    assert NAME in listing and "团场医院" in listing and "登记关怀对象" in listing
    assert NAME not in client.get("/care?show=ended").get_data(as_text=True)
    with app.app_context():
        row = db.session.scalar(select(CareRecipient))
        assert (row.person_id, row.started_on, row.visit_every_days) == (
            world["member"], TODAY, 7)
        entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "care.create"))
        assert not any(m in json.dumps(entry.details, ensure_ascii=False) for m in MARKERS)


BAD = [
    ({"place": "home", "address": "一连3栋", "institution": ""}, "ward"),
    ({"place": "care_home", "address": "敬老院", "ward": "", "bed": "3"}, "bed"),
    ({"place": "hospital", "address": "一连3栋"}, "address"),
    ({"place": "home", "address": "一连3栋", "institution": "团场医院", "ward": "", "bed": ""},
     "institution"),
    ({"place": "somewhere"}, "place"),
    ({"visit_every_days": "0"}, "visit_every_days"),
    ({"started_on": (TODAY + timedelta(days=2)).isoformat()}, "started_on"),
    ({"person_id": "999"}, "person_id"),
]


@pytest.mark.parametrize("change, field", BAD)
def test_bad_entries_re_render_with_the_error_and_write_nothing(app, world, change, field):
    client = _client(app, "coord1")
    data = {"community_id": world["c1"], "full_name": NAME, "place": "hospital",
            "institution": "团场医院", "ward": WARD, "bed": "3", "reason": "hospital",
            "family_phone": PHONE}
    data.update(change)
    response = post(client, "/care/new", data, token_from="/care/new")
    html = response.get_data(as_text=True)
    assert response.status_code == 400 and 'class="error"' in html
    assert f'id="{field}-err"' in html and "错误" in html
    with app.app_context():
        assert db.session.scalar(select(func.count(CareRecipient.id))) == 0
        assert db.session.scalar(select(func.count(AuditEntry.id))) == 0


def test_edits_stale_or_of_an_ended_record_are_refused_and_change_nothing(app, world):
    rid = _registered(app, world)
    client = _client(app, "coord1")
    form = client.get(f"/care/{rid}/edit").get_data(as_text=True)
    assert 'name="version" type="hidden" value="1"' in form and WARD in form
    fields = {"full_name": NAME, "place": "hospital", "institution": "团场医院",
              "ward": WARD, "bed": "20", "reason": "hospital", "version": "1"}
    assert post(client, f"/care/{rid}/edit", fields,
                token_from=f"/care/{rid}/edit").status_code == 302
    stale = post(client, f"/care/{rid}/edit", dict(fields, bed="30"),
                 token_from=f"/care/{rid}/edit")
    assert stale.status_code == 409 and "您打开后有人改过这条记录" in stale.get_data(as_text=True)
    with app.app_context():
        row = db.session.get(CareRecipient, rid)
        assert (row.bed, row.version) == ("20", 2)
    # A death date in the future, and one before the care began, are refused.
    for day, words in ((TODAY + timedelta(days=1), "不能在今天之后"),
                       (TODAY - timedelta(days=30), "早于关怀开始")):
        refused = post(client, f"/care/{rid}/end", {"status": "deceased",
                                                     "ended_on": day.isoformat()},
                       token_from=f"/care/{rid}/end")
        assert refused.status_code == 400 and words in refused.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(CareRecipient, rid).status == "active"
    assert post(client, f"/care/{rid}/end", {"status": "recovered",
                                             "ended_on": TODAY.isoformat()},
                token_from=f"/care/{rid}/end").status_code == 302
    ended = post(client, f"/care/{rid}/edit", dict(fields, bed="40", version="3"),
                 token_from=f"/care/{rid}")
    assert ended.status_code == 409 and "已结束" in ended.get_data(as_text=True)
    post(client, f"/care/{rid}/erase", {}, token_from=f"/care/{rid}/erase")
    erased = post(client, f"/care/{rid}/edit", dict(fields, version="4"),
                  token_from=f"/care/{rid}")
    assert erased.status_code == 409
    with app.app_context():
        row = db.session.get(CareRecipient, rid)
        assert (row.bed, row.full_name, row.status) == (None, "", "recovered")


@pytest.fixture
def napp(database_url, tmp_path, sink, gateway):
    app = make_app(database_url, tmp_path, Clock(NOW), sink, gateway)
    yield app
    with app.app_context():
        db.engine.dispose()


def test_passing_away_cancels_future_visits_and_the_visitor_is_told_without_a_name(
        napp, make_factory_for_napp, sink, gateway):
    from coordinator.jobs import tasks
    app, w = napp, make_factory_for_napp
    rid = _registered(app, w)
    sid = _care_series(app, w, rid)
    client = _client(app, "coord1")
    response = post(client, f"/care/{rid}/end", {"status": "deceased",
                                                 "ended_on": TODAY.isoformat()},
                    token_from=f"/care/{rid}/end")
    assert response.status_code == 302
    page = client.get(f"/care/{rid}").get_data(as_text=True)
    assert "安排吊唁慰问" in page and f"/care/{rid}/plan?condolence=1" in page
    with app.app_context():
        statuses = set(db.session.scalars(select(Occurrence.status).where(
            Occurrence.series_id == sid)))
        assert statuses == {"cancelled"}
        assert db.session.get(CareRecipient, rid).status == "deceased"
        begin_write(db.session)  # the series has ended: the horizon makes no new dates
        materialize(db.session, [sid], NOW + timedelta(weeks=12), NOW)
        db.session.commit()
        assert db.session.scalar(select(func.count(Occurrence.id)).where(
            Occurrence.series_id == sid, Occurrence.status == "scheduled")) == 0
    tasks.sweep(app)
    sms = [m["text"] for m in gateway.received if m["to"] == "13900000077"]
    with app.app_context():
        notes = [(n.title, n.body) for n in db.session.scalars(select(Notification).where(
            Notification.account_id == w["visitor"].id))]
        payloads = [json.dumps(d.payload, ensure_ascii=False) for d in db.session.scalars(
            select(Delivery).where(Delivery.kind == "notice"))]
    assert sms and sms[-1].startswith("已取消")
    assert notes and "关怀已结束" in notes[-1][1]
    told = json.dumps([sms, notes, payloads], ensure_ascii=False)
    assert not any(m in told for m in MARKERS)


@pytest.fixture
def make_factory_for_napp(napp):
    from tests.support.database import Factory
    return _world(Factory(napp))


def test_erasure_leaves_no_private_value_in_the_row_the_log_or_the_audit(app, world):
    rid = _registered(app, world)
    client = _client(app, "coord1")
    assert client.get(f"/care/{rid}/erase").status_code == 409  # active: end it first
    post(client, f"/care/{rid}/end", {"status": "moved", "ended_on": TODAY.isoformat()},
         token_from=f"/care/{rid}/end")
    sid = _care_series(app, world, rid, visitor=False)
    with app.app_context():
        occurrence = Occurrence(series_id=sid,
                                recurrence_id=NOW, start_at=NOW - timedelta(days=9),
                                end_at=NOW - timedelta(days=9) + timedelta(hours=1))
        db.session.add(occurrence)
        db.session.flush()
        db.session.add(CareVisitLog(occurrence_id=occurrence.id, recipient_id=rid,
                                    community_id=world["c1"], condition="same",
                                    note=f"{NAME}精神好", written_at=NOW - timedelta(days=9)))
        db.session.commit()
    confirm = client.get(f"/care/{rid}/erase").get_data(as_text=True)
    assert NAME in confirm and "永久" in confirm
    assert post(client, f"/care/{rid}/erase", {},
                token_from=f"/care/{rid}/erase").status_code == 302
    page = client.get(f"/care/{rid}").get_data(as_text=True)
    assert "一连社区的一位关怀对象" in page
    for path in (f"/care/{rid}", "/care?show=ended"):
        assert not any(m in client.get(path).get_data(as_text=True) for m in MARKERS)
    with app.app_context():
        row = db.session.get(CareRecipient, rid)
        values = json.dumps({c.key: str(getattr(row, c.key))
                             for c in CareRecipient.__table__.columns}, ensure_ascii=False)
        audit = json.dumps([e.details for e in db.session.scalars(select(AuditEntry))],
                           ensure_ascii=False)
        notes = [n for n in db.session.scalars(select(CareVisitLog.note))]
        assert row.erased_at is not None and row.full_name == "" and notes == [None]
        assert db.session.scalar(select(Person.id).where(Person.id == world["member"]))
    for marker in MARKERS:
        assert marker not in values and marker not in audit


def test_writes_by_anyone_but_the_communitys_coordinators_are_refused(app, world):
    rid = _registered(app, world)
    edit = {"full_name": "改名", "place": "hospital", "institution": "医院", "ward": "一",
            "reason": "hospital", "version": "1"}
    end = {"status": "recovered", "ended_on": TODAY.isoformat()}
    for username in ("coord2", "coord3", "leader1", "admin1", "vol1", "visitor1"):
        client = _client(app, username)
        token = csrf_token(client, "/")
        for path, data in ((f"/care/{rid}/edit", edit), (f"/care/{rid}/end", end),
                           (f"/care/{rid}/erase", {}),
                           ("/care/new", dict(edit, community_id=world["c1"]))):
            response = client.post(path, data=dict(data, csrf_token=token))
            assert response.status_code in (400, 403), (username, path)
            assert NAME not in response.get_data(as_text=True)
        if username != "admin1":
            refused = client.post("/care/open", data={"community_id": world["c1"],
                                                      "reason": "看看", "csrf_token": token})
            assert refused.status_code == 403
    with app.app_context():
        row = db.session.get(CareRecipient, rid)
        assert (row.full_name, row.status, row.version) == (NAME, "active", 1)
        assert db.session.scalar(select(func.count(CareRecipient.id))) == 1
        assert db.session.scalar(select(func.count(AuditEntry.id))) == 1  # care.create
