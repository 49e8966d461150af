"""Communities, people, login accounts and coordinator scopes."""
from __future__ import annotations

import secrets
from datetime import date, datetime

from flask_login import UserMixin
from sqlalchemy import CheckConstraint, ForeignKey, Index, String, UniqueConstraint, false, true
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ..vocab import PERSON_STATUSES, ROLES, TEXT_SIZES
from .types import Shown, UTCDateTime, utcnow


def new_session_token() -> str:
    """Return a fresh 256-bit session token."""
    return secrets.token_urlsafe(32)


class Community(Shown, db.Model):
    """A community (社区) with its retired members' branch."""

    __tablename__ = "communities"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    code: Mapped[str] = mapped_column(String(20), unique=True)
    # Feeds issue: a coordinator can publish a public calendar; off by default.
    is_public_feed: Mapped[bool] = mapped_column(default=False)

    def __repr__(self) -> str:
        return f"<Community {self.code}>"


class Person(Shown, db.Model):
    """A member known to the organisation; address and phone are private."""

    __tablename__ = "people"
    __table_args__ = (
        CheckConstraint(PERSON_STATUSES.check("status"), name="status"),
        CheckConstraint("max_shifts_per_week IS NULL OR max_shifts_per_week >= 0",
                        name="max_shifts"),
        CheckConstraint("away_until IS NULL OR away_from IS NULL OR away_from <= away_until",
                        name="away_range"),
        Index("ix_people_community_name", "community_id", "full_name"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # Chinese names have no first/last split: one field.
    full_name: Mapped[str] = mapped_column(String(100))
    phone: Mapped[str | None] = mapped_column(String(30), unique=True)
    email: Mapped[str | None] = mapped_column(String(200))
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id"), index=True)
    address: Mapped[str | None] = mapped_column(String(300))
    languages: Mapped[str | None] = mapped_column(String(100))
    birth_year: Mapped[int | None]
    status: Mapped[str] = mapped_column(String(10), default="active")
    away_from: Mapped[date | None]
    away_until: Mapped[date | None]
    max_shifts_per_week: Mapped[int | None]
    notes: Mapped[str | None] = mapped_column(String(1000))
    # The organisation's own member number (会员号/编号), unique when given; the roster
    # import updates by it. The unified number of the national volunteer information
    # system (全国志愿服务信息系统) when the member is registered there. The ID card number
    # only when the organisation turned collecting it on (Config.COLLECT_ID_NUMBERS).
    member_number: Mapped[str | None] = mapped_column(String(20), unique=True)
    volunteer_number: Mapped[str | None] = mapped_column(String(30))
    id_number: Mapped[str | None] = mapped_column(String(18))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # The start of the first and the last roll row they took part in, kept by triggers on
    # attendance_entries (models/attendance_days.py): who drifted away is then a plain scan
    # of the people, not two searches of the roll per member.
    first_part_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_part_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    community: Mapped[Community] = relationship()
    account: Mapped[Account | None] = relationship(back_populates="person", uselist=False)

    def __repr__(self) -> str:
        return f"<Person {self.id} {self.full_name}>"


class Account(Shown, UserMixin, db.Model):
    """A login. Volunteers without e-mail log in with their phone number."""

    __tablename__ = "accounts"
    __table_args__ = (CheckConstraint(ROLES.check("role"), name="role"),
                      CheckConstraint(TEXT_SIZES.check("text_size"), name="text_size"))

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str | None] = mapped_column(String(50), unique=True)
    person_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"), unique=True)
    password_hash: Mapped[str | None] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(12), default="volunteer")
    # A coordinator who also sits on the township committee: reads every community as a
    # leader does, and still changes only the communities of their scopes.
    is_also_leader: Mapped[bool] = mapped_column(default=False, server_default=false())
    is_enabled: Mapped[bool] = mapped_column(default=True)
    # Rotated on logout and deactivation so that every old session cookie dies.
    session_token: Mapped[str] = mapped_column(String(64), unique=True, default=new_session_token)
    locale: Mapped[str | None] = mapped_column(String(10))
    text_size: Mapped[str] = mapped_column(String(10), default="standard")
    # Minutes before a shift for a VALARM in the personal feed; None: no alarms.
    feed_alarm_minutes: Mapped[int | None]
    # Message channels; None follows the default (e-mail when there is an address, SMS
    # when there is a phone but no e-mail). In-app notices always come.
    notify_email: Mapped[bool | None]
    notify_sms: Mapped[bool | None]
    # Which shift reminders the volunteer wants (24 h and 2 h before).
    remind_24h: Mapped[bool] = mapped_column(default=True, server_default=true())
    remind_2h: Mapped[bool] = mapped_column(default=True, server_default=true())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    person: Mapped[Person | None] = relationship(back_populates="account")
    scopes: Mapped[list[CoordinatorScope]] = relationship(
        back_populates="account", cascade="all, delete-orphan")

    # Flask-Login: the cookie holds the rotatable token, never the numeric id.
    def get_id(self) -> str:
        return self.session_token

    @property
    def is_active(self) -> bool:  # Flask-Login refuses disabled accounts
        return self.is_enabled

    @property
    def display_name(self) -> str:
        return self.person.full_name if self.person else (self.username or "")

    def __repr__(self) -> str:
        return f"<Account {self.id} {self.role}>"


class CoordinatorScope(Shown, db.Model):
    """Which communities a coordinator runs."""

    __tablename__ = "coordinator_scopes"
    __table_args__ = (UniqueConstraint("account_id", "community_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id"), index=True)

    account: Mapped[Account] = relationship(back_populates="scopes")
    community: Mapped[Community] = relationship()
