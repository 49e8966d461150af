"""The gap list's one-action assign in a real browser: with JavaScript the gap updates in
place (no page load), without JavaScript the form posts and the page comes back; both
write the assignment."""
from __future__ import annotations

import re
from datetime import time, timedelta

import pytest
from sqlalchemy import select

from coordinator.database import begin_write
from coordinator.extensions import db
from coordinator.models import Account, Assignment, OccurrenceRole
from coordinator.services.schedule.series import RoleInput, SeriesInput, create_series
from tests.support.browser import TIMEOUT_MS, log_in, new_page, shanghai_today
from tests.support.scheduling import NOW

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def gaps_world(live_server):
    """A daily patrol for three days, three places each, nobody on it; two more members
    in the community so that there is someone to suggest."""
    app = live_server.app
    from tests.support.database import Factory
    make = Factory(app)
    for name, phone in (("李桂芳", "13900139101"), ("赵建华", "13900139102")):
        make.person(live_server.community, full_name=name, phone=phone)
    first = shanghai_today() + timedelta(days=1)
    now = NOW
    with app.app_context():
        actor = db.session.get(Account, live_server.accounts["coordinator"].id)
        begin_write(db.session)
        series = create_series(db.session, actor, SeriesInput(
            kind="patrol", title="西区夜间巡逻", community_id=live_server.community.id,
            start_date=first, start_time=time(19, 0), duration_minutes=120,
            rrule="FREQ=DAILY", until=first + timedelta(days=2),
            roles=(RoleInput("巡逻队员", 3, 3, None),)), now, zone="Asia/Shanghai",
            horizon_end=now + timedelta(weeks=4))
        db.session.commit()
        roles = [r.id for o in sorted(series.occurrences, key=lambda o: o.start_at)
                 for r in o.roles]
    return roles


def confirmed(app, role_id: int) -> list[int]:
    with app.app_context():
        return list(db.session.scalars(select(Assignment.person_id).where(
            Assignment.occurrence_role_id == role_id, Assignment.status == "confirmed")))


def filled(app, role_id: int) -> int:
    with app.app_context():
        return db.session.get(OccurrenceRole, role_id).filled


def test_assign_updates_the_gap_in_place_with_javascript(browser, live_server, gaps_world):
    page = new_page(browser, live_server)
    log_in(page, live_server.logins["coordinator"], live_server.password)
    page.goto("/plan/gaps")
    role = gaps_world[0]
    item = page.locator(f"#gap-{role}")
    assert re.search(r"0/3", item.inner_text()), item.inner_text()
    lead = page.locator("#gap-lead")
    before = [int(n) for n in re.findall(r"\d+", lead.inner_text())]
    page.evaluate("window.__stillHere = true")  # gone if the page reloads
    url = page.url
    button = item.locator("button[type=submit]").first
    button.click()
    status = page.locator(f"#gap-{role}-status")  # the card's own live region
    page.wait_for_function(f"document.querySelector('#gap-{role}-status').innerText.trim()",
                           timeout=TIMEOUT_MS)
    assert status.inner_text().strip()
    page.wait_for_function(
        f"document.querySelector('#gap-{role}') && "
        f"/1\\/3/.test(document.querySelector('#gap-{role}').innerText)", timeout=TIMEOUT_MS)
    assert page.evaluate("window.__stillHere") is True and page.url == url
    # The count on top follows: one open place fewer, the same days and shifts.
    after = [int(n) for n in re.findall(r"\d+", lead.inner_text())]
    assert sorted(b - a for a, b in zip(before, after)) == [-1, 0, 0], (before, after)
    assert filled(live_server.app, role) == 1 and len(confirmed(live_server.app, role)) == 1
    page.context.close()


def test_assign_works_without_javascript(browser, live_server, gaps_world):
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False,
                                  locale="zh-CN")
    page = context.new_page()
    log_in(page, live_server.logins["coordinator"], live_server.password)
    page.goto("/plan/gaps")
    role = gaps_world[1]
    before = filled(live_server.app, role)
    with page.expect_navigation():
        page.locator(f"#gap-{role} button[type=submit]").first.click()
    assert page.url.endswith(f"/plan/gaps#gap-{role}")  # back at the card
    assert page.locator(f"#gap-{role} .flash-info").is_visible()
    assert filled(live_server.app, role) == before + 1
    assert re.search(rf"{before + 1}/3", page.locator(f"#gap-{role}").inner_text())
    context.close()
