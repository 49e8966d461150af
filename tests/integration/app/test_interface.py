"""Language switch, text size, role-aware home pages, error pages in the user's language."""
from __future__ import annotations

import re
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from babel.messages.pofile import read_po

from coordinator import PROJECT_ROOT
from coordinator.extensions import db
from coordinator.models import Account, Assignment, Occurrence, Series, SeriesRole, Team, TeamMember
from coordinator.services.schedule.horizon import materialize
from tests.support.scheduling import NOW
from tests.support.web import login, post


def test_chinese_is_the_default_and_english_is_one_click_away(client, org):
    page = client.get("/login").get_data(as_text=True)
    assert '<html lang="zh-CN"' in page and "登录" in page
    response = post(client, "/preferences", {"locale": "en", "next": "/login"},
                    token_from="/login")
    assert response.status_code == 302 and response.headers["Location"] == "/login"
    page = client.get("/login").get_data(as_text=True)
    assert '<html lang="en"' in page and "Log in" in page and "登录" not in page


def test_language_choice_is_remembered_on_the_account(app, client, org):
    login(client, "coord1")
    post(client, "/preferences", {"locale": "en", "next": "/"}, token_from="/")
    with app.app_context():
        assert db.session.get(Account, org["coord1"].id).locale == "en"
    other = app.test_client()  # another device: the account's choice applies after login
    login(other, "coord1")
    assert '<html lang="en"' in other.get("/").get_data(as_text=True)


def test_unknown_language_or_size_is_refused_politely(client, org):
    response = post(client, "/preferences", {"locale": "xx", "next": "/login"},
                    token_from="/login")
    assert response.status_code == 302
    page = client.get("/login").get_data(as_text=True)
    assert '<html lang="zh-CN"' in page
    assert "这个选项不可用。" in page


def test_text_size_switch_is_remembered(app, client, org):
    assert 'class="text-standard"' in client.get("/login").get_data(as_text=True)
    post(client, "/preferences", {"text_size": "xlarge", "next": "/login"}, token_from="/login")
    assert 'class="text-xlarge"' in client.get("/login").get_data(as_text=True)
    login(client, org["v1"].phone)  # carried over into the logged-in session
    post(client, "/preferences", {"text_size": "large", "next": "/"}, token_from="/")
    assert 'class="text-large"' in client.get("/").get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Account, org["vol1"].id).text_size == "large"


def test_error_pages_speak_the_users_language(client, org):
    login(client, org["v1"].phone)
    forbidden = client.get("/admin/accounts")
    assert forbidden.status_code == 403 and "权限" in forbidden.get_data(as_text=True)
    missing = client.get("/no/such/page")
    assert missing.status_code == 404 and "页面" in missing.get_data(as_text=True)
    post(client, "/preferences", {"locale": "en", "next": "/"}, token_from="/")
    assert "permission" in client.get("/admin/accounts").get_data(as_text=True)
    api = client.get("/api/nothing", headers={"Accept": "application/json"})
    assert api.status_code == 404 and api.get_json()["status"] == 404


def _strings_in_the_source() -> set[str]:
    """Extract every translatable string from the code and templates now, with the
    keywords `make extract-messages` uses (so a stale messages.pot cannot hide one)."""
    from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
    from babel.messages.frontend import parse_mapping_cfg

    makefile = (PROJECT_ROOT / "Makefile").read_text()
    extra = re.findall(r"-k (\w+)", makefile.split("extract-messages:", 1)[1].split("\n\n")[0])
    assert {"_l", "DomainError", "Refusal"} <= set(extra)
    keywords = dict(DEFAULT_KEYWORDS, **{k: None for k in extra})
    with (PROJECT_ROOT / "babel.cfg").open() as cfg:
        method_map, options_map = parse_mapping_cfg(cfg)
    found = set()
    for _file, _line, message, _comments, _context in extract_from_dir(
            str(PROJECT_ROOT), method_map, options_map, keywords=keywords):
        found.add(message[0] if isinstance(message, tuple) else message)
    return {m for m in found if m}


# One word for one thing in Chinese: the walk-through found 我的班次 / 我的班次 and
# 取消报名 / 退出 for the same page and the same act.
OUTLAWED_WORDS = {
    "值班": "a shift is 班次",
    "退出": "withdrawing is 取消报名 (only 退出登录 means logging out)",
    "时间安排": "the availability page is 我不方便的时间",
}


def test_one_chinese_word_for_each_thing():
    path = PROJECT_ROOT / "coordinator/translations/zh_Hans_CN/LC_MESSAGES/messages.po"
    wrong = []
    for message in read_po(path.open("rb")):
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        for text in strings:
            for word, rule in OUTLAWED_WORDS.items():
                if word in (text or "").replace("退出登录", ""):
                    wrong.append(f"{text!r}: {rule}")
    assert wrong == []


def test_the_catalogue_holds_no_string_nothing_uses():
    """Eight people edited the catalogue by hand in one week; strings whose page was
    rewritten stayed behind (the old RRULE hint among them). None may linger."""
    path = PROJECT_ROOT / "coordinator/translations/zh_Hans_CN/LC_MESSAGES/messages.po"
    source = _strings_in_the_source()
    stale = [m.id for m in read_po(path.open("rb"))
             if m.id and (m.id if isinstance(m.id, str) else m.id[0]) not in source]
    assert stale == []


def test_every_interface_string_has_a_chinese_translation():
    path = PROJECT_ROOT / "coordinator/translations/zh_Hans_CN/LC_MESSAGES/messages.po"
    catalog = read_po(path.open("rb"))
    source = _strings_in_the_source()
    assert len(source) > 150
    missing = [m.id for m in catalog if m.id and not m.string]
    assert missing == []
    translated = {m.id if isinstance(m.id, str) else m.id[0] for m in catalog if m.id}
    assert sorted(source - translated) == []
    for message in catalog:
        if message.id:
            assert set(re.findall(r"%\(\w+\)s", message.id)) == set(
                re.findall(r"%\(\w+\)s", message.string)), message.id


def test_pages_are_phone_friendly(client, org):
    page = client.get("/login").get_data(as_text=True)
    assert 'name="viewport" content="width=device-width, initial-scale=1"' in page
    assert "<script" not in page  # core flows need no JavaScript
    css = client.get("/static/site.css").get_data(as_text=True)
    assert "font-size: 20px" in css and "min-height: 48px" in css


def _patrol(app, org, now, first: datetime | None = None):
    """A daily patrol series in community 1, three dates from tomorrow evening (or from the
    local wall time ``first``), needing 3 people."""
    with app.app_context():
        team = Team(name="巡逻队", kind="patrol", community_id=org["c1"].id)
        db.session.add(team)
        db.session.flush()
        db.session.add(TeamMember(team_id=team.id, person_id=org["v1"].id))
        tomorrow = (now + timedelta(days=1)).date() if first is None else first.date()
        at = time(19, 30) if first is None else first.time().replace(second=0, microsecond=0)
        series = Series(kind="patrol", title="晚间巡逻", community_id=org["c1"].id,
                        timezone="Asia/Shanghai", start_date=tomorrow, start_time=at,
                        duration_minutes=120, rrule="FREQ=DAILY", until=tomorrow + timedelta(
                            days=2))
        series.roles = [SeriesRole(name="巡逻队员", needed=3, maximum=3,
                                   required_team_id=team.id)]
        db.session.add(series)
        db.session.flush()
        materialize(db.session, [series.id], now + timedelta(weeks=4), now)
        db.session.commit()
        return series.id


def test_home_pages_by_role(app, client, org):
    now = NOW
    series_id = _patrol(app, org, now)
    with app.app_context():
        occurrences = db.session.scalars(db.select(Occurrence).where(
            Occurrence.series_id == series_id).order_by(Occurrence.start_at)).all()
        assert len(occurrences) == 3
        first_role = occurrences[0].roles[0]
        db.session.add(Assignment(occurrence_role_id=first_role.id, person_id=org["v1"].id,
                                  status="confirmed"))
        first_role.filled = 1
        db.session.commit()

    login(client, org["v1"].phone)
    page = client.get("/").get_data(as_text=True)
    mine = page[page.index('id="mine-h"'):page.index('id="open-h"')]
    open_part = page[page.index('id="open-h"'):]
    assert mine.count("晚间巡逻") == 1 and "已确认" in mine
    assert open_part.count("晚间巡逻") == 2  # the other two evenings, not the one taken
    post(client, "/logout", token_from="/")

    login(client, "coord1")
    page = client.get("/").get_data(as_text=True)
    assert page.count("晚间巡逻") == 3 and "还差2人" in page and "还差3人" in page
    post(client, "/logout", token_from="/")

    login(client, "coord2")  # another community's coordinator sees no gaps of community 1
    assert "晚间巡逻" not in client.get("/").get_data(as_text=True)
    post(client, "/logout", token_from="/")

    login(client, "leader1")
    assert "周计划" in client.get("/").get_data(as_text=True)


def test_home_open_shifts_respect_team_and_opening_window(app, client, org):
    now = NOW
    # Daily from two hours on: with sign-up opening a day ahead, only the first date is
    # open, whatever the time of day the suite runs (the dates are 26 and 50 hours away).
    first = (now + timedelta(hours=2)).astimezone(ZoneInfo("Asia/Shanghai"))
    series_id = _patrol(app, org, now, first=first)
    login(client, org["v2"].phone)  # not in the patrol team, other community
    assert "晚间巡逻" not in client.get("/").get_data(as_text=True)
    with app.app_context():
        db.session.get(Series, series_id).signup_opens_days = 1
        db.session.commit()
    post(client, "/logout", token_from="/")
    login(client, org["v1"].phone)
    page = client.get("/").get_data(as_text=True)
    open_part = page[page.index('id="open-h"'):]
    assert open_part.count("晚间巡逻") == 1  # only the first date is open for sign-up yet


def test_unexpected_error_gives_a_500_page_in_chinese_and_saves_nothing(app, org):
    from coordinator.models import Community

    @app.route("/boom")
    def boom():  # a view that writes, then crashes before its commit
        db.session.add(Community(name="半截", code="HALF"))
        db.session.flush()
        raise RuntimeError("bug")

    app.view_functions["boom"].is_public = True
    client = app.test_client()
    response = client.get("/boom")
    assert response.status_code == 500
    html = response.get_data(as_text=True)
    assert "出错" in html or "错误" in html
    assert "RuntimeError" not in html and "Traceback" not in html
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(Community).where(
            Community.code == "HALF")) == 0


def test_every_date_on_a_page_uses_a_named_style():
    """Dates read 星期六 12/5, 12月5日 周六 and 2026-12-07 on three pages: every template
    now names one of the styles in vocab.DATE_STYLES (one per context), none its own
    pattern, and no date is printed raw (isoformat) for people to read."""
    from coordinator.vocab import DATE_STYLES

    used, raw = set(), []
    for path in (PROJECT_ROOT / "templates").rglob("*.html"):
        text = path.read_text()
        used |= set(re.findall(r"\|local(?:time|date)\('([^']*)'\)", text))
        raw += [f"{path.name}: {m}" for m in re.findall(
            r"\|(?:dateformat|datetimeformat|timeformat)\b[^}]*|\{\{[^}]*isoformat\(\)[^}]*\}\}",
            text) if 'value="' not in text[max(0, text.find(m) - 40):text.find(m)]]
    assert used and used <= set(DATE_STYLES), used - set(DATE_STYLES)
    assert raw == []


def test_a_shift_reads_the_same_on_pages_and_in_messages(app):
    from datetime import datetime, timezone

    from flask_babel import force_locale

    from coordinator.http.i18n import localtime
    saturday = datetime(2026, 12, 5, 11, 30, tzinfo=timezone.utc)  # 19:30 in Shanghai
    with app.test_request_context():
        with force_locale("zh_CN"):
            assert localtime(saturday) == "12月5日 周六 19:30"
            assert localtime(saturday, "when_year") == "2026年12月5日 周六 19:30"
        with force_locale("en"):
            assert localtime(saturday) == "Sat 5 Dec, 19:30"
    with app.test_request_context(), pytest.raises(KeyError):
        localtime(saturday, "EEEE M/d HH:mm")  # a pattern of its own is refused
