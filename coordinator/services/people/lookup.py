"""Find the member a person typed by name, phone number or member number (the
organisation's own number, printed on the roster; never an internal id)."""
from __future__ import annotations

import re

from sqlalchemy import or_, select

from ...domain.errors import DomainError
from ...domain.text import normalise
from ...models import Person
from .accounts import normalise_phone

_PHONE_LIKE = re.compile(r"[\d\s+()\-]+")


def find_member(session, text: str | None, *, community_id: int | None = None,
                keep: Person | None = None, field: str = "member") -> Person:
    """Return the one member whose full name, phone or member number is ``text`` (within
    ``community_id`` when given), or raise DomainError on ``field`` saying what to type.

    ``keep`` is the member already chosen: its own name is never ambiguous.
    """
    typed = normalise(text or "")  # NFKC: full-width digits from a Chinese IME are digits
    if not typed:
        raise DomainError("Type the member's name or phone number.", field=field)
    if keep is not None and typed in (keep.full_name, keep.phone, keep.member_number):
        return keep
    query = select(Person).order_by(Person.id).limit(20)
    if community_id is not None:
        query = query.where(Person.community_id == community_id)
    # A member number may be all digits (like a phone) or carry letters (like a name).
    by_number = Person.member_number == typed
    if _PHONE_LIKE.fullmatch(typed):
        found = session.scalars(query.where(or_(Person.phone.in_(
            {normalise_phone(typed), typed}), by_number))).all()
    else:
        found = session.scalars(query.where(or_(Person.full_name == typed, by_number))).all()
    if not found:
        raise DomainError("No member has the name or phone number %(text)s. Check the "
                          "spelling, or type the phone number.", field=field, text=typed)
    if len(found) > 1:
        raise DomainError("%(n)s members are called %(name)s: type the phone number of the "
                          "one you mean.", field=field, n=len(found), name=typed)
    return found[0]
