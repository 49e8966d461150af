"""The "My calendar" page: subscription links, QR codes, how-to per phone brand, the
organisation feed's filter form, rotation, alarms, a one-time .ics download of one's own
shifts, and (for coordinators) the public calendar switch of their communities."""
from __future__ import annotations

import base64
import io
from urllib.parse import urlencode

import segno
from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from ..clock import now
from ..domain.text import parse_int
from ..extensions import db
from ..http.inputs import int_arg
from ..http.transactions import write
from ..http.urls import MAX_ID
from ..models import Community, Team, TeamMember
from ..services import audit
from ..services.access import managed_community_ids, reads_every_community
from ..services.care import settings_from as care_settings
from ..services.feeds import tokens as feed_tokens
from ..services.feeds.content import FeedSpec
from ..services.feeds.serve import FeedRequest
from ..services.feeds.viewer import viewer_for
from ..vocab import SERIES_KINDS
from . import bp
from .views import answer, base_url, feed_name

ALARM_CHOICES = (None, 30, 60, 120, 1440)


def _qr(url: str) -> str:
    """Return an SVG data URI of a QR code for ``url`` (no JavaScript, no network)."""
    out = io.BytesIO()
    segno.make(url, error="m").save(out, kind="svg", scale=6, border=2, dark="#000",
                                    light="#fff")

    return "data:image/svg+xml;base64," + base64.b64encode(out.getvalue()).decode()


def _available():
    """The feeds this account may subscribe to: (scope, scope_id) pairs."""
    feeds = []
    if current_user.person_id:
        feeds.append(("mine", None))
        for team_id in db.session.scalars(select(TeamMember.team_id).where(
                TeamMember.person_id == current_user.person_id)):
            feeds.append(("team", team_id))
    managed = managed_community_ids(db.session, current_user)
    if current_user.role in ("coordinator", "admin", "leader"):
        feeds.append(("organisation", None))
        ids = managed if managed is not None else set()
        if reads_every_community(current_user):  # their own and the first 30
            ids = ids | set(db.session.scalars(select(Community.id).order_by(Community.code)
                                               .limit(30)))
        for community_id in sorted(ids):
            feeds.append(("community", community_id))
    return list(dict.fromkeys(feeds))


def _filter_choices() -> dict:
    """What the organisation feed's filter form offers: kinds, communities, teams."""
    communities = db.session.scalars(select(Community).order_by(Community.code)
                                     .limit(200)).all()
    teams = db.session.execute(
        select(Team.id, Team.name, Community.name).outerjoin(Community)
        .order_by(Community.code, Team.name).limit(500)).all()
    return {"kinds": list(SERIES_KINDS.items()), "communities": communities,
            "teams": [(team_id, name if not where else f"{where} · {name}")
                      for team_id, name, where in teams]}


def _chosen(args, choices: dict) -> FeedSpec:
    """The filters ticked in the form; what the form does not offer is left out (the page
    never refuses a link the user only half chose)."""
    kinds = tuple(k for k in SERIES_KINDS if k in args.getlist("kind"))
    community_id = parse_int(args.get("community") or "", 1, MAX_ID)
    if community_id not in {c.id for c in choices["communities"]}:
        community_id = None
    team_id = parse_int(args.get("team") or "", 1, MAX_ID)
    if team_id not in {t for t, _name in choices["teams"]}:
        team_id = None
    return FeedSpec(scope="organisation", kinds=kinds, community_id=community_id,
                    team_id=team_id)


def _filtered(url: str, spec: FeedSpec) -> str:
    """``url`` with the query the feed's parser reads (``views.parse_filters``)."""
    query = {"kind": ",".join(spec.kinds), "community": spec.community_id or "",
             "team": spec.team_id or ""}
    query = {k: v for k, v in query.items() if v}
    return url + ("?" + urlencode(query, safe=",") if query else "")


@bp.route("/calendar")
@login_required
def calendar():
    secret = current_app.config["SECRET_KEY"]
    cards = []
    choices = chosen = None
    for scope, scope_id in _available():
        row = feed_tokens.current(db.session, current_user, scope, scope_id)
        spec = None
        if scope == "organisation":
            choices = _filter_choices()
            spec = chosen = _chosen(request.args, choices)
        entry = {"scope": scope, "scope_id": scope_id,
                 "name": feed_name(scope, scope_id, spec)}
        if row is not None:
            url = base_url() + url_for("feeds.private_feed",
                                       token=feed_tokens.derive(secret, row.salt))
            if spec is not None:
                url = _filtered(url, spec)
            entry.update(url=url, webcal="webcal://" + url.split("://", 1)[1], qr=_qr(url))
        cards.append(entry)
    managed = managed_community_ids(db.session, current_user)
    public = []
    if current_user.role in ("coordinator", "admin"):
        stmt = select(Community).order_by(Community.code)
        if managed is not None:
            stmt = stmt.where(Community.id.in_(managed))
        for community in db.session.scalars(stmt.limit(50)):
            url = base_url() + url_for("feeds.public_feed", code=community.code)
            public.append((community, url))
    return render_template("feeds/calendar.html", cards=cards, public=public,
                           alarm_choices=ALARM_CHOICES, choices=choices, chosen=chosen,
                           alarm=current_user.feed_alarm_minutes)


@bp.route("/calendar/my-shifts.ics")
@login_required
def calendar_download():
    """One's own shifts as a file to import once (for calendars that cannot subscribe):
    the personal feed's content, as an attachment; it never updates by itself."""
    account = current_user._get_current_object()
    if not account.person_id:
        abort(404)
    feed = FeedRequest(key=f"download{account.id}", spec=FeedSpec(scope="mine"),
                       viewer=viewer_for(db.session, account, now(),
                                         care_settings(current_app.config).visitor_days,
                                         current_app.config["TIMEZONE"]),
                       locale=account.locale or current_app.config["BABEL_DEFAULT_LOCALE"],
                       private=True, person_id=account.person_id,
                       alarm_minutes=account.feed_alarm_minutes)
    response = answer(feed, lambda: feed_name("mine", None))
    if response.status_code == 200:
        response.headers["Content-Disposition"] = "attachment; filename=my-shifts.ics"
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.route("/calendar/link", methods=["POST"])
@login_required
def calendar_link():
    """Create (or, with rotate=1, replace) the link of one feed."""
    scope = request.form.get("scope", "")
    scope_id = int_arg("scope_id", source=request.form)
    if (scope, scope_id) not in _available():
        abort(404)
    rotate = request.form.get("rotate") == "1"
    write(lambda: feed_tokens.issue(db.session, current_user, scope, scope_id,
                                    current_app.config["SECRET_KEY"], now(), rotate=rotate))
    flash(_("A new link is ready. The old link no longer works; subscribe again with the new "
            "one.") if rotate else _("Your link is ready."), "info")
    return redirect(url_for("feeds.calendar") + f"#feed-{scope}-{scope_id or 0}")


@bp.route("/calendar/alarm", methods=["POST"])
@login_required
def calendar_alarm():
    raw = request.form.get("minutes", "")
    minutes = int_arg("minutes", lo=1, hi=10_000, source=request.form)
    if minutes not in ALARM_CHOICES or (minutes is None and raw.strip()):
        flash(_("That choice is not available."), "error")
        return redirect(url_for("feeds.calendar"))

    def save():
        account = db.session.merge(current_user._get_current_object())
        account.feed_alarm_minutes = minutes
        audit.record(db.session, account, "feed.alarm", "account", account.id, now(),
                     minutes=minutes)

    write(save, success=_("Saved."))
    return redirect(url_for("feeds.calendar"))


@bp.route("/calendar/public/<id:community_id>", methods=["POST"])
@login_required
def calendar_public(community_id: int):
    """Switch a community's public calendar on or off (its coordinators)."""
    managed = managed_community_ids(db.session, current_user)
    if current_user.role not in ("coordinator", "admin") or (
            managed is not None and community_id not in managed):
        abort(403)
    community = db.get_or_404(Community, community_id)

    def save():
        community.is_public_feed = request.form.get("on") == "1"
        audit.record(db.session, current_user, "feed.public", "community", community_id, now(),
                     on=community.is_public_feed)

    write(save, success=_("Saved."))
    return redirect(url_for("feeds.calendar"))



