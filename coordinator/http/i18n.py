"""Language and time display: Flask-Babel locale choice and the ``localtime`` filter."""
from __future__ import annotations

from datetime import date, datetime, timedelta

from babel.dates import get_timezone, get_timezone_name
from flask import current_app, session
from flask_babel import format_date, format_datetime, get_locale, pgettext
from flask_babel import gettext as _
from flask_login import current_user

from ..domain.repeat_words import RepeatWords, describe_repeat, describe_rule
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
    app.jinja_env.globals["repeat_text"] = repeat_text
    app.jinja_env.add_extension("jinja2.ext.i18n")


def repeat_words() -> RepeatWords:
    """The phrases of ``describe_repeat`` in the current language."""
    return RepeatWords(
        once=_("Once, %(date)s"), daily=_("Every day"), every_n_days=_("Every %(n)s days"),
        weekly=_("Every %(days)s"), every_other_week=_("Every other week on %(days)s"),
        every_n_weeks=_("Every %(n)s weeks on %(days)s"),
        monthly_day=_("Every month on day %(days)s"),
        every_n_months_day=_("Every %(n)s months on day %(days)s"),
        monthly_last_day=_("Every month on its last day"),
        monthly_weekday=_("Every month on the %(days)s"),
        every_n_months_weekday=_("Every %(n)s months on the %(days)s"),
        yearly=_("Every year on %(date)s"), month_day=_("%(month)s/%(day)s"),
        position_weekday=_("%(position)s %(weekday)s"), custom=_("On a custom repeat"),
        time_range=_("%(start)s–%(end)s"), next_day=_("%(time)s the next day"),
        until=_("until %(date)s"), count=_("%(n)s times in all"),
        with_time=_("%(rule)s %(time)s"),
        more=_("%(text)s, %(more)s"), separator=_(", "), last_separator=_(" and "),
        weekdays=(pgettext("repeat", "Monday"), pgettext("repeat", "Tuesday"),
                  pgettext("repeat", "Wednesday"), pgettext("repeat", "Thursday"),
                  pgettext("repeat", "Friday"), pgettext("repeat", "Saturday"),
                  pgettext("repeat", "Sunday")),
        positions={1: pgettext("repeat", "first"), 2: pgettext("repeat", "second"),
                   3: pgettext("repeat", "third"), 4: pgettext("repeat", "fourth"),
                   5: pgettext("repeat", "fifth"), -1: pgettext("repeat", "last"),
                   -2: pgettext("repeat", "second to last")},
        format_date=lambda day: localdate(day, "date"))


def repeat_text(series) -> str:
    """Return how ``series`` repeats, in words and with its time (templates call this)."""
    return describe_repeat(series.rrule, datetime.combine(series.start_date, series.start_time),
                           timedelta(minutes=series.duration_minutes), repeat_words(),
                           until=series.until)


def repeat_rule_text(rule: str | None, series=None) -> str:
    """Return ``rule`` in words, with the time of ``series`` when it is known (the audit log
    keeps the rule a series was created with; without the series, the words alone)."""
    if series is not None:
        return describe_repeat(rule, datetime.combine(series.start_date, series.start_time),
                               timedelta(minutes=series.duration_minutes), repeat_words())
    return describe_rule(rule, repeat_words())
