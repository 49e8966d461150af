"""Teams (patrol team, troupes, care group, speakers) and their members."""
from __future__ import annotations

from sqlalchemy import CheckConstraint, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ..vocab import TEAM_KINDS
from .people import Community, Person
from .types import Shown


class Team(Shown, db.Model):
    """A team of one community, or township-wide when ``community_id`` is empty."""

    __tablename__ = "teams"
    __table_args__ = (CheckConstraint(TEAM_KINDS.check("kind"), name="kind"),
                      UniqueConstraint("community_id", "name"))

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    kind: Mapped[str] = mapped_column(String(12))
    community_id: Mapped[int | None] = mapped_column(ForeignKey("communities.id"), index=True)

    community: Mapped[Community | None] = relationship()
    members: Mapped[list[TeamMember]] = relationship(back_populates="team",
                                                     cascade="all, delete-orphan")


class TeamMember(db.Model):
    """A person's membership of a team; ``is_lead`` marks team leads."""

    __tablename__ = "team_members"
    __table_args__ = (UniqueConstraint("team_id", "person_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"))
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"),
                                           index=True)
    is_lead: Mapped[bool] = mapped_column(default=False)

    team: Mapped[Team] = relationship(back_populates="members")
    person: Mapped[Person] = relationship()
