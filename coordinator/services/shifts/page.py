"""The page of one shift for the people on it: what, when, where (with a map link), their
role, who else is on it and whom to call, the notes.

Who opens it (``shift_page``): the people on the occurrence (confirmed or waitlisted), the
coordinators of its community and admins; anyone else is refused. What they read follows
``services.access``, as the calendar feeds do:

- phones of the others on the shift: ``sees_phones`` (the confirmed people on it, the
  community's coordinators, admins; not the waitlist);
- the coordinators' phones: everyone who may open the page (they are on the shift or
  staff of it);
- a care visit: its title, place, people and notes only for ``sees_care_details`` (its
  confirmed visitors and the community's coordinators); everyone else reads the kind and
  the time. The person visited, their address and ward are never on this page: a later
  part adds them behind their own rule.

The page costs the same few queries whatever the number of people on it.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from urllib.parse import quote

from sqlalchemy import select

from ...domain.errors import Forbidden, NotFound
from ...models import (
    Account,
    Assignment,
    Community,
    Occurrence,
    OccurrenceRole,
    Person,
    Series,
    Venue,
)
from ..access import (
    care_ids_of,
    in_scope,
    managed_community_ids,
    phone_ids_of,
    sees_care_details,
    sees_phones,
)
from .contacts import Contact, all_coordinator_contacts

MAP_SEARCH = "https://uri.amap.com/search?keyword="


@dataclass(frozen=True)
class Teammate:
    """A confirmed person on the same shift; ``phone`` None when the reader may not see it."""

    name: str
    role: str
    phone: str | None


@dataclass(frozen=True)
class ShiftPage:
    """What the page shows, ready for a template (care details already left out)."""

    occurrence_id: int
    kind: str
    title: str | None  # None: a care visit the reader may not read in full
    start_at: datetime
    end_at: datetime
    status: str  # scheduled | cancelled
    reason: str | None
    community: str | None
    venue: str | None
    address: str | None
    map_url: str | None
    my_roles: tuple[tuple[str, str], ...]  # (role, status) of the reader's own places
    roles: tuple[str, ...]  # every role of the occurrence (for staff without a place)
    teammates: tuple[Teammate, ...]
    coordinators: tuple[Contact, ...]
    notes: str | None
    care_hidden: bool


def map_link(address: str | None) -> str | None:
    """Return an ordinary https link to a map search of ``address`` (None without one)."""
    address = (address or "").strip()
    return MAP_SEARCH + quote(address, safe="") if address else None


def _occurrence(session, occurrence_id: int):
    return session.execute(
        select(Occurrence.start_at, Occurrence.end_at, Occurrence.status, Occurrence.reason,
               Series.kind, Series.title, Series.description, Series.community_id,
               Community.name, Venue.name, Venue.address)
        .join(Series, Occurrence.series_id == Series.id)
        .outerjoin(Venue, Occurrence.venue_id == Venue.id)
        .outerjoin(Community, Series.community_id == Community.id)
        .where(Occurrence.id == occurrence_id)).one_or_none()


def _people(session, occurrence_id: int):
    """(role, status, person id, name, phone) of everyone on it, the roles without people
    as (role, None, None, None, None): one query."""
    return session.execute(
        select(OccurrenceRole.name, Assignment.status, Person.id, Person.full_name,
               Person.phone)
        .outerjoin(Assignment, (Assignment.occurrence_role_id == OccurrenceRole.id)
                   & (Assignment.status != "withdrawn"))
        .outerjoin(Person, Assignment.person_id == Person.id)
        .where(OccurrenceRole.occurrence_id == occurrence_id)
        .order_by(OccurrenceRole.id, Assignment.status, Person.full_name)).all()


def shift_page(session, actor: Account, occurrence_id: int) -> ShiftPage:
    """Return the page of one occurrence as ``actor`` may read it; NotFound for an unknown
    occurrence, Forbidden for someone neither on it nor its coordinator nor an admin."""
    row = _occurrence(session, occurrence_id)
    if row is None:
        raise NotFound("No such shift.")
    (start_at, end_at, status, reason, kind, title, notes, community_id, community,
     venue, address) = row
    people = _people(session, occurrence_id)
    mine = [(role, st) for role, st, pid, *_ in people
            if pid is not None and pid == actor.person_id]
    managed = managed_community_ids(session, actor)
    is_staff = actor.role in ("coordinator", "admin") and in_scope(managed, community_id)
    if not mine and not is_staff:
        raise Forbidden("Only the volunteers on this shift, its community's coordinators "
                        "and admins can open this page.")
    confirmed = any(st == "confirmed" for _r, st in mine)
    hidden = kind == "care" and not sees_care_details(care_ids_of(actor.role, managed),
                                                      community_id, confirmed)
    phones = sees_phones(phone_ids_of(managed), community_id, confirmed)
    teammates = () if hidden else tuple(
        Teammate(name, role, phone if phones and phone else None)
        for role, st, pid, name, phone in people
        if st == "confirmed" and pid != actor.person_id)
    # A township-wide shift has no coordinators of its own: the reader's community's.
    home = None
    if community_id is None and actor.person_id is not None:
        home = session.scalar(select(Person.community_id).where(Person.id == actor.person_id))
    found = all_coordinator_contacts(session, (community_id, home))
    coordinators = found.get(community_id) or found.get(home) or []
    return ShiftPage(
        occurrence_id=occurrence_id, kind=kind, title=None if hidden else title,
        start_at=start_at, end_at=end_at, status=status, reason=reason, community=community,
        venue=None if hidden else venue, address=None if hidden else address,
        map_url=None if hidden else map_link(address), my_roles=tuple(mine),
        roles=tuple(dict.fromkeys(role for role, *_ in people)), teammates=teammates,
        coordinators=tuple(coordinators), notes=None if hidden else notes,
        care_hidden=hidden)
