"""A cheap validator for each feed, read before anything is rendered.

The stamp is made of aggregates (latest change time and row counts) over exactly the
rows a feed shows, plus the local date (the window slides daily). Any change a feed
would show moves one of them: an edited occurrence or series bumps ``updated_at``; a
sign-up, withdrawal or swap adds or changes an assignment row; a team answer changes a
response. So a poll that finds nothing new costs a few indexed aggregate queries.
"""
from __future__ import annotations

import hashlib
from datetime import datetime, timezone

from sqlalchemy import func, or_, select

from ..models import Assignment, Occurrence, OccurrenceRole, Response, Series, TeamMember
from .feed_data import KEEP_CANCELLED, FeedSpec, scope_filter, window

EPOCH = datetime(2000, 1, 1, tzinfo=timezone.utc)


def stamp(session, spec: FeedSpec, person_id: int | None, now: datetime, past_days: int,
          future_days: int, local_day: str) -> tuple[str, datetime]:
    """Return (digest, last_modified) for a feed as it would render now."""
    lo, hi = window(now, past_days, future_days)
    in_window = (Occurrence.start_at >= lo, Occurrence.start_at < hi,
                 or_(Occurrence.status == "scheduled",
                     Occurrence.updated_at >= now - KEEP_CANCELLED))
    parts: list = [spec, local_day]
    if spec.scope == "mine":
        mine = (select(func.max(Assignment.updated_at), func.count(Assignment.id),
                       func.max(Occurrence.updated_at), func.max(Series.updated_at))
                .join(OccurrenceRole, Assignment.occurrence_role_id == OccurrenceRole.id)
                .join(Occurrence, OccurrenceRole.occurrence_id == Occurrence.id)
                .join(Series, Occurrence.series_id == Series.id)
                .where(Assignment.person_id == person_id, *in_window))
        parts += list(session.execute(mine).one())
        my_occurrences = (select(OccurrenceRole.occurrence_id)
                          .join(Assignment, Assignment.occurrence_role_id == OccurrenceRole.id)
                          .where(Assignment.person_id == person_id))
        mates = (select(func.max(Assignment.updated_at), func.count(Assignment.id))
                 .join(OccurrenceRole, Assignment.occurrence_role_id == OccurrenceRole.id)
                 .join(Occurrence, OccurrenceRole.occurrence_id == Occurrence.id)
                 .where(OccurrenceRole.occurrence_id.in_(my_occurrences), *in_window))
        parts += list(session.execute(mates).one())
        teams = select(TeamMember.team_id).where(TeamMember.person_id == person_id)
        team_events = (select(func.max(Occurrence.updated_at), func.count(Occurrence.id),
                              func.max(Series.updated_at))
                       .join(Series, Occurrence.series_id == Series.id)
                       .where(Series.participation == "team", Series.team_id.in_(teams),
                              *in_window))
        parts += list(session.execute(team_events).one())
        parts += list(session.execute(
            select(func.max(Response.updated_at), func.count(Response.id),
                   func.count(TeamMember.id.distinct()))
            .select_from(TeamMember).outerjoin(Response, Response.person_id == person_id)
            .where(TeamMember.person_id == person_id)).one())
    else:
        filters = scope_filter(spec)
        occurrences = (select(func.max(Occurrence.updated_at), func.count(Occurrence.id),
                              func.max(Series.updated_at))
                       .join(Series, Occurrence.series_id == Series.id)
                       .where(*in_window, *filters))
        parts += list(session.execute(occurrences).one())
        if spec.scope != "public":
            people = (select(func.max(Assignment.updated_at), func.count(Assignment.id))
                      .join(OccurrenceRole, Assignment.occurrence_role_id == OccurrenceRole.id)
                      .join(Occurrence, OccurrenceRole.occurrence_id == Occurrence.id)
                      .join(Series, Occurrence.series_id == Series.id)
                      .where(*in_window, *filters))
            parts += list(session.execute(people).one())
    times = [p for p in parts if isinstance(p, datetime)]
    last = max(times, default=EPOCH).replace(microsecond=0)
    digest = hashlib.sha256(repr(parts).encode()).hexdigest()[:40]
    return digest, last
