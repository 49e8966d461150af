"""Team events (rehearsals, study days): invited members answer yes or no."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from ...domain.errors import DomainError, Forbidden, NotFound
from ...models import Account, Occurrence, Response, Series, TeamMember
from .. import audit


def respond(session, actor: Account, occurrence_id: int, attending: bool,
            now: datetime) -> Response:
    """Record the actor's yes/no for a team event of a team they belong to."""
    occurrence = session.get(Occurrence, occurrence_id)
    if occurrence is None:
        raise NotFound("No such occurrence.")
    series = session.get(Series, occurrence.series_id)
    if series.participation != "team" or actor.person_id is None:
        raise DomainError("This event takes sign-ups, not answers.")
    member = session.scalar(select(TeamMember).where(TeamMember.team_id == series.team_id,
                                                     TeamMember.person_id == actor.person_id))
    if member is None:
        raise Forbidden("Only members of the invited team can answer.")
    if occurrence.status != "scheduled" or occurrence.start_at <= now:
        raise DomainError("This event can no longer be answered.")
    row = session.scalar(select(Response).where(Response.occurrence_id == occurrence_id,
                                                Response.person_id == actor.person_id))
    if row is None:
        row = Response(occurrence_id=occurrence_id, person_id=actor.person_id)
        session.add(row)
    row.is_attending = attending
    row.updated_at = now
    session.flush()
    audit.record(session, actor, "response", "occurrence", occurrence_id, now,
                 attending=attending)
    return row
