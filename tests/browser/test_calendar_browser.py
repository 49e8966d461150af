"""Issue #13 items 11 and 3 on a 390 px phone with scripts off: the My calendar page opens
one phone brand's steps (a <details>, no JavaScript), and the organisation calendar's
filter form (checkboxes and lists, no URL syntax) gives a filtered link that works. No
sideways scroll at every text size, axe-core clean at standard and 特大 (the large size is
the same markup), screenshots of each in tests/artifacts."""
from __future__ import annotations

from datetime import time, timedelta
from urllib.parse import urlsplit

import pytest

from coordinator.database import begin_write
from coordinator.extensions import db
from coordinator.models import Account
from coordinator.services.schedule.series import RoleInput, SeriesInput, create_series
from tests.support.browser import (
    axe_violations,
    phone_page,
    shanghai_today,
    sideways_overflow,
)
from tests.support.scheduling import NOW

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def calendar_world(live_server):
    """A patrol and a talk tomorrow in the community, so that a kind filter shows."""
    app = live_server.app
    day = shanghai_today() + timedelta(days=1)
    with app.app_context():
        actor = db.session.get(Account, live_server.accounts["coordinator"].id)
        begin_write(db.session)
        for kind, title, hour in (("patrol", "晚间巡逻", 19), ("talk", "红色故事报告会", 9)):
            create_series(db.session, actor, SeriesInput(
                kind=kind, title=title, community_id=live_server.community.id,
                start_date=day, start_time=time(hour, 0), duration_minutes=90, rrule=None,
                until=None, roles=(RoleInput("队员", 1, 3, None),)), NOW,
                zone="Asia/Shanghai", horizon_end=NOW + timedelta(weeks=2))
        db.session.commit()


@pytest.mark.parametrize("size", ["standard", "xlarge"])
def test_calendar_page_brands_and_filter_form_on_a_phone(browser, live_server, calendar_world,
                                                         axe_script, artifacts, size):
    page = phone_page(browser, live_server, live_server.logins["coordinator"], text_size=size,
                      javascript=False)
    try:
        page.goto("/calendar")
        card = page.locator("#feed-organisation-0")
        get_link = card.get_by_role("button", name="获取链接")
        if get_link.count():  # the first text size asks for the link; later ones have it
            with page.expect_navigation():
                get_link.click()
            card = page.locator("#feed-organisation-0")

        # One phone brand's steps open with a tap, without JavaScript.
        huawei = page.locator("details#howto-huawei")
        assert not huawei.evaluate("el => el.open")
        assert not huawei.get_by_text("可以试一试").is_visible()
        huawei.locator("summary").click()
        assert huawei.evaluate("el => el.open")
        assert huawei.get_by_text("可以试一试").is_visible()
        for brand in ("iPhone", "华为", "小米", "OPPO", "vivo"):
            assert page.locator("details.howto summary", has_text=brand).count() == 1, brand
        assert page.get_by_text("在浏览器打开").is_visible()  # the WeChat case
        assert sideways_overflow(page) == []
        assert size == "large" or axe_violations(page, axe_script) == ""  # (same page)
        page.screenshot(path=str(artifacts / f"calendar-howto-390-{size}.png"), full_page=True)

        # The filter form: tick 巡逻, choose the community, ask for the link.
        form = card.locator("form.feed-filter")
        form.get_by_label("巡逻").check()
        form.get_by_label("社区", exact=True).select_option(label="东风社区")
        with page.expect_navigation():
            form.get_by_role("button", name="显示这样选择的链接").click()
        card = page.locator("#feed-organisation-0")
        assert card.locator("form.feed-filter").get_by_label("巡逻").is_checked()
        assert "这个链接显示：东风社区 · 巡逻" in card.inner_text()
        link = card.locator("code.link").inner_text().strip()
        assert "kind=patrol" in link and f"community={live_server.community.id}" in link
        webcal = card.get_by_role("link", name="在这部手机上订阅").get_attribute("href")
        assert webcal == "webcal://" + link.split("://", 1)[1]
        parts = urlsplit(link)
        response = page.request.get(f"{parts.path}?{parts.query}")
        assert response.status == 200
        assert response.headers["content-type"].startswith("text/calendar")
        body = response.text()
        assert "晚间巡逻" in body and "红色故事报告会" not in body
        assert sideways_overflow(page) == []
        assert size == "large" or axe_violations(page, axe_script) == ""
        card.scroll_into_view_if_needed()
        page.screenshot(path=str(artifacts / f"calendar-filter-390-{size}.png"), full_page=True)
    finally:
        page.context.close()

    # A volunteer's page: the way out for a phone that cannot subscribe, with the file.
    page = phone_page(browser, live_server, live_server.logins["volunteer"], text_size=size,
                      javascript=False)
    try:
        page.goto("/calendar")
        download = page.get_by_role("link", name="下载我的班次文件（一次性，不会更新）")
        assert download.is_visible()
        assert page.get_by_text("文件里的内容都不会跟着变").is_visible()
        page.locator("details#howto-xiaomi summary").click()
        assert page.get_by_text("很多小米手机").is_visible()
        response = page.request.get(download.get_attribute("href"))
        assert response.status == 200
        assert response.headers["content-disposition"].startswith("attachment")
        assert sideways_overflow(page) == []
        page.screenshot(path=str(artifacts / f"calendar-volunteer-390-{size}.png"),
                        full_page=True)
    finally:
        page.context.close()
