"""The participation report (issue 14): the figures of a small world written through the
roll's one write path, the drifted-away list (away members left out, the longest first,
a call recorded and shown), every actor on every route with unique markers (phones only
for the community's coordinators and admins), the PDF read back, the charts as SVG with
their numbers as text."""
from __future__ import annotations

import io
import re

import pytest
from pypdf import PdfReader

from coordinator.extensions import db
from coordinator.models import Account, AuditEntry, MemberContact
from coordinator.services.reports import participation
from tests.support.participation import (
    ACTIVE,
    AWAY,
    DRIFT_10W,
    DRIFT_20W,
    IMPORTED,
    NEVER,
    NEWCOMER,
    OLD_NOTE,
    OTHER,
    PHONES,
    SETTINGS,
)
from tests.support.plan import text_of
from tests.support.scheduling import NOW
from tests.support.web import login, post

ACTORS = ("anonymous", "volunteer", "concerned", "coord1", "coord2", "leader", "admin")
READERS_C1 = {"coord1", "leader", "admin"}  # may open community 1's report
PHONE_READERS = {"coord1", "admin"}  # see its phones (never a leader)


def _actor(app, world, key):
    return db.session.get(Account, world.accounts[key][0])


@pytest.fixture(scope="module")
def reports(report_world):
    app, world = report_world
    with app.app_context():
        coord = _actor(app, world, "coord1")
        community = participation.community_report(db.session, coord, world.c1, NOW,
                                                   SETTINGS)
        summary = participation.summary(db.session, _actor(app, world, "leader"), NOW,
                                        SETTINGS)
    return community, summary


def _client(app, world, key):
    client = app.test_client()
    if key != "anonymous":
        assert login(client, world.accounts[key][1]).status_code == 302
    return client


@pytest.fixture(scope="module")
def clients(report_world):
    app, world = report_world
    return {key: _client(app, world, key) for key in ACTORS}


def test_member_figures(reports):
    community, _ = reports
    members = {m.name: m for m in community.members}
    active = members[ACTIVE].figures
    assert active.services == (1, 2, 3)
    assert active.hours == (2.0, 3.5, 5.5)  # 120, +90 (late by 30), +120 minutes
    assert (active.expected_part, active.expected, active.leave) == (5, 6, 1)
    assert round(active.rate, 3) == round(5 / 6, 3)
    assert active.last_part is not None and (NOW - active.last_part).days == 5
    # The study days of the last 12 months, oldest first: leave, then two attended.
    assert members[ACTIVE].study[-4:] == ("excused", "attended", "attended", None)
    assert members[ACTIVE].study_attended == 2
    assert members[NEVER].figures.rate is None and members[NEVER].figures.last_part is None
    assert members[DRIFT_20W].figures.services == (0, 0, 1)
    assert OTHER not in members  # the walk-in from the other community


def test_team_and_community_figures(reports):
    community, _ = reports
    (team,) = community.teams
    assert team.name == "巡逻队" and team.members == 2
    assert team.figures.services == (1, 2, 4) and team.figures.hours == (2.0, 3.5, 7.5)
    assert (team.figures.expected_part, team.figures.expected) == (6, 8)
    total = community.total.figures
    # The community's activities: the walk-in counts as a service, not in the rate.
    assert total.services == (2, 5, 8) and total.hours == (4.0, 9.5, 15.5)
    assert (total.expected_part, total.expected, total.leave) == (9, 12, 1)
    assert (community.total.study_attended, community.total.study_recorded) == (2, 3)
    assert sum(m.minutes for m in community.months) == 930
    assert len(community.months) == 12


def test_summary_has_every_community(reports):
    _, summary = reports
    rows = {r.name: r for r in summary.rows}
    assert set(rows) == {"一连社区", "二连社区"}
    one, two = rows["一连社区"], rows["二连社区"]
    assert (one.members, one.active, one.drifted) == (8, 7, 4)
    assert one.total.figures.services == (2, 5, 8)
    assert two.total.figures.hours == (1.0, 1.0, 1.0) and two.drifted == 0
    assert summary.total.figures.services == (3, 6, 9)


def test_drifted_away_longest_first(reports):
    community, _ = reports
    drifted = [d.name for d in community.drifted]
    # Never seen in a year, then 20 weeks, 12 (put on the roster last week with its
    # history), 10; the away member, the newcomer and the active member are not on it.
    assert drifted == [NEVER, DRIFT_20W, IMPORTED, DRIFT_10W]
    assert [d.weeks for d in community.drifted] == [52, 20, 12, 10]
    assert AWAY not in drifted and NEWCOMER not in drifted and ACTIVE not in drifted
    last = community.drifted[3].last_contact
    assert last is not None and last.note == OLD_NOTE and last.by == "张书记"


@pytest.mark.parametrize("key", ACTORS)
def test_every_actor_on_every_route(report_world, clients, key):
    app, world = report_world
    client = clients[key]
    pages = {"summary": "/reports/participation",
             "report": f"/reports/participation/{world.c1}",
             "pdf": f"/reports/participation/{world.c1}/report.pdf"}
    for name, path in pages.items():
        response = client.get(path)
        if key == "anonymous":
            assert response.status_code == 302 and "/login" in response.location, path
            continue
        if key in ("volunteer", "concerned"):
            assert response.status_code == 403, path
            continue
        if name != "summary" and key not in READERS_C1:
            assert response.status_code == 403, (key, path)
            continue
        assert response.status_code == 200, (key, path)
        if name == "pdf":
            body = "".join(p.extract_text() for p in PdfReader(io.BytesIO(response.data)).pages)
        else:
            body = response.get_data(as_text=True)
        if name == "summary":
            assert ("二连社区" in body) == (key != "coord1"), key
            assert ("一连社区" in body) == (key != "coord2"), key
            assert not any(phone in body for phone in PHONES.values())
            continue
        assert DRIFT_20W in body and NEVER in body
        for name_, phone in PHONES.items():
            if name_ in (NEVER, DRIFT_20W, IMPORTED, DRIFT_10W):
                assert (phone in body) == (key in PHONE_READERS), (key, name_, path)
            else:
                assert phone not in body, (key, name_, path)  # not drifted: no phone
        if name == "report":
            assert ("已电话联系" in body) == (key in PHONE_READERS), key
    # Recording a call: the community's coordinators and admins only.
    path = f"/reports/participation/{world.c1}/contact/{world.people[NEVER]}"
    if key == "anonymous":
        assert client.post(path, data={"note": "x"}).status_code in (302, 400)
    elif key not in PHONE_READERS:
        token_page = "/reports/participation"
        response = post(client, path, {"note": "MK不该记录"}, token_from=token_page) \
            if key != "volunteer" and key != "concerned" else client.post(path)
        assert response.status_code in (400, 403), key
    with app.app_context():
        assert db.session.query(MemberContact).filter_by(note="MK不该记录").count() == 0


def test_recording_a_call(report_world, clients):
    app, world = report_world
    client = clients["coord1"]
    page = f"/reports/participation/{world.c1}"
    path = f"{page}/contact/{world.people[DRIFT_20W]}"
    response = post(client, path, {"note": "MK已联系上下周来"}, token_from=page)
    assert response.status_code == 302 and response.location.endswith(
        f"#drift-{world.people[DRIFT_20W]}")
    html = client.get(page).get_data(as_text=True)
    assert "MK已联系上下周来" in html and "已记录：已电话联系。" in html
    with app.app_context():
        audit = db.session.query(AuditEntry).filter_by(action="member.contact").all()
        assert [a.entity_id for a in audit] == [world.people[DRIFT_20W]]
    # A note too long re-renders the page with the error on that form; nothing saved.
    response = post(client, path, {"note": "长" * 501}, token_from=page)
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert 'aria-invalid="true"' in html and "错误" in html
    with app.app_context():
        assert db.session.query(MemberContact).filter_by(
            person_id=world.people[DRIFT_20W]).count() == 1


def test_charts_are_svg_with_numbers_as_text(report_world, clients):
    app, world = report_world
    html = clients["coord1"].get(f"/reports/participation/{world.c1}").get_data(as_text=True)
    svgs = re.findall(r"<svg .*?</svg>", html, re.S)
    assert len(svgs) == 2
    assert all("<title" in s and "<desc" in s for s in svgs)
    assert "<rect" in svgs[0] and "<polyline" in svgs[1]
    assert "每月志愿服务时长" in svgs[0] and "每月出勤率" in svgs[1]
    tables = re.findall(r'<table class="chart-numbers visually-hidden">.*?</table>', html, re.S)
    assert len(tables) == 2
    hours = text_of(tables[0])
    assert "4.0" in hours and "3.5" in hours  # this month's and October-ish hours
    assert "50" in text_of(tables[1]) and "没有记录" in text_of(tables[1])
    assert "<script" not in html.split('id="main"')[1]
    summary = clients["leader"].get("/reports/participation").get_data(as_text=True)
    assert len(re.findall(r"<svg ", summary)) == 2


def test_pdf_reads_back(report_world, clients):
    app, world = report_world
    response = clients["leader"].get(f"/reports/participation/{world.c1}/report.pdf")
    assert response.mimetype == "application/pdf"
    reader = PdfReader(io.BytesIO(response.data))
    text = "".join(p.extract_text() for p in reader.pages)
    assert "参与情况" in text and "一连社区" in text and "长期未参加" in text
    assert "每月志愿服务时长" in text and "15.5" in text  # the charts' numbers, as text
    assert DRIFT_20W in text and PHONES[DRIFT_20W] not in text  # a leader: no phones
    width, height = (float(v) for v in reader.pages[0].mediabox[2:])
    assert round(width) == 595 and round(height) == 842  # A4
