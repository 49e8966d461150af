"""Words instead of developer text, on a 390 px phone at 标准 and 特大 (and 大 for the
screenshots): the audit log and the series list read in words (no FREQ=, no JSON, no
codes), the account and team forms choose communities by ticking and members by name,
without JavaScript; axe-core finds no serious or critical violation on any of them."""
from __future__ import annotations

from datetime import time, timedelta

import pytest

from coordinator.database import begin_write
from coordinator.extensions import db
from coordinator.models import Account, Team, TeamMember
from coordinator.services.schedule.changes import move_occurrence
from coordinator.services.schedule.series import RoleInput, SeriesInput, create_series
from coordinator.services.shifts.signups import sign_up
from tests.support.browser import (
    axe_violations,
    phone_page,
    set_text_size,
    shanghai_today,
    sideways_overflow,
)
from tests.support.database import Factory
from tests.support.scheduling import NOW

pytestmark = pytest.mark.browser

CARE = (("FREQ=WEEKLY;BYDAY=MO", time(9, 0), 60, "每周一 09:00–10:00"),
        ("FREQ=WEEKLY;INTERVAL=2;BYDAY=TU,TH", time(15, 0), 90, "每两周周二、周四 15:00–16:30"),
        ("FREQ=MONTHLY;BYMONTHDAY=25", time(9, 0), 120, "每月25日 09:00–11:00"))


@pytest.fixture(scope="module")
def words_world(live_server):
    """An admin; three care series that differ only by their rule; a patrol with an
    assignment and a move (so the audit log has entries of several kinds); a team."""
    app = live_server.app
    make = Factory(app)
    make.account("admin", "admin-words")
    member = make.person(live_server.community, full_name="刘淑珍", phone="13900139301")
    first = shanghai_today() + timedelta(days=1)
    with app.app_context():
        actor = db.session.get(Account, live_server.accounts["coordinator"].id)
        begin_write(db.session)
        for rule, at, minutes, _words in CARE:
            create_series(db.session, actor, SeriesInput(
                kind="care", title="探望孤寡老人", community_id=live_server.community.id,
                start_date=first, start_time=at, duration_minutes=minutes, rrule=rule,
                roles=(RoleInput("探望人", 2, 2, None),)), NOW, zone="Asia/Shanghai",
                horizon_end=NOW + timedelta(weeks=6))
        patrol = create_series(db.session, actor, SeriesInput(
            kind="patrol", title="东区晚间巡逻", community_id=live_server.community.id,
            start_date=first, start_time=time(19, 0), duration_minutes=120,
            rrule="FREQ=DAILY", until=first + timedelta(days=3),
            roles=(RoleInput("巡逻队员", 3, 3, None),)), NOW, zone="Asia/Shanghai",
            horizon_end=NOW + timedelta(weeks=6))
        occurrence = sorted(patrol.occurrences, key=lambda o: o.start_at)[0]
        sign_up(db.session, actor, occurrence.roles[0].id, NOW, person_id=member.id)
        move_occurrence(db.session, actor, occurrence.id, start_date=first,
                        start_time=time(18, 30), duration_minutes=120, venue_id=None, now=NOW)
        team = Team(name="东风巡逻队", kind="patrol", community_id=live_server.community.id)
        db.session.add(team)
        db.session.commit()
        return {"team": team.id, "member": member.id}


def _phone(browser, live_server, size, javascript=True):
    """The admin's phone at ``size`` (set every time: the account keeps the last size)."""
    page = phone_page(browser, live_server, "admin-words", javascript=javascript)
    set_text_size(page, size)
    return page


@pytest.mark.parametrize("size", ["standard", "large", "xlarge"])
def test_audit_log_and_series_list_read_in_words(browser, live_server, axe_script,
                                                 artifacts, words_world, size):
    page = _phone(browser, live_server, size)
    try:
        page.goto("/series")
        listed = page.locator("main").inner_text()
        for _rule, _at, _minutes, words in CARE:
            assert words in listed
        assert "FREQ" not in listed
        page.screenshot(path=str(artifacts / f"words-series-{size}.png"), full_page=True)
        if size != "large":
            assert sideways_overflow(page) == []
            assert axe_violations(page, axe_script) == ""
        page.goto("/admin/audit")
        log = page.locator("main").inner_text()
        for words in ("新建活动安排", "协调员安排", "改期", "成员：刘淑珍", "每周一 09:00–10:00",
                      "开始：", "→"):
            assert words in log, words
        for developer in ("series.create", "person_id", "{", "\\u", "FREQ"):
            assert developer not in log, developer
        page.screenshot(path=str(artifacts / f"words-audit-{size}.png"), full_page=True)
        if size != "large":
            assert axe_violations(page, axe_script) == ""
            # Only the table itself may be wider than the phone (it scrolls in its box,
            # another change); every cell's words wrap.
            assert [o for o in sideways_overflow(page) if not o.startswith(("table", "t"))] \
                == [], sideways_overflow(page)
    finally:
        page.context.close()


@pytest.mark.parametrize("size", ["standard", "xlarge"])
def test_admin_forms_choose_by_ticking_and_by_name_without_javascript(
        browser, live_server, axe_script, artifacts, words_world, size):
    page = _phone(browser, live_server, size, javascript=False)
    # axe-core is a script: the same pages are checked on a phone with scripts on.
    checker = _phone(browser, live_server, size)
    try:
        for path in ("/admin/accounts/new", f"/admin/teams/{words_world['team']}"):
            checker.goto(path)
            assert axe_violations(checker, axe_script) == "", path
        page.goto("/admin/accounts/new")
        form = page.locator("main").inner_text()
        assert "Ctrl" not in form and "/people/" not in form
        assert page.locator("select[multiple]").count() == 0
        assert sideways_overflow(page) == []
        page.screenshot(path=str(artifacts / f"words-account-form-{size}.png"), full_page=True)
        name = f"coord-words-{size}"
        page.select_option("#role", "coordinator")
        page.fill("#username", name)
        page.fill("#password", "long enough pw")
        page.get_by_label("东风社区").check()  # a checkbox with its own label
        with page.expect_navigation():
            page.get_by_role("button", name="保存").click()
        with live_server.app.app_context():
            made = db.session.scalar(db.select(Account).where(Account.username == name))
            assert [s.community_id for s in made.scopes] == [live_server.community.id]
        page.goto(f"/admin/teams/{words_world['team']}")
        assert "/people/" not in page.locator("main").inner_text()
        page.fill("#member", "刘淑珍")
        with page.expect_navigation():
            page.get_by_role("button", name="添加").click()
        page.fill("#member", "没有这个人")
        with page.expect_navigation():
            page.get_by_role("button", name="添加").click()
        assert "没有找到姓名或手机号为“没有这个人”的成员" in page.locator("main").inner_text()
        assert sideways_overflow(page) == []
        page.screenshot(path=str(artifacts / f"words-team-{size}.png"), full_page=True)
        with live_server.app.app_context():
            assert db.session.scalar(db.select(TeamMember.person_id).where(
                TeamMember.team_id == words_world["team"])) == words_world["member"]
    finally:
        page.context.close()
        checker.context.close()
