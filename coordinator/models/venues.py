"""Places where work happens: rooms, halls, outside places."""
from __future__ import annotations

from sqlalchemy import CheckConstraint, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ..vocab import VENUE_KINDS
from .people import Community
from .types import Shown


class Venue(Shown, db.Model):
    """A venue of one community, or of the township when ``community_id`` is empty.

    Rooms and halls are booked exclusively (two troupes never share one at once);
    outside places (a school, a hospital, a patrol route) are not.
    """

    __tablename__ = "venues"
    __table_args__ = (CheckConstraint(VENUE_KINDS.check("kind"), name="kind"),
                      CheckConstraint("capacity IS NULL OR capacity > 0", name="capacity"),
                      UniqueConstraint("community_id", "name"))

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    kind: Mapped[str] = mapped_column(String(10))
    community_id: Mapped[int | None] = mapped_column(ForeignKey("communities.id"), index=True)
    capacity: Mapped[int | None]
    address: Mapped[str | None] = mapped_column(String(300))

    community: Mapped[Community | None] = relationship()

    @property
    def is_exclusive(self) -> bool:
        return self.kind != "outside"
