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
  confirmed visitors until ``access.care_visitor_since``, and the community's
  coordinators); everyone else reads the kind and the time. The same readers see whom
  they visit (``CareDetails``: where exactly, the family contact, the last visit log's
  notes), and each such read is logged (``CareRead``, what="visitor"). Not the waitlist,
  not a visitor after the line, not admins (they read the register only through an
  audited opening).

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
    CareRead,
    Community,
    Occurrence,
    OccurrenceRole,
    Person,
    Series,
    Venue,
)
from ...vocab import CARE_PLACES
from ..access import (
    care_ids_of,
    care_visitor_since,
    in_scope,
    managed_community_ids,
    phone_ids_of,
    sees_care_details,
    sees_phones,
    visitor_reads,
)
from ..care import CareSettings
from ..care.logs import LogLine, logs_of, recipient_of
from .contacts import Contact, all_coordinator_contacts

MAP_SEARCH = "https://uri.amap.com/search?keyword="


@dataclass(frozen=True)
class Teammate:
    """A confirmed person on the same shift; ``phone`` None when the reader may not see it."""

    name: str
    role: str
    phone: str | None


@dataclass(frozen=True)
class CareDetails:
    """Whom a care visit goes to, for its visitors and the community's coordinators."""

    name: str
    place: str  # CARE_PLACES code
    address: str | None
    institution: str | None
    ward: str | None
    bed: str | None
    map_url: str | None
    family_name: str | None
    family_relation: str | None
    family_phone: str | None
    last_log: LogLine | None

    @property
    def place_label(self) -> str:
        return CARE_PLACES.label(self.place)


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
    care: CareDetails | None = None
    may_log: bool = False  # the visit's log can be written now (started, before the line)
    has_log: bool = False


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


def _care(session, actor: Account, occurrence_id: int, community_id: int | None,
          now: datetime) -> CareDetails | None:
    """Whom the visit goes to (the reader may read it: checked by the caller); the read is
    logged. None when the visit has no person linked, or their details were erased."""
    series_id = session.scalar(select(Occurrence.series_id).where(
        Occurrence.id == occurrence_id))
    recipient = recipient_of(session, occurrence_id, series_id)
    if recipient is None or recipient.erased_at is not None:
        return None
    session.add(CareRead(recipient_id=recipient.id, account_id=actor.id, read_at=now,
                         what="visitor"))
    session.flush()
    last = logs_of(session, recipient.id, limit=1)
    where = recipient.address if recipient.place != "hospital" else None
    return CareDetails(
        name=recipient.full_name, place=recipient.place, address=recipient.address,
        institution=recipient.institution, ward=recipient.ward, bed=recipient.bed,
        map_url=map_link(where or recipient.institution),
        family_name=recipient.family_name, family_relation=recipient.family_relation,
        family_phone=recipient.family_phone, last_log=last[0] if last else None)


def shift_page(session, actor: Account, occurrence_id: int, now: datetime | None = None,
               settings: CareSettings = CareSettings(), zone: str = "Asia/Shanghai"
               ) -> ShiftPage:
    """Return the page of one occurrence as ``actor`` may read it at ``now``; NotFound for
    an unknown occurrence, Forbidden for someone neither on it nor its coordinator nor an
    admin. Reading a care visit's person logs the read (flushed: the caller commits)."""
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
    since = care_visitor_since(now, settings.visitor_days, zone) if now is not None else None
    is_visitor = visitor_reads(confirmed, end_at, since)
    hidden = kind == "care" and not sees_care_details(care_ids_of(actor.role, managed),
                                                      community_id, is_visitor)
    care = None
    if kind == "care" and not hidden:
        care = _care(session, actor, occurrence_id, community_id, now or start_at)
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
        care_hidden=hidden, care=care,
        may_log=care is not None and now is not None and status == "scheduled"
        and start_at <= now and end_at >= since,
        has_log=care is not None and care.last_log is not None
        and care.last_log.occurrence_id == occurrence_id)
