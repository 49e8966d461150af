"""Issue #5 in a real browser: a coordinator plans an evening patrol, a volunteer signs
up from the open-shifts list, the leader reads the weekly plan (1/3 filled, the name,
the gap), prints it to PDF and looks at it on a wide screen and on a phone; axe-core
finds no serious or critical accessibility problem on the main pages in both languages.

Chromium is Debian's (/usr/bin/chromium, `make system-deps`); axe-core is the pinned npm
package in tests/browser/node_modules (`make test` installs it)."""
from __future__ import annotations

import re
import unicodedata
from datetime import timedelta
from io import BytesIO

import pytest
from pypdf import PdfReader

from tests.support.browser import new_page, require_chromium, set_language, shanghai_today

pytestmark = pytest.mark.browser

TITLE = "东区晚间巡逻"
ROLE = "巡逻队员"
VOLUNTEER = "王秀英"


def monday_of(day):
    return day - timedelta(days=day.weekday())


@pytest.fixture(scope="module")
def patrol(live_server, pages):
    """Steps a and b, through the pages only: the coordinator plans a weekly evening
    patrol (19:00–21:00, three people) starting tomorrow; the volunteer signs up for the
    first date from the open-shifts list."""
    first = shanghai_today() + timedelta(days=1)
    until = first + timedelta(days=13)  # two dates, one week apart

    page = pages("coordinator")
    set_language(page, "zh_CN")
    page.locator("header.site nav a[href='/series']").click()
    page.locator("main a[href='/series/new']").click()
    page.wait_for_url("**/series/new")
    page.locator("main a[href='/series/new?kind=patrol']").click()  # the kind comes first
    page.wait_for_url("**/series/new?kind=patrol")
    form = page.locator("main form.card")
    page.select_option("#kind", "patrol")
    page.fill("#title", TITLE)
    page.select_option("#community_id", str(live_server.community.id))
    page.select_option("#participation", "slots")
    page.fill("#start_date", first.isoformat())
    page.fill("#start_time", "19:00")
    page.fill("#duration_minutes", "120")
    page.select_option("#frequency", "weekly")
    page.locator("main details.repeat-days > summary").click()  # folded for a daily patrol
    page.check(f"input[name=weekdays][value='{first.weekday()}']")
    page.fill("#until", until.isoformat())
    page.fill("#roles-0-name", ROLE)
    page.fill("#roles-0-needed", "3")
    page.fill("#roles-0-maximum", "3")
    page.uncheck("#roles-0-is_lead")  # one kind of place only: clear the prefilled lead
    page.fill("#roles-1-name", "")
    with page.expect_navigation():
        form.locator("button[type=submit]").last.click()
    assert re.search(r"/series/\d+$", page.url), (
        f"the series was not saved: {page.locator('main').inner_text()}")
    assert page.locator(".flash-info").is_visible()
    dates = [row.inner_text() for row in page.locator("main table tbody tr").all()]
    def day(d):  # the series page's date style: 2026年12月8日 周二 19:00
        return f"{d.year}年{d.month}月{d.day}日"
    assert [[d.split()[0], d.split()[2]] for d in dates] == [
        [day(first), "19:00"], [day(first + timedelta(days=7)), "19:00"]], dates
    assert all(ROLE in d and "3" in d for d in dates), dates

    page = pages("volunteer")
    set_language(page, "zh_CN")
    page.locator("header.site nav a[href='/shifts/open']").click()
    page.wait_for_url("**/shifts/open")
    slots = page.locator("main li.slot").filter(has_text=TITLE)
    assert slots.count() == 2, page.locator("main").inner_text()
    first_slot = slots.first
    when = first_slot.locator(".when").inner_text()
    assert f"{first.month}月{first.day}日" in when and "19:00" in when, when
    assert re.findall(r"\d+", first_slot.locator(".fill").inner_text()) == ["0", "3", "3"]
    with page.expect_navigation():
        first_slot.locator("button[type=submit]").click()
    flash = page.locator("main .flash-info")
    assert flash.is_visible(), page.locator("main").inner_text()
    page.locator("header.site nav a[href='/']").click()
    page.wait_for_url(f"{live_server.url}/")
    mine = page.locator("main section[aria-labelledby=mine-h] li.slot").filter(has_text=TITLE)
    assert mine.count() == 1 and f"{first.month}月{first.day}日" in mine.inner_text()
    assert "19:00" in mine.inner_text()
    return {"first": first}


def _patrol_entry(page):
    return page.locator("main article.occ").filter(has_text=TITLE)


def test_leader_sees_the_patrol_prints_it_and_reads_it_on_a_phone(live_server, pages, patrol,
                                                                    artifacts):
    first = patrol["first"]
    page = pages("leader")
    set_language(page, "zh_CN")
    page.set_viewport_size({"width": 1280, "height": 900})
    page.locator("header.site nav a[href='/plan']").click()
    page.wait_for_url("**/plan")
    if monday_of(first) != monday_of(shanghai_today()):
        with page.expect_navigation():
            page.locator("main a[rel=next]").click()
    assert page.input_value("#jump-date") == monday_of(first).isoformat()  # the right week

    entry = _patrol_entry(page)
    assert entry.count() == 1, page.locator("main").inner_text()  # the next date is next week
    assert entry.is_visible()
    day = page.locator("main li.plan-day").filter(
        has=page.locator("article.occ").filter(has_text=TITLE))
    assert f"{first.month}月{first.day}日" in day.locator(".day-head").inner_text()
    assert "19:00–21:00" in entry.locator(".occ-time").inner_text()
    fill = entry.locator(".fill")
    assert "1/3" in fill.inner_text()
    assert VOLUNTEER in entry.locator(".names").inner_text()
    gap = fill.locator("strong")
    assert gap.is_visible() and "2" in gap.inner_text()
    assert "short" in (entry.get_attribute("class") or "")

    set_language(page, "en")
    entry = _patrol_entry(page)
    english = entry.locator(".fill").inner_text()
    assert "1/3" in english and re.search(r"\b2 missing\b", english), english
    assert VOLUNTEER in entry.locator(".names").inner_text()
    set_language(page, "zh_CN")

    # d. print: the browser's own PDF with the print style sheet.
    nav_link = page.locator("header.site nav a[href='/series']")
    nav_text = nav_link.inner_text().strip()
    assert nav_link.is_visible() and nav_text  # on screen the navigation is there
    pdf_path = artifacts / "weekly-plan.pdf"
    pdf_path.unlink(missing_ok=True)
    page.emulate_media(media="print")
    try:
        # The page size comes from the print style sheet's @page, as in the print dialog.
        page.pdf(path=str(pdf_path), prefer_css_page_size=True, print_background=True)
    finally:
        page.emulate_media(media="screen")
    data = pdf_path.read_bytes()
    assert data.startswith(b"%PDF")
    reader = PdfReader(BytesIO(data))
    box = reader.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (842, 595), \
        "the roster should be A4 landscape (842 x 595 pt)"
    text = "\n".join(p.extract_text() or "" for p in reader.pages)
    # NFKC: the CJK font maps some characters to their Kangxi-radical look-alikes.
    flat = re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))
    assert VOLUNTEER in flat, text
    assert "1/3" in flat and TITLE in flat, text
    for gone in (nav_text, "Planned work", "工作安排", "Log out", "退出登录"):
        assert gone not in flat, f"{gone!r} (navigation) is printed:\n{text}"

    # e. screenshots: wide screen and phone; no sideways scrolling on the phone.
    page.set_viewport_size({"width": 1280, "height": 900})
    page.screenshot(path=str(artifacts / "weekly-plan-1280.png"), full_page=True)
    page.set_viewport_size({"width": 390, "height": 844})
    widths = page.evaluate("() => [document.documentElement.scrollWidth,"
                           " document.documentElement.clientWidth]")
    assert widths[0] <= 390 + 1, f"the plan scrolls sideways on a phone: {widths}"
    entry = _patrol_entry(page)
    entry.scroll_into_view_if_needed()
    assert entry.is_visible() and VOLUNTEER in entry.inner_text()
    box = entry.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 390 + 1, box
    page.screenshot(path=str(artifacts / "weekly-plan-390.png"), full_page=True)
    page.set_viewport_size({"width": 1280, "height": 900})
    for name in ("weekly-plan-1280.png", "weekly-plan-390.png"):
        assert (artifacts / name).read_bytes().startswith(b"\x89PNG")


AXE_PAGES = [
    ("login page", "anonymous", "/login"),
    ("home page", "volunteer", "/"),
    ("home page", "coordinator", "/"),
    ("weekly plan", "leader", "/plan?date={date}"),
    ("open shifts", "volunteer", "/shifts/open"),
    ("gap list", "coordinator", "/plan/gaps"),
]


@pytest.mark.parametrize("locale", ["zh_CN", "en"])
@pytest.mark.parametrize("what,role,path", AXE_PAGES,
                         ids=[f"{w.replace(' ', '-')}-{r}" for w, r, _p in AXE_PAGES])
def test_no_serious_accessibility_violations(pages, patrol, axe_script, what, role, path,
                                             locale):
    page = pages(role)
    response = page.goto(path.format(date=patrol["first"].isoformat()))
    assert response.status == 200, f"{what}: HTTP {response.status}"
    set_language(page, locale)
    if what == "weekly plan":
        assert _patrol_entry(page).count() == 1  # the page has real content to check
    page.add_script_tag(path=axe_script)
    result = page.evaluate("() => axe.run(document, {resultTypes: ['violations']})")
    bad = [v for v in result["violations"] if v["impact"] in ("serious", "critical")]
    report = "\n".join(
        f"- {v['id']} ({v['impact']}): {v['help']}\n" + "\n".join(
            f"    {n['target']}: {' '.join((n.get('failureSummary') or '').split())}"
            for n in v["nodes"][:10])
        for v in bad)
    assert not bad, f"axe-core on the {what} as {role} in {locale}:\n{report}"


def test_missing_chromium_fails_and_says_how_to_install_it(tmp_path):
    with pytest.raises(pytest.fail.Exception, match=r"make system-deps"):
        require_chromium(tmp_path / "no-chromium")


def test_new_contexts_start_logged_out(browser, live_server):
    page = new_page(browser, live_server)
    try:
        page.goto("/plan")
        assert "/login" in page.url  # each role's session is its own
    finally:
        page.context.close()
