"""A volunteer's choice of channels and reminders."""
from __future__ import annotations

from dataclasses import dataclass

from ...models import Account, Person


@dataclass(frozen=True)
class Choices:
    """What the account is told by, and which reminders it wants."""

    email: bool
    sms: bool
    remind_24h: bool
    remind_2h: bool


def current(account: Account, person: Person | None) -> Choices:
    """Return the account's effective choices (defaults filled in)."""
    has_email = bool(person and person.email)
    return Choices(email=True if account.notify_email is None else account.notify_email,
                   sms=(not has_email) if account.notify_sms is None else account.notify_sms,
                   remind_24h=account.remind_24h, remind_2h=account.remind_2h)


def save(account: Account, choices: Choices) -> None:
    """Store the account's choices (explicit from now on)."""
    account.notify_email = choices.email
    account.notify_sms = choices.sms
    account.remind_24h = choices.remind_24h
    account.remind_2h = choices.remind_2h
