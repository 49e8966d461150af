"""What each role sees first: next shifts, open shifts, unfilled slots."""
from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from sqlalchemy import and_, case, exists, func, literal, or_, select, true
from sqlalchemy.orm import aliased

from ...domain.eligibility import SlotFacts, may_withdraw, refusals
from ...domain.places import place_state
from ...models import (
    Account,
    Assignment,
    Community,
    Occurrence,
    OccurrenceRole,
    Person,
    Response,
    Series,
    SwapOffer,
    Team,
    TeamMember,
    Venue,
)
from ...models.types import UTCDateTime
from ..access import managed_community_ids
from .contacts import Contact, coordinator_contacts
from .facts import person_window
from .turnout import Turnout, turnout

PAGE_SIZE = 20
TOWNSHIP = 0  # community filter value for township-wide work (ids start at 1)


@dataclass(frozen=True)
class SlotView:
    """One slot of one occurrence, ready for a template (no lazy loading)."""

    occurrence_id: int
    role_id: int
    kind: str
    title: str
    role_name: str
    start_at: datetime
    end_at: datetime
    venue: str | None
    community: str | None
    filled: int
    needed: int
    maximum: int
    status: str | None = None  # the viewer's assignment status, when they have one

    @property
    def place(self) -> str:
        """``short``, ``enough`` or ``full`` (what signing up does: see domain.places)."""
        return place_state(self.filled, self.needed, self.maximum)


def _slot_query():
    return (select(Occurrence.id, OccurrenceRole.id, Series.kind, Series.title,
                   OccurrenceRole.name, Occurrence.start_at, Occurrence.end_at, Venue.name,
                   Community.name, OccurrenceRole.filled, OccurrenceRole.needed,
                   OccurrenceRole.maximum)
            .join(Occurrence, OccurrenceRole.occurrence_id == Occurrence.id)
            .join(Series, Occurrence.series_id == Series.id)
            .outerjoin(Venue, Occurrence.venue_id == Venue.id)
            .outerjoin(Community, Series.community_id == Community.id))


def _views(rows) -> list[SlotView]:
    return [SlotView(*row[:12]) for row in rows]


def my_next_shifts(session, person_id: int, now: datetime, limit: int = 10) -> list[SlotView]:
    """Return the person's coming confirmed and waitlisted slots, soonest first."""
    query = (_slot_query().add_columns(Assignment.status)
             .join(Assignment, Assignment.occurrence_role_id == OccurrenceRole.id)
             .where(Assignment.person_id == person_id,
                    Assignment.status.in_(("confirmed", "waitlisted")),
                    Occurrence.end_at > now, Occurrence.status == "scheduled")
             .order_by(Occurrence.start_at).limit(limit))
    return [SlotView(*row[:12], status=row[12]) for row in session.execute(query)]


def open_shifts_for(session, person_id: int, community_id: int, now: datetime,
                    days: int = 14, limit: int = 10, zone: str = "Asia/Shanghai"
                    ) -> list[SlotView]:
    """Return slots with free places the person could take in the coming ``days``
    (the home page's short list; the same rules as ``open_shifts_page``)."""
    query = (_rule_columns(_slot_query())
             .where(Occurrence.start_at > now, Occurrence.start_at < now + timedelta(days=days),
                    Occurrence.status == "scheduled", Series.participation == "slots",
                    OccurrenceRole.filled < OccurrenceRole.maximum,
                    _may_take(person_id, community_id), ~_already_in(person_id),
                    _signup_open(now, days))
             .order_by(Occurrence.start_at, OccurrenceRole.id))
    return _views(_offered(session, person_id, session.execute(query), now, zone)[:limit])


def unfilled_slots(session, actor: Account, now: datetime, days: int = 14,
                   limit: int = 50) -> list[SlotView]:
    """Return under-filled slots of the actor's communities, soonest first."""
    ids = managed_community_ids(session, actor)
    query = (_slot_query()
             .where(Occurrence.start_at > now, Occurrence.start_at < now + timedelta(days=days),
                    Occurrence.status == "scheduled",
                    OccurrenceRole.filled < OccurrenceRole.needed)
             .order_by(Occurrence.start_at).limit(limit))
    if ids is not None:
        query = query.where(and_(Series.community_id.in_(ids)))
    return _views(session.execute(query))


# --- The volunteer's pages: open shifts, team events, my shifts, swaps -------------------


@dataclass(frozen=True)
class OpenShiftsPage:
    """One page of open shifts with the total for the pager."""

    slots: list[SlotView]
    total: int
    page: int
    pages: int


def _my_teams(person_id: int):
    return select(TeamMember.team_id).where(TeamMember.person_id == person_id)


def _may_take(person_id: int, community_id: int):
    """SQL pre-filter, for speed only: the team, lead and community rules, so that few
    rows reach ``_offered`` (which applies the domain's rule, the one that decides)."""
    teams = _my_teams(person_id)
    led = teams.where(TeamMember.is_lead.is_(True))
    return and_(or_(OccurrenceRole.required_team_id.is_(None),
                    OccurrenceRole.required_team_id.in_(teams)),
                or_(OccurrenceRole.is_lead.is_(False), OccurrenceRole.required_team_id.is_(None),
                    OccurrenceRole.required_team_id.in_(led)),
                or_(Series.community_id == community_id, Series.community_id.is_(None),
                    OccurrenceRole.required_team_id.in_(teams)))


def _rule_columns(query):
    """Add what ``SlotFacts`` needs after the columns a view shows."""
    return query.add_columns(OccurrenceRole.required_team_id, OccurrenceRole.is_lead,
                             Occurrence.status, Series.signup_opens_days, Series.timezone,
                             Series.community_id)


def _offered(session, person_id: int, rows, now: datetime, zone: str | None,
             offset: int = 12, opening: bool = True) -> list:
    """Keep the rows whose slot the person may take by the domain's ``refusals()``.

    ``rows`` carry ``_rule_columns`` from ``offset`` on; ``zone`` counts the weekly limit
    as the sign-up does (None: in the series' zone, as taking a swap does); ``opening``
    False leaves the opening window out, as taking a swap does. Costs the same few
    queries whatever the number of rows.
    """
    rows = list(rows)
    person = session.get(Person, person_id)
    start = min((r[5] for r in rows), default=now)
    end = max((r[6] for r in rows), default=now)
    # Widened for the weekly limit: a slot's local week reaches at most 7 days either side.
    window = person_window(session, person, start - timedelta(days=8), end + timedelta(days=8))
    kept = []
    for row in rows:
        team, is_lead, status, opens, series_zone, community = row[offset:offset + 6]
        slot = SlotFacts(role_id=row[1], start_at=row[5], end_at=row[6], status=status,
                         required_team_id=team, signup_opens_days=opens if opening else None,
                         zone=series_zone, is_lead=is_lead, community_id=community)
        facts = window.for_slot(row[5], row[6], zone or series_zone)
        if not refusals(facts, slot, now):
            kept.append(row)
    return kept


def _already_in(person_id: int):
    mine = aliased(Assignment)  # the swap query has Assignment (the giver's) in FROM
    return exists().where(mine.occurrence_role_id == OccurrenceRole.id,
                          mine.person_id == person_id, mine.status != "withdrawn")


def _signup_open(now: datetime, days: int):
    """SQL: the series' opening window ("N days ahead") has reached the occurrence."""
    # Interval arithmetic differs between SQLite and PostgreSQL; inside a window of
    # ``days`` only the values 1..days-1 matter, so compare with ready-made instants.
    if days <= 1:
        return true()  # every series opens at least one day ahead
    latest = case({k: literal(now + timedelta(days=k), UTCDateTime) for k in range(1, days)},
                  value=Series.signup_opens_days,
                  else_=literal(now + timedelta(days=days), UTCDateTime))
    return Occurrence.start_at <= latest


def _where_filters(query, kind: str | None, community_id: int | None):
    if kind:
        query = query.where(Series.kind == kind)
    if community_id == TOWNSHIP:
        query = query.where(Series.community_id.is_(None))
    elif community_id is not None:
        query = query.where(Series.community_id == community_id)
    return query


def open_shifts_page(session, person_id: int, community_id: int, now: datetime, *,
                     kind: str | None = None, community_filter: int | None = None,
                     days: int = 28, page: int = 1, per_page: int = PAGE_SIZE,
                     zone: str = "Asia/Shanghai") -> OpenShiftsPage:
    """Return a page of slots the person could sign up for or wait-list on."""
    query = _where_filters(
        _rule_columns(_slot_query()).where(
            Occurrence.start_at > now, Occurrence.start_at < now + timedelta(days=days),
            Occurrence.status == "scheduled", Series.participation == "slots",
            _may_take(person_id, community_id), ~_already_in(person_id),
            _signup_open(now, days)), kind, community_filter)
    # The rule is the domain's, applied in Python: count and page after it. The rows are
    # bounded by the window (at most MAX_DAYS of one person's reachable slots).
    rows = _offered(session, person_id, session.execute(
        query.order_by(Occurrence.start_at, OccurrenceRole.id)), now, zone)
    total = len(rows)
    pages = max(1, -(-total // per_page))
    page = min(max(page, 1), pages)
    return OpenShiftsPage(_views(rows[(page - 1) * per_page:page * per_page]), total, page,
                          pages)


def filter_communities(session, person_id: int, community_id: int) -> list[tuple[int, str]]:
    """Return (id, name) of the communities whose work the person may take."""
    team_communities = (select(Team.community_id).join(TeamMember, TeamMember.team_id == Team.id)
                        .where(TeamMember.person_id == person_id))
    return list(session.execute(select(Community.id, Community.name).where(or_(
        Community.id == community_id, Community.id.in_(team_communities)))
        .order_by(Community.code)))


@dataclass(frozen=True)
class TeamEventView:
    """A team event (rehearsal, study day) and the person's answer (None: none yet)."""

    occurrence_id: int
    kind: str
    title: str
    team: str
    start_at: datetime
    end_at: datetime
    venue: str | None
    community: str | None
    attending: bool | None
    turnout: Turnout = Turnout()  # who else is expected (members minus declines)


def team_events_for(session, person_id: int, now: datetime, *, kind: str | None = None,
                    community_filter: int | None = None, days: int = 28,
                    limit: int = 50) -> list[TeamEventView]:
    """Return coming events of the person's teams with their yes/no answer."""
    query = (select(Occurrence.id, Series.kind, Series.title, Team.name, Occurrence.start_at,
                    Occurrence.end_at, Venue.name, Community.name, Response.is_attending)
             .join(Series, Occurrence.series_id == Series.id)
             .join(Team, Series.team_id == Team.id)
             .outerjoin(Venue, Occurrence.venue_id == Venue.id)
             .outerjoin(Community, Series.community_id == Community.id)
             .outerjoin(Response, and_(Response.occurrence_id == Occurrence.id,
                                       Response.person_id == person_id))
             .where(Series.participation == "team", Series.team_id.in_(_my_teams(person_id)),
                    Occurrence.status == "scheduled", Occurrence.start_at > now,
                    Occurrence.start_at < now + timedelta(days=days)))
    query = _where_filters(query, kind, community_filter)
    rows = session.execute(query.order_by(Occurrence.start_at, Occurrence.id).limit(limit)).all()
    counts = turnout(session, [row[0] for row in rows])  # always: a count that never varies
    return [TeamEventView(*row, counts.get(row[0], Turnout())) for row in rows]


@dataclass(frozen=True)
class MyShiftView:
    """One of the person's own slots with what they may do with it."""

    slot: SlotView
    assignment_id: int
    position: int | None  # place in the waitlist queue, 1 = next to move up
    withdraw_until: datetime  # after this, the volunteer is asked to call the coordinator
    offer_id: int | None  # their open or pending swap offer for this shift
    offer_status: str | None
    offer_expires_at: datetime | None
    # ``late``: a confirmed place past the cut-off, withdrawn only by calling; ``contact``:
    # whom to call then (None before the cut-off, or when no coordinator has a phone).
    late: bool = False
    contact: Contact | None = None


def _waitlist_rank():
    """SQL: how many wait ahead (stored positions keep gaps when someone leaves)."""
    ahead = aliased(Assignment)
    return (select(func.count()).select_from(ahead)
            .where(ahead.occurrence_role_id == Assignment.occurrence_role_id,
                   ahead.status == "waitlisted",
                   ahead.waitlist_position < Assignment.waitlist_position)
            .correlate(Assignment).scalar_subquery())


def my_shifts(session, person_id: int, now: datetime, limit: int = 100) -> list[MyShiftView]:
    """Return the person's coming confirmed and waitlisted slots with their swap offers,
    and for places past the withdrawal cut-off the coordinator to call."""
    query = (_slot_query().add_columns(Assignment.status, Assignment.id, _waitlist_rank(),
                                       Series.withdraw_cutoff_hours, SwapOffer.id,
                                       SwapOffer.status, SwapOffer.expires_at,
                                       Series.community_id)
             .join(Assignment, Assignment.occurrence_role_id == OccurrenceRole.id)
             .outerjoin(SwapOffer, and_(SwapOffer.assignment_id == Assignment.id,
                                        SwapOffer.status.in_(("open", "pending"))))
             .where(Assignment.person_id == person_id,
                    Assignment.status.in_(("confirmed", "waitlisted")),
                    Occurrence.end_at > now, Occurrence.status == "scheduled")
             .order_by(Occurrence.start_at, OccurrenceRole.id).limit(limit))
    views, late_communities = [], set()
    for row in session.execute(query):
        offer_id, offer_status, expires = row[16], row[17], row[18]
        if offer_status == "open" and expires <= now:  # expired, not yet marked so
            offer_id = offer_status = expires = None
        position = row[14] + 1 if row[12] == "waitlisted" else None
        until = row[5] - timedelta(hours=row[15])
        # A waitlisted place may always be left: nobody is missing when it goes.
        late = row[12] == "confirmed" and not may_withdraw(row[5], row[15], now)
        if late:
            late_communities.add(row[19])
        views.append((MyShiftView(SlotView(*row[:12], status=row[12]), row[13], position,
                                  until, offer_id, offer_status, expires, late), row[19]))
    if not late_communities:
        return [view for view, _ in views]
    # Each of these is the person's own confirmed place: they may read its coordinator's
    # phone (services/access.py); one query for all the shifts' communities.
    home = session.scalar(select(Person.community_id).where(Person.id == person_id))
    found = coordinator_contacts(session, late_communities | {home})
    return [replace(view, contact=found.get(community) or found.get(home))
            if view.late else view for view, community in views]


def recent_shifts(session, person_id: int, now: datetime, days: int = 30,
                  limit: int = 100) -> list[SlotView]:
    """Return the person's confirmed slots that ended in the last ``days``, latest first."""
    query = (_slot_query().join(Assignment, Assignment.occurrence_role_id == OccurrenceRole.id)
             .where(Assignment.person_id == person_id, Assignment.status == "confirmed",
                    Occurrence.status == "scheduled", Occurrence.end_at <= now,
                    Occurrence.start_at >= now - timedelta(days=days))
             .order_by(Occurrence.start_at.desc()).limit(limit))
    return _views(session.execute(query))


@dataclass(frozen=True)
class SwapView:
    """A swap offer of someone else's shift; the giver stays anonymous."""

    offer_id: int
    slot: SlotView
    expires_at: datetime
    status: str


def _swap_query():
    return (_slot_query().add_columns(SwapOffer.id, SwapOffer.expires_at, SwapOffer.status)
            .join(Assignment, Assignment.occurrence_role_id == OccurrenceRole.id)
            .join(SwapOffer, SwapOffer.assignment_id == Assignment.id))


def _swap_views(rows) -> list[SwapView]:
    return [SwapView(row[12], SlotView(*row[:12]), row[13], row[14]) for row in rows]


def open_swaps_for(session, person_id: int, community_id: int, now: datetime,
                   limit: int = 50) -> list[SwapView]:
    """Return open, unexpired offers of others' shifts that the person could take."""
    query = (_rule_columns(_swap_query())
             .where(SwapOffer.status == "open", SwapOffer.expires_at > now,
                    Assignment.status == "confirmed", Assignment.person_id != person_id,
                    Occurrence.status == "scheduled", Occurrence.start_at > now,
                    _may_take(person_id, community_id), ~_already_in(person_id))
             .order_by(Occurrence.start_at, SwapOffer.id))
    rows = _offered(session, person_id, session.execute(query), now, None, offset=15,
                    opening=False)  # as ``swaps.take`` asks
    return _swap_views(rows[:limit])


def my_pending_takes(session, person_id: int, now: datetime, limit: int = 50
                     ) -> list[SwapView]:
    """Return coming shifts the person took that wait for a coordinator's approval."""
    query = (_swap_query()
             .where(SwapOffer.status == "pending", SwapOffer.taken_by_id == person_id,
                    Occurrence.start_at > now)
             .order_by(Occurrence.start_at, SwapOffer.id).limit(limit))
    return _swap_views(session.execute(query))
