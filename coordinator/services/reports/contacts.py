"""Calls to members who drifted away: a coordinator records that they phoned (or
visited) someone, so the next coordinator sees it in the list."""
from __future__ import annotations

from datetime import datetime

from ...domain.errors import DomainError, Forbidden, NotFound
from ...models import Account, MemberContact, Person
from .. import audit
from ..access import can_manage

NOTE_MAX = 500


def record_contact(session, actor: Account, person_id: int, note: str | None,
                   now: datetime) -> MemberContact:
    """Record that ``actor`` called the member (coordinators of their community, admins)."""
    person = session.get(Person, person_id)
    if person is None:
        raise NotFound("No such member.")
    if actor.role not in ("coordinator", "admin") or not can_manage(session, actor,
                                                                     person.community_id):
        raise Forbidden("You do not coordinate this community.")
    note = (note or "").strip() or None
    if note is not None and len(note) > NOTE_MAX:
        raise DomainError("The note is too long (at most %(n)s characters).", field="note",
                          n=NOTE_MAX)
    contact = MemberContact(person_id=person.id, contacted_at=now, by_id=actor.id, note=note)
    session.add(contact)
    session.flush()
    audit.record(session, actor, "member.contact", "person", person.id, now)
    return contact
