"""Visits planned for people cared for (issue 15, second part): single and repeating
visits through the series service, the neutral title, ended records and condolence
visits, who may plan, where the person's name and place may appear (pages and feeds),
festival visits paired from the suggestions, and each person's history of visits.
Both backends; the person's name, address and ward are unique marker strings."""
from __future__ import annotations

import json
from datetime import date, datetime, time, timedelta

import pytest
from flask import render_template
from sqlalchemy import func, select

from coordinator.database import begin_write
from coordinator.domain.errors import DomainError, Forbidden
from coordinator.extensions import db
from coordinator.models import (
    Account,
    Assignment,
    AttendanceEntry,
    AuditEntry,
    CareRecipient,
    CareVisitDetail,
    CareVisitLog,
    Occurrence,
    OccurrenceRole,
    Person,
    Series,
    Unavailability,
)
from coordinator.services.care import register as care
from coordinator.services.care import visits
from coordinator.services.schedule import changes
from coordinator.services.schedule.series import RoleInput, SeriesInput, create_series
from coordinator.services.shifts import signups
from coordinator.services.shifts.suggestions import suggest_many
from tests.support.feeds import forget_process_memory, parse, subscribe, tick, unfolded, url
from tests.support.scheduling import NOW, ZONE
from tests.support.web import csrf_token, login, post

NAME = "MK探望对象丙丁"
ADDRESS = "MK一连九栋四单元"
WARD = "MK外科二病区"
HOSPITAL = "MK团场医院"
TODAY = NOW.astimezone(__import__("zoneinfo").ZoneInfo(ZONE)).date()
HORIZON = NOW + timedelta(weeks=12)
MARKERS = (NAME, ADDRESS, WARD, HOSPITAL)


@pytest.fixture
def world(make):
    c1 = make.community(name="一连社区", code="C01")
    c2 = make.community(name="二连社区", code="C02")
    coord_person = make.person(c1, full_name="张书记")
    helpers = [make.person(c1, full_name=f"志愿者{n}") for n in range(1, 7)]
    w = {"c1": c1.id, "c2": c2.id, "helpers": [p.id for p in helpers],
         "coord_person": coord_person.id}
    w["coord1"] = make.account("coordinator", "coord1", person=coord_person, communities=[c1]).id
    w["coord2"] = make.account("coordinator", "coord2", communities=[c2]).id
    w["also_leader"] = make.account("coordinator", "coord3", communities=[c2],
                                    is_also_leader=True).id
    w["leader"] = make.account("leader", "leader1").id
    w["admin"] = make.account("admin", "admin1").id
    w["visitor"] = make.account("volunteer", "visitor1", person=helpers[0]).id
    w["volunteer"] = make.account("volunteer", "vol2", person=helpers[1]).id
    return w


def _actor(w, key) -> Account:
    return db.session.get(Account, w[key])


def _recipient(w, *, place="hospital", community="c1", **extra) -> int:
    values = dict(full_name=NAME, place=place, reason="hospital")
    if place == "hospital":
        values.update(institution=HOSPITAL, ward=WARD, bed="12")
    else:
        values.update(address=ADDRESS)
    values.update(extra)
    begin_write(db.session)
    person = care.register(db.session, _actor(w, "coord1" if community == "c1" else "coord2"),
                           w[community], care.CareInput(**values), NOW)
    db.session.commit()
    return person.id


def _plan(w, recipient_id, actor="coord1", **kw) -> int:
    values = dict(title="探望慰问", start_date=TODAY + timedelta(days=2),
                  start_time=time(9, 30), visitors=2, role_name="探访人员")
    values.update(kw)
    begin_write(db.session)
    series = visits.plan_visit(db.session, _actor(w, actor), recipient_id,
                               visits.VisitPlan(**values), NOW, zone=ZONE, horizon_end=HORIZON)
    db.session.commit()
    return series.id


def _occurrences(series_id):
    return db.session.scalars(select(Occurrence).where(Occurrence.series_id == series_id)
                              .order_by(Occurrence.start_at)).all()


def _counts():
    return tuple(db.session.scalar(select(func.count()).select_from(m))
                 for m in (Series, Occurrence, CareVisitDetail, Assignment, AuditEntry))


def _form(**kw):
    data = {"title": "探望慰问", "start_date": (TODAY + timedelta(days=2)).isoformat(),
            "start_time": "09:30", "duration_minutes": "60", "repeat": "once",
            "visitors": "2", "team_id": "0"}
    data.update(kw)
    return data


# Planning --------------------------------------------------------------------------------

def test_a_coordinator_plans_a_single_visit_from_the_form(app, client, world):
    with app.app_context():
        rid = _recipient(world)
    login(client, "coord1")
    page = client.get(f"/care/{rid}/plan").get_data(as_text=True)
    assert NAME in page and 'value="探望慰问"' in page
    assert "不要" in page or "name" in page  # the form says the name stays out of the title
    response = post(client, f"/care/{rid}/plan", _form())
    assert response.status_code == 302 and "/occurrences/" in response.location
    assignment_page = client.get(response.location)  # where the visitors are assigned
    assert assignment_page.status_code == 200
    assert "志愿者1" in assignment_page.get_data(as_text=True)  # among the suggestions
    with app.app_context():
        series = db.session.scalars(select(Series)).one()
        assert (series.kind, series.community_id, series.title, series.rrule,
                series.venue_id, series.is_public) == ("care", world["c1"], "探望慰问", None,
                                                       None, False)
        detail = db.session.scalars(select(CareVisitDetail)).one()
        assert (detail.series_id, detail.recipient_id) == (series.id, rid)
        (occ,) = _occurrences(series.id)
        assert [(r.needed, r.maximum, r.filled) for r in occ.roles] == [(2, 2, 0)]
        assert response.location.endswith(f"/occurrences/{occ.id}")
        entries = db.session.scalars(select(AuditEntry).where(
            AuditEntry.action == "care.plan")).all()
        assert len(entries) == 1 and entries[0].entity_id == rid
        text = json.dumps([e.details for e in db.session.scalars(select(AuditEntry))],
                          ensure_ascii=False)
        assert not any(m in text for m in MARKERS)


def test_repeating_visits_weekly_with_a_count_and_fortnightly_to_a_date(app, world):
    with app.app_context():
        rid = _recipient(world)
        start = TODAY + timedelta(days=1)
        weekly = _plan(world, rid, repeat="weekly", count=4, start_date=start, visitors=3)
        days = [o.start_at.astimezone(__import__("zoneinfo").ZoneInfo(ZONE)).date()
                for o in _occurrences(weekly)]
        assert days == [start + timedelta(weeks=n) for n in range(4)]
        assert all([(r.needed, r.maximum) for r in o.roles] == [(3, 3)]
                   for o in _occurrences(weekly))
        fortnight = _plan(world, rid, repeat="fortnightly", start_date=start,
                          until=start + timedelta(weeks=6))
        assert len(_occurrences(fortnight)) == 4
        monthly = _plan(world, rid, repeat="monthly", start_date=start, count=2)
        assert len(_occurrences(monthly)) == 2
        assert db.session.scalar(select(func.count()).select_from(CareVisitDetail).where(
            CareVisitDetail.recipient_id == rid)) == 3


BAD_INPUT = [
    ({"title": f"看望{NAME}"}, "title", "名字"),
    ({"title": ""}, "title", None),
    ({"visitors": "0"}, "visitors", None),
    ({"start_date": ""}, "start_date", None),
    ({"repeat": "weekly"}, "until", None),  # repeating without an end
    ({"repeat": "every_weeks", "count": "3"}, "every_weeks", None),
    ({"start_date": (TODAY - timedelta(days=1)).isoformat()}, "start_date", None),
    ({"repeat": "weekly", "count": "2", "until": (TODAY + timedelta(days=30)).isoformat()},
     "count", None),
    ({"start_time": "25:00"}, "start_time", None),
]


def test_bad_input_re_renders_with_the_field_error_and_writes_nothing(app, client, world):
    with app.app_context():
        rid = _recipient(world)
        before = _counts()
    login(client, "coord1")
    for changes_, field, words in BAD_INPUT:
        response = post(client, f"/care/{rid}/plan", _form(**changes_))
        assert response.status_code == 400, changes_
        page = response.get_data(as_text=True)
        assert f'id="{field}-err"' in page, changes_
        if words:
            assert words in page
    with app.app_context():
        assert _counts() == before


def test_the_name_in_the_title_is_refused_by_the_service_too(app, world):
    with app.app_context():
        rid = _recipient(world)
        with pytest.raises(DomainError) as refused:
            _plan(world, rid, title=f"{NAME[:3]} {NAME[3:]}探望")
        assert refused.value.field == "title"


def test_an_ended_record_is_refused_and_a_condolence_visit_only_after_death(app, client, world):
    with app.app_context():
        recovered = _recipient(world)
        deceased = _recipient(world, place="home", full_name="MK另一位")
        begin_write(db.session)
        care.end(db.session, _actor(world, "coord1"), recovered, "recovered", TODAY, NOW)
        care.end(db.session, _actor(world, "coord1"), deceased, "deceased", TODAY, NOW)
        db.session.commit()
        with pytest.raises(DomainError, match="ended"):
            _plan(world, recovered)
        with pytest.raises(DomainError, match="ended"):
            _plan(world, recovered, condolence=True)
        with pytest.raises(DomainError, match="ended"):
            _plan(world, deceased)
        with pytest.raises(DomainError):
            _plan(world, deceased, condolence=True, repeat="weekly", count=2)
        before = _counts()
    login(client, "coord1")
    page = client.get(f"/care/{recovered}/plan").get_data(as_text=True)
    assert "已结束" in page and 'name="title"' not in page
    response = post(client, f"/care/{recovered}/plan?condolence=1", _form(condolence="1"),
                    token_from=f"/care/{deceased}/plan")
    assert response.status_code == 400
    with app.app_context():
        assert _counts() == before
    page = client.get(f"/care/{deceased}/plan").get_data(as_text=True)
    assert f"/care/{deceased}/plan?condolence=1" in page
    page = client.get(f"/care/{deceased}/plan?condolence=1").get_data(as_text=True)
    assert 'value="吊唁慰问"' in page
    response = post(client, f"/care/{deceased}/plan?condolence=1",
                    _form(title="吊唁慰问", condolence="1"))
    assert response.status_code == 302
    with app.app_context():
        series = db.session.scalars(select(Series)).one()
        assert (series.title, series.rrule) == ("吊唁慰问", None)


# Who may plan, and where the name and place appear -----------------------------------------

USERNAMES = {"coord1": "coord1", "coord2": "coord2", "also_leader": "coord3",
             "leader": "leader1", "admin": "admin1", "visitor": "visitor1",
             "volunteer": "vol2"}


def test_only_the_communitys_coordinators_open_the_plan_pages(app, world):
    """Anonymous, a volunteer, the volunteer on the visit, another community's
    coordinator, a leader, a coordinator who is also a leader, an admin (even with the
    register opened): none opens or posts the planning pages of this community."""
    with app.app_context():
        rid = _recipient(world)
        series_id = _plan(world, rid)
        begin_write(db.session)
        signups.sign_up(db.session, _actor(world, "coord1"),
                        _occurrences(series_id)[0].roles[0].id, NOW,
                        person_id=world["helpers"][0], zone=ZONE)
        care.open_register(db.session, _actor(world, "admin"), world["c1"], "核对", NOW,
                           care.CareSettings())
        db.session.commit()
    for who in (None, "volunteer", "visitor", "coord2", "leader", "also_leader", "admin",
                "coord1"):
        client = app.test_client()
        if who:
            login(client, USERNAMES[who])
        with app.app_context():
            before = _counts()
        response = client.get(f"/care/{rid}/plan")
        assert response.status_code == {None: 302, "coord1": 200}.get(who, 403), who
        assert (NAME in response.get_data(as_text=True)) == (who == "coord1"), who
        if who not in (None, "coord1"):
            token = csrf_token(client, "/")
            assert client.post(f"/care/{rid}/plan", data={
                **_form(), "csrf_token": token}).status_code == 403, who
            with app.app_context():
                assert _counts() == before
                with pytest.raises(Forbidden):
                    _plan(world, rid, actor=who)
                db.session.rollback()
        festival = client.get("/care/festival")
        assert festival.status_code == {None: 302, "coord1": 200, "coord2": 200,
                                        "also_leader": 200}.get(who, 403), who
        assert NAME not in festival.get_data(as_text=True)


def test_the_name_and_place_appear_only_to_the_visitor_and_the_coordinators(app, client, world):
    """The series holds nothing private; the place comes from the record at render time:
    the confirmed visitor's own feed shows hospital, ward and bed, then the home address
    once the person is back home; every other feed and page shows neither."""
    with app.app_context():
        rid = _recipient(world)
        series_id = _plan(world, rid)
        occ = _occurrences(series_id)[0]
        occ_id, role_id = occ.id, occ.roles[0].id
        begin_write(db.session)
        signups.sign_up(db.session, _actor(world, "coord1"), role_id, NOW,
                        person_id=world["helpers"][0], zone=ZONE)
        db.session.commit()
        series = db.session.get(Series, series_id)
        assert not any(m in f"{series.title} {series.description}" for m in MARKERS)
        mine = subscribe(world["visitor"])
        others = {"volunteer": subscribe(world["volunteer"]),
                  "leader_org": subscribe(world["leader"], "organisation"),
                  "leader_community": subscribe(world["leader"], "community", world["c1"]),
                  "also_leader_org": subscribe(world["also_leader"], "organisation"),
                  "coord2_org": subscribe(world["coord2"], "organisation"),
                  "admin_org": subscribe(world["admin"], "organisation")}
        staff = subscribe(world["coord1"], "community", world["c1"])
    events = parse(client.get(url(mine)).data).walk("VEVENT")
    visit = [e for e in events if str(e["UID"]).startswith(f"occ-{occ_id}@")][0]
    assert str(visit["LOCATION"]) == f"{HOSPITAL} {WARD} 12"
    assert NAME in str(visit.get("DESCRIPTION", ""))
    for key, token in others.items():
        body = unfolded(client.get(url(token)).data)
        assert not any(m in body for m in MARKERS), key
    assert NAME in unfolded(client.get(url(staff)).data)
    public = client.get("/feeds/public/C01.ics").get_data(as_text=True)
    assert not any(m in public for m in MARKERS)
    for username in ("leader1", "coord3", "coord2", "vol2"):
        other = app.test_client()
        login(other, username)
        for path in (f"/plan?date={TODAY.isoformat()}", "/plan", "/care/festival",
                     "/", "/shifts/open", f"/occurrences/{occ_id}", f"/shifts/{occ_id}"):
            page = other.get(path).get_data(as_text=True)
            assert not any(m in page for m in MARKERS), (username, path)
    # The person goes home: the visits follow, read from the record when rendered.
    with app.app_context():
        person = db.session.get(CareRecipient, rid)
        begin_write(db.session)
        care.change(db.session, _actor(world, "coord1"), rid, care.CareInput(
            full_name=NAME, place="home", address=ADDRESS, reason="illness"),
            person.version, NOW)
        db.session.commit()
    tick(app)
    forget_process_memory(app)
    events = parse(client.get(url(mine)).data).walk("VEVENT")
    visit = [e for e in events if str(e["UID"]).startswith(f"occ-{occ_id}@")][0]
    assert str(visit["LOCATION"]) == ADDRESS


# Festival visits ---------------------------------------------------------------------------

def _busy(w, person_ids):
    """Recent hours for ``person_ids`` (a past patrol they served): they rank last."""
    begin_write(db.session)
    for pid in person_ids:
        db.session.add(AttendanceEntry(
            occurrence_id=_past_occurrence(w), person_id=pid, community_id=w["c1"],
            kind="patrol", start_at=NOW - timedelta(days=3), day=TODAY - timedelta(days=3),
            status="present", minutes=600, source="staff", marked_at=NOW))
    db.session.commit()


def _past_occurrence(w) -> int:
    if "past" not in w:
        series = create_series(db.session, _actor(w, "coord1"), SeriesInput(
            kind="patrol", title="巡逻", community_id=w["c1"],
            start_date=TODAY + timedelta(days=20),
            start_time=time(19, 0), duration_minutes=60,
            roles=(RoleInput("队员", 1, 5),)), NOW, zone=ZONE, horizon_end=HORIZON)
        occ = _occurrences(series.id)[0]
        occ.start_at, occ.end_at = NOW - timedelta(days=3), NOW - timedelta(days=3, hours=-1)
        db.session.flush()
        w["past"] = occ.id
    return w["past"]


def test_festival_visits_pair_the_top_suggestions_and_nobody_twice_a_day(app, client, world):
    with app.app_context():
        for n in range(4):
            _recipient(world, place="home", full_name=f"MK节日{n}")
        _recipient(world, place="home", full_name="MK二连的人", community="c2")
        helpers = world["helpers"]
        _busy(world, helpers[4:6])  # many recent hours: suggested last
        begin_write(db.session)
        db.session.add(Unavailability(person_id=world["coord_person"],
                                      start_date=TODAY, end_date=TODAY + timedelta(days=30)))
        db.session.commit()
        before = db.session.scalar(select(func.count()).select_from(Series))
    login(client, "coord1")
    first = TODAY + timedelta(days=3)
    response = post(client, "/care/festival", {
        "festival": "spring", "community_id": str(world["c1"]),
        "first_day": first.isoformat(), "last_day": (first + timedelta(days=1)).isoformat(),
        "start_time": "10:00", "duration_minutes": "60", "visitors": "2"})
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "MK节日0" in page and "MK二连的人" not in page
    with app.app_context():
        series = db.session.scalars(select(Series).order_by(Series.id)).all()[before:]
        assert len(series) == 4 and {s.title for s in series} == {"春节慰问"}
        by_day: dict[date, list[int]] = {}
        for s in series:
            (occ,) = _occurrences(s.id)
            day = occ.start_at.astimezone(__import__("zoneinfo").ZoneInfo(ZONE)).date()
            people = db.session.scalars(select(Assignment.person_id).join(OccurrenceRole).where(
                OccurrenceRole.occurrence_id == occ.id,
                Assignment.status == "confirmed")).all()
            assert len(people) == 2
            by_day.setdefault(day, []).extend(people)
        assert sorted(by_day) == [first, first + timedelta(days=1)]
        for people in by_day.values():
            assert len(people) == len(set(people)) == 4  # nobody twice on one day
            # the four free people with no recent hours, not the busy ones, not the
            # coordinator who is away
            assert set(people) == set(helpers[:4])
        details = db.session.scalar(select(func.count()).select_from(CareVisitDetail))
        assert details == 4


def test_festival_shows_the_visits_short_of_visitors_with_the_assignment_link(app, client, world):
    with app.app_context():
        for n in range(3):
            _recipient(world, place="home", full_name=f"MK节日{n}")
        begin_write(db.session)
        for pid in world["helpers"][2:] + [world["coord_person"]]:
            db.session.get(Person, pid).status = "inactive"
        db.session.commit()
    login(client, "coord1")
    day = TODAY + timedelta(days=5)
    response = post(client, "/care/festival", {
        "festival": "mid_autumn", "community_id": str(world["c1"]),
        "first_day": day.isoformat(), "last_day": day.isoformat(),
        "start_time": "10:00", "duration_minutes": "60", "visitors": "2"})
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "中秋" in page
    with app.app_context():
        occs = db.session.scalars(select(Occurrence).order_by(Occurrence.id)).all()
        filled = [sum(r.filled for r in o.roles) for o in occs]
        assert filled == [2, 0, 0]  # two people, at the same hour: one visit gets both
        for occ, got in zip(occs, filled, strict=True):
            if got < 2:
                assert f"/occurrences/{occ.id}" in page
                assert suggest_many(db.session, _actor(world, "coord1"),
                                    [occ.roles[0].id], NOW)[occ.roles[0].id] == []


def test_festival_bad_input_writes_nothing(app, client, world):
    with app.app_context():
        _recipient(world, place="home")
        before = _counts()
    login(client, "coord1")
    day = TODAY + timedelta(days=5)
    for data, field in (({"last_day": (day - timedelta(days=1)).isoformat()}, "last_day"),
                        ({"visitors": "0"}, "visitors"),
                        ({"community_id": str(world["c2"])}, "community_id")):
        form = {"festival": "double_ninth", "community_id": str(world["c1"]),
                "first_day": day.isoformat(), "last_day": day.isoformat(),
                "start_time": "10:00", "duration_minutes": "60", "visitors": "2", **data}
        form["csrf_token"] = csrf_token(client, "/care/festival")
        response = client.post("/care/festival", data=form)
        assert response.status_code == 400, field
        assert f'id="{field}-err"' in response.get_data(as_text=True)
    with app.app_context():
        assert _counts() == before
        begin_write(db.session)
        with pytest.raises(DomainError, match="Nobody"):
            visits.plan_festival(db.session, _actor(world, "coord2"), visits.FestivalPlan(
                festival="spring", community_id=world["c2"], first_day=day, last_day=day,
                start_time=time(10, 0), title="春节慰问"), NOW, zone=ZONE,
                horizon_end=HORIZON)
        db.session.rollback()


# History --------------------------------------------------------------------------------

def test_history_from_the_roll_and_the_log_newest_first(app, world):
    with app.app_context():
        rid = _recipient(world)
        series_id = _plan(world, rid, repeat="weekly", count=6,
                          start_date=TODAY + timedelta(days=1))
        occs = _occurrences(series_id)
        begin_write(db.session)
        for occ in occs[:5]:
            signups.sign_up(db.session, _actor(world, "coord1"), occ.roles[0].id, NOW,
                            person_id=world["helpers"][0], zone=ZONE)
        signups.sign_up(db.session, _actor(world, "coord1"), occs[1].roles[0].id, NOW,
                        person_id=world["helpers"][1], zone=ZONE)
        changes.cancel_occurrence(db.session, _actor(world, "coord1"), occs[3].id, "住院", NOW)
        db.session.commit()
        later = NOW + timedelta(weeks=4)  # the first four dates are past
        begin_write(db.session)
        # 1st: the roll was taken, helper 0 present (helper 1 never assigned there)
        _entry(world, occs[0], world["helpers"][0], "present")
        # 2nd: the roll was taken, nobody came
        _entry(world, occs[1], world["helpers"][0], "absent")
        _entry(world, occs[1], world["helpers"][1], "absent")
        # 3rd: no roll, but a visitor wrote the log
        db.session.add(CareVisitLog(occurrence_id=occs[2].id, recipient_id=rid,
                                    community_id=world["c1"], author_id=world["visitor"],
                                    written_at=later, condition="same"))
        db.session.commit()
        rows = visits.history(db.session, rid, later)
        assert [r.occurrence_id for r in rows] == [o.id for o in reversed(occs)]
        by_id = {r.occurrence_id: r for r in rows}
        assert [by_id[o.id].status for o in occs] == [
            "done", "missed", "done", "cancelled", "planned", "planned"]
        assert by_id[occs[0].id].people == ("志愿者1",)
        assert by_id[occs[1].id].people == ()
        assert by_id[occs[2].id].people == ("志愿者1",) and by_id[occs[2].id].has_log
        assert by_id[occs[4].id].people == ("志愿者1",) and by_id[occs[4].id].short == 1
        assert by_id[occs[5].id].short == 2
        # After the planned dates pass with no roll and no log: missed.
        assert [r.status for r in visits.history(
            db.session, rid, later + timedelta(weeks=3))][:2] == ["missed", "missed"]
        assert visits.history(db.session, _recipient(world, full_name="MK无"), later) == []
        with app.test_request_context():
            html = render_template("care/_person_visits.html", visits=rows)
        for word in ("已探望", "未探望", "已取消", "已安排", "志愿者1"):
            assert word in html, word


def _entry(w, occ, person_id, status):
    db.session.add(AttendanceEntry(
        occurrence_id=occ.id, person_id=person_id, community_id=w["c1"], kind="care",
        start_at=occ.start_at, day=occ.start_at.date(), status=status,
        minutes=60 if status == "present" else 0, source="staff",
        marked_at=occ.end_at))


def test_history_page_words_in_english(app, world):
    with app.app_context():
        rid = _recipient(world)
        _plan(world, rid)
        rows = visits.history(db.session, rid, NOW)
        with app.test_request_context(headers={"Accept-Language": "en"}):
            from flask_babel import force_locale
            with force_locale("en"):
                html = render_template("care/_person_visits.html", visits=rows)
        assert "Planned" in html and "No visitor yet" in html
        assert isinstance(rows[0].start_at, datetime)


