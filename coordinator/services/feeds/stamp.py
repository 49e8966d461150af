"""A cheap validator for each feed, read before anything is rendered.

The stamp is made of aggregates (latest change time and row counts) over exactly the
rows a feed shows, plus the local date (the window slides daily). Any change a feed
would show moves one of them: an edited occurrence or series bumps ``updated_at``; a
sign-up, withdrawal or swap adds or changes an assignment row; a team answer changes a
response. So a poll that finds nothing new costs a few indexed aggregate queries.

The statements are plain SQL built once per feed shape (a poll is the hottest path of
the service, and building SQLAlchemy expressions costs more than running them).
"""
from __future__ import annotations

import hashlib
from datetime import datetime, timezone
from functools import lru_cache

from sqlalchemy import bindparam, text

from ...models.types import UTCDateTime
from .content import KEEP_CANCELLED, FeedSpec, window

EPOCH = datetime(2000, 1, 1, tzinfo=timezone.utc)
WINDOW = ("o.start_at >= :lo AND o.start_at < :hi"
          " AND (o.status = 'scheduled' OR o.updated_at >= :kept)")
TEAM_SERIES = ("(s.team_id = :{p} OR s.id IN (SELECT sr.series_id FROM series_roles sr"
               " WHERE sr.required_team_id = :{p}))")

# The rows of a personal feed, as the renderer (``content._mine``) selects them: my live
# assignments (withdrawn ones for KEEP_CANCELLED), and my teams' events unless I said no
# longer than KEEP_CANCELLED ago. ``covered`` selects the same occurrences from these.
MINE_ASSIGNED = (
    " FROM assignments a JOIN occurrence_roles r ON a.occurrence_role_id = r.id"
    " JOIN occurrences o ON r.occurrence_id = o.id JOIN series s ON o.series_id = s.id"
    " WHERE a.person_id = :person AND (a.status <> 'withdrawn' OR a.updated_at >= :kept)"
    f" AND {WINDOW}")
MINE_TEAMS = (
    " FROM occurrences o JOIN series s ON o.series_id = s.id WHERE s.participation = 'team'"
    " AND s.team_id IN (SELECT tm.team_id FROM team_members tm WHERE tm.person_id = :person)"
    " AND NOT EXISTS (SELECT 1 FROM responses x WHERE x.occurrence_id = o.id"
    " AND x.person_id = :person AND NOT x.is_attending AND x.updated_at < :kept)"
    f" AND {WINDOW}")
MINE = [
    # my assignments, their occurrences and series
    "SELECT max(a.updated_at), count(a.id), max(o.updated_at), max(s.updated_at)"
    + MINE_ASSIGNED,
    # the other people on my occurrences (teammates' names and phones)
    "SELECT max(a.updated_at), count(a.id) FROM assignments a"
    " JOIN occurrence_roles r ON a.occurrence_role_id = r.id"
    " JOIN occurrences o ON r.occurrence_id = o.id"
    " WHERE r.occurrence_id IN (SELECT r2.occurrence_id FROM occurrence_roles r2"
    " JOIN assignments a2 ON a2.occurrence_role_id = r2.id WHERE a2.person_id = :person)"
    f" AND {WINDOW}",
    # my teams' events
    "SELECT max(o.updated_at), count(o.id), max(s.updated_at)" + MINE_TEAMS,
    # my answers and my memberships
    "SELECT (SELECT max(updated_at) FROM responses WHERE person_id = :person),"
    " (SELECT count(id) FROM responses WHERE person_id = :person),"
    " (SELECT count(id) FROM team_members WHERE person_id = :person),"
    " (SELECT max(id) FROM team_members WHERE person_id = :person)",
]
ROWS = " FROM occurrences o JOIN series s ON o.series_id = s.id WHERE {clause}"


def _clause(shape: tuple) -> str:
    """Return the WHERE clause of a non-personal feed shape (as ``content.scope_filter``)."""
    scope, has_kinds, has_community, has_team = shape
    where = [WINDOW]
    if scope == "team":
        where.append(TEAM_SERIES.format(p="scope"))
    elif scope in ("community", "public"):
        where.append("s.community_id = :scope")
    if scope == "public":
        where.append("s.is_public = :true")
    if has_kinds:
        where.append("s.kind IN :kinds")
    if has_community:
        where.append("s.community_id = :community")
    if has_team:
        where.append(TEAM_SERIES.format(p="team"))
    return " AND ".join(where)


@lru_cache(maxsize=64)
def _statements(shape: tuple) -> tuple:
    """Return the compiled-once text statements of a feed shape."""
    times = [bindparam(n, type_=UTCDateTime) for n in ("lo", "hi", "kept")]
    if shape[0] == "mine":
        return (_joined(MINE, times, []),)
    scope, has_kinds = shape[0], shape[1]
    clause = _clause(shape)
    extra = [bindparam("kinds", expanding=True)] if has_kinds else []
    parts = ["SELECT max(o.updated_at), count(o.id), max(s.updated_at)"
             + ROWS.format(clause=clause)]
    if scope != "public":
        parts.append("SELECT max(a.updated_at), count(a.id) FROM assignments a"
                     " JOIN occurrence_roles r ON a.occurrence_role_id = r.id"
                     " JOIN occurrences o ON r.occurrence_id = o.id"
                     f" JOIN series s ON o.series_id = s.id WHERE {clause}")
    return (_joined(parts, times, extra),)


def _joined(queries: list[str], times, extra):
    """One round trip: the aggregate queries side by side (each returns one row)."""
    sql = "SELECT * FROM " + ", ".join(f"({q}) q{i}" for i, q in enumerate(queries))
    return text(sql).bindparams(*[t for t in times if f":{t.key}" in sql], *extra)


def _as_time(value):
    if isinstance(value, str):  # SQLite returns aggregates of timestamps as text
        value = datetime.fromisoformat(value)
    if isinstance(value, datetime):
        return value.replace(tzinfo=timezone.utc) if value.tzinfo is None else value
    return None


def _params(spec: FeedSpec, person_id, now, past_days, future_days) -> tuple[dict, tuple]:
    lo, hi = window(now, past_days, future_days)
    params = {"lo": lo, "hi": hi, "kept": now - KEEP_CANCELLED, "person": person_id,
              "scope": spec.scope_id, "community": spec.community_id, "team": spec.team_id,
              "true": True}
    if spec.kinds:
        params["kinds"] = list(spec.kinds)
    shape = ("mine",) if spec.scope == "mine" else (
        spec.scope, bool(spec.kinds), spec.community_id is not None, spec.team_id is not None)
    return params, shape


def stamp(session, spec: FeedSpec, person_id: int | None, now: datetime, past_days: int,
          future_days: int, local_day: str) -> tuple[str, datetime]:
    """Return (digest, last_modified) for a feed as it would render now."""
    params, shape = _params(spec, person_id, now, past_days, future_days)
    parts: list = [spec, local_day]
    for statement in _statements(shape):
        parts += list(session.connection().execute(statement, params).one())
    times = [t for t in map(_as_time, parts) if t is not None]
    last = max(times, default=EPOCH).replace(microsecond=0)
    digest = hashlib.sha256(repr(parts).encode()).hexdigest()[:40]
    return digest, last


def covered(session, spec: FeedSpec, person_id: int | None, now: datetime, past_days: int,
            future_days: int) -> set[int]:
    """Return the ids of the occurrences the validator's row clauses select (the ones
    the renderer must show: see tests/integration/test_feed_rows_property.py)."""
    params, shape = _params(spec, person_id, now, past_days, future_days)
    if shape[0] == "mine":
        sql = "SELECT o.id" + MINE_ASSIGNED + " UNION SELECT o.id" + MINE_TEAMS
    else:
        sql = "SELECT o.id" + ROWS.format(clause=_clause(shape))
    times = [bindparam(n, type_=UTCDateTime) for n in ("lo", "hi", "kept")]
    extra = [bindparam("kinds", expanding=True)] if spec.kinds else []
    statement = text(sql).bindparams(*[t for t in times if f":{t.key}" in sql], *extra)
    return set(session.connection().execute(statement, params).scalars())
