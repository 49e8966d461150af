"""The My calendar page for the phones these people have (issue #13, items 11 and 3): a
section per phone brand that works without Google, the WeChat case, the organisation
feed's filters as controls that give a working link, and a one-time .ics download that
says it will not update."""
from __future__ import annotations

import html
import re

import pytest

from tests.support.feeds import add_series, parse, patrol_world, sign, zh, zh_kind
from tests.support.web import login, post

BRANDS = ("iPhone", "华为", "小米", "OPPO", "vivo")


@pytest.fixture
def world(app):
    app.config["PUBLIC_URL"] = "https://volunteers.example.org"
    w = patrol_world(app)
    with app.app_context():
        sign(w["accounts"][0], w["roles"][0])
        w["talk"] = add_series(w, w["coordinator"], w["community"], "红色故事报告会")
    return w


def _card(page: str, scope: str) -> str:
    match = re.search(rf'<section class="card" id="feed-{scope}-0".*?</section>', page, re.S)
    assert match, scope
    return match.group(0)


def _link_in(card: str) -> str:
    match = re.search(r'<code class="link">([^<]+)</code>', card)
    assert match, card
    return html.unescape(match.group(1))


def _summaries(body: bytes) -> list[str]:
    return [str(event["SUMMARY"]) for event in parse(body).walk("VEVENT")]


def test_the_how_to_has_a_section_per_brand_and_no_blocked_app_as_the_way(app, client,
                                                                            world):
    login(client, "13900000000")
    page = client.get("/calendar").get_data(as_text=True)
    summaries = re.findall(r'<details class="howto"[^>]*>\s*<summary>([^<]+)</summary>', page)
    for brand in BRANDS:
        assert any(brand in summary for summary in summaries), (brand, summaries)
    assert "谷歌" not in page and "Google" not in page  # blocked in China
    # ICSx⁵ only under "other phones", never as the way for the four Chinese brands.
    other = re.search(r'<details class="howto" id="howto-other">.*?</details>', page, re.S)
    assert page.count("ICSx⁵") == other.group(0).count("ICSx⁵") == 1
    assert "添加已订阅的日历" in page  # the iPhone path of menus, as Apple names it
    assert "微信" in page and "在浏览器打开" in page  # the WeChat case
    # Honest where a phone's own calendar may not subscribe, and what to do instead.
    assert zh(app, "If your phone cannot subscribe") in page
    assert 'href="/shifts/mine"' in page and 'href="/account/notifications"' in page
    assert "?kind=" not in page and "community=N" not in page  # no URL syntax to type


def test_the_filter_form_gives_a_working_filtered_link(app, client, world):
    login(client, "13812340000")  # the coordinator
    assert post(client, "/calendar/link", {"scope": "organisation"},
                token_from="/calendar").status_code == 302
    page = client.get("/calendar").get_data(as_text=True)
    card = _card(page, "organisation")
    form = re.search(r'<form class="feed-filter" method="get".*?</form>', card, re.S).group(0)
    assert 'type="checkbox" name="kind" value="patrol"' in form
    assert '<select id="filter-community" name="community">' in form
    assert '<select id="filter-team" name="team">' in form
    everything = _link_in(card)
    body = client.get(everything.removeprefix("https://volunteers.example.org")).data
    kinds = {zh_kind(app, "patrol"), zh_kind(app, "talk")}
    assert {s.split("：")[0].split(":")[0] for s in _summaries(body)} >= kinds

    # Tick "patrol" and choose the first community: the page shows that link and name.
    page = client.get(f"/calendar?kind=patrol&community={world['community']}&team=").get_data(
        as_text=True)
    card = _card(page, "organisation")
    link = _link_in(card)
    assert "kind=patrol" in link and f"community={world['community']}" in link
    assert "team=" not in link
    assert f'href="webcal://{link.split("://", 1)[1]}"' in html.unescape(card)
    name = zh(app, "%(calendar)s · %(filter)s", calendar="一连社区", filter=zh_kind(app, "patrol"))
    assert name in card
    assert 'value="patrol" checked' in card  # the form keeps what was chosen
    response = client.get(link.removeprefix("https://volunteers.example.org"))
    assert response.status_code == 200
    assert response.content_type.startswith("text/calendar")
    summaries = _summaries(response.data)
    assert summaries and all(s.startswith(zh_kind(app, "patrol")) for s in summaries)
    assert not any("红色故事报告会" in s for s in summaries)
    assert f"X-WR-CALNAME:{name}" in response.get_data(as_text=True).replace("\r\n ", "")

    # A team chosen in the form narrows the link to that team's work.
    card = _card(client.get(f"/calendar?team={world['team']}").get_data(as_text=True),
                 "organisation")
    link = _link_in(card)
    assert link.endswith(f"?team={world['team']}")
    assert client.get(link.removeprefix("https://volunteers.example.org")).status_code == 200

    # Values the form does not offer are left out instead of giving a broken link.
    card = _card(client.get("/calendar?kind=nonsense&community=999999").get_data(as_text=True),
                 "organisation")
    assert _link_in(card) == everything


def test_the_download_is_an_attachment_and_the_page_says_it_will_not_update(app, client,
                                                                             world):
    assert client.get("/calendar/my-shifts.ics").status_code == 302  # log in first
    login(client, "13900000000")
    page = client.get("/calendar").get_data(as_text=True)
    warning = zh(app, "A file is only a copy of today’s plan. It will NOT change when a shift "
                      "is moved, cancelled or given to someone else.")
    assert html.unescape(page).count(warning) == 1
    assert 'href="/calendar/my-shifts.ics" download' in page
    response = client.get("/calendar/my-shifts.ics")
    assert response.status_code == 200
    assert response.content_type.startswith("text/calendar")
    assert response.headers["Content-Disposition"].startswith("attachment")
    assert "filename=my-shifts.ics" in response.headers["Content-Disposition"]
    assert "no-store" in response.headers["Cache-Control"]
    summaries = _summaries(response.data)
    assert summaries and all(s.startswith(zh_kind(app, "patrol")) for s in summaries)


def test_an_account_without_a_person_gets_no_download(app, client, world):
    login(client, "admin")
    page = client.get("/calendar").get_data(as_text=True)
    assert "/calendar/my-shifts.ics" not in page
    assert client.get("/calendar/my-shifts.ics").status_code == 404
