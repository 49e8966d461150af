"""Driving the real browser: Debian's chromium (never a downloaded browser), pages in
fresh contexts, logging in and switching language as a person would; and where the
browser tests' files are."""
from __future__ import annotations

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
