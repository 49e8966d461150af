"""Series, their occurrences, the slots of each occurrence and who fills them.

A series carries the local wall-clock pattern (time zone, local start, duration,
RRULE); occurrences are materialised rows with UTC instants for a rolling horizon,
so that people can be assigned to each one and each can be moved or cancelled on
its own. ``recurrence_id`` is the original start instant: it never changes when an
occurrence moves, and the calendar feed UID is made from it.
"""
from __future__ import annotations

from datetime import date, datetime, time

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..config import Config
from ..extensions import db
from ..vocab import (
    ASSIGNMENT_STATUSES,
    OCCURRENCE_STATUSES,
    PARTICIPATION,
    SERIES_KINDS,
    SWAP_STATUSES,
)
from .people import Account, Community, Person
from .teams import Team
from .types import Shown, UTCDateTime, utcnow
from .venues import Venue


class Series(Shown, db.Model):
    """A recurring piece of work, or a single event when ``rrule`` is empty."""

    __tablename__ = "series"
    __table_args__ = (
        CheckConstraint(SERIES_KINDS.check("kind"), name="kind"),
        CheckConstraint(PARTICIPATION.check("participation"), name="participation"),
        CheckConstraint("duration_minutes > 0", name="duration"),
        CheckConstraint("withdraw_cutoff_hours >= 0", name="cutoff"),
        CheckConstraint("signup_opens_days IS NULL OR signup_opens_days > 0", name="opens"),
        CheckConstraint("expected_attendance IS NULL OR expected_attendance > 0",
                        name="expected"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(12))
    participation: Mapped[str] = mapped_column(String(6), default="slots")
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(Text)
    community_id: Mapped[int | None] = mapped_column(ForeignKey("communities.id"), index=True)
    team_id: Mapped[int | None] = mapped_column(ForeignKey("teams.id"), index=True)
    venue_id: Mapped[int | None] = mapped_column(ForeignKey("venues.id"))
    timezone: Mapped[str] = mapped_column(String(50))
    start_date: Mapped[date]
    start_time: Mapped[time]
    duration_minutes: Mapped[int]
    rrule: Mapped[str | None] = mapped_column(String(500))
    until: Mapped[date | None]
    materialized_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    signup_opens_days: Mapped[int | None]
    withdraw_cutoff_hours: Mapped[int] = mapped_column(default=Config.WITHDRAW_CUTOFF_HOURS)
    requires_swap_approval: Mapped[bool] = mapped_column(default=False)
    is_public: Mapped[bool] = mapped_column(default=False)
    # Team events: how many of the invited usually come, set by the coordinator; None
    # counts every member of the team. The room-capacity check uses it.
    expected_attendance: Mapped[int | None]
    # Set on the later half when "this and all following" splits a series.
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("series.id"))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    community: Mapped[Community | None] = relationship()
    team: Mapped[Team | None] = relationship()
    venue: Mapped[Venue | None] = relationship()
    roles: Mapped[list[SeriesRole]] = relationship(back_populates="series",
                                                   cascade="all, delete-orphan",
                                                   order_by="SeriesRole.id")
    occurrences: Mapped[list[Occurrence]] = relationship(back_populates="series",
                                                         cascade="all, delete-orphan")


class SeriesRole(db.Model):
    """The default slots of each occurrence of a series."""

    __tablename__ = "series_roles"
    __table_args__ = (CheckConstraint("needed >= 1 AND maximum >= needed", name="counts"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    series_id: Mapped[int] = mapped_column(ForeignKey("series.id", ondelete="CASCADE"),
                                           index=True)
    name: Mapped[str] = mapped_column(String(100))
    needed: Mapped[int]
    maximum: Mapped[int]
    required_team_id: Mapped[int | None] = mapped_column(ForeignKey("teams.id"))
    # A lead role is open only to the leads of its required team.
    is_lead: Mapped[bool] = mapped_column(default=False)

    series: Mapped[Series] = relationship(back_populates="roles")
    required_team: Mapped[Team | None] = relationship()


class Occurrence(Shown, db.Model):
    """One dated instance of a series, stored in UTC."""

    __tablename__ = "occurrences"
    __table_args__ = (
        UniqueConstraint("series_id", "recurrence_id"),
        CheckConstraint("end_at > start_at", name="interval"),
        CheckConstraint(OCCURRENCE_STATUSES.check("status"), name="status"),
        Index("ix_occurrences_start_at", "start_at"),
        Index("ix_occurrences_venue_start", "venue_id", "start_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    series_id: Mapped[int] = mapped_column(ForeignKey("series.id", ondelete="CASCADE"))
    recurrence_id: Mapped[datetime] = mapped_column(UTCDateTime)
    start_at: Mapped[datetime] = mapped_column(UTCDateTime)
    end_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # Copied from the series and overridable per occurrence.
    venue_id: Mapped[int | None] = mapped_column(ForeignKey("venues.id"))
    status: Mapped[str] = mapped_column(String(10), default="scheduled")
    reason: Mapped[str | None] = mapped_column(String(300))
    # RFC 5545 SEQUENCE: bumped on every change of time, place or status.
    sequence: Mapped[int] = mapped_column(default=0)
    is_detached: Mapped[bool] = mapped_column(default=False)  # edited apart from its series
    # Sums over its slots, kept by triggers on occurrence_roles (models/totals.py): never
    # written by the application, read by the weekly plan instead of joining the slots.
    places_needed: Mapped[int] = mapped_column(default=0, server_default="0")
    places_filled: Mapped[int] = mapped_column(default=0, server_default="0")  # capped per slot
    people_confirmed: Mapped[int] = mapped_column(default=0, server_default="0")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    series: Mapped[Series] = relationship(back_populates="occurrences")
    venue: Mapped[Venue | None] = relationship()
    roles: Mapped[list[OccurrenceRole]] = relationship(back_populates="occurrence",
                                                       cascade="all, delete-orphan",
                                                       order_by="OccurrenceRole.id")


class OccurrenceRole(Shown, db.Model):
    """The slots of one occurrence; ``filled`` counts confirmed assignments."""

    __tablename__ = "occurrence_roles"
    __table_args__ = (
        CheckConstraint("filled >= 0 AND filled <= maximum", name="capacity"),
        CheckConstraint("needed >= 0 AND maximum >= 1 AND maximum >= needed", name="counts"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    occurrence_id: Mapped[int] = mapped_column(
        ForeignKey("occurrences.id", ondelete="CASCADE"), index=True)
    series_role_id: Mapped[int | None] = mapped_column(
        ForeignKey("series_roles.id", ondelete="SET NULL"))
    name: Mapped[str] = mapped_column(String(100))
    needed: Mapped[int]
    maximum: Mapped[int]
    filled: Mapped[int] = mapped_column(default=0)
    required_team_id: Mapped[int | None] = mapped_column(ForeignKey("teams.id"))
    is_lead: Mapped[bool] = mapped_column(default=False)

    occurrence: Mapped[Occurrence] = relationship(back_populates="roles")
    required_team: Mapped[Team | None] = relationship()
    assignments: Mapped[list[Assignment]] = relationship(back_populates="role",
                                                         cascade="all, delete-orphan")


class Assignment(Shown, db.Model):
    """A person in a slot: confirmed, on the waitlist, or withdrawn (kept for history)."""

    __tablename__ = "assignments"
    __table_args__ = (
        CheckConstraint(ASSIGNMENT_STATUSES.check("status"), name="status"),
        CheckConstraint("(status = 'waitlisted') = (waitlist_position IS NOT NULL)",
                        name="waitlist_position"),
        # One person once per role among live assignments.
        Index("uq_assignments_live", "occurrence_role_id", "person_id", unique=True,
              sqlite_where=text("status <> 'withdrawn'"),
              postgresql_where=text("status <> 'withdrawn'")),
        Index("ix_assignments_person", "person_id", "status"),
        # A plain index for "the confirmed / waitlisted people of a slot": SQLite's planner
        # cannot use the partial unique index above for ``status = …``.
        Index("ix_assignments_role_status", "occurrence_role_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    occurrence_role_id: Mapped[int] = mapped_column(
        ForeignKey("occurrence_roles.id", ondelete="CASCADE"))
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"))
    status: Mapped[str] = mapped_column(String(10))
    waitlist_position: Mapped[int | None]
    assigned_by_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id"))
    # Set when the occurrence moved or the person was promoted: a notice is due.
    needs_notice: Mapped[bool] = mapped_column(default=False)
    # Why the notice is due: moved, cancelled, removed, promoted, assigned, swapped_in,
    # swapped_out (the last reason wins when several changes come before the sweep).
    notice_reason: Mapped[str | None] = mapped_column(String(12))
    attended: Mapped[bool | None]
    minutes_served: Mapped[int | None]
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    role: Mapped[OccurrenceRole] = relationship(back_populates="assignments")
    person: Mapped[Person] = relationship()
    assigned_by: Mapped[Account | None] = relationship()


class Response(Shown, db.Model):
    """A team member's yes/no to a team event (rehearsal, study day)."""

    __tablename__ = "responses"
    __table_args__ = (UniqueConstraint("occurrence_id", "person_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    occurrence_id: Mapped[int] = mapped_column(ForeignKey("occurrences.id", ondelete="CASCADE"))
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"), index=True)
    is_attending: Mapped[bool]
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class Unavailability(db.Model):
    """A weekly window (weekday + local times) or a date range a person cannot do."""

    __tablename__ = "unavailabilities"
    __table_args__ = (
        CheckConstraint(
            "(weekday IS NOT NULL AND start_time IS NOT NULL AND end_time IS NOT NULL"
            " AND weekday BETWEEN 0 AND 6 AND start_time < end_time"
            " AND start_date IS NULL AND end_date IS NULL)"
            " OR (weekday IS NULL AND start_date IS NOT NULL AND end_date IS NOT NULL"
            " AND start_date <= end_date)", name="shape"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"),
                                           index=True)
    weekday: Mapped[int | None]  # 0 = Monday
    start_time: Mapped[time | None]
    end_time: Mapped[time | None]
    start_date: Mapped[date | None]
    end_date: Mapped[date | None]
    note: Mapped[str | None] = mapped_column(String(200))


class SwapOffer(db.Model):
    """A volunteer offering their confirmed shift to another eligible volunteer."""

    __tablename__ = "swap_offers"
    __table_args__ = (CheckConstraint(SWAP_STATUSES.check("status"), name="status"),
                      Index("uq_swap_offers_open", "assignment_id", unique=True,
                            sqlite_where=text("status IN ('open', 'pending')"),
                            postgresql_where=text("status IN ('open', 'pending')")))

    id: Mapped[int] = mapped_column(primary_key=True)
    assignment_id: Mapped[int] = mapped_column(ForeignKey("assignments.id", ondelete="CASCADE"))
    offered_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    taken_by_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id"))
    status: Mapped[str] = mapped_column(String(10), default="open")

    assignment: Mapped[Assignment] = relationship()
