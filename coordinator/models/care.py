"""The private side of care visits: who is visited, where, and how they are.

Kept in tables of their own so that nothing that lists series or occurrences can
leak them by accident. The calendar feed content (``services.feeds.content``) is the
only reader, and shows a recipient only to the confirmed visitors of that visit and to
the coordinators of its community (``services.access.care_community_ids``); the demo
loader writes them.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .people import Community
from .types import Shown, UTCDateTime, utcnow


class CareRecipient(Shown, db.Model):
    """A person visited: sick, in hospital, bereaved, or elderly and living alone."""

    __tablename__ = "care_recipients"

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id"), index=True)
    full_name: Mapped[str] = mapped_column(String(100))
    address: Mapped[str | None] = mapped_column(String(300))
    ward: Mapped[str | None] = mapped_column(String(200))
    health_notes: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    community: Mapped[Community] = relationship()


class CareVisitDetail(Shown, db.Model):
    """Links a care-visit series, or one occurrence of it, to the person visited."""

    __tablename__ = "care_visit_details"
    __table_args__ = (CheckConstraint("(series_id IS NULL) <> (occurrence_id IS NULL)",
                                      name="one_target"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    series_id: Mapped[int | None] = mapped_column(
        ForeignKey("series.id", ondelete="CASCADE"), unique=True)
    occurrence_id: Mapped[int | None] = mapped_column(
        ForeignKey("occurrences.id", ondelete="CASCADE"), unique=True)
    recipient_id: Mapped[int] = mapped_column(ForeignKey("care_recipients.id"), index=True)

    recipient: Mapped[CareRecipient] = relationship()
