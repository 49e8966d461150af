"""Which week and which part of it: the filter read from the URL, whose eyes look
(the viewer), and the choices the filter form offers."""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta

from sqlalchemy import or_, select

from ...config import Config
from ...domain.errors import DomainError
from ...domain.text import parse_int, printable
from ...models import Community, Team, Venue
from ...models.schedule import SERIES_KINDS
from .. import access

GROUPINGS = ("community", "team", "venue")
# Occurrences in one week above which the grid shows counts, and groups per page: the
# settings' values (Config is the one place; the views pass the configured ones).
DETAIL_LIMIT = Config.PLAN_DETAIL_LIMIT
GROUPS_PER_PAGE = Config.PLAN_GROUPS_PER_PAGE
TOP_OPEN = 5
WORKERS = 3  # threads (and database connections) of one wide weekly plan page
NARROW = 20  # communities: up to this many, the page's queries run one after another


@dataclass(frozen=True)
class PlanFilter:
    """Which week and which part of it; every field is kept in the page's URL."""

    monday: date
    by: str = "community"
    community_id: int | None = None
    kind: str | None = None
    team_id: int | None = None
    venue_id: int | None = None
    page: int = 1

    @property
    def sunday(self) -> date:
        return self.monday + timedelta(days=6)

    def days(self) -> list[date]:
        return [self.monday + timedelta(days=i) for i in range(7)]

    def shifted(self, weeks: int) -> PlanFilter:
        """The same filter on another week (first page)."""
        return replace(self, monday=self.monday + timedelta(weeks=weeks), page=1)

    def args(self, **changes) -> dict:
        """URL query arguments for this filter, with ``changes`` applied (None drops)."""
        values = {"date": self.monday.isoformat(), "by": self.by,
                  "community": self.community_id, "kind": self.kind, "team": self.team_id,
                  "venue": self.venue_id, "page": self.page if self.page > 1 else None}
        values.update(changes)
        if values.get("by") == "community":
            values["by"] = None
        return {k: v for k, v in values.items() if v is not None}


@dataclass(frozen=True)
class PlanViewer:
    """Whose eyes: which communities they see, which they manage, whose care visits
    they read in full (``access.care_community_ids``: not admins', not leaders'; None:
    all). None means all."""

    visible: frozenset[int] | None
    managed: frozenset[int] | None
    person_id: int | None = None
    care: frozenset[int] | None = frozenset()
    visitor_since: datetime | None = None  # access.care_visitor_since; None: no visitor reads

    def manages(self, community_id: int | None) -> bool:
        return self.managed is None or (community_id is not None
                                        and community_id in self.managed)

    def reads_care(self, community_id: int | None, is_visitor: bool = False,
                   end_at: datetime | None = None) -> bool:
        """``is_visitor``: confirmed on the visit ending at ``end_at``; a visitor reads it
        only within the visitors' days (``access.visitor_reads``, the one rule)."""
        visitor = end_at is not None and access.visitor_reads(is_visitor, end_at,
                                                              self.visitor_since)
        return access.sees_care_details(self.care, community_id, visitor)


def monday_of(day: date) -> date:
    return day - timedelta(days=day.weekday())


def _int_arg(args: Mapping[str, str], name: str, field_name: str,
             errors: list[DomainError]) -> int | None:
    raw = (args.get(name) or "").strip()
    if not raw:
        return None
    value = parse_int(raw, 1, 2**31 - 1)
    if value is None:
        errors.append(DomainError("“%(value)s” is not a valid choice; the filter was ignored.",
                                  field=field_name, value=printable(raw[:40], keep="")))
    return value


def _visible(session, viewer: PlanViewer, model, row_id: int | None,
             errors: list[DomainError], refusal: DomainError) -> int | None:
    """``row_id`` when that team or venue exists and is township-wide or in a community
    the viewer sees; otherwise None, with ``refusal`` added to ``http.errors``."""
    if row_id is None:
        return None
    row = session.get(model, row_id)
    if row is None or (viewer.visible is not None and row.community_id is not None
                       and row.community_id not in viewer.visible):
        refusal.params["value"] = row_id
        errors.append(refusal)
        return None
    return row_id


def read_filter(session, viewer: PlanViewer, args: Mapping[str, str], today: date
                ) -> tuple[PlanFilter, list[DomainError]]:
    """Parse the URL's arguments; a bad value is dropped with a message, never an error page."""
    errors: list[DomainError] = []
    monday = monday_of(today)
    raw_date = (args.get("date") or "").strip()
    if raw_date:
        try:
            monday = monday_of(date.fromisoformat(raw_date))
        except ValueError:
            errors.append(DomainError(
                "“%(value)s” is not a date (use YYYY-MM-DD); showing this week.",
                field="date", value=raw_date[:40]))
        else:
            if not date(2000, 1, 1) <= monday <= date(2100, 1, 1):
                errors.append(DomainError("The date %(value)s is out of range; showing this week.",
                                          field="date", value=raw_date[:40]))
                monday = monday_of(today)
    by = (args.get("by") or "community").strip()
    if by not in GROUPINGS:
        errors.append(DomainError("Unknown grouping “%(value)s”; grouped by community.",
                                  field="by", value=by[:40]))
        by = "community"
    kind = (args.get("kind") or "").strip() or None
    if kind is not None and kind not in SERIES_KINDS:
        errors.append(DomainError("Unknown kind of work “%(value)s”; the filter was ignored.",
                                  field="kind", value=kind[:40]))
        kind = None
    community_id = _int_arg(args, "community", "community", errors)
    if community_id is not None and (
            session.get(Community, community_id) is None
            or (viewer.visible is not None and community_id not in viewer.visible)):
        errors.append(DomainError("There is no community number %(value)s that you may see; "
                                  "the filter was ignored.", field="community",
                                  value=community_id))
        community_id = None
    team_id = _visible(session, viewer, Team, _int_arg(args, "team", "team", errors), errors,
                       DomainError("There is no team number %(value)s that you may see; "
                                   "the filter was ignored.", field="team"))
    venue_id = _visible(session, viewer, Venue, _int_arg(args, "venue", "venue", errors),
                        errors, DomainError("There is no venue number %(value)s that you may "
                                            "see; the filter was ignored.", field="venue"))
    page = parse_int(args.get("page"), 1, 99_999) or 1
    return PlanFilter(monday, by, community_id, kind, team_id, venue_id, page), errors


MAX_CHOICES = 300  # beyond this a select list is useless on a phone: narrow down first


def filter_choices(session, viewer: PlanViewer, flt: PlanFilter) -> dict:
    """Communities, teams and venues to pick from (teams and venues only once narrow enough)."""
    communities = select(Community.id, Community.name).order_by(Community.code, Community.name)
    if viewer.visible is not None:
        communities = communities.where(Community.id.in_(sorted(viewer.visible)))
    scope = ([flt.community_id] if flt.community_id is not None
             else None if viewer.visible is None else sorted(viewer.visible))
    teams = select(Team.id, Team.name, Community.name).outerjoin(
        Community, Community.id == Team.community_id).order_by(Community.code, Team.name)
    venues = select(Venue.id, Venue.name, Community.name).outerjoin(
        Community, Community.id == Venue.community_id).order_by(Community.code, Venue.name)
    if scope is not None:
        teams = teams.where(or_(Team.community_id.in_(scope), Team.community_id.is_(None)))
        venues = venues.where(or_(Venue.community_id.in_(scope), Venue.community_id.is_(None)))
    return {
        "communities": list(session.execute(communities.limit(MAX_CHOICES * 10))),
        "teams": list(session.execute(teams.limit(MAX_CHOICES + 1))),
        "venues": list(session.execute(venues.limit(MAX_CHOICES + 1))),
    }


def is_narrow(flt: PlanFilter, viewer: PlanViewer) -> bool:
    """Whether the week is a small part of the data: one community, team or venue, or a
    viewer of few communities (their queries start from those, not from the whole week)."""
    return (flt.community_id is not None or flt.team_id is not None
            or flt.venue_id is not None
            or (viewer.visible is not None and len(viewer.visible) <= NARROW))
