"""Write each claimed delivery as the message its channel carries, in the recipient's
language: e-mail (plain text + HTML, the iCal event for reminders), SMS (within 70
characters), or an in-app notification. Uses the app's templates and translations."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask import current_app
from flask_babel import force_locale, format_datetime
from flask_babel import gettext as _

from ..domain.notify import fit_sms
from ..services.feeds.content import FeedEvent
from ..services.feeds.render import CalendarMeta, render
from ..services.notify import NotifySettings
from ..services.notify.channels import Email, Sms
from ..services.notify.deliveries import Claimed, message_id
from ..vocab import SERIES_KINDS, date_pattern

URLS = {"reminder2": "/shifts/mine", "reminder24": "/shifts/mine", "notice": "/shifts/mine",
        "digest": "/", "weekly": "/plan", "star": "/"}


def shift_path(p: dict) -> str:
    """The page of the shift a message is about (``web.shift_page``: the people on it
    open it), else My shifts."""
    occ = p.get("occurrence_id")
    return f"/shifts/{int(occ)}" if occ else "/shifts/mine"


@dataclass(frozen=True)
class Composed:
    """What one delivery says on its channel."""

    title: str
    body: str
    url_path: str
    email: Email | None = None
    sms: Sms | None = None


def _when(value: str, locale: str) -> str:
    # Many messages share a start time (a hundred people on one shift): format it once.
    key = (value, locale, current_app.config["TIMEZONE"])
    hit = _WHEN_CACHE.get(key)
    if hit is None:
        if len(_WHEN_CACHE) > 20_000:
            _WHEN_CACHE.clear()
        hit = _WHEN_CACHE[key] = format_datetime(datetime.fromisoformat(value),
                                                 date_pattern("when", locale))
    return hit


_WHEN_CACHE: dict[tuple[str, str, str], str] = {}


def _notice_label(change: str) -> str:
    return {"moved": _("Moved:"), "cancelled": _("Cancelled:"),
            "removed": _("No longer yours:"), "promoted": _("Off the waitlist, confirmed:"),
            "assigned": _("Assigned to you:"), "swapped_in": _("Swap done, now yours:"),
            "swapped_out": _("Swap done, taken over:")}.get(change, _("Changed:"))


def _ics(p: dict, settings: NotifySettings) -> bytes:
    # Everything the attached event prints is in the key: the payload's fields and the
    # settings that go into UID, links and time zone (two apps in one process differ).
    key = tuple(p.get(k) for k in ("occurrence_id", "start", "end", "seq", "updated",
                                   "title", "venue", "role", "kind")) + (
        settings.uid_domain, settings.base_url, settings.zone)
    hit = _ICS_CACHE.get(key)
    if hit is None:
        if len(_ICS_CACHE) > 5_000:
            _ICS_CACHE.clear()
        hit = _ICS_CACHE[key] = _make_ics(p, settings)
    return hit


_ICS_CACHE: dict[tuple, bytes] = {}


def _make_ics(p: dict, settings: NotifySettings) -> bytes:
    event = FeedEvent(uid_key=f"occ-{p['occurrence_id']}",
                      start_at=datetime.fromisoformat(p["start"]),
                      end_at=datetime.fromisoformat(p["end"]), kind=p["kind"],
                      summary=p["title"], location=p.get("venue") or "",
                      description=[p["role"]] if p.get("role") else [],
                      sequence=int(p.get("seq") or 0),
                      last_modified=datetime.fromisoformat(p["updated"]),
                      url_path=shift_path(p) if settings.base_url else None)
    meta = CalendarMeta(name=p["title"], description="", zone=settings.zone,
                        base_url=settings.base_url, uid_domain=settings.uid_domain,
                        method="PUBLISH")
    return render([event], meta)


def _head(label: str) -> str:
    """A label before a title: a space after ASCII punctuation, none after "：" (Chinese
    full-width punctuation carries its own space, and an SMS has 70 characters)."""
    return label if label.endswith(("：", "，", "。")) else label + " "


def _texts(row: Claimed, p: dict, settings: NotifySettings) -> tuple[str, str, str, str]:
    """Return (subject, sms text, template name, kind label) in the forced locale."""
    locale = p.get("locale") or settings.default_locale
    if row.kind.startswith("reminder"):
        when = _when(p["start"], locale)
        subject = _("Reminder: %(title)s, %(when)s", title=p["title"], when=when)
        tail = f" {when}" + (f" {p['venue']}" if p.get("venue") else "")
        sms = fit_sms(_head(_("Reminder:")), p["title"], tail, limit=settings.sms_length)
        return subject, sms, "reminder", ""
    if row.kind == "notice":
        when = _when(p["start"], locale)
        label = _notice_label(p.get("change", ""))
        subject = _("%(label)s %(title)s, %(when)s", label=label, title=p["title"],
                    when=when)
        sms = fit_sms(_head(label), p["title"], f" {when}", limit=settings.sms_length)
        return subject, sms, "notice", label
    if row.kind == "digest":
        subject = _("Daily digest: %(missing)s open places in the next three days",
                    missing=p.get("missing_total", 0))
        sms = _("Digest: %(missing)s open places, %(swaps)s swap offers, %(withdrawals)s "
                "withdrawals.", missing=p.get("missing_total", 0),
                swaps=p.get("swaps_total", 0), withdrawals=p.get("withdrawals_total", 0))
        return subject, fit_sms("", sms, limit=settings.sms_length), "digest", ""
    if row.kind == "star":
        stars = "★" * int(p.get("level") or 0)
        if p.get("self"):
            subject = _("%(stars)s You have served %(hours)s hours: star volunteer, level "
                        "%(level)s", stars=stars, hours=p.get("threshold"),
                        level=p.get("level"))
        else:
            subject = _("%(stars)s %(name)s has served %(hours)s hours: star volunteer, "
                        "level %(level)s", stars=stars, name=p.get("name"),
                        hours=p.get("threshold"), level=p.get("level"))
        return subject, fit_sms("", subject, limit=settings.sms_length), "star", ""
    coverage = p.get("coverage")
    subject = _("Weekly plan from %(monday)s: %(open)s open places",
                monday=p.get("monday"), open=p.get("open_places", 0))
    sms = _("Week from %(monday)s: %(coverage)s%% covered, %(open)s open places.",
            monday=p.get("monday"), coverage="—" if coverage is None else coverage,
            open=p.get("open_places", 0))
    return subject, fit_sms("", sms, limit=settings.sms_length), "weekly", ""


def compose(rows: list[Claimed], settings: NotifySettings) -> dict[int, Composed]:
    """Return the message of every row, each in its recipient's language."""
    out: dict[int, Composed] = {}
    by_locale: dict[str, list[Claimed]] = {}
    for row in rows:
        by_locale.setdefault(row.payload.get("locale") or settings.default_locale,
                             []).append(row)
    for locale, group in by_locale.items():
        with force_locale(locale):
            for row in group:
                out[row.id] = _compose_one(row, settings, locale)
    return out


def _render(name: str, context: dict) -> str:
    # The Jinja environment directly: no request, so no request context processors.
    return current_app.jinja_env.get_template(name).render(context)


def _shown(p: dict) -> dict:
    """The payload as the recipient may read it: a care visit planned as private (the
    person is not among its confirmed visitors) is only "Care visit"."""
    return p | {"title": _("Care visit")} if p.get("private") else p


def _compose_one(row: Claimed, settings: NotifySettings, locale: str) -> Composed:
    p = _shown(row.payload)
    subject, sms_text, template, label = _texts(row, p, settings)
    url_path = shift_path(p) if row.kind.startswith("reminder") else URLS.get(row.kind, "/")
    context = {"p": p, "subject": subject, "label": label, "locale": locale,
               "when": _when(p["start"], locale) if "start" in p else "",
               "end": format_datetime(datetime.fromisoformat(p["end"]), "HH:mm")
               if "end" in p else "",
               "kind_text": "" if p.get("private") else str(SERIES_KINDS.get(p.get("kind"),
                                                                     p.get("kind") or "")),
               "link": (settings.base_url + url_path) if settings.base_url else "",
               "fmt": lambda value: _when(value, locale)}
    body = _render(f"emails/{template}.txt", context)
    email = sms = None
    mid = message_id(row.id, row.dedup_key, settings.uid_domain)
    if row.channel == "email":
        html = _render(f"emails/{template}.html", context)
        ics = _ics(p, settings) if template == "reminder" else None
        email = Email(to=p.get("email") or "", subject=subject, text=body, html=html,
                      message_id=mid, ics=ics)
    elif row.channel == "sms":
        sms = Sms(to=p.get("phone") or "", text=sms_text, message_id=mid)
    return Composed(title=subject, body=body, url_path=url_path, email=email, sms=sms)
