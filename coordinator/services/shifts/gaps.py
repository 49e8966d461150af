"""The coordinator's gap list: unfilled places of the coming days, most urgent first, each
with the best people to ask. A page costs the same number of queries whatever its size."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import func, select

from ...config import Config
from ...models import Account, Community, Occurrence, OccurrenceRole, Series, Venue
from ..access import managed_community_ids
from .suggestions import Suggestion, suggest_many

GAP_DAYS = 14
PER_PAGE = Config.GAPS_PER_PAGE  # the setting's default; the view passes the configured one
URGENT = timedelta(hours=48)


@dataclass
class GapSlot:
    role_id: int
    role_name: str
    needed: int
    filled: int
    occurrence_id: int
    kind: str
    title: str
    start_at: datetime
    end_at: datetime
    community_id: int | None
    community: str | None
    venue: str | None
    suggestions: list[Suggestion] = field(default_factory=list)

    @property
    def missing(self) -> int:
        return max(self.needed - self.filled, 0)

    def is_urgent(self, now: datetime) -> bool:
        return self.start_at - now < URGENT


@dataclass
class GapPage:
    items: list[GapSlot]
    total: int  # slots with a gap
    places: int  # open places over all of them
    page: int
    pages: int


_COLUMNS = (OccurrenceRole.id, OccurrenceRole.name, OccurrenceRole.needed, OccurrenceRole.filled,
            Occurrence.id, Series.kind, Series.title, Occurrence.start_at, Occurrence.end_at,
            Series.community_id, Community.name, Venue.name)


def _gap_query(managed: set[int] | None, now: datetime, days: int, columns=_COLUMNS):
    query = (select(*columns).select_from(OccurrenceRole)
             .join(Occurrence, OccurrenceRole.occurrence_id == Occurrence.id)
             .join(Series, Occurrence.series_id == Series.id)
             .where(OccurrenceRole.filled < OccurrenceRole.needed,
                    Occurrence.status == "scheduled", Series.participation == "slots",
                    Occurrence.start_at > now,
                    Occurrence.start_at < now + timedelta(days=days)))
    if managed is not None:
        query = query.where(Series.community_id.in_(sorted(managed)))
    if columns is _COLUMNS:
        query = (query.outerjoin(Community, Community.id == Series.community_id)
                 .outerjoin(Venue, Venue.id == Occurrence.venue_id))
    return query


def gap_page(session, actor: Account, now: datetime, *, days: int = GAP_DAYS, page: int = 1,
             per_page: int = PER_PAGE, suggestions: int = 3) -> GapPage:
    """Return one page of gaps in the actor's communities, soonest first."""
    managed = managed_community_ids(session, actor)
    total, places = _counts(session, managed, now, days)
    query = _gap_query(managed, now, days)
    pages = max(1, -(-total // per_page))
    page = min(max(page, 1), pages)
    items = [GapSlot(*row) for row in session.execute(
        query.order_by(Occurrence.start_at, (OccurrenceRole.filled - OccurrenceRole.needed),
                       OccurrenceRole.id)
        .limit(per_page).offset((page - 1) * per_page))]
    if suggestions:
        ranked = suggest_many(session, actor, [i.role_id for i in items], now, suggestions)
        for item in items:
            item.suggestions = ranked.get(item.role_id, [])
    return GapPage(items, total, places, page, pages)


def _counts(session, managed: set[int] | None, now: datetime, days: int) -> tuple[int, int]:
    total, places = session.execute(_gap_query(managed, now, days, (
        func.count(), func.coalesce(func.sum(OccurrenceRole.needed - OccurrenceRole.filled),
                                    0)))).one()
    return int(total), int(places)


def gap_counts(session, actor: Account, now: datetime, days: int = GAP_DAYS
               ) -> tuple[int, int]:
    """(slots with a gap, open places) in the actor's communities over ``days``."""
    return _counts(session, managed_community_ids(session, actor), now, days)


def gap_for_role(session, actor: Account, role_id: int, now: datetime, suggestions: int = 3
                 ) -> GapSlot | None:
    """The gap of one slot as the list shows it, or None when it is no longer a gap."""
    managed = managed_community_ids(session, actor)
    row = session.execute(_gap_query(managed, now, GAP_DAYS)
                          .where(OccurrenceRole.id == role_id)).first()
    if row is None:
        return None
    item = GapSlot(*row)
    item.suggestions = suggest_many(session, actor, [role_id], now, suggestions).get(role_id, [])
    return item
