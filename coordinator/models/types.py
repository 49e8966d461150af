"""Column types shared by the models."""
from datetime import datetime, timezone

from sqlalchemy import DateTime
from sqlalchemy.orm import Mapped, mapped_column
from sqlalchemy.types import TypeDecorator


class UTCDateTime(TypeDecorator):
    """An instant stored in UTC; refuses naive datetimes, re-attaches UTC on load.

    SQLite keeps no time zone, so without this a value would come back naive and
    compare wrongly with aware ones.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if not isinstance(value, datetime):
            raise TypeError(f"UTCDateTime needs a datetime, got {type(value).__name__}")
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError("naive datetime refused: give an aware datetime")
        value = value.astimezone(timezone.utc)
        if dialect.name == "sqlite":
            return value.replace(tzinfo=None)
        return value

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=timezone.utc)
        return value.astimezone(timezone.utc)


def utcnow() -> datetime:
    """Return the current instant in UTC (for column defaults only)."""
    return datetime.now(timezone.utc)


_shown_clock = utcnow


def set_shown_clock(clock) -> None:
    """Make ``shown_at`` follow the app's clock (``create_app`` passes ``clock.now``, so
    a pinned test clock dates changes too)."""
    global _shown_clock
    _shown_clock = clock


def shown_now() -> datetime:
    """Return the instant a printed change is dated with."""
    return _shown_clock()


class Shown:
    """Mixin: ``shown_at``, when a column that a calendar feed prints last changed.

    ``services.feeds.sources`` lists those columns per table and sets ``shown_at`` on
    every flush or UPDATE statement that changes one of them, and raises ``shown_rev``
    (not on other writes: the
    nightly horizon extension or a counter that no feed prints leaves it alone), so a
    feed's validator and its events' LAST-MODIFIED move exactly when what they show does.
    """

    shown_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=shown_now)
    # Counts those changes (raised in SQL, so concurrent writers never share a value): the
    # stamp sums it, so it moves even when two changes carry the same instant.
    shown_rev: Mapped[int] = mapped_column(default=1, server_default="1")
