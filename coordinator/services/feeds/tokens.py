"""Private feed URLs: issue, rotate, resolve. Only a hash of each token is stored.

token = base64url(HMAC-SHA256(SECRET_KEY, "feed:" + salt)), salt = 256 random bits from
``secrets``. The page can show the URL again (it re-derives it), while a copy of the
database alone yields no usable URL, and rotating (a new salt) kills the old URL at once.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from datetime import datetime
from types import SimpleNamespace

from sqlalchemy import select, text

from ...domain.errors import Forbidden, NotFound
from ...models import Account, FeedToken, Team, TeamMember
from .. import audit
from ..access import managed_community_ids, reads_every_community

SCOPES = ("mine", "team", "community", "organisation")


def derive(secret: str, salt: str) -> str:
    """Return the URL token for ``salt`` (43 characters, URL-safe)."""
    digest = hmac.new(secret.encode(), f"feed:{salt}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def token_hash(token: str) -> str:
    """Return the stored form of a token."""
    return hashlib.sha256(token.encode()).hexdigest()


def may_read(session, account: Account, scope: str, scope_id: int | None) -> bool:
    """Return True when ``account`` may subscribe to that feed now."""
    if not account.is_enabled:
        return False
    if scope == "mine":
        return account.person_id is not None
    if scope == "organisation":
        return account.role in ("leader", "admin", "coordinator")
    managed = managed_community_ids(session, account)
    if scope == "community":
        return reads_every_community(account) or (managed is not None and scope_id in managed)
    if scope == "team":
        team = session.get(Team, scope_id) if scope_id else None
        if team is None:
            return False
        if reads_every_community(account):
            return True
        if managed is not None and team.community_id in managed:
            return True
        return account.person_id is not None and session.scalar(select(TeamMember.id).where(
            TeamMember.team_id == team.id, TeamMember.person_id == account.person_id)) is not None
    return False


def current(session, account: Account, scope: str, scope_id: int | None) -> FeedToken | None:
    """Return the live token of that feed, if one was issued."""
    return session.scalar(select(FeedToken).where(
        FeedToken.account_id == account.id, FeedToken.scope == scope,
        FeedToken.scope_id.is_(None) if scope_id is None else FeedToken.scope_id == scope_id,
        FeedToken.revoked_at.is_(None)).order_by(FeedToken.id.desc()))


def issue(session, account: Account, scope: str, scope_id: int | None, secret: str,
          now: datetime, rotate: bool = False) -> str:
    """Return the feed's token, creating one (or a new one, with ``rotate``)."""
    if scope not in SCOPES or not may_read(session, account, scope, scope_id):
        raise Forbidden("You cannot subscribe to this calendar.")
    existing = current(session, account, scope, scope_id)
    if existing is not None and not rotate:
        return derive(secret, existing.salt)
    if existing is not None:
        existing.revoked_at = now
    salt = secrets.token_hex(32)
    token = derive(secret, salt)
    session.add(FeedToken(account_id=account.id, scope=scope, scope_id=scope_id, salt=salt,
                          token_hash=token_hash(token), created_at=now))
    session.flush()
    audit.record(session, account, "feed.rotate" if rotate else "feed.issue", "account",
                 account.id, now, scope=scope, scope_id=scope_id)
    return token


# The hottest lookup of the service (every calendar poll): plain SQL, built once, and
# light rows instead of ORM objects.
_RESOLVE = text(
    "SELECT t.id, t.scope, t.scope_id, a.id, a.role, a.person_id, a.is_enabled, a.locale,"
    " a.feed_alarm_minutes, a.is_also_leader"
    " FROM feed_tokens t JOIN accounts a ON a.id = t.account_id"
    " WHERE t.token_hash = :hash AND t.revoked_at IS NULL")


def resolve(session, token: str) -> tuple[SimpleNamespace, SimpleNamespace]:
    """Return the live token and its account (light rows), or raise NotFound (no hint
    which: a wrong, rotated or revoked token and a deactivated account look the same)."""
    found = session.connection().execute(_RESOLVE, {"hash": token_hash(token)}).first()
    if found is None:
        raise NotFound("No such calendar.")
    row = SimpleNamespace(id=found[0], scope=found[1], scope_id=found[2])
    account = SimpleNamespace(id=found[3], role=found[4], person_id=found[5],
                              is_enabled=bool(found[6]), locale=found[7],
                              feed_alarm_minutes=found[8], is_also_leader=bool(found[9]))
    if not may_read(session, account, row.scope, row.scope_id):
        raise NotFound("No such calendar.")
    return row, account


__all__ = ["derive", "issue", "may_read", "resolve", "token_hash"]
