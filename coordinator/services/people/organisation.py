"""Communities, teams and venues: created by admins, or by coordinators in scope."""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select

from ...domain.errors import DomainError, Forbidden, NotFound
from ...models import Account, Community, Person, Team, TeamMember, Venue
from ...models.teams import TEAM_KINDS
from ...models.venues import VENUE_KINDS
from .. import audit
from ..access import require_manage


@dataclass(frozen=True)
class CommunityInput:
    name: str
    code: str


@dataclass(frozen=True)
class TeamInput:
    name: str
    kind: str
    community_id: int | None


@dataclass(frozen=True)
class VenueInput:
    name: str
    kind: str
    community_id: int | None
    capacity: int | None = None
    address: str | None = None


def create_community(session, actor: Account, data: CommunityInput, now: datetime) -> Community:
    """Add a community (admin only)."""
    if actor.role != "admin":
        raise Forbidden("Only an administrator may add communities.")
    name, code = (data.name or "").strip(), (data.code or "").strip().upper()
    if not name or len(name) > 100:
        raise DomainError("Enter a name of at most 100 characters.", field="name")
    if not re.fullmatch(r"[A-Z0-9-]{1,20}", code):
        raise DomainError("Use 1 to 20 letters, digits or dashes.", field="code")
    if session.scalar(select(Community).where(Community.name == name)):
        raise DomainError("A community with this name exists.", field="name")
    if session.scalar(select(Community).where(Community.code == code)):
        raise DomainError("A community with this code exists.", field="code")
    community = Community(name=name, code=code)
    session.add(community)
    session.flush()
    audit.record(session, actor, "community.create", "community", community.id, now,
                 name=name, code=code)
    return community


def _check_owner(session, actor: Account, community_id: int | None) -> None:
    if community_id is None:
        if actor.role != "admin":
            raise Forbidden("Only an administrator may add township-wide entries.",
                            field="community_id")
        return
    if session.get(Community, community_id) is None:
        raise DomainError("Choose a community.", field="community_id")
    require_manage(session, actor, community_id)


def create_team(session, actor: Account, data: TeamInput, now: datetime) -> Team:
    """Add a team to a community in scope, or township-wide (admin)."""
    name = (data.name or "").strip()
    if not name or len(name) > 100:
        raise DomainError("Enter a name of at most 100 characters.", field="name")
    if data.kind not in TEAM_KINDS:
        raise DomainError("Choose a kind.", field="kind")
    _check_owner(session, actor, data.community_id)
    clash = select(Team).where(Team.name == name, Team.community_id.is_(None)
                               if data.community_id is None
                               else Team.community_id == data.community_id)
    if session.scalar(clash):
        raise DomainError("A team with this name exists.", field="name")
    team = Team(name=name, kind=data.kind, community_id=data.community_id)
    session.add(team)
    session.flush()
    audit.record(session, actor, "team.create", "team", team.id, now, name=name)
    return team


def create_venue(session, actor: Account, data: VenueInput, now: datetime) -> Venue:
    """Add a venue to a community in scope, or to the township (admin)."""
    name = (data.name or "").strip()
    if not name or len(name) > 100:
        raise DomainError("Enter a name of at most 100 characters.", field="name")
    if data.kind not in VENUE_KINDS:
        raise DomainError("Choose a kind.", field="kind")
    if data.capacity is not None and not 1 <= data.capacity <= 100000:
        raise DomainError("Enter a capacity from 1 to 100000, or leave it empty.",
                          field="capacity")
    _check_owner(session, actor, data.community_id)
    clash = select(Venue).where(Venue.name == name, Venue.community_id.is_(None)
                                if data.community_id is None
                                else Venue.community_id == data.community_id)
    if session.scalar(clash):
        raise DomainError("A venue with this name exists.", field="name")
    venue = Venue(name=name, kind=data.kind, community_id=data.community_id,
                  capacity=data.capacity, address=(data.address or "").strip() or None)
    session.add(venue)
    session.flush()
    audit.record(session, actor, "venue.create", "venue", venue.id, now, name=name)
    return venue


def set_membership(session, actor: Account, team_id: int, person_id: int, member: bool,
                   is_lead: bool, now: datetime) -> None:
    """Add a person to a team (or change their lead flag), or remove them."""
    team = session.get(Team, team_id)
    if team is None:
        raise NotFound("No such team.")
    _check_owner(session, actor, team.community_id)
    person = session.get(Person, person_id)
    if person is None:
        raise DomainError("No such person.", field="person_id")
    if team.community_id is not None and person.community_id != team.community_id:
        raise DomainError("This person belongs to another community.", field="person_id")
    row = session.scalar(select(TeamMember).where(TeamMember.team_id == team_id,
                                                  TeamMember.person_id == person_id))
    if member and row is None:
        session.add(TeamMember(team_id=team_id, person_id=person_id, is_lead=is_lead))
    elif member:
        row.is_lead = is_lead
    elif row is not None:
        session.delete(row)
    session.flush()
    audit.record(session, actor, "team.member" if member else "team.remove", "team", team_id,
                 now, person_id=person_id, is_lead=is_lead)


def team_sizes(session, team_ids: list[int]) -> dict[int, int]:
    """Return the member count of each team."""
    rows = session.execute(select(TeamMember.team_id, func.count()).where(
        TeamMember.team_id.in_(team_ids)).group_by(TeamMember.team_id))
    return dict(rows.all())
