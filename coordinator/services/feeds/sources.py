"""What a feed shows, described once: the printed columns of every table and how each
printed row hangs off an event.

Two things are derived from this description and nothing else:

- the feed's **stamp** (``stamp``): per source, the count, the latest ``shown_at``, the
  sum of row ids and the sum of ``shown_rev`` over the rows the feed prints. A poll
  whose stamp is unchanged would render the same bytes, so it is answered without
  rendering;
- each event's **LAST-MODIFIED** (and with it DTSTAMP and SEQUENCE, see ``content``): the
  latest ``shown_at`` over the rows printed in that event.

``shown_at`` and ``shown_rev`` (the ``models.types.Shown`` mixin) are set by the listeners
below whenever a column listed in ``SHOWN`` changes, through the ORM or an UPDATE
statement; a row that comes or goes changes the count and the id sum. ``tests/integration/feeds/
test_feed_sources.py`` checks that the renderer reads no table missing here and that
random edits to every table change the ETag exactly when the body changes.
"""
from __future__ import annotations

from sqlalchemy import and_, event, func, inspect, literal, null, or_, select, union_all
from sqlalchemy.orm import Session, aliased

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
    Team,
    Venue,
)
from ...models.types import shown_now

# The columns a feed prints (or selects its rows by), per table.
SHOWN: dict[type, tuple[str, ...]] = {
    Occurrence: ("series_id", "start_at", "end_at", "venue_id", "status", "reason"),
    Series: ("kind", "title", "description", "community_id", "team_id", "participation",
             "is_public"),
    OccurrenceRole: ("occurrence_id", "name", "needed", "filled"),
    Assignment: ("occurrence_role_id", "person_id", "status"),
    Response: ("occurrence_id", "person_id", "is_attending"),
    Person: ("full_name", "phone", "community_id"),
    Account: ("person_id", "role", "is_enabled", "is_also_leader"),
    CoordinatorScope: ("account_id", "community_id"),
    Community: ("name",),
    Venue: ("name",),
    Team: ("name",),
    CareRecipient: ("full_name", "place", "address", "institution", "ward", "bed",
                    "community_id"),
    CareVisitDetail: ("series_id", "occurrence_id", "recipient_id"),
}
_BY_TABLE = {model.__table__.name: (model, set(columns)) for model, columns in SHOWN.items()}
# Tables a feed reads that print nothing themselves: they only select rows (which the
# counts and id sums of the printed sources then reflect).
SELECTING = frozenset({"series_roles", "team_members"})
TABLES = frozenset(_BY_TABLE) | SELECTING


@event.listens_for(Session, "before_flush")
def _touch_flushed(session, _context, _instances):
    """A flushed row whose printed column changed gets a new ``shown_at``."""
    now = None
    for obj in session.dirty:
        columns = SHOWN.get(type(obj))
        if columns and any(inspect(obj).attrs[name].history.has_changes()
                           for name in columns):
            now = now or shown_now()
            obj.shown_at = now
            obj.shown_rev = type(obj).shown_rev + 1


@event.listens_for(Session, "do_orm_execute")
def _touch_updated(state):
    """An UPDATE statement that sets a printed column sets ``shown_at`` too."""
    if not state.is_update:
        return
    table = getattr(state.statement, "table", None)
    known = _BY_TABLE.get(getattr(table, "name", None))
    if known is None:
        return
    _model, columns = known
    values = {getattr(k, "key", k) for k in (getattr(state.statement, "_values", None) or {})}
    params = state.parameters
    rows = params if isinstance(params, list) else [params] if params else []
    for row in rows:
        values.update(row)
    if not values & columns:
        return
    now = shown_now()
    if isinstance(params, list):  # an ORM bulk UPDATE by primary key: one dict per row
        for row in params:  # (only the demo loader's; its rows are new, counted anyway)
            row["shown_at"] = now
    else:
        model = known[0]
        state.statement = state.statement.values(shown_at=now, shown_rev=model.shown_rev + 1)


def links(sel, person_id: int | None, public: bool) -> list:
    """Return one SELECT (src, occurrence id, row id, shown_at) per printed source, for
    the events selected by ``sel`` (a subquery with columns o, s, v, c: occurrence,
    series, venue and community ids). The public feed prints no people."""
    def row(src, model, *joins, where=None):
        q = select(literal(src).label("src"), sel.c.o.label("occ"), model.id.label("row"),
                   model.shown_at.label("shown"), model.shown_rev.label("rev")
                   ).select_from(sel)
        for target, on in joins:
            q = q.join(target, on)
        return q.where(where) if where is not None else q

    out = [
        row("occurrence", Occurrence, (Occurrence, Occurrence.id == sel.c.o)),
        row("series", Series, (Series, Series.id == sel.c.s)),
        row("venue", Venue, (Venue, Venue.id == sel.c.v)),
        row("community", Community, (Community, Community.id == sel.c.c)),
    ]
    if public:
        return out
    role = (OccurrenceRole, OccurrenceRole.occurrence_id == sel.c.o)
    assignment = (Assignment, Assignment.occurrence_role_id == OccurrenceRole.id)
    detail = (CareVisitDetail, or_(CareVisitDetail.occurrence_id == sel.c.o,
                                   CareVisitDetail.series_id == sel.c.s))
    scope = (CoordinatorScope, CoordinatorScope.community_id == sel.c.c)
    account = (Account, Account.id == CoordinatorScope.account_id)
    coordinator = aliased(Person)
    out += [
        row("role", OccurrenceRole, role),
        row("assignment", Assignment, role, assignment),
        row("person", Person, role, assignment, (Person, Person.id == Assignment.person_id)),
        row("care", CareVisitDetail, detail),
        row("recipient", CareRecipient, detail,
            (CareRecipient, CareRecipient.id == CareVisitDetail.recipient_id)),
        row("scope", CoordinatorScope, scope),
        row("account", Account, scope, account),
        row("coordinator", coordinator, scope, account,
            (coordinator, coordinator.id == Account.person_id)),
    ]
    if person_id is not None:
        out.append(row("response", Response, (Response, and_(
            Response.occurrence_id == sel.c.o, Response.person_id == person_id))))
    return out


def named(community_ids, team_ids) -> list:
    """The rows the calendar's own name prints (its community, team or filter); the ids
    may be bound parameters (a repeated id selects its row once)."""
    out = []
    for src, model, ids in (("name-community", Community, community_ids),
                            ("name-team", Team, team_ids)):
        ids = [i for i in ids if i is not None]
        if ids:
            out.append(select(literal(src).label("src"), null().label("occ"),
                              model.id.label("row"), model.shown_at.label("shown"),
                              model.shown_rev.label("rev")).where(model.id.in_(ids)))
    return out


def aggregate(parts: list):
    """The stamp's statement: per source, count, latest change, id sum and change count."""
    u = union_all(*parts).subquery("printed")
    return (select(u.c.src, func.count(), func.max(u.c.shown), func.sum(u.c.row),
                   func.sum(u.c.rev))
            .group_by(u.c.src).order_by(u.c.src))


def per_event(parts: list):
    """Each event's latest change over the rows it prints."""
    u = union_all(*parts).subquery("printed")
    return select(u.c.occ, func.max(u.c.shown)).where(u.c.occ.is_not(None)).group_by(u.c.occ)
