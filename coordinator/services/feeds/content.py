"""What a calendar feed contains, with privacy decided per viewer.

The rules are the pages' (``services.access``, through ``viewer.Viewer``): a care visit
shows the person visited, their address and ward, its title, place, notes and visitors
only to its confirmed visitors (until ``access.care_visitor_since``: the days after the
visit) and to the coordinators of its community (not to admins,
leaders or other communities' coordinators); everyone else sees "Care visit", the time
and the community. Phone numbers appear only for people on the same shift, the
community's coordinators and admins; the coordinator's phone also for people on that
shift, never for leaders. Each event links to a page its reader can open (``_link``). The
public feed carries public events (its community's and the township-wide ones) and no
names at all.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta, timezone

from sqlalchemy import and_, or_, select, union

from ...domain.dates import SEQUENCE_EPOCH, calendar_sequence
from ...domain.recurrence import get_zone
from ...models import (
    Account,
    Assignment,
    CareRecipient,
    CareVisitDetail,
    Community,
    CoordinatorScope,
    Occurrence,
    OccurrenceRole,
    Person,
    Response,
    Series,
    SeriesRole,
    TeamMember,
    Venue,
)
from ..care.visits import place_lines
from ..shifts.turnout import declined, is_expected
from . import sources
from .viewer import Viewer

__all__ = ["FeedEvent", "FeedSpec", "Texts", "Viewer", "Window", "events", "selection",
           "scope_filter", "window"]

KEEP_CANCELLED = timedelta(days=30)  # cancelled or removed events stay this long, then drop


@dataclass(frozen=True)
class FeedSpec:
    """Which feed: its scope and the filters in its URL."""

    scope: str  # mine | team | community | organisation | public
    scope_id: int | None = None
    kinds: tuple[str, ...] = ()
    community_id: int | None = None
    team_id: int | None = None


@dataclass(frozen=True)
class Texts:
    """Translated words, prepared by the caller in the feed owner's language."""

    kinds: dict
    care_visit: str
    summary: str  # "%(kind)s: %(title)s"
    role: str  # "Role: %(role)s"
    waitlisted: str  # "On the waitlist"
    with_: str  # "With: %(names)s"
    coordinator: str  # "Coordinator: %(names)s"
    filled: str  # "%(role)s %(filled)s/%(needed)s: %(names)s"
    missing: str  # "%(n)s missing"
    cancelled: str  # "Cancelled: %(reason)s"
    removed: str  # "You are no longer on this shift."
    visited: str  # "Visiting: %(name)s, %(ward)s"
    list_sep: str = ", "


@dataclass
class FeedEvent:
    uid_key: str
    start_at: datetime
    end_at: datetime
    kind: str
    summary: str
    location: str
    description: list[str] = field(default_factory=list)
    status: str = "CONFIRMED"
    sequence: int = 0
    last_modified: datetime | None = None
    url_path: str | None = None
    alarm: bool = False


@dataclass(frozen=True)
class Window:
    """The instants a feed covers: events starting in [lo, hi), and cancelled events and
    withdrawn sign-ups only while changed since ``kept``. All three are local midnights,
    so the window moves once a day, and only an event entering or leaving it changes
    the feed's bytes (its ETag is the hash of the bytes)."""

    lo: datetime
    hi: datetime
    kept: datetime
    zone: str = "UTC"  # the organisation's: the local day in links to the plan


def window(now: datetime, zone: str, past_days: int, future_days: int) -> Window:
    """Return the window of a feed read at ``now`` in the organisation's time zone."""
    tz = get_zone(zone)
    today = now.astimezone(tz).date()

    def midnight(day):
        return datetime.combine(day, time(0), tz).astimezone(timezone.utc)

    return Window(lo=midnight(today - timedelta(days=past_days)),
                  hi=midnight(today + timedelta(days=future_days + 1)),
                  kept=midnight(today - KEEP_CANCELLED), zone=zone)


def in_window(win: Window):
    """The occurrences a feed covers (scheduled, or cancelled recently)."""
    return and_(Occurrence.start_at >= win.lo, Occurrence.start_at < win.hi,
                or_(Occurrence.status == "scheduled", Occurrence.updated_at >= win.kept))


def _base(win: Window):
    return (select(Occurrence, Series, Venue.name, Community.name)
            .join(Series, Occurrence.series_id == Series.id)
            .outerjoin(Venue, Occurrence.venue_id == Venue.id)
            .outerjoin(Community, Series.community_id == Community.id)
            .where(in_window(win)))


def my_assignments(person_id, win: Window):
    """My sign-ups a personal feed shows: live ones, and withdrawn ones for a while."""
    return and_(Assignment.person_id == person_id,
                or_(Assignment.status != "withdrawn", Assignment.updated_at >= win.kept))


def my_team_events(person_id, win: Window):
    """My teams' events a personal feed shows: all but those I declined long ago (one I
    declined lately shows as cancelled; the rest I am expected at: ``shifts.turnout``)."""
    return and_(Series.participation == "team", Series.team_id.in_(
        select(TeamMember.team_id).where(TeamMember.person_id == person_id)),
        ~declined(Occurrence.id, person_id, before=win.kept))


def selection(spec: FeedSpec, person_id: int | None, win: Window):
    """Return the ids (o: occurrence, s: series, v: venue, c: community) of the events a
    feed shows: the same rows ``events`` renders (the stamp is built on this)."""
    columns = (Occurrence.id.label("o"), Series.id.label("s"),
               Occurrence.venue_id.label("v"), Series.community_id.label("c"))
    base = (select(*columns).join(Series, Occurrence.series_id == Series.id)
            .where(in_window(win)))
    if spec.scope != "mine":
        return base.where(*scope_filter(spec))
    assigned = (base.join(OccurrenceRole, OccurrenceRole.occurrence_id == Occurrence.id)
                .join(Assignment, Assignment.occurrence_role_id == OccurrenceRole.id)
                .where(my_assignments(person_id, win)))
    return union(assigned, base.where(my_team_events(person_id, win)))


def selected(session, chosen, name: str = "sel"):
    """The selection as the database joins it best: PostgreSQL computes a CTE once and
    joins every printed source to that short list; SQLite flattens a subquery into each
    source and drives it from its indexes (see ``stamp._build`` for the figures)."""
    return (chosen.cte(name) if session.get_bind().dialect.name == "postgresql"
            else chosen.subquery(name))


def scope_filter(spec: FeedSpec):
    """Return the WHERE clauses selecting the series of a non-personal feed."""
    clauses = []
    if spec.scope == "team":
        clauses.append(or_(Series.team_id == spec.scope_id, Series.id.in_(
            select(SeriesRole.series_id).where(SeriesRole.required_team_id == spec.scope_id))))
    elif spec.scope == "community":
        clauses.append(Series.community_id == spec.scope_id)
    elif spec.scope == "public":  # its community's public events and the township's
        clauses.append(or_(Series.community_id == spec.scope_id,
                           Series.community_id.is_(None)))
        clauses.append(Series.is_public.is_(True))
    if spec.kinds:
        clauses.append(Series.kind.in_(spec.kinds))
    if spec.community_id is not None:
        clauses.append(Series.community_id == spec.community_id)
    if spec.team_id is not None:
        clauses.append(or_(Series.team_id == spec.team_id, Series.id.in_(
            select(SeriesRole.series_id).where(SeriesRole.required_team_id == spec.team_id))))
    return clauses


def events(session, spec: FeedSpec, viewer: Viewer, texts: Texts, win: Window,
           alarms: bool = False) -> list[FeedEvent]:
    """Return the events of a feed, ready to render."""
    if spec.scope == "mine":
        out = _mine(session, spec, viewer, texts, win, alarms)
    else:
        rows = session.execute(_base(win).where(*scope_filter(spec))
                               .order_by(Occurrence.start_at, Occurrence.id)).all()
        ctx = _Context(session, [r[0].id for r in rows], rows, viewer)
        out = []
        for occ, series, venue, community in rows:
            event = _event(occ, series, venue, community, viewer, texts, ctx)
            if not viewer.is_public:
                _staff_lines(event, occ, series, viewer, texts, ctx)
                event.url_path = _link(occ, series, viewer, ctx, win)
            out.append(event)
    _changed(session, spec, viewer, win, out)
    return out


def _changed(session, spec: FeedSpec, viewer: Viewer, win: Window, out) -> None:
    """Set each event's LAST-MODIFIED (the latest change of anything it prints, from
    ``sources``) and its SEQUENCE: the seconds since 2000 of that change, so it never goes
    down and rises with every change a client shows (a new sign-up, a withdrawal, an
    answer, a promotion from the waitlist, an edit of a person, venue or care detail)."""
    if not out:
        return
    person_id = viewer.person_id if spec.scope == "mine" else None
    sel = selected(session, selection(spec, person_id, win))
    parts = sources.links(sel, person_id, viewer.is_public)
    changed = {occ: as_utc(at) for occ, at in session.execute(sources.per_event(parts))}
    for event in out:
        at = changed.get(int(event.uid_key.removeprefix("occ-"))) or SEQUENCE_EPOCH
        event.last_modified = at.replace(microsecond=0)
        event.sequence = calendar_sequence(event.last_modified)


def as_utc(value):
    """An aggregate's timestamp as an aware UTC datetime (SQLite returns text)."""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    if isinstance(value, datetime) and value.tzinfo is None:
        value = value.replace(tzinfo=timezone.utc)
    return value


class _Context:
    """Batch-loaded people, slots, care details and coordinators for a set of events."""

    def __init__(self, session, occurrence_ids, rows, viewer: Viewer):
        self.people = defaultdict(list)  # occurrence id -> [(role, status, name, phone, pid)]
        self.roles = defaultdict(list)
        self.care = {}
        self.coordinators = defaultdict(list)
        if not occurrence_ids or viewer.is_public:
            return
        for chunk in _chunks(occurrence_ids, 900):
            for occ_id, role, status, name, phone, pid in session.execute(
                    select(OccurrenceRole.occurrence_id, OccurrenceRole.name, Assignment.status,
                           Person.full_name, Person.phone, Person.id)
                    .join(Assignment, Assignment.occurrence_role_id == OccurrenceRole.id)
                    .join(Person, Assignment.person_id == Person.id)
                    .where(OccurrenceRole.occurrence_id.in_(chunk),
                           Assignment.status != "withdrawn")
                    .order_by(OccurrenceRole.id, Assignment.status, Person.full_name)):
                self.people[occ_id].append((role, status, name, phone, pid))
            for occ_id, role, needed, filled in session.execute(
                    select(OccurrenceRole.occurrence_id, OccurrenceRole.name,
                           OccurrenceRole.needed, OccurrenceRole.filled)
                    .where(OccurrenceRole.occurrence_id.in_(chunk)).order_by(OccurrenceRole.id)):
                self.roles[occ_id].append((role, needed, filled))
        care_series = {s.id for _o, s, *_ in rows if s.kind == "care"}
        if care_series:
            for series_id, occ_id, recipient in session.execute(
                    select(CareVisitDetail.series_id, CareVisitDetail.occurrence_id,
                           CareRecipient)
                    .join(CareRecipient, CareVisitDetail.recipient_id == CareRecipient.id)
                    .where(or_(CareVisitDetail.series_id.in_(care_series),
                               CareVisitDetail.occurrence_id.in_(
                                   [o.id for o, s, *_ in rows if s.kind == "care"])))):
                self.care[("o", occ_id) if occ_id else ("s", series_id)] = recipient
        communities = {s.community_id for _o, s, *_ in rows if s.community_id}
        for community_id, name, phone in session.execute(
                select(CoordinatorScope.community_id, Person.full_name, Person.phone)
                .join(Account, CoordinatorScope.account_id == Account.id)
                .join(Person, Account.person_id == Person.id)
                .where(CoordinatorScope.community_id.in_(communities),
                       Account.is_enabled.is_(True)).order_by(Person.full_name)):
            self.coordinators[community_id].append((name, phone))

    def recipient(self, occ, series):
        return self.care.get(("o", occ.id)) or self.care.get(("s", series.id))

    def is_on(self, occ_id, person_id) -> bool:
        """Is the person on the shift (confirmed: the waitlist is not on it)?"""
        return person_id is not None and any(
            pid == person_id and status == "confirmed"
            for _r, status, _n, _p, pid in self.people.get(occ_id, ()))

    def is_signed_up(self, occ_id, person_id) -> bool:
        """Is the person on the shift or on its waitlist (it is on their shift page)?"""
        return person_id is not None and any(
            pid == person_id for *_rest, pid in self.people.get(occ_id, ()))


def _care_hidden(occ, series, viewer: Viewer, ctx: _Context) -> bool:
    return series.kind == "care" and not viewer.sees_care(
        series.community_id, ctx.is_on(occ.id, viewer.person_id), occ.end_at)


def _phones(occ, series, viewer: Viewer, ctx: _Context) -> bool:
    """Does the reader see the phones of the people on this shift?"""
    return viewer.sees_phones(series.community_id, ctx.is_on(occ.id, viewer.person_id))


def _coordinator_phones(occ, series, viewer: Viewer, ctx: _Context) -> bool:
    """Does the reader see the coordinators' phones on this event? Those who see the
    shift's phones, and whoever is signed up for it (the shift page asks them to call
    the coordinator when it is too late to withdraw); leaders never."""
    return _phones(occ, series, viewer, ctx) or (
        not viewer.is_public and ctx.is_signed_up(occ.id, viewer.person_id))


def _link(occ, series, viewer: Viewer, ctx: _Context, win: Window) -> str:
    """The page an event links to: one its reader can open. The occurrence's page when
    the pages let them read its series; else the page of their shift when they are signed
    up (``/shifts/<occurrence>``, ``shifts.page``: it applies these same reading rules);
    else the open shifts (members: team events and sign-ups are there); else the weekly
    plan of that day (leaders and coordinators without a member)."""
    if viewer.opens_page(series.community_id, series.kind):
        return f"/occurrences/{occ.id}"
    if ctx.is_signed_up(occ.id, viewer.person_id):
        return f"/shifts/{occ.id}"
    if viewer.person_id is not None:
        return "/shifts/open"
    day = occ.start_at.astimezone(get_zone(win.zone)).date().isoformat()
    return f"/plan?date={day}"


def _event(occ, series, venue, community, viewer, texts, ctx) -> FeedEvent:
    kind = texts.kinds.get(series.kind, series.kind)
    care_hidden = _care_hidden(occ, series, viewer, ctx)
    title = series.title if series.title != kind else None
    event = FeedEvent(
        uid_key=f"occ-{occ.id}", start_at=occ.start_at, end_at=occ.end_at, kind=series.kind,
        summary=texts.care_visit if care_hidden else (
            texts.summary % {"kind": kind, "title": title} if title else kind),
        location=(community or "") if care_hidden else (venue or community or ""),
        status="CANCELLED" if occ.status == "cancelled" else "CONFIRMED")
    if care_hidden:
        return event
    recipient = ctx.recipient(occ, series) if series.kind == "care" else None
    if recipient is not None:
        event.description.append(texts.visited % {"name": recipient.full_name,
                                                  "ward": recipient.ward or ""})
        # Where the person is now (hospital, ward, bed; care home; home), read from their
        # record at render time: when they move, the visits follow.
        event.location = " ".join(place_lines(recipient)) or event.location
        if recipient.address:
            event.description.append(recipient.address)
    if occ.status == "cancelled" and occ.reason:
        event.description.append(texts.cancelled % {"reason": occ.reason})
    return event


def _names(people, with_phones: bool, sep: str, skip: int | None = None) -> str:
    return sep.join(f"{name} {phone}" if with_phones and phone else name
                    for _r, _s, name, phone, pid in people if pid != skip)


def _staff_lines(event, occ, series, viewer, texts, ctx) -> None:
    if _care_hidden(occ, series, viewer, ctx):
        return
    phones = _phones(occ, series, viewer, ctx)
    for role, needed, filled in ctx.roles.get(occ.id, ()):
        confirmed = [p for p in ctx.people[occ.id] if p[0] == role and p[1] == "confirmed"]
        line = texts.filled % {"role": role, "filled": filled, "needed": needed,
                               "names": _names(confirmed, phones, texts.list_sep)}
        if filled < needed and occ.status == "scheduled":
            line += " · " + texts.missing % {"n": needed - filled}
        event.description.append(line)
    _coordinator_line(event, occ, series, viewer, texts, ctx)


def _coordinator_line(event, occ, series, viewer, texts, ctx) -> None:
    coordinators = ctx.coordinators.get(series.community_id)
    if coordinators:
        phones = _coordinator_phones(occ, series, viewer, ctx)
        event.description.append(texts.coordinator % {"names": texts.list_sep.join(
            f"{n} {p}" if p and phones else n for n, p in coordinators)})


def _mine(session, spec, viewer, texts, win, alarms) -> list[FeedEvent]:
    person_id = viewer.person_id
    mine = session.execute(
        _base(win).add_columns(Assignment, OccurrenceRole.name)
        .join(OccurrenceRole, OccurrenceRole.occurrence_id == Occurrence.id)
        .join(Assignment, Assignment.occurrence_role_id == OccurrenceRole.id)
        .where(my_assignments(person_id, win))
        .order_by(Occurrence.start_at, Assignment.status)).all()
    team_rows = session.execute(
        _base(win).add_columns(Response)
        .outerjoin(Response, and_(Response.occurrence_id == Occurrence.id,
                                  Response.person_id == person_id))
        .where(my_team_events(person_id, win))).all()
    rows = [r[:4] for r in mine] + [r[:4] for r in team_rows]
    ctx = _Context(session, sorted({r[0].id for r in rows}), rows, viewer)
    out: dict[int, FeedEvent] = {}
    for occ, series, venue, community, assignment, role in mine:
        event = _event(occ, series, venue, community, viewer, texts, ctx)
        live = assignment.status != "withdrawn"
        if occ.id in out and not live:
            continue  # another, live assignment on the same occurrence wins
        if not live:
            event.status = "CANCELLED"
            event.description.insert(0, texts.removed)
        elif assignment.status == "waitlisted" and occ.status == "scheduled":
            event.status = "TENTATIVE"
            event.description.insert(0, texts.waitlisted)
        event.description.insert(0, texts.role % {"role": role})
        hidden = _care_hidden(occ, series, viewer, ctx)
        if series.description and live and not hidden:
            event.description.append(series.description)  # notes: personal feed only
        if live and not hidden:
            others = [p for p in ctx.people[occ.id] if p[4] != person_id and p[1] == "confirmed"]
            if others:  # phones only for those on the shift, not for the waitlist
                event.description.append(texts.with_ % {"names": _names(
                    others, _phones(occ, series, viewer, ctx), texts.list_sep)})
        _coordinator_line(event, occ, series, viewer, texts, ctx)
        event.url_path = _link(occ, series, viewer, ctx, win)
        event.alarm = alarms and event.status != "CANCELLED"
        out[occ.id] = event
    for occ, series, venue, community, response in team_rows:
        if occ.id in out:
            continue
        event = _event(occ, series, venue, community, viewer, texts, ctx)
        if not is_expected(response):
            event.status = "CANCELLED"
        _coordinator_line(event, occ, series, viewer, texts, ctx)
        event.url_path = _link(occ, series, viewer, ctx, win)
        event.alarm = alarms and event.status != "CANCELLED"
        out[occ.id] = event
    return sorted(out.values(), key=lambda e: (e.start_at, e.uid_key))


def _chunks(items, size):
    items = list(items)
    for i in range(0, len(items), size):
        yield items[i:i + size]
