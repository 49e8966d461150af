"""Driving the real browser: Debian's chromium (never a downloaded browser), pages in
fresh contexts, logging in and switching language as a person would; and where the
browser tests' files are."""
from __future__ import annotations

import weakref
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from tests.support.scheduling import NOW

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync"]
HERE = Path(__file__).resolve().parents[1] / "browser"
AXE = HERE / "node_modules" / "axe-core" / "axe.min.js"
ARTIFACTS = HERE.parent / "artifacts"
ZONE = ZoneInfo("Asia/Shanghai")
TIMEOUT_MS = 15_000


def shanghai_today():
    """The date in Shanghai at the pinned ``NOW`` (the live server's clock)."""
    return NOW.astimezone(ZONE).date()


def require_chromium(path: Path = CHROMIUM) -> str:
    """Debian's chromium, or a failure (never a skip) that says how to install it."""
    if not path.exists():
        pytest.fail(f"{path} is missing: the browser tests need Debian's chromium. "
                    "Run `make system-deps` (installs chromium and fonts-noto-cjk via apt).",
                    pytrace=False)
    return str(path)


def new_page(browser, live_server, width=1280, height=900):
    """A page in a fresh context (own cookies). The app's CSP is ``script-src 'self'``;
    bypass_csp lets axe-core be injected, nothing else changes."""
    context = browser.new_context(base_url=live_server.url, bypass_csp=True,
                                  viewport={"width": width, "height": height},
                                  locale="zh-CN", timezone_id="Asia/Shanghai")
    context.set_default_timeout(TIMEOUT_MS)
    context.set_default_navigation_timeout(TIMEOUT_MS)
    return context.new_page()


def log_in(page, identifier, password):
    """Log in through the login form, as a person would."""
    page.goto("/login")
    page.fill("#identifier", identifier)
    page.fill("#password", password)
    page.locator("main form").get_by_role("button").click()
    page.wait_for_load_state()
    assert not page.url.rstrip("/").endswith("/login"), (
        f"login as {identifier} failed: {page.locator('main').inner_text()}")
    assert page.locator("header.site form[action='/logout']").is_visible()


LANG = {"zh_CN": "zh-CN", "en": "en"}


def set_language(page, code):
    """Switch the language with the buttons in the page header."""
    button = page.locator(f"header.site button[name=locale][value={code}]")
    if button.get_attribute("aria-pressed") != "true":
        with page.expect_navigation():
            button.click()
    assert page.locator("html").get_attribute("lang") == LANG[code]
    assert button.get_attribute("aria-pressed") == "true"


# ---- phones: the walk-through sizes (issue #13) ------------------------------------------
PHONE = {"width": 390, "height": 844}
TEXT_SIZES = ("standard", "large", "xlarge")  # 标准 / 大 / 特大


def phone_page(browser, live_server, login=None, *, text_size="standard", javascript=True,
               locale_code="zh_CN"):
    """A fresh 390x844 page (own cookies), logged in as ``login`` (a login name or phone,
    None for anonymous), at the given text size, in Chinese; ``javascript=False`` is a
    phone with scripts off (the no-JS path of every form)."""
    context = browser.new_context(base_url=live_server.url, bypass_csp=True, viewport=PHONE,
                                  device_scale_factor=2, is_mobile=True, has_touch=True,
                                  java_script_enabled=javascript,
                                  locale="zh-CN", timezone_id="Asia/Shanghai")
    context.set_default_timeout(TIMEOUT_MS)
    context.set_default_navigation_timeout(TIMEOUT_MS)
    if not javascript:
        _SCRIPTS_OFF.add(context)
    page = context.new_page()
    if login is not None:
        log_in(page, login, live_server.password)
    if locale_code != "zh_CN" or login is None:
        page.goto("/login" if login is None else "/")
        set_language(page, locale_code)
    if text_size != "standard" or login is None:
        set_text_size(page, text_size)
    return page


def set_text_size(page, code):
    """Switch the text size with the header's buttons, as a person would."""
    button = page.locator(f"header.site button[name=text_size][value={code}]")
    if button.get_attribute("aria-pressed") != "true":
        with page.expect_navigation():
            button.click()
    assert page.locator("html").get_attribute("class") == f"text-{code}"


def header_height(page) -> float:
    """The height of the site header in CSS pixels, as it stands on the screen."""
    return page.evaluate("() => document.querySelector('header.site')"
                         ".getBoundingClientRect().height")


def sideways_overflow(page) -> list[str]:
    """What sticks out to the right of the viewport (empty when nothing scrolls sideways)."""
    return page.evaluate("""() => {
      const width = document.documentElement.clientWidth;
      if (document.documentElement.scrollWidth <= width + 1) return [];
      const out = [];
      for (const el of document.querySelectorAll('body *')) {
        const r = el.getBoundingClientRect();
        if (r.right > width + 1 && r.width > 0) {
          out.push(el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') +
                   (el.className && typeof el.className === 'string' ? '.' +
                    el.className.trim().split(/\\s+/).join('.') : '') + ' right=' +
                   Math.round(r.right));
          if (out.length > 12) break;
        }
      }
      return out.length ? out : ['scrollWidth ' + document.documentElement.scrollWidth];
    }""")


_SCRIPTS_OFF: weakref.WeakSet = weakref.WeakSet()  # contexts made with javascript=False


def axe_violations(page, axe_script, impacts=("serious", "critical")) -> str:
    """axe-core's violations on the page as a readable report ('' when there are none).

    axe is a script: for a page with JavaScript turned off (``phone_page(javascript=False)``)
    the same address is opened in a twin page with scripts on, the same cookies and the
    same viewport, and checked there."""
    probe = page
    if page.context in _SCRIPTS_OFF:
        context = page.context.browser.new_context(
            bypass_csp=True, viewport=page.viewport_size, locale="zh-CN",
            timezone_id="Asia/Shanghai")
        context.add_cookies(page.context.cookies())
        probe = context.new_page()
        probe.goto(page.url)
    try:
        probe.add_script_tag(path=axe_script)
        result = probe.evaluate("() => axe.run(document, {resultTypes: ['violations']})")
    finally:
        if probe is not page:
            probe.context.close()
    bad = [v for v in result["violations"] if v["impact"] in impacts]
    return "\n".join(
        f"- {v['id']} ({v['impact']}): {v['help']}\n" + "\n".join(
            f"    {n['target']}: {' '.join((n.get('failureSummary') or '').split())}"
            for n in v["nodes"][:10])
        for v in bad)
