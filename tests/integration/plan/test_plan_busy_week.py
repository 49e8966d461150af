"""A busy week on paper and in a spreadsheet: the PDF of 2,000 activities (the most the
paper lists by name) keeps every title and name, on A4 landscape pages that each carry
the day headers; the .xlsx holds exactly the rows of the CSV. Speed is measured by
``python -m bench --only plan_files``, not here."""
from __future__ import annotations

import csv
import io
import re
from datetime import timedelta

import openpyxl
import pytest
from pypdf import PdfReader

from bench.busy_week import add_busy_week, title_of
from coordinator.extensions import db
from coordinator.models import Community
from tests.support.plan import ZONE, login_as

BUSY = 2000


def _busy_community(app, world, count: int) -> tuple[int, list[str]]:
    monday = world["first_day"] - timedelta(days=world["first_day"].weekday())
    with app.app_context():
        community = Community(name="三连社区", code="c3")
        db.session.add(community)
        db.session.flush()
        names = add_busy_week(db.session, community.id, monday, ZONE, count)
        db.session.commit()
        return community.id, names


def _squeezed(reader: PdfReader) -> list[str]:
    """Each page's text without white space (a name may wrap inside its cell)."""
    return ["".join(page.extract_text().split()) for page in reader.pages]


@pytest.mark.slow
def test_a_week_of_2000_activities_prints_every_title_and_name(app, client, world, backend):
    if backend != "sqlite":  # the layout is the same on both; the queries are tested apart
        pytest.skip("the printing of a 2,000-activity week is checked once, on SQLite")
    community, names = _busy_community(app, world, BUSY)
    login_as(client, "leader")
    response = client.get(f"/plan/print.pdf?date={world['first_day']}&community={community}")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    reader = PdfReader(io.BytesIO(response.data))
    pages = _squeezed(reader)
    text = "".join(pages)
    # Listed by name, not collapsed to counts: every activity and both of its people.
    missing = [title_of(i) for i in range(BUSY) if title_of(i) not in text]
    assert not missing, missing[:5]
    assert all(name in text for name in names)
    assert "三连社区" in pages[0] and f"{BUSY}项活动" in pages[0]
    assert text.count("已安排2/3") == BUSY  # each activity's places, with its gap
    # About 30 activities a page: more pages would be a layout gone wrong (a cell per
    # page), far fewer would mean activities were dropped.
    assert BUSY / 60 <= len(reader.pages) <= BUSY / 15, len(reader.pages)
    for number, page in enumerate(reader.pages):
        box = page.mediabox
        assert (round(float(box.width)), round(float(box.height))) == (842, 595)
        # The day headers repeat on every page, so a page on the notice board reads alone.
        assert re.search(r"\d+月\d+日周一.*\d+月\d+日周日", pages[number]), number


def test_the_xlsx_holds_the_same_rows_as_the_csv(app, client, world):
    """Read back, the spreadsheet has the CSV's header and rows, cell for cell (numbers
    as numbers, empty cells empty)."""
    _busy_community(app, world, 30)
    login_as(client, "leader")
    query = f"date={world['first_day']}"
    body = client.get(f"/plan/week.csv?{query}").data.decode("utf-8-sig")
    expected = list(csv.reader(io.StringIO(body)))
    book = openpyxl.load_workbook(io.BytesIO(client.get(f"/plan/week.xlsx?{query}").data))
    got = [["" if v is None else str(v) for v in row]
           for row in book.active.iter_rows(values_only=True)]
    assert len(expected) > 31  # a header, the busy community's 30 rows, the world's
    assert got == expected
    assert book.active.freeze_panes == "A2"
