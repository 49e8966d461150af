"""Issue 15's "Done when", end to end in a real browser, on a 390 px phone: from an empty
community (a coordinator, two volunteers) the coordinator registers a person in hospital,
plans a weekly visit for two and assigns both visitors from the suggestions; a visitor
opens the visit's page from My shifts, sees whom to visit, the ward and bed and the
teammate's tel: link; once the visit has begun (the app's pinned clock moves on) the
visitor writes the log and flags a need; the coordinator sees the need on the home page
and closes it with a note; the person recovers and the visits still to come are
cancelled, gone from the visitor's My shifts. axe-core finds nothing serious or
critical on any page visited; screenshots go to /tmp/care-e2e/ (never committed)."""
from __future__ import annotations

import re
import tempfile
from datetime import datetime, time, timedelta
from pathlib import Path

import pytest

from tests.support.browser import ZONE, axe_violations, phone_page, sideways_overflow
from tests.support.database import Factory
from tests.support.scheduling import NOW

pytestmark = pytest.mark.browser
SHOTS = Path(tempfile.gettempdir()) / "care-e2e"
PERSON = "MK端到端孙玉兰"  # a unique marker for the person cared for
WARD, BED = "呼吸内科二病区", "23 床"
MATE, MATE_PHONE = "李建国", "13900139088"


@pytest.fixture(scope="module")
def world(live_server):
    """The starting world: the fixtures' empty 东风社区 with its coordinator and 王秀英,
    plus a second volunteer with an account, so that two can be suggested."""
    make = Factory(live_server.app)
    mate = make.person(live_server.community, full_name=MATE, phone=MATE_PHONE)
    make.account("volunteer", person=mate)
    return live_server


def look(page, name, axe_script):
    """Every page visited: no sideways scroll, a 390 px picture, nothing serious for axe."""
    assert sideways_overflow(page) == [], name
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)
    report = axe_violations(page, axe_script)
    assert report == "", (name, report)


def test_done_when_of_issue_15(browser, world, axe_script):
    SHOTS.mkdir(parents=True, exist_ok=True)
    app = world.app
    coord = phone_page(browser, world, world.logins["coordinator"])
    try:
        # 1. Register a person in hospital.
        assert coord.goto("/care").status == 200
        look(coord, "01-register", axe_script)
        coord.get_by_role("link", name="登记关怀对象").click()
        coord.wait_for_url("**/care/new")
        look(coord, "02-new", axe_script)
        coord.get_by_label("姓名", exact=True).fill(PERSON)
        coord.locator("input[name=place][value=hospital]").check()
        coord.get_by_label("医院或养老院名称").fill("石河子大学医学院第一附属医院")
        coord.get_by_label("病区", exact=True).fill(WARD)
        coord.get_by_label("床号", exact=True).fill(BED)
        coord.get_by_label("家属联系人姓名").fill("孙小军")
        coord.get_by_label("与其关系（如女儿）").fill("儿子")
        coord.get_by_label("家属联系电话").fill("13700137088")
        coord.get_by_label("关怀原因").select_option("hospital")
        coord.get_by_role("button", name="保存", exact=True).click()
        coord.wait_for_url(re.compile(r"/care/\d+$"))
        person_url = coord.url
        assert PERSON in coord.inner_text("main") and WARD in coord.inner_text("main")
        look(coord, "03-person", axe_script)

        # 2. Plan a weekly visit for two from the person's page (first visit tomorrow).
        coord.get_by_role("link", name="安排探望").click()
        coord.wait_for_url("**/plan")
        look(coord, "04-plan", axe_script)
        assert PERSON not in coord.get_by_label("标题").input_value()  # a neutral title
        coord.get_by_label("重复").select_option("weekly")
        coord.get_by_label("或者：探望几次").fill("4")
        assert coord.get_by_label("探访人数").input_value() == "2"
        coord.get_by_role("button", name="安排探望").click()
        coord.wait_for_url(re.compile(r"/occurrences/\d+"))
        first_url = coord.url.split("#")[0]

        # 3. Assign both visitors from the suggestions, on the first two visits.
        def assign_both(name):
            look(coord, name, axe_script)
            for who in ("王秀英", MATE):
                coord.locator("ul.suggested").get_by_role(
                    "button", name=re.compile(f"^安排{who}")).click()
                coord.wait_for_load_state()
            card = coord.locator("section.role-card").first
            members = card.locator("ul.members").first.inner_text()
            assert "王秀英" in members and MATE in members, members
            assert "已有2人，共需2人" in card.locator("h2").inner_text()
            coord.screenshot(path=str(SHOTS / f"{name}-done.png"), full_page=True)

        assign_both("05-assign-first")
        coord.get_by_role("link", name="这项安排的全部日期").click()
        coord.wait_for_load_state()
        dates = coord.locator("main a[href*='/occurrences/']")
        assert dates.count() >= 2
        second_url = dates.nth(1).get_attribute("href")
        coord.goto(second_url)
        assign_both("06-assign-second")
        first_id = int(re.search(r"/occurrences/(\d+)", first_url).group(1))
        second_id = int(re.search(r"/occurrences/(\d+)", second_url).group(1))
    finally:
        coord.context.close()

    # 4. The visitor, on a phone: My shifts -> the visit's page.
    visitor = phone_page(browser, world, world.logins["volunteer"])
    try:
        assert visitor.goto("/shifts/mine").status == 200
        look(visitor, "07-my-shifts", axe_script)
        mine = visitor.locator("main").inner_text()
        assert PERSON not in mine  # the title is neutral; the name is on the visit's page
        assert visitor.locator(f"main a[href='/shifts/{second_id}']").count() == 1
        visitor.locator(f"main a[href='/shifts/{first_id}']").first.click()
        visitor.wait_for_url(f"**/shifts/{first_id}")
        look(visitor, "08-shift-page", axe_script)
        text = visitor.inner_text("main")
        assert PERSON in text and WARD in text and BED in text
        call = visitor.get_by_role("link", name=f"{MATE}")
        assert call.first.get_attribute("href") == f"tel:{MATE_PHONE}"

        # 5. The visit has begun: the app's clock moves to half an hour after its start.
        start = datetime.combine((NOW.astimezone(ZONE) + timedelta(days=1)).date(),
                                 time(9, 30), tzinfo=ZONE)
        app.config["NOW"] = start + timedelta(minutes=30)
        visitor.reload()
        visitor.get_by_role("link", name="写探望记录").click()
        visitor.wait_for_url(f"**/shifts/{first_id}/care-log")
        look(visitor, "09-log-form", axe_script)
        visitor.get_by_label("好转", exact=True).check()
        visitor.get_by_label("生活", exact=True).check()
        visitor.get_by_label("简单说几句（可不填）").fill("出院后需要有人帮忙买菜")
        visitor.get_by_label("需要协调员跟进").check()
        visitor.get_by_role("button", name="保存探望记录").click()
        visitor.wait_for_url(f"**/shifts/{first_id}")
        assert "探望记录已保存" in visitor.inner_text("main")
        look(visitor, "10-log-saved", axe_script)
    except BaseException:
        app.config["NOW"] = NOW
        visitor.context.close()
        raise

    coord = phone_page(browser, world, world.logins["coordinator"])
    try:
        # 6. The coordinator sees the need on the home page and closes it with a note.
        assert coord.goto("/").status == 200
        needs = coord.locator("section.home-needs")
        assert PERSON in needs.inner_text() and "生活" in needs.inner_text()
        look(coord, "11-home-need", axe_script)
        needs.get_by_role("link", name="结束跟进").click()
        coord.wait_for_url(re.compile(r"/care/needs/\d+/close"))
        look(coord, "12-close-need", axe_script)
        coord.get_by_label("所做的事").fill("已联系社区志愿者每周送菜")
        coord.get_by_role("button", name="结束跟进").click()
        coord.wait_for_load_state()
        coord.goto("/")
        needs = coord.locator("section.home-needs").inner_text()
        assert PERSON not in needs and "没有需要跟进的探望" in needs
        look(coord, "13-home-no-need", axe_script)

        # 7. The person recovers: the care ends, the visits still to come are cancelled.
        coord.goto(person_url)
        coord.get_by_role("link", name="结束关怀").click()
        coord.wait_for_url("**/end")
        look(coord, "14-end", axe_script)
        coord.get_by_label("已康复").check()
        coord.get_by_label("哪一天？").fill(start.date().isoformat())
        coord.get_by_role("button", name="结束关怀").click()
        coord.wait_for_url(re.compile(r"/care/\d+$"))
        ended = coord.inner_text("main")
        assert "已康复" in ended
        assert ended.count("已取消") == 3  # the three visits after the one under way
        look(coord, "15-person-ended", axe_script)
        coord.goto(second_url)  # next week's visit: cancelled, not deleted
        assert "已取消" in coord.locator("main p.flash-error").inner_text()
    finally:
        coord.context.close()

    try:
        assert visitor.goto("/shifts/mine").status == 200
        look(visitor, "16-my-shifts-after", axe_script)
        assert visitor.locator(f"main a[href='/shifts/{second_id}']").count() == 0
    finally:
        app.config["NOW"] = NOW
        visitor.context.close()
