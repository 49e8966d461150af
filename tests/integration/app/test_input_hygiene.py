"""Input hygiene (issue 11, items 7 and 8): NUL and control characters, Unicode digits,
dates out of range, and files and feeds written from whatever the database holds."""
from __future__ import annotations

import csv
import io
from datetime import date, timedelta

import openpyxl
import pytest
from pypdf import PdfReader

from coordinator.extensions import db
from coordinator.models import Account, AuditEntry, Occurrence, Person, Series
from tests.support.database import TEST_PASSWORD
from tests.support.feeds import get, parse, subscribe
from tests.support.plan import login_as, plan_world
from tests.support.web import csrf_token, login, post


@pytest.fixture
def world(app):
    return plan_world(app)


def _count(app, model):
    with app.app_context():
        return db.session.scalar(db.select(db.func.count()).select_from(model))


# --- 7: NUL and control characters in forms ---------------------------------------------

@pytest.mark.parametrize("identifier", ["coord\x00", "\x00", "co\x0bord"])
def test_login_with_a_control_character_is_refused_in_chinese(app, client, world, identifier):
    before = _count(app, AuditEntry)
    token = csrf_token(client, "/login")
    response = client.post("/login", data={"identifier": identifier, "password": TEST_PASSWORD,
                                           "csrf_token": token})
    assert response.status_code in (200, 400)  # the form again, with the field's error
    assert "不能包含控制字符" in response.get_data(as_text=True)
    assert _count(app, AuditEntry) == before


def test_full_width_username_logs_in_and_text_is_trimmed(app, client, world):
    assert login(client, "ｃｏｏｒｄ").status_code == 302  # NFKC: full-width letters


def test_nul_in_a_person_form_is_refused_and_full_width_digits_are_digits(app, client, org):
    login(client, "coord1")
    data = {"full_name": "赵\x00大爷", "community_id": org["c1"].id, "status": "active"}
    before = _count(app, Person)
    response = post(client, "/people/new", data)
    assert response.status_code == 400 and 'id="full_name-err"' in response.get_data(True)
    assert _count(app, Person) == before
    data.update(full_name="  赵大爷  ", phone="１３９００００３３３３", notes="第一行\n\t第二行")
    assert post(client, "/people/new", data).status_code == 302
    with app.app_context():
        person = db.session.scalar(db.select(Person).where(Person.full_name == "赵大爷"))
        assert person.phone == "13900003333" and person.notes == "第一行\n\t第二行"


# --- 7: Unicode digits in query strings and small forms ---------------------------------

@pytest.mark.parametrize("path", ["/plan?community=²", "/plan?team=²", "/plan?page=²",
                                  "/plan/week.csv?venue=²", "/plan/week.xlsx?community=¹²",
                                  "/series?page=²"])
def test_unicode_digits_in_plan_filters_are_a_message_not_a_500(app, client, world, path):
    login_as(client, "leader")
    response = client.get(path)
    assert response.status_code in (200, 400), response.status_code


def test_unicode_digit_in_the_calendar_alarm_form_is_refused(app, client, world):
    login_as(client, "coord")
    response = post(client, "/calendar/alarm", {"minutes": "²"}, token_from="/calendar",
                    follow_redirects=True)
    assert response.status_code == 200
    assert "这个选项不可用" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Account, world["coordinator"]).feed_alarm_minutes is None


def test_unicode_digit_in_a_private_feed_filter_is_a_400(app, client, world):
    with app.app_context():
        token = subscribe(world["coordinator"], "community", world["community"])
    # NFKC reads "²" as 2 (a community that exists here); "³" and a huge number are no team
    for query in ("community=²", "team=³", "community=99999999999", "community=٣"):
        assert client.get(f"/feeds/{token}.ics?{query}").status_code in (200, 400)


# --- 8: dates out of range --------------------------------------------------------------

def _series_form(w, **over):
    start = date.today() + timedelta(days=2)
    data = {"kind": "talk", "title": "防诈骗讲座", "community_id": w["community"],
            "participation": "slots", "team_id": 0, "venue_id": 0,
            "start_date": start.isoformat(), "start_time": "09:00", "duration_minutes": 60,
            "frequency": "once", "interval": 1, "withdraw_cutoff_hours": 12,
            "roles-0-name": "讲师", "roles-0-needed": 1, "roles-0-maximum": 1,
            "roles-0-required_team_id": 0, "roles-1-required_team_id": 0,
            "roles-2-required_team_id": 0}
    data.update(over)
    return data


@pytest.mark.parametrize("field,value", [("start_date", "9999-12-30"), ("start_date", "0001-01-01"),
                                         ("until", "9999-12-31")])
def test_a_series_far_from_today_is_refused_with_a_message(app, client, world, field, value):
    login_as(client, "coord")
    before = _count(app, Series)
    over = {field: value}
    if field == "until":
        over["frequency"] = "daily"
    response = post(client, "/series/new?kind=patrol", _series_form(world, **over))
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert f'id="{field}-err"' in html and "日期须在" in html
    assert _count(app, Series) == before
    with app.app_context():  # and every occurrence page still opens
        ids = list(db.session.scalars(db.select(Occurrence.id)))
    for occurrence_id in ids:
        assert client.get(f"/occurrences/{occurrence_id}").status_code in (200, 404)


def test_an_occurrence_cannot_move_to_year_9999(app, client, world):
    login_as(client, "coord")
    occ = world["occ"][0]
    with app.app_context():
        before = db.session.get(Occurrence, occ).start_at
    response = post(client, f"/occurrences/{occ}/move",
                    {"start_date": "9999-12-31", "start_time": "20:00",
                     "duration_minutes": 90, "venue_id": 0}, token_from=f"/occurrences/{occ}")
    assert response.status_code == 400 and "日期须在" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Occurrence, occ).start_at == before
    assert client.get(f"/occurrences/{occ}").status_code == 200


# --- 7: writers safe against what the database already holds -----------------------------

BAD_TITLE = "晚间\x0b巡逻\x00一\x1f队"


def _poison(app, w):
    """Write a title with NUL / vertical tab / unit separator straight into the database
    (SQLite stores NUL; PostgreSQL refuses it, so there the NUL is left out)."""
    with app.app_context():
        title = BAD_TITLE if db.engine.dialect.name == "sqlite" else BAD_TITLE.replace("\x00", "")
        db.session.get(Series, w["patrol"]).title = title
        db.session.get(Person, w["people"][0]).full_name = "队员\x0b0"
        db.session.commit()


def test_csv_xlsx_and_pdf_answer_with_control_characters_in_the_database(app, client, world):
    _poison(app, world)
    login_as(client, "leader")
    day = world["first_day"]
    xlsx = client.get(f"/plan/week.xlsx?date={day}")
    assert xlsx.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx.data)).active
    titles = {row[8] for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert "晚间巡逻一队" in titles
    names = " ".join(str(row[15]) for row in sheet.iter_rows(min_row=2, values_only=True))
    assert "队员0" in names
    body = client.get(f"/plan/week.csv?date={day}")
    assert body.status_code == 200
    table = list(csv.reader(io.StringIO(body.data.decode("utf-8-sig"))))
    assert any(row[8] == "晚间巡逻一队" for row in table[1:])
    assert not any(ch in body.data.decode("utf-8-sig") for ch in "\x00\x0b\x1f")
    pdf = client.get(f"/plan/print.pdf?date={day}")
    assert pdf.status_code == 200
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.data)).pages)
    assert "晚间巡逻一队" in text.replace(" ", "").replace("\n", "")


def test_feed_answers_with_control_characters_in_the_database(app, client, world):
    _poison(app, world)
    with app.app_context():
        token = subscribe(world["accounts"][0])
    body = get(client, token)
    assert not any(ch.encode() in body for ch in "\x00\x0b\x1f")
    summaries = [str(e.get("SUMMARY")) for e in parse(body).walk("VEVENT")]
    assert any("晚间巡逻一队" in s for s in summaries), summaries


@pytest.mark.parametrize("target", ["/\r", "/shifts\nSet-Cookie: x=1", "/\x00"])
def test_a_next_address_with_a_control_character_goes_home(app, client, world, target):
    response = post(client, "/preferences", {"locale": "en", "next": target}, token_from="/login")
    assert response.status_code == 302 and response.headers["Location"] == "/"
