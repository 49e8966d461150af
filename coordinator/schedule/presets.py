"""What the planning form starts from for each kind of work (issue 13.12).

A coordinator first picks the kind (/series/new?kind=patrol, plain links, so it works
without JavaScript); the form then opens with the roles, duration, repeat rule and team
that kind usually has, taken from how the township works (shared/DOMAIN.md): patrols
every evening with a lead and members of the patrol team, care visits in pairs, troupe
rehearsals weekly for the whole troupe, youth talks once with a speaker and someone for
transport, and the branch's study day on the 25th of every month.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import time

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from ..models import Team, TeamMember


@dataclass(frozen=True)
class RolePreset:
    name: object  # a lazy label: the role's name in the coordinator's language
    needed: int
    maximum: int
    is_lead: bool = False


@dataclass(frozen=True)
class Preset:
    code: str
    kind: str  # the stored SERIES_KINDS code
    label: object
    hint: object
    title: object
    participation: str
    team_kind: str | None
    minutes: int
    start: time
    frequency: str  # once / daily / weekly / monthly
    month_day: int | None = None
    roles: tuple[RolePreset, ...] = ()


PRESETS = {p.code: p for p in (
    Preset("patrol", "patrol", _l("Patrol"),
           _l("Walk the neighbourhood with a team lead and members of the patrol team."),
           _l("Evening patrol"), "slots", "patrol", 90, time(19, 0), "daily",
           roles=(RolePreset(_l("Team lead"), 1, 1, True),
                  RolePreset(_l("Patrol member"), 3, 4))),
    Preset("care", "care", _l("Care visit"),
           _l("Two members visit someone who is ill or lives alone."),
           _l("Care visit"), "slots", "care", 60, time(9, 30), "weekly",
           roles=(RolePreset(_l("Visitor"), 2, 3),)),
    Preset("rehearsal", "rehearsal", _l("Troupe rehearsal"),
           _l("The whole troupe is invited every week; members say if they cannot come."),
           _l("Troupe rehearsal"), "team", "troupe", 120, time(15, 0), "weekly"),
    Preset("talk", "talk", _l("Youth education talk"),
           _l("A veteran speaks to pupils; someone arranges the transport."),
           _l("Youth education talk"), "slots", "speakers", 90, time(9, 0), "once",
           roles=(RolePreset(_l("Speaker"), 1, 2),
                  RolePreset(_l("Transport and contact"), 1, 1))),
    Preset("study", "meeting", _l("Study day"),
           _l("The branch's study day on the 25th of every month."),
           _l("Monthly study day"), "team", "branch", 120, time(9, 0), "monthly",
           month_day=25),
    Preset("meeting", "meeting", _l("Branch meeting"),
           _l("A meeting of the branch, once."),
           _l("Branch meeting"), "team", "branch", 90, time(9, 0), "once"),
)}


def default_team(session, community_id: int | None, team_kind: str | None) -> Team | None:
    """The community's largest team of ``team_kind`` (a township-wide one if it has none)."""
    if team_kind is None:
        return None
    members = (select(func.count()).select_from(TeamMember)
               .where(TeamMember.team_id == Team.id).scalar_subquery())
    return session.scalars(
        select(Team).where(Team.kind == team_kind,
                           (Team.community_id == community_id) | Team.community_id.is_(None))
        .order_by(Team.community_id.is_(None), members.desc(), Team.id).limit(1)).first()


def member_count(session, team_id: int | None) -> int | None:
    """How many members the team has (what a team event expects by default)."""
    if team_id is None:
        return None
    return session.scalar(select(func.count()).select_from(TeamMember)
                          .where(TeamMember.team_id == team_id))
