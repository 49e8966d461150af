"""Language and time display: Flask-Babel locale choice and the ``localtime`` filter."""
from __future__ import annotations

from datetime import date, datetime

from babel.dates import get_timezone, get_timezone_name
from flask import current_app, session
from flask_babel import format_date, format_datetime, get_locale
from flask_babel import gettext as _
from flask_login import current_user

from ..extensions import babel
from ..vocab import date_pattern


def select_locale() -> str:
    """Pick the account's language, else the session's, else Chinese."""
    languages = current_app.config["LANGUAGES"]
    if current_user and current_user.is_authenticated and current_user.locale in languages:
        return current_user.locale
    chosen = session.get("locale")
    if chosen in languages:
        return chosen
    return current_app.config["BABEL_DEFAULT_LOCALE"]


def select_timezone() -> str:
    """Show every time in the organisation's zone."""
    return current_app.config["TIMEZONE"]


# China has one clock; these are the tz database's names for it.
BEIJING_ZONES = frozenset({"Asia/Shanghai", "Asia/Chongqing", "Asia/Chungking", "Asia/Harbin",
                           "PRC"})
UTC_ZONES = frozenset({"UTC", "Etc/UTC", "Etc/UCT", "UCT", "Etc/Universal", "Universal",
                       "Etc/Zulu", "Zulu", "GMT", "Etc/GMT"})


def zone_label(zone: str, locale: str | None = None) -> str:
    """Name a time zone as people say it: 北京时间 for China's zone, else its local name."""
    if zone in BEIJING_ZONES:
        return _("Beijing time")
    if zone in UTC_ZONES:
        return _("Coordinated Universal Time (UTC)")
    try:
        return get_timezone_name(get_timezone(zone), width="long", zone_variant="generic",
                                 locale=locale or str(get_locale()))
    except LookupError:
        return zone


def localtime(value: datetime | None, style: str = "when") -> str:
    """Format an aware UTC instant in the organisation's zone and the user's language, in
    one of the named date styles (``vocab.DATE_STYLES``)."""
    if value is None:
        return ""
    return format_datetime(value, date_pattern(style, str(get_locale())))


def localdate(value: date | None, style: str = "day") -> str:
    """Format a calendar day (no zone) in one of the named date styles."""
    if value is None:
        return ""
    return format_date(value, date_pattern(style, str(get_locale())))


def init_app(app) -> None:
    """Bind Flask-Babel with our selectors and register the template filters."""
    babel.init_app(app, locale_selector=select_locale, timezone_selector=select_timezone,
                   default_translation_directories="translations",
                   default_domain="messages")
    app.jinja_env.filters["localtime"] = localtime
    app.jinja_env.filters["localdate"] = localdate
    app.jinja_env.add_extension("jinja2.ext.i18n")
