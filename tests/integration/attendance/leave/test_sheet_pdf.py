"""The sign-in sheet (签到表) read back: per occurrence and per community day, the names
expected, the six-digit code, never a phone; who may print it; bad day input."""
from __future__ import annotations

import io
import re
from datetime import time

import pypdf

from coordinator.extensions import db
from coordinator.models import CheckinCode
from tests.support.leave_pages import ACTORS, actor_client, occurrence_of
from tests.support.scheduling import roles_of
from tests.support.shift_pages import local_date, series, sign

PHONE = re.compile(r"1[3-9]\d{9}")


def _text(body: bytes) -> list[str]:
    return [page.extract_text() for page in pypdf.PdfReader(io.BytesIO(body)).pages]


def test_sheet_of_one_occurrence(app, world):
    with app.app_context():
        talk = series(world, title="MK签到讲座", needed=3, maximum=3, start_day=1,
                      team=world["team"])
        role = roles_of(talk)[0]
        for i in (0, 1, 7):  # 7 is the team's lead
            sign(world["accounts"][i], role)
        occurrence_id = occurrence_of(role)
    path = f"/attendance/{occurrence_id}/sheet.pdf"
    expected = {"anonymous": 302, "volunteer": 403, "on_shift": 403, "coordinator": 200,
                "other_coordinator": 403, "leader": 403, "admin": 200}
    for actor in ACTORS:
        if expected[actor] == 200:
            continue  # printed below (a PDF costs a second)
        assert actor_client(app, actor).get(path).status_code == expected[actor], actor
    response = actor_client(app, "on_shift", 7).get(path)  # the lead prints it
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    with app.app_context():
        code = db.session.scalar(db.select(CheckinCode.code).where(
            CheckinCode.occurrence_id == occurrence_id))
    (page,) = _text(response.data)
    for text in ("签到表", "MK签到讲座", "队员0", "队员1", "队员7", "签名", "到达时间", code):
        assert text in page, text
    assert "队员2" not in page and not PHONE.search(page)
    assert actor_client(app, "coordinator").get(path).status_code == 200


def test_sheet_of_a_community_day(app, world):
    with app.app_context():
        for title, hour in (("MK上午讲座", 9), ("MK下午讲座", 15)):
            sign(world["accounts"][3], roles_of(series(world, title=title, start_day=1,
                                                       at=time(hour, 0)))[0])
    day = local_date(1).isoformat()
    path = f"/attendance/sheet.pdf?community={world['community']}&day={day}"
    response = actor_client(app, "coordinator").get(path)
    assert response.status_code == 200
    pages = _text(response.data)
    assert len(pages) == 2
    assert "MK上午讲座" in pages[0] and "MK下午讲座" in pages[1]
    assert all("队员3" in p and not PHONE.search(p) for p in pages)
    for actor, status in (("anonymous", 302), ("on_shift", 403), ("leader", 403),
                          ("other_coordinator", 403)):
        assert actor_client(app, actor).get(path).status_code == status, actor
    client = actor_client(app, "coordinator")
    for bad in (f"community={world['community']}&day=2026-13-40",
                f"community=x&day={day}", f"community={world['community']}&day=2001-01-01"):
        response = client.get(f"/attendance/sheet.pdf?{bad}")
        assert response.status_code == 400, bad
        assert "<html" in response.get_data(as_text=True)
