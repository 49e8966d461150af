"""A rehearsal's head-count, the same everywhere it is read: a choir of ten, three said
yes, two asked for leave, five did not answer, so 8 are expected (3 confirmed, 2 declined).
The plan page, its PDF, the CSV and Excel files, the week's figures, the occurrence page,
the members' list of team events and the members' own calendar feeds all agree."""
from __future__ import annotations

import csv
import io

import openpyxl
import pytest
from pypdf import PdfReader

from coordinator.extensions import db
from coordinator.models import Account
from coordinator.services import plan as wp
from coordinator.services.people.accounts import hash_password
from coordinator.services.shifts.turnout import Turnout
from tests.support.feeds import get, subscribe, uid, vevents
from tests.support.plan import TEST_PASSWORD, ZONE, entries, login_as, set_locale, text_of
from tests.support.turnout import (
    ANSWERS,
    CONFIRMED,
    DECLINED,
    EN_LINE,
    EXPECTED,
    ZH_LINE,
    add_choir,
)


@pytest.fixture
def choir(app, world):
    with app.app_context():
        c = add_choir(world["community"], world["coordinator"], world["first_day"])
        # The member who did not answer logs in by phone (for the members' list).
        db.session.get(Account, c["accounts"][5]).password_hash = hash_password(TEST_PASSWORD)
        db.session.commit()
    return c


def _flat(text: str) -> str:
    return "".join(text.split())


def test_plan_page_pdf_csv_and_xlsx_show_the_same_head_count(app, client, world, choir):
    login_as(client, "leader")
    html = client.get(f"/plan?date={world['first_day']}").get_data(as_text=True)
    rehearsal = entries(html)[choir["occ"][0]]
    assert "合唱排练" in rehearsal and ZH_LINE in rehearsal
    assert "人参加" not in html  # the old count of yes answers only ("3 人参加")
    # The week's figures say the same (the only team event of the week).
    figures = text_of(html.split('class="figures"', 1)[1].split("</dl>", 1)[0])
    assert (f"队伍活动预计人数 {EXPECTED} 已确认 {CONFIRMED} 人，{DECLINED} 人请假"
            in figures)
    # On paper, and in the files (read in English: the column names).
    reader = PdfReader(io.BytesIO(client.get(f"/plan/print.pdf?date={world['first_day']}").data))
    pdf = _flat("".join(page.extract_text() for page in reader.pages))
    assert "合唱排练" in pdf and _flat(ZH_LINE) in pdf
    set_locale(app, world["leader"], "en")
    table = list(csv.DictReader(io.StringIO(
        client.get(f"/plan/week.csv?date={world['first_day']}").data.decode("utf-8-sig"))))
    rows = [r for r in table if r["Title"] == "合唱排练"]
    assert len(rows) == 1
    assert (rows[0]["Role"], rows[0]["Needed"], rows[0]["Filled"], rows[0]["Missing"]) == (
        EN_LINE, str(EXPECTED), str(CONFIRMED), "")
    book = openpyxl.load_workbook(io.BytesIO(
        client.get(f"/plan/week.xlsx?date={world['first_day']}").data), read_only=True)
    sheet = list(book.active.iter_rows(values_only=True))
    header = list(sheet[0])
    row = next(r for r in sheet[1:] if r[header.index("Title")] == "合唱排练")
    assert (row[header.index("Role")], row[header.index("Needed")],
            row[header.index("Filled")]) == (EN_LINE, EXPECTED, CONFIRMED)


def test_figures_and_feeds_count_the_expected_members(app, client, world, choir):
    from sqlalchemy import select

    from coordinator.models import Assignment, Occurrence, OccurrenceRole, TeamMember
    from tests.support.plan import local_date
    from tests.support.scheduling import NOW

    monday = wp.monday_of(world["first_day"])
    with app.app_context():
        figures = wp.week_figures(db.session, None, monday, ZONE)
        assert figures.team == Turnout(len(ANSWERS), CONFIRMED, DECLINED)
        assert figures.team.expected == EXPECTED
        # Independently: people on a shift this week, and the choir minus those on leave.
        week = [o for o in db.session.scalars(select(Occurrence))
                if wp.monday_of(local_date(o.start_at)) == monday and o.status == "scheduled"]
        on_shift = set(db.session.scalars(
            select(Assignment.person_id).join(OccurrenceRole)
            .where(OccurrenceRole.occurrence_id.in_([o.id for o in week]),
                   Assignment.status == "confirmed")))
        members = list(db.session.scalars(select(TeamMember.person_id).where(
            TeamMember.team_id == choir["team"]).order_by(TeamMember.id)))
        expected = {p for p, answer in zip(members, ANSWERS) if answer is not False}
        assert figures.volunteers == len(on_shift | expected)
        assert NOW < choir["first_at"]
        tokens = [subscribe(a) for a in choir["accounts"]]
    # Who the plan counts as expected is who sees the rehearsal as coming in their own
    # calendar: the ones who asked for leave see it cancelled, everyone else confirmed.
    statuses = [str(vevents(get(client, token))[uid(choir["occ"][0])]["STATUS"])
                for token in tokens]
    assert statuses.count("CONFIRMED") == EXPECTED
    assert statuses.count("CANCELLED") == DECLINED
    assert [s == "CANCELLED" for s in statuses] == [a is False for a in ANSWERS]


def test_occurrence_page_and_members_list_show_the_head_count(app, client, world, choir):
    login_as(client, "coord")
    page = text_of(client.get(f"/occurrences/{choir['occ'][0]}").get_data(as_text=True))
    assert ZH_LINE in page
    member = app.test_client()
    with app.app_context():
        from coordinator.models import Person
        phone = db.session.get(Person, db.session.get(Account, choir["accounts"][5]).person_id
                               ).phone
    login_as(member, phone)
    listed = text_of(member.get("/shifts/open").get_data(as_text=True))
    assert ZH_LINE in listed
