"""Who is expected at a team event (rehearsal, study day): the one rule.

Every member of the invited team is expected unless they declined; a yes confirms. Members
who have not answered are still expected: that is how the feeds already treat them (a
member's calendar shows the event until they say no), and how a troupe works (everyone
comes to rehearsal unless they ask for leave). The plan page, its PDF and exports, the
leaders' figures, the occurrence page and the feeds all read this module.
"""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Select, and_, case, func, or_, select

from ...models import Occurrence, Response, Series, TeamMember

__all__ = ["Turnout", "declined", "expected_people", "is_expected", "turnout", "turnout_query"]


@dataclass(frozen=True)
class Turnout:
    """Head-count of one team event: its team's members, their yes and no answers."""

    members: int = 0
    confirmed: int = 0  # members who said yes
    declined: int = 0  # members who said no

    @property
    def expected(self) -> int:
        """Members minus those who declined: the unanswered are expected too."""
        return self.members - self.declined


def is_expected(response: Response | None) -> bool:
    """Is a member with this answer (None: none yet) expected? Unless they said no."""
    return response is None or bool(response.is_attending)


def declined(occurrence_id, person_id, before=None):
    """SQL truth of "this person said no to this occurrence" (``before``: said so
    before that instant)."""
    query = select(Response.id).where(Response.occurrence_id == occurrence_id,
                                      Response.person_id == person_id,
                                      Response.is_attending.is_(False))
    if before is not None:
        query = query.where(Response.updated_at < before)
    return query.correlate_except(Response).exists()


def _team_members():
    """Occurrences of team events joined to their team's members and each one's answer."""
    return (select(Occurrence.id.label("occurrence_id"))
            .join(Series, Occurrence.series_id == Series.id)
            .join(TeamMember, TeamMember.team_id == Series.team_id)
            .outerjoin(Response, and_(Response.occurrence_id == Occurrence.id,
                                      Response.person_id == TeamMember.person_id))
            .where(Series.participation == "team"))


def expected_people():
    """SELECT (occurrence_id, person_id) of everyone expected at a team event; join it to
    the occurrences wanted (it is not restricted here, so the caller's filter drives)."""
    return (_team_members().add_columns(TeamMember.person_id.label("person_id"))
            .where(or_(Response.id.is_(None), Response.is_attending.is_(True))))


def turnout_query(occurrence_ids):
    """SELECT (occurrence_id, members, confirmed, declined) for the team events among
    ``occurrence_ids`` (a list or a SELECT of ids): one grouped pass."""
    yes = func.sum(case((Response.is_attending.is_(True), 1), else_=0))
    no = func.sum(case((Response.is_attending.is_(False), 1), else_=0))
    if isinstance(occurrence_ids, Select):  # its own FROM: never correlated to ours
        occurrence_ids = occurrence_ids.correlate(None)
    return (_team_members()
            .add_columns(func.count(TeamMember.id).label("members"), yes.label("confirmed"),
                         no.label("declined"))
            .where(Occurrence.id.in_(occurrence_ids)).group_by(Occurrence.id))


def turnout(session, occurrence_ids) -> dict[int, Turnout]:
    """Head-counts of the team events among ``occurrence_ids``, in one query (an event
    whose team has no members is absent: read it as ``Turnout()``)."""
    return {occ_id: Turnout(int(members), int(yes or 0), int(no or 0))
            for occ_id, members, yes, no in session.execute(turnout_query(occurrence_ids))}
