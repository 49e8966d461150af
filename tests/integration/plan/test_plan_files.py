"""The weekly plan on paper and in files: the server PDF (read back with pypdf), CSV and
Excel (read back with the csv module and openpyxl)."""
from __future__ import annotations

import csv
import io
from datetime import timedelta

import openpyxl
import pytest
from pypdf import PdfReader
from sqlalchemy import func, select

from coordinator.extensions import db
from coordinator.models import Occurrence, OccurrenceRole
from tests.support.plan import login_as, set_locale


def monday(day):
    return day - timedelta(days=day.weekday())


def roles_in_week(app, first_day) -> int:
    """Independent count: slots of occurrences starting in that local week."""
    from datetime import datetime, time, timezone
    lo = datetime.combine(monday(first_day), time(0), timezone.utc) - timedelta(hours=8)
    with app.app_context():
        return db.session.scalar(
            select(func.count()).select_from(OccurrenceRole)
            .join(Occurrence, OccurrenceRole.occurrence_id == Occurrence.id)
            .where(Occurrence.start_at >= lo, Occurrence.start_at < lo + timedelta(days=7)))


def test_csv_has_one_row_per_occurrence_and_role_with_names(app, client, world):
    set_locale(app, world["leader"], "en")
    login_as(client, "leader")
    response = client.get(f"/plan/week.csv?date={world['first_day']}")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"  # charset once
    assert "attachment" in response.headers["Content-Disposition"]
    assert response.data.startswith(b"\xef\xbb\xbf")  # BOM: spreadsheets read the Chinese
    table = list(csv.DictReader(io.StringIO(response.data.decode("utf-8-sig"))))
    assert len(table) == roles_in_week(app, world["first_day"])
    first = next(r for r in table if r["Names"] and r["Title"] == "晚间巡逻")
    assert set(first["Names"].split("、")) == {world["names"][0], world["names"][1]}
    assert (first["Needed"], first["Filled"], first["Missing"]) == ("3", "2", "1")
    assert first["Venue"] == "活动室一" and first["Community"] == "一连社区"
    assert first["Kind"] == "Patrol" and first["Start"] == "19:30"
    cancelled = [r for r in table if r["Status"] == "Cancelled"]
    with app.app_context():
        rained_off = db.session.get(Occurrence, world["occ"][2]).start_at + timedelta(hours=8)
    in_week = monday(rained_off.date()) == monday(world["first_day"])
    assert len(cancelled) == (1 if in_week else 0)  # one slot of the patrol rained off
    assert all(r["Reason"] == "暴雨预警" and r["Missing"] == "0" for r in cancelled)
    # The care visit stays private for a leader: no title, no visitor.
    care = [r for r in table if r["Kind"] == "Care visit"]
    assert care and all(r["Title"] == "Care visit" and not r["Names"] for r in care)


def test_csv_headers_follow_the_language(app, client, world):
    login_as(client, "leader")
    body = client.get(f"/plan/week.csv?date={world['first_day']}").data.decode("utf-8-sig")
    header = next(csv.reader(io.StringIO(body)))
    assert header[0] == "日期" and "姓名" in header[-1]


def test_xlsx_reads_back_with_the_same_rows(app, client, world):
    login_as(client, "coord")
    response = client.get(f"/plan/week.xlsx?date={world['first_day']}&community="
                          f"{world['community']}")
    assert response.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(response.data))
    sheet = book.active
    rows = list(sheet.iter_rows(values_only=True))
    header, body = rows[0], rows[1:]
    assert header[0] == "日期"
    names = header.index(header[-1])
    titles = header.index(header[8])
    care = [r for r in body if r[titles] == "探望独居老人"]
    assert care and world["names"][5] in (care[0][names] or "")  # the coordinator sees it
    assert all(r[4] == "一连社区" for r in body)
    assert any(r[names] and world["names"][0] in r[names] for r in body)


@pytest.mark.parametrize("path", ["week.xlsx", "week.csv", "print.pdf"])
def test_export_with_a_bad_filter_is_a_page_not_a_file(app, client, world, path):
    login_as(client, "leader")
    response = client.get(f"/plan/{path}?date=2026-02-30")
    assert response.status_code == 400 and response.mimetype == "text/html"
    assert "2026-02-30" in response.get_data(as_text=True)


FORMULAS = ["=HYPERLINK(\"http://evil.example/\",\"点这里\")", "+1+1", "-2+3", "@SUM(A1)"]


def test_typed_text_that_looks_like_a_formula_stays_text(app, client, world):
    """Titles, names and reasons are typed by users: a spreadsheet must not run them."""
    from coordinator.models import Person, Series
    with app.app_context():
        db.session.get(Series, world["patrol"]).title = FORMULAS[0]
        db.session.get(Person, world["people"][0]).full_name = FORMULAS[1]
        db.session.get(Occurrence, world["occ"][2]).reason = FORMULAS[2]
        db.session.get(Person, world["people"][1]).full_name = FORMULAS[3]
        db.session.commit()
    login_as(client, "coord")
    query = f"date={world['first_day']}&community={world['community']}"
    book = openpyxl.load_workbook(io.BytesIO(client.get(f"/plan/week.xlsx?{query}").data))
    cells = [c for row in book.active.iter_rows() for c in row if isinstance(c.value, str)]
    assert not [c.coordinate for c in cells if c.data_type == "f"]
    assert any(c.value == FORMULAS[0] for c in cells)  # the text itself is kept whole
    body = client.get(f"/plan/week.csv?{query}").data.decode("utf-8-sig")
    values = [v for row in csv.reader(io.StringIO(body)) for v in row]
    assert not [v for v in values if v[:1] in ("=", "+", "-", "@")]
    assert f"'{FORMULAS[0]}" in values


def test_pdf_is_an_a4_landscape_roster_with_chinese_text(app, client, world):
    login_as(client, "leader")
    response = client.get(f"/plan/print.pdf?date={world['first_day']}")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    reader = PdfReader(io.BytesIO(response.data))
    box = reader.pages[0].mediabox
    assert float(box.width) == pytest.approx(842, abs=2)  # A4 landscape, in points
    assert float(box.height) == pytest.approx(595, abs=2)
    text = "\n".join(page.extract_text() for page in reader.pages)
    assert "晚间巡逻" in text and world["names"][0] in text and "2/3" in text
    assert "二连社区" in text  # the other community, on its own page
    # No navigation on paper.
    assert "退出" not in text and "计划工作" not in text
    # Each community starts a new page.
    pages_with = [i for i, p in enumerate(reader.pages) if "一连社区" in p.extract_text()]
    pages_other = [i for i, p in enumerate(reader.pages) if "二连社区" in p.extract_text()]
    assert pages_with and pages_other and min(pages_other) > min(pages_with)
    # A CJK font is embedded (the glyphs are in the file, not left to the reader).
    fonts = set()
    for page in reader.pages:
        for font in (page["/Resources"].get("/Font") or {}).values():
            fonts.add(str(font.get_object().get("/BaseFont")))
    assert any("CJK" in f or "SC" in f for f in fonts), fonts


def test_pdf_lists_names_even_when_the_screen_shows_counts(app, client, world):
    """The screen collapses a big week; the paper for the notice board still has names."""
    app.config.update(PLAN_DETAIL_LIMIT=1)
    login_as(client, "leader")
    query = f"date={world['first_day']}&community={world['community']}"
    assert "太多无法逐条列出" in client.get(f"/plan?{query}").get_data(as_text=True)
    reader = PdfReader(io.BytesIO(client.get(f"/plan/print.pdf?{query}").data))
    text = "\n".join(page.extract_text() for page in reader.pages)
    assert "晚间巡逻" in text and world["names"][0] in text
    # Beyond the print limit too, the paper says what it leaves out.
    app.config.update(PLAN_PRINT_DETAIL_LIMIT=1, PLAN_PRINT_GROUPS=1)
    reader = PdfReader(io.BytesIO(client.get(f"/plan/print.pdf?date={world['first_day']}"
                                             ).data))
    text = "".join("".join(page.extract_text().split()) for page in reader.pages)
    assert world["names"][0] not in text and "第1–1行，共2行" in text
