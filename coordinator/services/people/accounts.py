"""Accounts: password hashing, login, sessions that can be ended, preferences."""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import func, select

from ...domain.errors import DomainError, NotFound
from ...domain.text import normalise
from ...models import Account, CoordinatorScope, Person
from ...models.people import ROLES, TEXT_SIZES, new_session_token
from .. import audit
from . import throttle

_hasher = PasswordHasher()
# A small dummy hash so that a login for an unknown user costs as much as a real one.
_DUMMY_HASH: str | None = None

# The most common passwords people pick; refused when setting a password.
COMMON_PASSWORDS = frozenset("""
123456 123456789 12345678 password 1234567890 qwerty123 qwertyuiop 11111111 88888888
66666666 00000000 12341234 abcd1234 password1 iloveyou 1qaz2wsx qwerty12 a1234567
aa123456 asdfghjk zxcvbnm1 5201314520 woaini1314 147258369 987654321 123123123 admin123
11223344 12344321 123qweasd qweasdzxc abc12345 1234qwer passw0rd 99999999 77777777
""".split())


def configure_hasher(time_cost: int, memory_cost: int, parallelism: int) -> None:
    """Set the Argon2id cost (tests use a cheaper one)."""
    global _hasher, _DUMMY_HASH
    _hasher = PasswordHasher(time_cost=time_cost, memory_cost=memory_cost,
                             parallelism=parallelism)
    _DUMMY_HASH = None


def hash_password(password: str) -> str:
    """Return an Argon2id hash of ``password``."""
    return _hasher.hash(password)


def check_password_policy(password: str, field: str = "password") -> None:
    """Raise DomainError if ``password`` is too short or too common (no composition rules)."""
    if len(password) < 8:
        raise DomainError("Use at least 8 characters.", field=field)
    if len(password) > 200:
        raise DomainError("Use at most 200 characters.", field=field)
    if password.lower() in COMMON_PASSWORDS:
        raise DomainError("This password is too common; choose another.", field=field)


def normalise_phone(raw: str) -> str:
    """Keep the digits of a phone number (full-width ones made plain), without a +86 /
    0086 prefix."""
    # NFKC first: ``\d`` would keep "１５９" as it is, and no stored number matches it.
    digits = re.sub(r"[^0-9]", "", normalise(raw or ""))
    for prefix in ("0086", "86"):
        if digits.startswith(prefix) and len(digits) == len(prefix) + 11:
            digits = digits[len(prefix):]
    return digits


def authenticate(session, identifier: str, password: str, now: datetime,
                 address: str | None = None,
                 policy: throttle.Policy | None = None) -> Account | None:
    """Return the enabled account for a username or phone number and password, or None.

    Raises throttle.Throttled, before hashing anything, while the client address or the
    account (known or not) has too many recent failures. Failures and a success are
    counted in rows the caller commits, whatever the answer.
    """
    policy = policy or throttle.Policy()
    identifier = (identifier or "").strip()
    by_address = throttle.hold(session, throttle.address_key(address))
    throttle.check(by_address, now)  # before the name's row: a sprayer adds no rows
    account = _find(session, identifier)
    by_name = throttle.hold(session, throttle.account_key(account.id) if account is not None
                            else throttle.name_key(identifier))
    throttle.check(by_name, now)
    if _verify(account, password):
        throttle.record_success(by_name)
        if _hasher.check_needs_rehash(account.password_hash):
            account.password_hash = _hasher.hash(password)
        account.last_login_at = now
        return account
    throttle.record_failure(by_address, policy.address_max_failures, policy, now)
    throttle.record_failure(by_name, policy.max_failures, policy, now)
    session.flush()
    return None


def _find(session, identifier: str) -> Account | None:
    if not identifier:
        return None
    account = session.scalar(select(Account).where(
        func.lower(Account.username) == identifier.lower()))
    phone = normalise_phone(identifier)
    if account is None and phone:
        account = session.scalar(select(Account).join(Person, Account.person_id == Person.id)
                                 .where(Person.phone == phone))
    return account


def _verify(account: Account | None, password: str) -> bool:
    """Check the password; an unknown or disabled account costs a dummy hash all the same."""
    global _DUMMY_HASH
    if account is None or not account.password_hash or not account.is_enabled:
        if _DUMMY_HASH is None:
            _DUMMY_HASH = _hasher.hash("dummy-password")
        try:
            _hasher.verify(_DUMMY_HASH, password or "")
        except VerificationError:
            pass
        return False
    try:
        return _hasher.verify(account.password_hash, password or "")
    except (VerificationError, InvalidHashError):
        return False


def login_phone(session, username: str) -> str | None:
    """Return the phone an enabled account's member logs in with (the login page's demo
    box names the demo volunteer's), or None."""
    return session.scalar(select(Person.phone).join(Account, Account.person_id == Person.id)
                          .where(func.lower(Account.username) == username.lower(),
                                 Account.is_enabled.is_(True), Person.phone.is_not(None)))


def load_by_session_token(session, token: str) -> Account | None:
    """Return the enabled account owning this session token."""
    if not token:
        return None
    return session.scalar(select(Account).where(Account.session_token == token,
                                                Account.is_enabled.is_(True)))


def end_sessions(account: Account) -> None:
    """Invalidate every session of ``account`` (logout everywhere)."""
    account.session_token = new_session_token()


def set_preferences(account: Account, locale: str | None = None,
                    text_size: str | None = None, languages=("zh_CN", "en")) -> None:
    """Remember the account's language and text size (both checked before either is set)."""
    if locale is not None and locale not in languages:
        raise DomainError("Unknown language.", field="locale")
    if text_size is not None and text_size not in TEXT_SIZES:
        raise DomainError("Unknown text size.", field="text_size")
    if locale is not None:
        account.locale = locale
    if text_size is not None:
        account.text_size = text_size


def change_password(session, account: Account, current: str, new: str, now: datetime) -> None:
    """Change the password after checking the current one; ends other sessions."""
    try:
        _hasher.verify(account.password_hash or "", current or "")
    except (VerificationError, InvalidHashError):
        raise DomainError("The current password is wrong.", field="current") from None
    check_password_policy(new, field="new")
    account.password_hash = _hasher.hash(new)
    end_sessions(account)
    audit.record(session, account, "password.change", "account", account.id, now)


@dataclass(frozen=True)
class AccountInput:
    """What an admin fills in to create or change an account."""

    role: str
    username: str | None = None
    person_id: int | None = None
    password: str | None = None
    community_ids: tuple[int, ...] = ()
    is_also_leader: bool = False  # coordinators only: reads every community


def create_account(session, actor: Account, data: AccountInput, now: datetime) -> Account:
    """Create a login (admin only)."""
    _require_admin(actor)
    _validate_account(session, data, None)
    if not data.password:
        raise DomainError("Give a first password.", field="password")
    check_password_policy(data.password)
    account = Account(role=data.role, username=data.username or None,
                      person_id=data.person_id, password_hash=hash_password(data.password),
                      is_also_leader=_also_leader(data))
    session.add(account)
    session.flush()
    _set_scopes(session, account, data)
    audit.record(session, actor, "account.create", "account", account.id, now,
                 role=data.role, username=data.username, person_id=data.person_id,
                 communities=sorted(data.community_ids), is_also_leader=_also_leader(data))
    return account


def update_account(session, actor: Account, account_id: int, data: AccountInput,
                   now: datetime) -> Account:
    """Change role, scope or password of an account (admin only)."""
    _require_admin(actor)
    account = session.get(Account, account_id)
    if account is None:
        raise NotFound("No such account.")
    _validate_account(session, data, account)
    changes = {}
    if account.role != data.role:
        changes["role"] = [account.role, data.role]
        account.role = data.role
        end_sessions(account)  # a new role starts from a fresh login
    if account.is_also_leader != _also_leader(data):
        changes["is_also_leader"] = [account.is_also_leader, _also_leader(data)]
        account.is_also_leader = _also_leader(data)  # read on every request: no new login
    if (data.username or None) != account.username:
        changes["username"] = [account.username, data.username]
        account.username = data.username or None
    if data.password:
        check_password_policy(data.password)
        account.password_hash = hash_password(data.password)
        end_sessions(account)
        changes["password"] = "changed"  # noqa: S105 — a marker, not a secret
    before = sorted(s.community_id for s in account.scopes)
    _set_scopes(session, account, data)
    if before != sorted(data.community_ids):
        changes["communities"] = [before, sorted(data.community_ids)]
    audit.record(session, actor, "account.update", "account", account.id, now, **changes)
    return account


def set_enabled(session, actor: Account, account_id: int, enabled: bool,
                now: datetime) -> Account:
    """Enable or deactivate an account; deactivation ends its sessions at once."""
    _require_admin(actor)
    account = session.get(Account, account_id)
    if account is None:
        raise NotFound("No such account.")
    if account.id == actor.id and not enabled:
        raise DomainError("You cannot deactivate your own account.")
    if account.is_enabled == enabled:
        return account  # nothing changes: an enabled account keeps its sessions
    account.is_enabled = enabled
    if not enabled:
        # Enabling needs no new token: deactivation already rotated it.
        end_sessions(account)
    audit.record(session, actor, "account.enable" if enabled else "account.disable",
                 "account", account.id, now)
    return account


def _require_admin(actor: Account) -> None:
    from ...domain.errors import Forbidden
    if actor.role != "admin":
        raise Forbidden("Only an administrator may manage accounts.")


def _validate_account(session, data: AccountInput, account: Account | None) -> None:
    if data.role not in ROLES:
        raise DomainError("Choose a role.", field="role")
    if not data.username and not data.person_id:
        raise DomainError("Give a username or choose a person.", field="username")
    if data.username:
        if not re.fullmatch(r"[A-Za-z0-9_.-]{3,50}", data.username):
            raise DomainError("Use 3 to 50 letters, digits, dots, dashes or underscores.",
                              field="username")
        other = session.scalar(select(Account).where(
            func.lower(Account.username) == data.username.lower()))
        if other is not None and other is not account:
            raise DomainError("This username is taken.", field="username")
    if data.person_id:
        if session.get(Person, data.person_id) is None:
            raise DomainError("No such person.", field="person_id")
        other = session.scalar(select(Account).where(Account.person_id == data.person_id))
        if other is not None and other is not account:
            raise DomainError("This person already has an account.", field="person_id")
    if data.role == "coordinator" and not data.community_ids:
        raise DomainError("A coordinator needs at least one community.", field="community_ids")


def _also_leader(data: AccountInput) -> bool:
    """Only a coordinator can be "also a leader": a leader reads everything anyway."""
    return data.role == "coordinator" and data.is_also_leader


def _set_scopes(session, account: Account, data: AccountInput) -> None:
    wanted = set(data.community_ids) if data.role == "coordinator" else set()
    for scope in list(account.scopes):
        if scope.community_id not in wanted:
            account.scopes.remove(scope)
    have = {s.community_id for s in account.scopes}
    for cid in sorted(wanted - have):
        account.scopes.append(CoordinatorScope(community_id=cid))
    session.flush()
