"""Failed-login counters, one row per key, shared by every app process and host."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from .types import UTCDateTime


class LoginThrottle(db.Model):
    """Failed logins of one key ("account:12", "name:nobody", "address:203.0.113.7").

    Kept in the database, not in memory, so that the limit holds across gunicorn workers
    and hosts; the row is locked while an attempt is judged (see services.people.throttle).
    """

    __tablename__ = "login_throttles"
    __table_args__ = (CheckConstraint("failures >= 0", name="failures_not_negative"),
                      CheckConstraint("lockouts >= 0", name="lockouts_not_negative"))

    key: Mapped[str] = mapped_column(String(120), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    window_start_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_failure_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    lockouts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
