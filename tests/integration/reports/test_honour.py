"""The roll of honour (/reports/honour, .pdf, .xlsx) as every actor: coordinators their
own community, leaders and admins all, volunteers 403, anonymous to the login; names and
figures only."""
from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from coordinator.extensions import db
from tests.support import honour
from tests.support.database import TEST_PASSWORD
from tests.support.web import login

C1_NAME, C2_NAME = "甲星光", "乙星河"


@pytest.fixture
def world(app):
    with app.app_context():
        w = honour.build()
        honour.serve(w, C1_NAME, 120)
        honour.serve(w, "丙小时", 30)
        honour.serve(w, C2_NAME, 40)
        honour.serve(w, "丙小时", 50, kind="rehearsal")  # not service: not on the roll
        db.session.remove()
    return w


def _as(app, who):
    client = app.test_client()
    if who:
        assert login(client, who, TEST_PASSWORD).status_code == 302
    return client


SEES = {"coord1": {C1_NAME}, "coord2": {C2_NAME}, "leader": {C1_NAME, C2_NAME},
        "admin": {C1_NAME, C2_NAME}}


@pytest.mark.parametrize("who", [None, "vol1", "vol2", "coord1", "coord2", "leader", "admin"])
def test_honour_page_as_every_actor(app, world, who):
    client = _as(app, who)
    page = client.get("/reports/honour")
    if who is None:
        assert page.status_code == 302 and "/login" in page.headers["Location"]
        return
    if who.startswith("vol"):
        assert page.status_code == 403
        assert client.get("/reports/honour.pdf").status_code == 403
        assert client.get("/reports/honour.xlsx").status_code == 403
        return
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    for name in (C1_NAME, C2_NAME):
        assert (name in html) == (name in SEES[who])
    for phone in honour.PHONES.values():
        assert phone not in html
    assert "住址" not in html
    if C1_NAME in SEES[who]:
        # most hours first, with the star level
        assert html.index(C1_NAME) < html.index("丙小时")
        assert "120.0" in html and "★" in html
        assert "80.0" not in html  # the rehearsal hours are not service hours


def test_honour_pdf_and_xlsx_read_back(app, world):
    coord = _as(app, "coord1")
    pdf = coord.get("/reports/honour.pdf")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.data)).pages)
    assert C1_NAME in text and "120.0" in text and C2_NAME not in text
    assert "13811110001" not in text
    book = coord.get("/reports/honour.xlsx")
    assert book.status_code == 200
    rows = list(load_workbook(io.BytesIO(book.data)).active.iter_rows(values_only=True))
    data = [r for r in rows[2:] if r[2]]
    assert [r[2] for r in data] == [C1_NAME, "丙小时"]
    assert data[0][3] == 120.0 and data[0][5] == 1 and data[1][5] == 0
    leader = _as(app, "leader")
    rows = list(load_workbook(io.BytesIO(leader.get("/reports/honour.xlsx").data))
                .active.iter_rows(values_only=True))
    assert {r[2] for r in rows[2:]} == {C1_NAME, "丙小时", C2_NAME}


def test_bad_year_is_a_clear_message(app, world):
    client = _as(app, "leader")
    for bad in ("abc", "1990", "3000"):
        page = client.get(f"/reports/honour?year={bad}")
        assert page.status_code == 400
        assert "Traceback" not in page.get_data(as_text=True)
    last = honour.year_start().year - 1
    page = client.get(f"/reports/honour?year={last}")
    assert page.status_code == 200 and C1_NAME not in page.get_data(as_text=True)
