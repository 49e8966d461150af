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
