"""The footer names the time zone as people say it (issue #13 item 3): 北京时间, not
``Asia/Shanghai``; another zone by its name in the reader's language."""
from __future__ import annotations

import re

import pytest

from coordinator.http.i18n import zone_label
from tests.support.web import post


def _footer(client) -> str:
    page = client.get("/login").get_data(as_text=True)
    match = re.search(r'<footer class="site">(.*?)</footer>', page, re.S)
    assert match, page
    return " ".join(re.sub(r"<[^>]+>", "", match.group(1)).split())


def test_footer_says_beijing_time_in_chinese_and_in_english(app, client):
    assert _footer(client) == "所有时间均为北京时间。"
    post(client, "/preferences", {"locale": "en", "next": "/login"}, token_from="/login")
    assert _footer(client) == "All times are in Beijing time."


def test_footer_names_another_zone_in_the_readers_language(app, client):
    app.config["TIMEZONE"] = "Europe/Berlin"
    assert _footer(client) == "所有时间均为中欧时间。"
    post(client, "/preferences", {"locale": "en", "next": "/login"}, token_from="/login")
    footer = _footer(client)
    assert footer == "All times are in Central European Time.", footer
    assert "Europe/Berlin" not in footer


@pytest.mark.parametrize("zone", ["Asia/Shanghai", "Asia/Chongqing", "Asia/Harbin", "PRC"])
def test_every_name_of_chinas_zone_is_beijing_time(app, zone):
    with app.test_request_context("/"):
        assert zone_label(zone, "zh_CN") == "北京时间"


@pytest.mark.parametrize("zone,locale,said", [
    ("Asia/Tokyo", "zh_CN", "日本时间"), ("Asia/Tokyo", "en", "Japan Time"),
    ("UTC", "zh_CN", "协调世界时（UTC）"), ("Not/AZone", "zh_CN", "Not/AZone")])
def test_other_zones_are_named_not_coded(app, zone, locale, said):
    with app.test_request_context("/"):
        from flask_babel import force_locale
        with force_locale(locale):
            assert zone_label(zone, locale) == said
