"""Login throttle: failed logins counted per account and per client address, in the
database so that the limit holds across app processes and hosts.

An attempt is judged before any password is hashed: a refused attempt costs two row
reads, never an Argon2 hash, so the hashing work a client can cause is bounded by the
limits below. The rows stay locked until the login's transaction ends (``FOR UPDATE`` on
PostgreSQL; SQLite's ``BEGIN IMMEDIATE`` serialises writers anyway): parallel attempts at
one account or from one address are judged one at a time and cannot all slip under the
limit while their hashes run. Every attempt locks its address row first, then its account
row, so two attempts never wait on each other in a cycle.

Unknown and known accounts count alike (an unknown name gets its own row), so the
answers never tell whether an account exists.
"""
from __future__ import annotations

import ipaddress
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from math import ceil

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from ...domain.errors import DomainError
from ...models.throttle import LoginThrottle


@dataclass(frozen=True)
class Policy:
    """How many failures within ``window`` lock a key, and for how long."""

    max_failures: int = 5  # per account (or unknown name)
    address_max_failures: int = 20  # per client address (a village office shares one)
    window: timedelta = timedelta(minutes=15)
    lockout: timedelta = timedelta(minutes=15)  # doubles with each lockout in a row
    lockout_max: timedelta = timedelta(hours=24)  # also: a day without failures forgives

    @classmethod
    def from_config(cls, config: Mapping) -> Policy:
        """Read the LOGIN_* settings (seconds)."""
        return cls(max_failures=int(config["LOGIN_MAX_FAILURES"]),
                   address_max_failures=int(config["LOGIN_ADDRESS_MAX_FAILURES"]),
                   window=timedelta(seconds=int(config["LOGIN_WINDOW"])),
                   lockout=timedelta(seconds=int(config["LOGIN_LOCKOUT"])),
                   lockout_max=timedelta(seconds=int(config["LOGIN_LOCKOUT_MAX"])))


class Throttled(DomainError):
    """Too many failed logins: refused, without hashing, until ``retry_after`` has passed."""

    def __init__(self, retry_after: timedelta):
        super().__init__("Too many attempts. Please try again in %(minutes)s min.",
                         field="password",
                         minutes=max(1, ceil(retry_after.total_seconds() / 60)))
        self.retry_after = retry_after


def address_key(address: str | None) -> str:
    """Return the key of a client address; IPv6 by its /64 (one household's network)."""
    try:
        ip = ipaddress.ip_address((address or "").strip())
    except ValueError:
        return "address:unknown"
    if ip.version == 6:
        if ip.ipv4_mapped is not None:
            return f"address:{ip.ipv4_mapped}"
        return f"address:{ipaddress.ip_network(f'{ip}/64', strict=False)}"
    return f"address:{ip}"


def account_key(account_id: int) -> str:
    """Return the key of a known account (its username and phone share it)."""
    return f"account:{account_id}"


def name_key(identifier: str) -> str:
    """Return the key of a name that matches no account."""
    return f"name:{identifier.strip().lower()[:100]}"


def hold(session, key: str) -> LoginThrottle:
    """Return the row of ``key``, created if missing, locked for this transaction."""
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    session.execute(insert(LoginThrottle).values(key=key, failures=0, lockouts=0)
                    .on_conflict_do_nothing(index_elements=[LoginThrottle.key]))
    return session.scalar(select(LoginThrottle).where(LoginThrottle.key == key)
                          .with_for_update().execution_options(populate_existing=True))


def check(row: LoginThrottle, now: datetime) -> None:
    """Raise Throttled while ``row`` is locked out."""
    if row.locked_until is not None and row.locked_until > now:
        raise Throttled(row.locked_until - now)


def record_failure(row: LoginThrottle, limit: int, policy: Policy, now: datetime) -> None:
    """Count a failed login; the ``limit``-th within the window locks the key."""
    if row.last_failure_at is not None and now - row.last_failure_at >= policy.lockout_max:
        row.lockouts = 0
    if row.window_start_at is None or now - row.window_start_at >= policy.window:
        row.failures, row.window_start_at = 0, now
    row.failures += 1
    row.last_failure_at = now
    if row.failures >= limit:
        row.locked_until = now + min(policy.lockout * 2 ** min(row.lockouts, 20),
                                     policy.lockout_max)
        row.lockouts += 1
        row.failures, row.window_start_at = 0, None


def record_success(row: LoginThrottle) -> None:
    """Forget an account's failures after its right password.

    Only the account's row: a success does not clear its address's count, or one valid
    login would let a client guess at other accounts again.
    """
    row.failures, row.lockouts = 0, 0
    row.window_start_at = row.locked_until = None
