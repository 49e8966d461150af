"""Calendar feed tokens, outgoing message deliveries and in-app notifications."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    JSON,
    CheckConstraint,
    ForeignKey,
    Index,
    LargeBinary,
    String,
    Text,
    false,
    true,
)
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from ..vocab import CHANNELS, DELIVERY_STATUSES, FEED_SCOPES
from .types import UTCDateTime, utcnow


class FeedToken(db.Model):
    """A private calendar URL; only the SHA-256 of the token is stored.

    The token itself is HMAC(SECRET_KEY, id + salt), so the page can show the URL again
    while a copy of the database alone reveals no usable URL.
    """

    __tablename__ = "feed_tokens"
    __table_args__ = (CheckConstraint(FEED_SCOPES.check("scope"), name="scope"),
                      Index("ix_feed_tokens_account", "account_id", "scope", "scope_id"))

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
    scope: Mapped[str] = mapped_column(String(15))
    scope_id: Mapped[int | None]
    salt: Mapped[str] = mapped_column(String(64))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class FeedCache(db.Model):
    """The last rendered body of a feed, shared by every app process; keyed by feed.

    ``stamp`` is the validator of the data the body was rendered from (a poll whose stamp
    matches needs no render); ``etag`` is the hash of the body itself, so it changes
    exactly when a byte does. ``modified_at`` is the body's Last-Modified; ``exact`` is
    False when the body before it had a Last-Modified in the same second (then an
    If-Modified-Since of that second cannot tell the two apart and gets the body)."""

    __tablename__ = "feed_cache"

    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    stamp: Mapped[str | None] = mapped_column(String(64))
    etag: Mapped[str] = mapped_column(String(64))
    modified_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    exact: Mapped[bool] = mapped_column(default=True, server_default=true())
    body: Mapped[bytes] = mapped_column(LargeBinary)
    gzip_body: Mapped[bytes] = mapped_column(LargeBinary)
    events: Mapped[int]
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Delivery(db.Model):
    """One message to one recipient on one channel; the unique dedup key is written
    (and committed) before anything is sent, then the row is claimed with a conditional
    ``UPDATE … WHERE status = 'pending'`` so that two schedulers never both send it.

    ``person_id``/``occurrence_id``/``ref_at`` say what the message is about (a
    reminder's shift and its start at planning time), so the planner can find what is
    already planned with an indexed NOT EXISTS instead of rebuilding keys.
    """

    __tablename__ = "deliveries"
    __table_args__ = (CheckConstraint(DELIVERY_STATUSES.check("status"), name="status"),
                      CheckConstraint(CHANNELS.check("channel"), name="channel"),
                      Index("ix_deliveries_due", "status", "next_attempt_at"),
                      Index("ix_deliveries_subject", "person_id", "occurrence_id", "kind"),
                      Index("ix_deliveries_claim", "claim_token"))

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id",
                                                              ondelete="SET NULL"))
    person_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    kind: Mapped[str] = mapped_column(String(30))
    dedup_key: Mapped[str] = mapped_column(String(200), unique=True)
    channel: Mapped[str] = mapped_column(String(10))
    status: Mapped[str] = mapped_column(String(10), default="pending")
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str | None] = mapped_column(Text)
    payload: Mapped[dict] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    occurrence_id: Mapped[int | None] = mapped_column(
        ForeignKey("occurrences.id", ondelete="SET NULL"))
    ref_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Not worth sending from this instant on (a reminder once its shift has started).
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Urgent messages (a change to a shift within hours) go out during quiet hours too.
    urgent: Mapped[bool] = mapped_column(default=False, server_default=false())
    claim_token: Mapped[str | None] = mapped_column(String(32))
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class Notification(db.Model):
    """An in-app message, written in the recipient's language when it was delivered."""

    __tablename__ = "notifications"
    __table_args__ = (Index("ix_notifications_account", "account_id", "read_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
    # Unique: the in-app channel is exactly once even if a claim were run twice.
    delivery_id: Mapped[int | None] = mapped_column(
        ForeignKey("deliveries.id", ondelete="SET NULL"), unique=True)
    kind: Mapped[str] = mapped_column(String(30))
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    url_path: Mapped[str | None] = mapped_column(String(300))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
