"""Every records route as every reader, with unique markers: the volunteer sees only their
own record; the community's coordinators and admins a member's record and the export;
leaders names and figures (never phones or addresses) and no export; the verification
page, without login, only the masked name and the figures."""
from __future__ import annotations

import pytest

from coordinator.database import begin_write
from coordinator.domain.attendance import mask_name
from coordinator.extensions import db
from coordinator.models import Account, Certificate
from coordinator.services.attendance import certificates
from tests.support.records import ADDRESS, NAME, PHONE, READERS, SETTINGS, login_as
from tests.support.scheduling import NOW

# reader -> expected status of (my record, the person's record, the export, the list)
EXPECTED = {
    "anonymous": (302, 302, 302, 302),
    "volunteer": (200, 403, 403, 403),
    "person": (200, 302, 403, 403),
    "coordinator": (200, 200, 200, 200),
    "other_coordinator": (403, 403, 403, 200),
    "leader": (403, 200, 403, 403),
    "admin": (403, 200, 200, 200),
}


@pytest.fixture(scope="module")
def cert(world_app):
    app, w = world_app
    with app.app_context():
        begin_write(db.session)
        c = certificates.issue(db.session, db.session.get(Account, w["accounts"]["person"]),
                               w["me"], NOW.date().replace(month=1, day=1),
                               certificates.local_today(NOW, SETTINGS.zone), NOW, SETTINGS)
        db.session.commit()
        return {"id": c.id, "token": c.token, "number": c.number}


@pytest.mark.parametrize("reader", READERS)
def test_record_routes(world_app, cert, reader):
    app, w = world_app
    client = login_as(app.test_client(), reader)
    me, person, export, listing = EXPECTED[reader]
    got = client.get("/me/record")
    assert got.status_code == me
    got = client.get(f"/people/{w['me']}/record")
    assert got.status_code == person
    if person == 200:
        html = got.get_data(as_text=True)
        assert NAME in html and "9.5" in html
        assert PHONE not in html and ADDRESS not in html
        assert (f"/records/{w['me']}/certificate" in html) == (reader != "leader")
    got = client.get(f"/records/export?community={w['c1']}&period_start=2000-01-01"
                     f"&period_end={NOW.date().replace(day=1)}&format=csv")
    assert got.status_code == export
    if export == 200:
        assert PHONE in got.get_data(as_text=True)
    got = client.get("/certificates")
    assert got.status_code == listing
    if listing == 200:
        assert (cert["number"] in got.get_data(as_text=True)) == (reader != "other_coordinator")
    pdf = client.get(f"/certificates/{cert['id']}.pdf")
    assert pdf.status_code == {"anonymous": 302, "person": 200, "coordinator": 200,
                               "admin": 200}.get(reader, 403)
    issue = client.post(f"/records/{w['me']}/certificate", data={"period": "year"})
    assert issue.status_code != 500
    if reader in ("volunteer", "leader", "other_coordinator"):
        assert issue.status_code in (400, 403)  # no CSRF token, and not theirs anyway


@pytest.mark.parametrize("reader", READERS)
def test_verify_page_public_and_masked(world_app, cert, reader):
    app, _w = world_app
    client = login_as(app.test_client(), reader)
    got = client.get(f"/verify/{cert['token']}")
    page = got.get_data(as_text=True)
    html = page[page.index("<main"):page.index("</main>")]  # the header names the reader
    assert got.status_code == 200
    assert mask_name(NAME) == "M***明" and mask_name(NAME) in html
    assert NAME not in html and PHONE not in html and ADDRESS not in html
    assert cert["number"] in html


def test_unknown_token_is_a_chinese_404(world_app):
    app, _w = world_app
    got = app.test_client().get("/verify/nope-not-a-token", headers={"Accept-Language": "zh-CN"})
    assert got.status_code == 404
    assert "未知" in got.get_data(as_text=True) or "不属于" in got.get_data(as_text=True)


def test_revoked_shows_revoked(world_app):
    app, w = world_app
    with app.app_context():
        begin_write(db.session)
        actor = db.session.get(Account, w["accounts"]["coordinator"])
        c = certificates.issue(db.session, actor, w["me"], NOW.date().replace(day=1),
                               NOW.date().replace(day=1), NOW, SETTINGS)
        certificates.revoke(db.session, actor, c.id, "MK填写有误", NOW)
        db.session.commit()
        token = c.token
        assert db.session.get(Certificate, c.id).revoked_at is not None
    html = app.test_client().get(f"/verify/{token}").get_data(as_text=True)
    assert "revoked" in html.lower() or "撤销" in html
