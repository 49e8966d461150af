"""What happened at each occurrence: the attendance roll, check-in codes, corrections
made after the roll closed, service-record certificates, star levels reached and the calls
made to members who drifted away.

The roll has one row per person and occurrence (``attendance_entries``); a person with no
row after the roll closed is "not recorded" and never counts as served. Minutes are
computed by ``domain.attendance`` when a row is written, so reports sum a column.
"""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ..vocab import (
    ATTENDANCE_SOURCES,
    ATTENDANCE_STATUSES,
    CORRECTION_STATUSES,
    LEAVE_REASONS,
    SERIES_KINDS,
)
from .people import Account, Community, Person
from .schedule import Occurrence
from .types import UTCDateTime, utcnow

SERVED = ("present", "late", "left_early")


class AttendanceEntry(db.Model):
    """One person at one occurrence: how they took part and the minutes it gives."""

    __tablename__ = "attendance_entries"
    __table_args__ = (
        UniqueConstraint("occurrence_id", "person_id"),
        CheckConstraint(ATTENDANCE_STATUSES.check("status"), name="status"),
        CheckConstraint(ATTENDANCE_SOURCES.check("source"), name="source"),
        CheckConstraint("minutes >= 0 AND minutes <= 1440", name="minutes"),
        CheckConstraint("actual_start IS NULL OR actual_end IS NULL"
                        " OR actual_end >= actual_start", name="interval"),
        # Only a taking part gives minutes; only leave carries a leave reason.
        CheckConstraint("status IN ('present', 'late', 'left_early') OR minutes = 0",
                        name="served_minutes"),
        CheckConstraint("(status = 'excused') = (leave_reason IS NOT NULL)", name="leave"),
        CheckConstraint(f"leave_reason IS NULL OR {LEAVE_REASONS.check('leave_reason')}",
                        name="leave_reason"),
        CheckConstraint(SERIES_KINDS.check("kind"), name="kind"),
        Index("ix_attendance_person_start", "person_id", "start_at"),
        Index("ix_attendance_community_start", "community_id", "start_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    occurrence_id: Mapped[int] = mapped_column(ForeignKey("occurrences.id", ondelete="CASCADE"))
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"))
    # Copied from the occurrence and its series when the row is written, so that the
    # reports group a year of rows without joining the schedule (occurrences do not move
    # once their roll closed; a move before that rewrites these).
    community_id: Mapped[int | None] = mapped_column(ForeignKey("communities.id"))
    kind: Mapped[str] = mapped_column(String(12))
    start_at: Mapped[datetime] = mapped_column(UTCDateTime)  # scheduled start
    # The organisation's calendar day of start_at: the day ``attendance_days`` counts the
    # row on (``domain.attendance.local_day``; every writer sets it).
    day: Mapped[date] = mapped_column()
    status: Mapped[str] = mapped_column(String(10))
    actual_start: Mapped[datetime | None] = mapped_column(UTCDateTime)
    actual_end: Mapped[datetime | None] = mapped_column(UTCDateTime)
    minutes: Mapped[int] = mapped_column(default=0)
    # Does this row's time count as volunteer service hours (the kind's setting when it
    # was written), or as attendance of organisational life (rehearsal, study day)?
    is_service: Mapped[bool] = mapped_column(default=True)
    # roll: marked on the roll while it was open; checkin: the volunteer's own scan;
    # leave: asked before the start; staff: added or corrected after the roll closed.
    source: Mapped[str] = mapped_column(String(8))
    is_walk_in: Mapped[bool] = mapped_column(default=False)
    leave_reason: Mapped[str | None] = mapped_column(String(8))
    leave_note: Mapped[str | None] = mapped_column(String(200))
    checked_in_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    checked_out_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    marked_by_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id"))
    marked_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Raised on every change: a form that read version 3 and posts after another change
    # is told so instead of overwriting it (no lost change).
    version: Mapped[int] = mapped_column(default=1)

    occurrence: Mapped[Occurrence] = relationship()
    person: Mapped[Person] = relationship()
    community: Mapped[Community | None] = relationship()
    marked_by: Mapped[Account | None] = relationship()


class CheckinCode(db.Model):
    """The self check-in code of one occurrence, valid only within its window."""

    __tablename__ = "checkin_codes"
    __table_args__ = (CheckConstraint("closes_at > opens_at", name="window"),
                      CheckConstraint("length(code) = 6", name="code_length"))

    id: Mapped[int] = mapped_column(primary_key=True)
    occurrence_id: Mapped[int] = mapped_column(
        ForeignKey("occurrences.id", ondelete="CASCADE"), unique=True)
    code: Mapped[str] = mapped_column(String(6), unique=True)
    opens_at: Mapped[datetime] = mapped_column(UTCDateTime)
    closes_at: Mapped[datetime] = mapped_column(UTCDateTime)

    occurrence: Mapped[Occurrence] = relationship()


class AttendanceCorrection(db.Model):
    """A change to the roll after it closed (补录 or a correction), with its reason.

    Applied at once, or kept pending until a leader or admin approves it when the setting
    asks for a second person. The proposed values are here; the entry changes only when
    the correction is applied.
    """

    __tablename__ = "attendance_corrections"
    __table_args__ = (
        CheckConstraint(CORRECTION_STATUSES.check("state"), name="state"),
        CheckConstraint(ATTENDANCE_STATUSES.check("status"), name="status"),
        CheckConstraint("actual_start IS NULL OR actual_end IS NULL"
                        " OR actual_end >= actual_start", name="interval"),
        Index("ix_corrections_state", "state", "community_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    occurrence_id: Mapped[int] = mapped_column(ForeignKey("occurrences.id", ondelete="CASCADE"))
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"))
    community_id: Mapped[int | None] = mapped_column(ForeignKey("communities.id"))
    status: Mapped[str] = mapped_column(String(10))
    actual_start: Mapped[datetime | None] = mapped_column(UTCDateTime)
    actual_end: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reason: Mapped[str] = mapped_column(String(300))
    state: Mapped[str] = mapped_column(String(9))
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id"))
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    occurrence: Mapped[Occurrence] = relationship()
    person: Mapped[Person] = relationship()
    requested_by: Mapped[Account | None] = relationship(foreign_keys=[requested_by_id])
    decided_by: Mapped[Account | None] = relationship(foreign_keys=[decided_by_id])


class Certificate(db.Model):
    """A service-record certificate (志愿服务记录证明) as issued: its figures are frozen."""

    __tablename__ = "certificates"
    __table_args__ = (CheckConstraint("period_end >= period_start", name="period"),
                      CheckConstraint("total_minutes >= 0 AND services >= 0", name="figures"))

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(20), unique=True)
    # The secret part of the verification link (the number alone is guessable).
    token: Mapped[str] = mapped_column(String(32), unique=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"),
                                           index=True)
    full_name: Mapped[str] = mapped_column(String(100))
    member_number: Mapped[str | None] = mapped_column(String(20))
    organisation: Mapped[str] = mapped_column(String(200))
    period_start: Mapped[date]
    period_end: Mapped[date]
    total_minutes: Mapped[int]
    staff_minutes: Mapped[int] = mapped_column(default=0)  # of which added by staff
    services: Mapped[int]
    by_kind: Mapped[dict] = mapped_column(db.JSON)  # kind -> minutes
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    issued_by_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id"))
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_by_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id"))
    revoke_reason: Mapped[str | None] = mapped_column(String(300))

    person: Mapped[Person] = relationship()


class StarAward(db.Model):
    """A star level a volunteer reached: written once, so they are told exactly once."""

    __tablename__ = "star_awards"
    __table_args__ = (UniqueConstraint("person_id", "level"),
                      CheckConstraint("level BETWEEN 1 AND 9", name="level"))

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"))
    level: Mapped[int]
    hours: Mapped[int]  # the threshold passed
    reached_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class MemberContact(db.Model):
    """A coordinator called (or visited) a member who drifted away."""

    __tablename__ = "member_contacts"

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"),
                                           index=True)
    contacted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    by_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id"))
    note: Mapped[str | None] = mapped_column(Text)

    by: Mapped[Account | None] = relationship()
