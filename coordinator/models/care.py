"""Care visits (探望慰问): the people cared for, which visit goes to whom, what the
visitors wrote afterwards, who read the private details, and admins' openings of the
register.

Health details are sensitive personal information (PIPL art. 28): they live in tables of
their own so that nothing that lists series or occurrences can leak them by accident, and
every reader goes through ``services.access`` (``care_community_ids``,
``sees_care_details``) and ``services.care``. A record's private columns are set to NULL
when it is erased (``erased_at``): what remains for the figures is "a person cared for in
community X".
"""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ..vocab import CARE_CONDITIONS, CARE_PLACES, CARE_REASONS, CARE_STATUSES
from .people import Account, Community, Person
from .schedule import Occurrence
from .types import Shown, UTCDateTime, utcnow

# The columns that hold private details: erasure sets them all to NULL (and the name to "").
PRIVATE_COLUMNS = ("address", "institution", "ward", "bed", "family_name",
                   "family_relation", "family_phone", "health_notes", "person_id")


class CareRecipient(Shown, db.Model):
    """A person cared for: sick, in hospital, bereaved, living alone or very old."""

    __tablename__ = "care_recipients"
    __table_args__ = (
        CheckConstraint(CARE_PLACES.check("place"), name="place"),
        CheckConstraint(CARE_REASONS.check("reason"), name="reason"),
        CheckConstraint(CARE_STATUSES.check("status"), name="status"),
        CheckConstraint("visit_every_days IS NULL OR visit_every_days BETWEEN 1 AND 366",
                        name="visit_every"),
        # Ended records carry their end date; records being cared for carry none.
        CheckConstraint("(status = 'active') = (ended_on IS NULL)", name="ended"),
        CheckConstraint("ended_on IS NULL OR ended_on >= started_on", name="dates"),
        # An erased record keeps no private detail.
        CheckConstraint("erased_at IS NULL OR (address IS NULL AND ward IS NULL"
                        " AND health_notes IS NULL AND family_phone IS NULL)",
                        name="erased"),
        Index("ix_care_recipients_community_status", "community_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id"), index=True)
    full_name: Mapped[str] = mapped_column(String(100))
    # The member record they are, when they are a member of the branch (most are).
    person_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    # Where they are now: at home (address), in hospital (institution, ward, bed) or in a
    # care home (institution, address).
    place: Mapped[str] = mapped_column(String(10), default="home", server_default="home")
    address: Mapped[str | None] = mapped_column(String(300))
    institution: Mapped[str | None] = mapped_column(String(200))
    ward: Mapped[str | None] = mapped_column(String(200))
    bed: Mapped[str | None] = mapped_column(String(50))
    family_name: Mapped[str | None] = mapped_column(String(100))
    family_relation: Mapped[str | None] = mapped_column(String(50))
    family_phone: Mapped[str | None] = mapped_column(String(40))
    reason: Mapped[str] = mapped_column(String(12), default="illness", server_default="illness")
    visit_every_days: Mapped[int | None] = mapped_column()  # how often they would like a visit
    health_notes: Mapped[str | None] = mapped_column(Text)  # short condition notes
    status: Mapped[str] = mapped_column(String(10), default="active", server_default="active")
    started_on: Mapped[date] = mapped_column(default=lambda: utcnow().date())
    ended_on: Mapped[date | None] = mapped_column()
    erased_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Raised on every change: an edit posted over a newer one is refused, not lost.
    version: Mapped[int] = mapped_column(default=1, server_default="1")

    community: Mapped[Community] = relationship()
    person: Mapped[Person | None] = relationship()


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


class CareVisitLog(db.Model):
    """What a visitor wrote after a visit: how the person is, what they need, and whether
    the coordinator should follow up (until a coordinator closes it with a note)."""

    __tablename__ = "care_visit_logs"
    __table_args__ = (
        UniqueConstraint("occurrence_id"),
        CheckConstraint(CARE_CONDITIONS.check("condition"), name="condition"),
        CheckConstraint("follow_up OR closed_at IS NULL", name="closed_needs_follow_up"),
        CheckConstraint("(closed_at IS NULL) = (closed_by_id IS NULL)", name="closed_by"),
        Index("ix_care_visit_logs_recipient", "recipient_id", "written_at"),
        Index("ix_care_visit_logs_open", "community_id", "follow_up", "closed_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    occurrence_id: Mapped[int] = mapped_column(ForeignKey("occurrences.id", ondelete="CASCADE"))
    recipient_id: Mapped[int] = mapped_column(
        ForeignKey("care_recipients.id", ondelete="CASCADE"))
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id"))
    author_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id"))
    written_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    condition: Mapped[str] = mapped_column(String(8))  # better / same / worse
    need_medical: Mapped[bool] = mapped_column(default=False)
    need_daily: Mapped[bool] = mapped_column(default=False)
    need_money: Mapped[bool] = mapped_column(default=False)
    need_company: Mapped[bool] = mapped_column(default=False)
    note: Mapped[str | None] = mapped_column(String(500))
    follow_up: Mapped[bool] = mapped_column(default=False)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_by_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id"))
    close_note: Mapped[str | None] = mapped_column(String(500))
    version: Mapped[int] = mapped_column(default=1, server_default="1")

    occurrence: Mapped[Occurrence] = relationship()
    recipient: Mapped[CareRecipient] = relationship()
    author: Mapped[Account | None] = relationship(foreign_keys=[author_id])
    closed_by: Mapped[Account | None] = relationship(foreign_keys=[closed_by_id])


class CareRead(db.Model):
    """Who read a person's private details, and when (shown to the community's
    coordinators). ``what``: the person's page, a visitor's page, the register opened by
    an admin, an export."""

    __tablename__ = "care_reads"
    __table_args__ = (Index("ix_care_reads_recipient", "recipient_id", "read_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    recipient_id: Mapped[int] = mapped_column(
        ForeignKey("care_recipients.id", ondelete="CASCADE"))
    account_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id", ondelete="SET NULL"))
    read_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    what: Mapped[str] = mapped_column(String(12))

    account: Mapped[Account | None] = relationship()


class CareRegisterOpening(db.Model):
    """An admin's explicit, audited opening of one community's register, for a while."""

    __tablename__ = "care_register_openings"
    __table_args__ = (CheckConstraint("until > opened_at", name="window"),
                      Index("ix_care_openings_account", "account_id", "until"))

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id", ondelete="CASCADE"))
    reason: Mapped[str] = mapped_column(String(300))
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    until: Mapped[datetime] = mapped_column(UTCDateTime)
