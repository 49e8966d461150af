"""The privacy matrix of care visits (issue 15, "who sees what"), across the whole service:
one world with a person cared for whose full name, ward, family phone and visit-log note
are unique marker strings, a weekly visit planned through ``plan_visit``, a visitor of the
upcoming visit, a visitor only of a visit more than 7 days ago (who wrote its log), a
waitlisted volunteer and a cancelled visit. As each actor it fetches every feed (personal,
team, community, organisation, public), the weekly plan (page, CSV, .xlsx, PDF), the
service-record exports, the shift pages, the register and the home page, and asserts the
markers appear only where the matrix says yes; no stored notification, delivery or audit
entry holds them. Both backends."""
from __future__ import annotations

import io
import json
import zipfile
from datetime import time, timedelta
from zoneinfo import ZoneInfo

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from coordinator.database import begin_write
from coordinator.domain.errors import Forbidden
from coordinator.extensions import db
from coordinator.jobs import notify_settings
from coordinator.jobs.messages import compose
from coordinator.models import (
    Account,
    AuditEntry,
    Delivery,
    Notification,
    Occurrence,
    Team,
    TeamMember,
)
from coordinator.services.care import logs, settings_from, visits
from coordinator.services.care import register as care
from coordinator.services.feeds import tokens as feed_tokens
from coordinator.services.notify import deliveries as store
from coordinator.services.notify import planning
from coordinator.services.schedule import changes
from coordinator.services.shifts import signups
from tests.support.feeds import unfolded
from tests.support.scheduling import NOW, ZONE
from tests.support.web import login

NAME = "MK矩阵对象戊己庚"
WARD = "MK矩阵肾内科三病区"
FAMILY_PHONE = "13744443333"
NOTE = "MK矩阵想吃家里做的粥"
MARKERS = (NAME, WARD, FAMILY_PHONE, NOTE)
TZ = ZoneInfo(ZONE)
TODAY = NOW.astimezone(TZ).date()
THEN = NOW - timedelta(days=10)  # when the visits were planned and the past one assigned


def _account(account_id) -> Account:
    return db.session.get(Account, account_id)


@pytest.fixture
def world(app, make):
    c1 = make.community(name="一连社区", code="C01")
    c2 = make.community(name="二连社区", code="C02")
    people = [make.person(c1, full_name=f"志愿者{n}") for n in range(6)]
    coord2_person = make.person(c1, full_name="二连书记")  # lives in 一连
    w = {"c1": c1.id, "c2": c2.id}
    acc = {
        "volunteer": make.account("volunteer", "vol", person=people[0]),
        "waitlisted": make.account("volunteer", "wait", person=people[1]),
        "visitor": make.account("volunteer", "visit", person=people[2]),
        "visitor_after": make.account("volunteer", "visited", person=people[3]),
        "coord": make.account("coordinator", "coord", communities=[c1]),
        "coord2": make.account("coordinator", "coord2", communities=[c2]),
        # a coordinator of another community who is also a leader and went on the visit
        # more than 7 days ago, and goes on the upcoming one
        "coord2_visited": make.account("coordinator", "coord2v", person=coord2_person,
                                       communities=[c2], is_also_leader=True),
        "leader": make.account("leader", "leader"),
        "also": make.account("coordinator", "also", communities=[c2], is_also_leader=True),
        "admin": make.account("admin", "admin"),
        "admin_open": make.account("admin", "admin2"),
        "told": make.account("volunteer", "told", person=people[4]),  # on the cancelled one
    }
    w["accounts"] = {k: a.id for k, a in acc.items()}
    with app.app_context():
        team = Team(name="探访小组", kind="care", community_id=c1.id)
        db.session.add(team)
        db.session.flush()
        for p in (*people[1:5], coord2_person):
            db.session.add(TeamMember(team_id=team.id, person_id=p.id))
        db.session.commit()
        w["team"] = team.id
        coord = _account(w["accounts"]["coord"])
        begin_write(db.session)
        person = care.register(db.session, coord, c1.id, care.CareInput(
            full_name=NAME, place="hospital", reason="hospital", institution="团场医院",
            ward=WARD, bed="12", family_name="女儿", family_relation="女儿",
            family_phone=FAMILY_PHONE), THEN, zone=ZONE)
        db.session.flush()
        w["recipient"] = person.id
        then_day = THEN.astimezone(TZ).date()
        series = visits.plan_visit(db.session, coord, person.id, visits.VisitPlan(
            title="探望慰问", start_date=then_day + timedelta(days=1), start_time=time(9, 30),
            repeat="weekly", count=4, visitors=2, team_id=team.id, role_name="探访人员"),
            THEN, zone=ZONE, horizon_end=NOW + timedelta(weeks=12))
        db.session.commit()
        occs = db.session.scalars(select(Occurrence).where(Occurrence.series_id == series.id)
                                  .order_by(Occurrence.start_at)).all()
        past, recent, upcoming, later = occs  # -9 days, -2 days, +5 days, +12 days
        w.update(series=series.id, past=past.id, recent=recent.id, upcoming=upcoming.id,
                 later=later.id, past_day=past.start_at.astimezone(TZ).date(),
                 upcoming_day=upcoming.start_at.astimezone(TZ).date())
        begin_write(db.session)
        for key, occ, when in (("visitor_after", past, THEN), ("coord2_visited", past, THEN),
                               ("visitor", upcoming, NOW), ("coord2_visited", upcoming, NOW),
                               ("told", later, NOW)):
            signups.sign_up(db.session, coord, occ.roles[0].id, when, zone=ZONE,
                            person_id=_account(w["accounts"][key]).person_id)
        db.session.commit()
        begin_write(db.session)
        result = signups.sign_up(db.session, _account(w["accounts"]["waitlisted"]),
                                 upcoming.roles[0].id, NOW, zone=ZONE)
        db.session.commit()
        assert result.status == "waitlisted"
        begin_write(db.session)
        logs.write_log(db.session, _account(w["accounts"]["visitor_after"]), past.id,
                       logs.LogInput(condition="worse", needs=("company",), note=NOTE,
                                     follow_up=True), past.end_at + timedelta(hours=1),
                       zone=ZONE)
        db.session.commit()
        begin_write(db.session)  # a cancellation: the visitors are told
        changes.cancel_occurrence(db.session, coord, later.id, "暴雨预警", NOW)
        db.session.commit()
        begin_write(db.session)
        care.open_register(db.session, _account(w["accounts"]["admin_open"]), c1.id,
                           "审计核查", NOW, settings_from(app.config))
        db.session.commit()
        db.session.remove()
    return w


ACTORS = ("anonymous", "volunteer", "waitlisted", "visitor", "visitor_after", "coord",
          "coord2", "coord2_visited", "leader", "also", "admin", "admin_open")
LOGIN = {"volunteer": "vol", "waitlisted": "wait", "visitor": "visit",
         "visitor_after": "visited", "coord": "coord", "coord2": "coord2",
         "coord2_visited": "coord2v", "leader": "leader", "also": "also", "admin": "admin",
         "admin_open": "admin2"}

# Who may see a marker where (a subset of the matrix's "yes"); everywhere else they must
# not appear. REQUIRED: where the person's name must be shown.
SEES = {
    "feed:mine": {"visitor", "coord2_visited"},
    "feed:team": {"coord", "visitor", "coord2_visited"},  # both on the upcoming visit
    "feed:community": {"coord", "coord2_visited"},  # also-leader, on the upcoming visit
    "feed:organisation": {"coord", "coord2_visited"},
    "page:plan": {"coord"},
    "file:plan.csv": {"coord"},
    "file:plan.xlsx": {"coord"},
    "file:plan.pdf": {"coord"},
    "page:shift-upcoming": {"visitor", "coord2_visited", "coord"},
    "page:shift-past": {"coord"},
    "page:register": {"coord", "admin_open"},
    "page:person": {"coord", "admin_open"},
    "page:home": {"coord"},
    "file:records": set(),
    "feed:public": set(),
}
REQUIRED = {("visitor", "feed:mine"), ("coord2_visited", "feed:mine"),
            ("coord", "feed:community"), ("visitor", "page:shift-upcoming"),
            ("coord2_visited", "page:shift-upcoming"), ("coord", "page:shift-upcoming"),
            ("coord", "page:shift-past"), ("coord", "page:register"),
            ("coord", "page:person"), ("admin_open", "page:person")}


def _text(response, kind: str) -> str:
    if response.status_code != 200:
        return ""
    if kind.endswith(".xlsx"):
        with zipfile.ZipFile(io.BytesIO(response.data)) as book:
            return " ".join(book.read(n).decode("utf-8", "replace") for n in book.namelist()
                            if n.endswith(".xml"))
    if kind.endswith(".pdf"):
        text = " ".join(page.extract_text() or "" for page in
                        PdfReader(io.BytesIO(response.data)).pages)
        return "".join(text.split())  # names wrap inside the grid's cells
    if kind.startswith("feed:"):
        return unfolded(response.data)
    return response.get_data(as_text=True)


def _feeds(app, w, actor) -> dict[str, str]:
    if actor == "anonymous":
        return {}
    tokens = {}
    with app.app_context():
        account = _account(w["accounts"][actor])
        for scope, scope_id in (("mine", None), ("team", w["team"]),
                                ("community", w["c1"]), ("organisation", None)):
            try:
                begin_write(db.session)
                tokens[scope] = feed_tokens.issue(db.session, account, scope, scope_id,
                                                  "test-secret", NOW)
                db.session.commit()
            except Forbidden:
                db.session.rollback()
        db.session.remove()
    return tokens


def _surfaces(app, w, actor) -> dict[str, str]:
    client = app.test_client()
    out = {}
    for scope, token in _feeds(app, w, actor).items():
        out[f"feed:{scope}"] = _text(client.get(f"/feeds/{token}.ics"), "feed:")
    out["feed:public"] = _text(client.get("/feeds/public/C01.ics"), "feed:")
    if actor != "anonymous":
        login(client, LOGIN[actor])
    pages = {"page:shift-upcoming": f"/shifts/{w['upcoming']}",
             "page:shift-past": f"/shifts/{w['past']}",
             "page:register": f"/care?community={w['c1']}",
             "page:person": f"/care/{w['recipient']}", "page:home": "/"}
    for day in (w["past_day"], w["upcoming_day"]):
        pages[f"page:plan@{day}"] = f"/plan?date={day.isoformat()}"
        for ext in ("csv", "xlsx"):
            pages[f"file:plan.{ext}@{day}"] = f"/plan/week.{ext}?date={day.isoformat()}"
        pages[f"file:plan.pdf@{day}"] = f"/plan/print.pdf?date={day.isoformat()}"
    period = (f"community={w['c1']}&period_start={(TODAY - timedelta(days=60)).isoformat()}"
              f"&period_end={(TODAY + timedelta(days=30)).isoformat()}")
    pages["file:records.csv"] = f"/records/export?{period}&format=csv"
    pages["file:records.xlsx"] = f"/records/export?{period}&format=xlsx"
    for key, path in pages.items():
        response = client.get(path)
        assert response.status_code < 500, (actor, path)
        out[key] = _text(response, key.split("@")[0])
    return out


def test_the_markers_appear_only_where_the_matrix_says_yes(app, world):
    """Every actor, every feed, plan file, export and page: a marker only where the
    matrix says yes; the person's name where it must be."""
    wrong = []
    for actor in ACTORS:
        surfaces = _surfaces(app, world, actor)
        for key, text in surfaces.items():
            base = key.split("@")[0]
            base = "file:records" if base.startswith("file:records") else base
            leaked = [m for m in MARKERS if m in text]
            if actor not in SEES[base] and leaked:
                wrong.append((actor, key, "leaks", leaked))
            if (actor, base) in REQUIRED and NAME not in text:
                wrong.append((actor, key, "misses the name"))
        if actor == "visitor":  # marker by marker: whom, where, the family, the last log
            page = surfaces["page:shift-upcoming"]
            missing = [m for m in MARKERS if m not in page]
            if missing or WARD not in surfaces["feed:mine"]:
                wrong.append((actor, "shift page / feed", "misses", missing))
        if actor == "coord":
            page = surfaces["page:person"]
            if not all(m in page for m in (NAME, WARD, FAMILY_PHONE)) \
                    or NOTE not in surfaces["page:home"] + page:
                wrong.append((actor, "person's page / home", "misses a detail"))
    assert not wrong


def test_a_visitor_after_the_seven_days_reads_the_plan_as_anyone_else(app, world):
    """An also-leader on the visit of 9 days ago and on the upcoming one: the weekly plan
    (page, CSV, PDF) shows them the upcoming visit's team and visitors, but the old
    visit only as a care visit with its counts (the visitors' 7 days, one rule)."""
    surfaces = _surfaces(app, world, "coord2_visited")
    past, upcoming = world["past_day"], world["upcoming_day"]
    for kind in ("page:plan", "file:plan.csv", "file:plan.pdf"):
        assert "志愿者2" in surfaces[f"{kind}@{upcoming}"], kind  # their teammate
        assert "志愿者3" not in surfaces[f"{kind}@{past}"], kind  # the old visit's visitor


def test_no_notification_delivery_or_audit_entry_holds_a_marker(app, world):
    """Every message the planning, assignment, waitlist and cancellation queued, rendered
    as the sender renders it (in-app title and body, e-mail, SMS), every stored in-app
    notice and every audit entry: no marker."""
    with app.app_context():
        settings = notify_settings(app)
        begin_write(db.session)  # what the scheduler queues from the changes
        planned = planning.plan_notices(db.session, NOW, settings)
        planned += planning.plan_reminders(db.session, NOW + timedelta(days=4), settings)
        db.session.commit()
        assert planned
        deliveries = db.session.scalars(select(Delivery)).all()
        audit = db.session.scalars(select(AuditEntry)).all()
        assert deliveries and audit
        begin_write(db.session)
        _, rows = store.claim(db.session, NOW + timedelta(days=60),
                              sorted({d.channel for d in deliveries}), urgent_only=False,
                              limit=10_000)
        assert rows
        composed = compose(rows, settings)
        db.session.rollback()
        notices = db.session.scalars(select(Notification)).all()
        stored = json.dumps(
            [[n.title, n.body, n.url_path] for n in notices]
            + [[d.kind, d.payload, d.last_error, d.dedup_key] for d in deliveries]
            + [repr(m) for m in composed.values()]
            + [[a.action, a.details] for a in audit], ensure_ascii=False, default=str)
        assert {d.kind for d in deliveries} >= {"cancelled"} or len(deliveries) > 1
        leaked = [m for m in MARKERS if m in stored]
        assert not leaked
