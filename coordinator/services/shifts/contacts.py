"""Whom a volunteer calls about a shift: the coordinator of the shift's community.

Past the withdrawal cut-off a volunteer cannot withdraw here; the page and the refusal
give the coordinator's name and phone instead (``services/access.py``: a volunteer sees
the coordinator's phone of a shift they are on).
"""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from ...models import Account, CoordinatorScope, Person


@dataclass(frozen=True)
class Contact:
    """A coordinator to call: the name and the phone number (plain digits)."""

    name: str
    phone: str


def all_coordinator_contacts(session, community_ids) -> dict[int, list[Contact]]:
    """Return, per community, its enabled coordinators with a phone, first one first
    (one query)."""
    ids = {c for c in community_ids if c is not None}
    if not ids:
        return {}
    rows = session.execute(
        select(CoordinatorScope.community_id, Person.full_name, Person.phone)
        .join(Account, Account.id == CoordinatorScope.account_id)
        .join(Person, Person.id == Account.person_id)
        .where(CoordinatorScope.community_id.in_(ids), Account.role == "coordinator",
               Account.is_enabled.is_(True), Person.phone.is_not(None), Person.phone != "")
        .order_by(CoordinatorScope.community_id, Account.id))
    out: dict[int, list[Contact]] = {}
    for community_id, name, phone in rows:
        out.setdefault(community_id, []).append(Contact(name, phone))
    return out


def coordinator_contacts(session, community_ids) -> dict[int, Contact]:
    """Return, per community, its first enabled coordinator with a phone (one query)."""
    return {c: found[0] for c, found in all_coordinator_contacts(session, community_ids).items()}


def shift_contact(session, shift_community_id: int | None,
                  home_community_id: int | None) -> Contact | None:
    """Return the coordinator to call about a shift: its community's, else (a shift of no
    community, or one whose coordinators have no phone) the volunteer's own community's."""
    found = coordinator_contacts(session, (shift_community_id, home_community_id))
    return found.get(shift_community_id) or found.get(home_community_id)
