"""Serve feeds: validator first (304 without rendering), then cache, then render."""
from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from urllib.parse import urlsplit

from flask import Response, abort, current_app, request
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import select
from werkzeug.routing import BaseConverter

from .. import versioning
from ..clock import now
from ..domain.errors import NotFound
from ..domain.recurrence import get_zone
from ..domain.text import parse_int
from ..extensions import db
from ..http.access import public
from ..http.urls import MAX_ID
from ..labels import KIND
from ..models import Community, Team
from ..models.schedule import SERIES_KINDS
from ..services.access import managed_community_ids
from ..services.feeds import tokens as feed_tokens
from ..services.feeds.content import FeedSpec, Texts, Viewer, events
from ..services.feeds.render import CalendarMeta, render
from ..services.feeds.stamp import stamp
from . import bp, cache


class FeedTokenConverter(BaseConverter):
    """A feed token: 43 URL-safe characters (anything else is a 404 without a lookup)."""

    regex = r"[A-Za-z0-9_-]{43}"


def texts() -> Texts:
    """The words of a feed, in the current (forced) locale."""
    return Texts(kinds={k: str(KIND[k]) for k in KIND}, care_visit=_("Care visit"),
                 summary=_("%(kind)s: %(title)s"), role=_("Role: %(role)s"),
                 waitlisted=_("On the waitlist"), with_=_("With: %(names)s"),
                 coordinator=_("Coordinator: %(names)s"),
                 filled=_("%(role)s %(filled)s/%(needed)s: %(names)s"),
                 missing=_("%(n)s missing"), cancelled=_("Cancelled: %(reason)s"),
                 removed=_("You are no longer on this shift."),
                 visited=_("Visiting: %(name)s, %(ward)s"), list_sep=_(", "))


def base_url() -> str:
    return (current_app.config.get("PUBLIC_URL") or request.host_url).rstrip("/")


def uid_domain() -> str:
    return current_app.config.get("FEED_UID_DOMAIN") or urlsplit(base_url()).hostname or "local"


def parse_filters(args) -> dict:
    """Read ?kind=patrol,care&community=3&team=5; unknown values are a 400."""
    out = {}
    kinds = tuple(k for k in (args.get("kind") or "").split(",") if k)
    if any(k not in SERIES_KINDS for k in kinds):
        abort(400)
    out["kinds"] = kinds
    for name, model in (("community", Community), ("team", Team)):
        raw = args.get(name)
        if raw:
            row_id = parse_int(raw, 1, MAX_ID)
            if row_id is None or db.session.get(model, row_id) is None:
                abort(400)
            out[f"{name}_id"] = row_id
    return out


def serve(key: str, spec: FeedSpec, viewer: Viewer, locale: str, name, *,
          private: bool, person_id: int | None = None, alarm_minutes: int | None = None,
          hot_key: str | None = None, version: int | None = None):
    """Answer a feed request: 304 from the validator, else cached or fresh bytes.

    ``name`` is a callable giving the calendar's name: only needed when rendering."""
    config = current_app.config
    at = now()
    zone = config["TIMEZONE"]
    local_day = at.astimezone(get_zone(zone)).date().isoformat()
    key = f"{key}:{locale}:{alarm_minutes}"
    digest, last_modified = stamp(db.session, spec, person_id, at, config["FEED_PAST_DAYS"],
                                  config["FEED_FUTURE_DAYS"], local_day)
    # The viewer is part of the validator: what a feed shows depends on whose eyes read it
    # (a coordinator moved to another community must not keep its old care details).
    eyes = (viewer.person_id, viewer.is_public,
            None if viewer.managed is None else sorted(viewer.managed))
    etag = hashlib.sha256(f"{key}|{digest}|{eyes}".encode()).hexdigest()[:32]
    if hot_key is not None and version is not None:
        _remember_hot(hot_key, (version, local_day, key, etag, last_modified, private))
    not_modified = _not_modified(etag, last_modified, private)
    if not_modified is not None:
        return not_modified
    cached = cache.get(db.session, key, etag)
    if cached is None:
        with force_locale(locale):
            items = events(db.session, spec, viewer, texts(), at, config["FEED_PAST_DAYS"],
                           config["FEED_FUTURE_DAYS"], alarms=bool(alarm_minutes))
            title = name()
            meta = CalendarMeta(name=title, description=_("Volunteer work: %(name)s", name=title),
                                zone=zone, base_url=base_url(), uid_domain=uid_domain(),
                                alarm_minutes=alarm_minutes, alarm_text=_("Shift reminder"))
            body = render(items, meta)
        packed = cache.put(db.session, key, etag, body, len(items), at)
        cached = (body, packed)
    return _body(cached, etag, last_modified, private)


def _not_modified(etag, last_modified, private):
    """Return a 304 when the client's validators match, else None."""
    if request.if_none_match:
        if request.if_none_match.contains_weak(etag):  # RFC 9110: weak comparison here
            return _headers(Response(status=304), etag, last_modified, private)
    elif request.if_modified_since and last_modified <= request.if_modified_since:
        return _headers(Response(status=304), etag, last_modified, private)
    return None


def _body(cached, etag, last_modified, private):
    gzip_ok = request.accept_encodings["gzip"] > 0
    response = Response(cached[1] if gzip_ok else cached[0],
                        content_type="text/calendar; charset=utf-8")
    if gzip_ok:
        response.headers["Content-Encoding"] = "gzip"
    return _headers(response, etag, last_modified, private)


# Per process: what the last full answer of each feed URL was, and at which data version.
# While the version and the local day are unchanged, a poll needs no other query.
_HOT: OrderedDict[str, tuple] = OrderedDict()
_HOT_LOCK = threading.Lock()
HOT_SIZE = 20_000


def _remember_hot(hot_key, entry):
    with _HOT_LOCK:
        _HOT[hot_key] = entry
        _HOT.move_to_end(hot_key)
        while len(_HOT) > HOT_SIZE:
            _HOT.popitem(last=False)


def _hot_answer(hot_key, version):
    """Answer from the process's memory when nothing changed since; else None."""
    with _HOT_LOCK:
        entry = _HOT.get(hot_key)
    if entry is None or version is None or entry[0] != version:
        return None
    _version, day, key, etag, last_modified, private = entry
    if day != now().astimezone(get_zone(current_app.config["TIMEZONE"])).date().isoformat():
        return None
    answer = _not_modified(etag, last_modified, private)
    if answer is not None:
        return answer
    cached = cache.get(db.session, key, etag)
    return _body(cached, etag, last_modified, private) if cached is not None else None


def _headers(response, etag, last_modified, private):
    response.set_etag(etag)
    response.last_modified = last_modified
    response.headers["Vary"] = "Accept-Encoding"
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["Cache-Control"] = "private, max-age=300" if private else (
        "public, max-age=300")
    return response


@bp.route("/feeds/<feedtoken:token>.ics")
@public
def private_feed(token: str):
    hot_key = hashlib.sha256(token.encode() + b"?" + request.query_string).hexdigest()
    version = versioning.read_now(db.engine)
    if version is None:
        version = versioning.read(db.session.connection())
    answer = _hot_answer(hot_key, version)
    if answer is not None:
        return answer
    try:
        row, account = feed_tokens.resolve(db.session, token)
    except NotFound:
        abort(404)
    filters = parse_filters(request.args) if row.scope != "mine" else {}
    spec = FeedSpec(scope=row.scope, scope_id=row.scope_id, **filters)
    managed = managed_community_ids(db.session, account)
    viewer = Viewer(person_id=account.person_id,
                    managed=None if managed is None else frozenset(managed))
    locale = account.locale or current_app.config["BABEL_DEFAULT_LOCALE"]

    def name():
        return feed_name(row.scope, row.scope_id)

    return serve(f"t{row.id}:{sorted(filters.items())}", spec, viewer, locale, name,
                 private=True, person_id=account.person_id,
                 alarm_minutes=account.feed_alarm_minutes if row.scope == "mine" else None,
                 hot_key=hot_key, version=version)


@bp.route("/feeds/public/<code>.ics")
@public
def public_feed(code: str):
    community = db.session.scalar(select(Community).where(Community.code == code[:20]))
    if community is None or not community.is_public_feed:
        abort(404)
    locale = request.args.get("lang")
    if locale not in current_app.config["LANGUAGES"]:
        locale = current_app.config["BABEL_DEFAULT_LOCALE"]
    spec = FeedSpec(scope="public", scope_id=community.id)

    def name():
        return _("%(community)s: public events", community=community.name)

    return serve(f"p{community.id}", spec, Viewer(is_public=True), locale, name, private=False)


def feed_name(scope: str, scope_id: int | None) -> str:
    """The calendar's display name, in the current locale."""
    if scope == "mine":
        return _("My volunteer shifts")
    if scope == "organisation":
        return _("All communities")
    model = Team if scope == "team" else Community
    row = db.session.get(model, scope_id)
    return row.name if row else _("Calendar")
