"""The care register on a 390 px phone, at standard and 特大 text, scripts off: the
list, the form and the person's page fit (no sideways scroll) and axe-core finds
nothing serious."""
from __future__ import annotations

import pytest

from coordinator.database import begin_write
from coordinator.extensions import db
from coordinator.models import Account
from coordinator.services.care import register as care
from tests.support.browser import axe_violations, phone_page, sideways_overflow
from tests.support.scheduling import NOW

pytestmark = pytest.mark.browser
NAME = "欧阳秀英"


@pytest.fixture(scope="module")
def recipient(live_server):
    """A person in hospital with a long ward and a family contact."""
    app = live_server.app
    with app.app_context():
        begin_write(db.session)
        coord = db.session.get(Account, live_server.accounts["coordinator"].id)
        row = care.register(db.session, coord, live_server.community.id, care.CareInput(
            full_name=NAME, place="hospital", institution="第八师石河子市人民医院东院区",
            ward="心血管内科住院部三病区（东楼十二层）", bed="12", family_name="李建华",
            family_relation="女儿", family_phone="13900139077", reason="hospital",
            visit_every_days=7, health_notes="心脏搭桥术后恢复中，需要多休息，少说话。"), NOW)
        db.session.commit()
        return row.id


def test_the_register_pages_fit_a_phone(browser, live_server, recipient, axe_script,
                                        artifacts):
    paths = {"list": "/care", "form": "/care/new", "person": f"/care/{recipient}"}
    for size in ("standard", "xlarge"):
        page = phone_page(browser, live_server, live_server.logins["coordinator"],
                          text_size=size, javascript=False)
        try:
            for name, path in paths.items():
                assert page.goto(path).status == 200, path
                assert sideways_overflow(page) == [], (size, name)
                page.screenshot(path=str(artifacts / f"care-{name}-390-{size}.png"),
                                full_page=True)
                if size == "standard":
                    report = axe_violations(page, axe_script)
                    assert report == "", (name, report)
            assert page.locator('a[href="tel:13900139077"]').is_visible()
        finally:
            page.context.close()
