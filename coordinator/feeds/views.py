"""The feed URLs: parse the request, call ``services.feeds.serve``, build the response."""
from __future__ import annotations

import hashlib

from flask import Response, abort, current_app, request
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import select
from werkzeug.routing import BaseConverter

from .. import versioning
from ..clock import now
from ..config import feed_identity
from ..domain.errors import NotFound
from ..domain.text import parse_int
from ..extensions import db
from ..http.access import public
from ..http.urls import MAX_ID
from ..models import Community, Team
from ..services.care import settings_from as care_settings
from ..services.feeds import tokens as feed_tokens
from ..services.feeds.cache import FeedCaches, Meta
from ..services.feeds.content import FeedSpec, Texts
from ..services.feeds.serve import (
    Answer,
    FeedRequest,
    FeedSettings,
    Words,
    hot_answer,
    identity,
    serve,
)
from ..services.feeds.viewer import PUBLIC, viewer_for
from ..vocab import SERIES_KINDS
from . import bp


class FeedTokenConverter(BaseConverter):
    """A feed token: 43 URL-safe characters (anything else is a 404 without a lookup)."""

    regex = r"[A-Za-z0-9_-]{43}"


def texts() -> Texts:
    """The words of a feed, in the current (forced) locale."""
    return Texts(kinds={k: str(SERIES_KINDS[k]) for k in SERIES_KINDS}, care_visit=_("Care visit"),
                 summary=_("%(kind)s: %(title)s"), role=_("Role: %(role)s"),
                 waitlisted=_("On the waitlist"), with_=_("With: %(names)s"),
                 coordinator=_("Coordinator: %(names)s"),
                 filled=_("%(role)s %(filled)s/%(needed)s: %(names)s"),
                 missing=_("%(n)s missing"), cancelled=_("Cancelled: %(reason)s"),
                 removed=_("You are no longer on this shift."),
                 visited=_("Visiting: %(name)s, %(ward)s"), list_sep=_(", "))


def base_url() -> str:
    """The address in feed links: the configured PUBLIC_URL, never the request's Host."""
    return feed_identity(current_app.config)[0]


def caches() -> FeedCaches:
    """This app's process-local feed memory."""
    return current_app.extensions["feed_caches"]


def settings() -> FeedSettings:
    config = current_app.config
    base, uid_domain = feed_identity(config)
    return FeedSettings(zone=config["TIMEZONE"], past_days=config["FEED_PAST_DAYS"],
                        future_days=config["FEED_FUTURE_DAYS"], base_url=base,
                        uid_domain=uid_domain)


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


def answer(feed: FeedRequest, name, hot_key: str | None = None,
           version: int | None = None) -> Response:
    """Serve ``feed`` and turn the answer into a response; ``name`` gives the calendar's
    name (only called when rendering)."""
    def words() -> Words:
        with force_locale(feed.locale):
            title = name()
            return Words(texts=texts(), name=title,
                         description=_("Volunteer work: %(name)s", name=title),
                         alarm_text=_("Shift reminder"))

    return respond(serve(db.session, caches(), feed, settings(), now(), client_has, words,
                         hot_key=hot_key, version=version))


def client_has(meta: Meta) -> bool:
    """Does the client already hold these bytes? If-None-Match decides when sent (RFC 9110:
    weak comparison); else If-Modified-Since, only where it is true: no later change in
    that second (HTTP dates have no fractions)."""
    if request.if_none_match:
        return request.if_none_match.contains_weak(meta.etag)
    since = request.if_modified_since
    if since is None:
        return False
    last = meta.modified_at.replace(microsecond=0)
    return last < since or (last == since and meta.exact)


def respond(answer: Answer) -> Response:
    """The HTTP response of a served feed."""
    if answer.status == 304:
        response = Response(status=304)
    else:
        gzip_ok = request.accept_encodings["gzip"] > 0
        response = Response(answer.gzip_body if gzip_ok else answer.body,
                            content_type="text/calendar; charset=utf-8")
        if gzip_ok:
            response.headers["Content-Encoding"] = "gzip"
    response.set_etag(answer.etag)
    response.last_modified = answer.last_modified
    response.headers["Vary"] = "Accept-Encoding"
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["Cache-Control"] = "private, max-age=300" if answer.private else (
        "public, max-age=300")
    return response


@bp.route("/feeds/<feedtoken:token>.ics")
@public
def private_feed(token: str):
    # The configured links and UIDs are part of the key, never the request's Host.
    hot_key = hashlib.sha256(token.encode() + b"?" + request.query_string + b"@"
                             + identity(settings()).encode()).hexdigest()
    version = versioning.read_now(db.engine)
    if version is None:
        version = versioning.read(db.session.connection())
    hot = hot_answer(db.session, caches(), hot_key, version, now(),
                     current_app.config["TIMEZONE"], client_has)
    if hot is not None:
        return respond(hot)
    try:
        row, account = feed_tokens.resolve(db.session, token)
    except NotFound:
        abort(404)
    filters = parse_filters(request.args) if row.scope != "mine" else {}
    spec = FeedSpec(scope=row.scope, scope_id=row.scope_id, **filters)
    viewer = viewer_for(db.session, account, now(), care_settings(current_app.config).visitor_days,
                        current_app.config["TIMEZONE"])
    locale = account.locale or current_app.config["BABEL_DEFAULT_LOCALE"]

    def name():
        return feed_name(row.scope, row.scope_id, spec)

    feed = FeedRequest(key=f"t{row.id}:{sorted(filters.items())}", spec=spec, viewer=viewer,
                       locale=locale, private=True, person_id=account.person_id,
                       alarm_minutes=account.feed_alarm_minutes if row.scope == "mine"
                       else None)
    return answer(feed, name, hot_key=hot_key, version=version)


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

    return answer(FeedRequest(key=f"p{community.id}", spec=spec, viewer=PUBLIC,
                              locale=locale, private=False), name)


def feed_name(scope: str, scope_id: int | None, spec: FeedSpec | None = None) -> str:
    """The calendar's display name, in the current locale, after its filters: the
    organisation's feed filtered to a community takes that community's name, and a
    kind or team filter is added ("一连社区 · 巡逻"). The names printed here are in the
    stamp (``sources.named`` over the scope and the filter's community and team)."""
    if scope == "mine":
        return _("My volunteer shifts")
    community_id = spec.community_id if spec else None
    team_id = spec.team_id if spec else None
    if scope == "organisation":
        row = db.session.get(Community, community_id) if community_id else None
        name = row.name if row else _("All communities")
        community_id = None
    else:
        model = Team if scope == "team" else Community
        row = db.session.get(model, scope_id)
        name = row.name if row else _("Calendar")
        if scope == "community" and community_id == scope_id:
            community_id = None
        if scope == "team" and team_id == scope_id:
            team_id = None
    filters = []
    if community_id:  # a community feed filtered to another community (shows nothing)
        filters.append(db.session.get(Community, community_id).name)
    if team_id:
        filters.append(db.session.get(Team, team_id).name)
    if spec and spec.kinds:
        filters.append(_(", ").join(str(SERIES_KINDS[k]) for k in spec.kinds))
    for part in filters:
        name = _("%(calendar)s · %(filter)s", calendar=name, filter=part)
    return name
