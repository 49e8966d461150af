"""A volunteer's choice of channels and reminders."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from ...models import Account, Person

TURNED_OFF = "turned off by the recipient"


@dataclass(frozen=True)
class Choices:
    """What the account is told by, and which reminders it wants."""

    email: bool
    sms: bool
    remind_24h: bool
    remind_2h: bool


@dataclass(frozen=True)
class Reach:
    """Which channels can reach the person at all (an address is on record)."""

    email: bool
    sms: bool


def reach(person: Person | None) -> Reach:
    """Return which channels have an address for ``person``."""
    return Reach(email=bool(person and person.email), sms=bool(person and person.phone))


def current(account: Account, person: Person | None) -> Choices:
    """Return the account's effective choices (defaults filled in): a channel without an
    address is never shown as chosen, whatever was stored."""
    can = reach(person)
    email = True if account.notify_email is None else account.notify_email
    sms = (not can.email) if account.notify_sms is None else account.notify_sms
    return Choices(email=email and can.email, sms=sms and can.sms,
                   remind_24h=account.remind_24h, remind_2h=account.remind_2h)


def save(account: Account, person: Person | None, choices: Choices) -> None:
    """Store the account's choices (explicit from now on). A channel without an address
    cannot be chosen on the page, so its stored choice is kept as it was: adding the
    address later brings back what the person last chose."""
    can = reach(person)
    if can.email:
        account.notify_email = choices.email
    if can.sms:
        account.notify_sms = choices.sms
    account.remind_24h = choices.remind_24h
    account.remind_2h = choices.remind_2h


def turned_off(session, rows) -> set[int]:
    """Return the ids of claimed rows their recipient no longer wants (one query for the
    whole claim): a reminder whose offset was switched off since it was planned, or a
    message on a channel switched off. Only explicit choices count: a default that moved
    (SMS is on by default for people without e-mail, who then add an address) did not
    plan the e-mail instead, so the SMS still goes."""
    wanted = {r.account_id for r in rows if r.account_id is not None}
    if not wanted:
        return set()
    choices = {account_id: (email, sms, r24, r2) for account_id, email, sms, r24, r2 in
               session.execute(select(Account.id, Account.notify_email, Account.notify_sms,
                                      Account.remind_24h, Account.remind_2h)
                               .where(Account.id.in_(wanted)))}
    off = set()
    for row in rows:
        if row.account_id not in choices:
            continue
        email, sms, remind_24h, remind_2h = choices[row.account_id]
        if ((row.channel == "email" and email is False)
                or (row.channel == "sms" and sms is False)
                or (row.kind == "reminder24" and not remind_24h)
                or (row.kind == "reminder2" and not remind_2h)):
            off.add(row.id)
    return off
