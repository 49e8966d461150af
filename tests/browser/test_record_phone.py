"""My service record on a 390 px phone at standard and 特大 text (issue 14): the figures,
stars and study marks without sideways scroll; printing a certificate answers a PDF; the
public verification page shows the masked name. axe-core finds nothing serious."""
from __future__ import annotations

import pytest

from coordinator.database import begin_write
from coordinator.extensions import db
from coordinator.models import Certificate
from tests.support.browser import axe_violations, phone_page, set_text_size, sideways_overflow
from tests.support.records import entry, local, occurrence, series

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def served(live_server):
    """Three recorded patrols of the volunteer (王秀英) in the last days."""
    app = live_server.app
    with app.app_context():
        begin_write(db.session)
        s = series(live_server.community.id, "patrol", "晚间义务巡逻")
        for days in (1, 2, 3):
            entry(s, occurrence(s, local(days)), live_server.volunteer.id)
        db.session.commit()


def test_record_certificate_verify(browser, live_server, served, axe_script, artifacts):
    page = phone_page(browser, live_server, live_server.logins["volunteer"])
    try:
        for size in ("standard", "xlarge"):
            page.goto("/me/record")
            set_text_size(page, size)
            page.goto("/me/record")
            assert page.locator("h1").inner_text() == "我的志愿服务记录"
            assert "6.0" in page.locator(".big-figures").inner_text()
            assert "再服务 94.0 小时可达1星" in page.inner_text("main")
            assert sideways_overflow(page) == []
            assert axe_violations(page, axe_script) == ""
            page.screenshot(path=str(artifacts / f"record-390-{size}.png"), full_page=True)
        set_text_size(page, "standard")
        page.goto("/me/record")
        with page.expect_response(lambda r: r.url.endswith(".pdf")) as info:
            page.get_by_role("button", name="打印我的证明").click()
        response = info.value
        assert response.status == 200
        assert response.headers["content-type"] == "application/pdf"
        with live_server.app.app_context():
            token = db.session.scalars(db.select(Certificate.token)).first()
        page.goto(f"/verify/{token}")
        main = page.inner_text("main")
        assert "真实有效" in main and "王*英" in main and "王秀英" not in main
        assert sideways_overflow(page) == []
        assert axe_violations(page, axe_script) == ""
        page.screenshot(path=str(artifacts / "record-390-verify.png"), full_page=True)
    finally:
        page.context.close()
