"""The roster: list, read, create and change people within the actor's scope."""
from __future__ import annotations

import re
from dataclasses import dataclass, fields
from datetime import date, datetime

from sqlalchemy import func, or_, select
from sqlalchemy.orm import selectinload

from ...domain.dates import check_birth_year
from ...domain.errors import DomainError, NotFound
from ...models import Account, Community, Person
from ...models.people import PERSON_STATUSES
from .. import audit
from ..access import (
    managed_community_ids,
    require_manage,
    sees_private_details,
    visible_community_ids,
)
from .accounts import normalise_phone

EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
PAGE_SIZE = 50


@dataclass(frozen=True)
class PersonInput:
    """What a coordinator fills in for a member."""

    full_name: str
    community_id: int
    phone: str | None = None
    email: str | None = None
    address: str | None = None
    languages: str | None = None
    birth_year: int | None = None
    status: str = "active"
    away_from: date | None = None
    away_until: date | None = None
    max_shifts_per_week: int | None = None
    notes: str | None = None


@dataclass(frozen=True)
class RosterPage:
    """One page of the roster, with what the viewer may see."""

    people: list[Person]
    total: int
    page: int
    pages: int
    private_ids: set[int]  # people whose phone and address this viewer may see


def list_people(session, actor: Account, community_id: int | None, query: str | None,
                page: int = 1) -> RosterPage:
    """Return a page of people of the communities ``actor`` may read."""
    allowed = visible_community_ids(session, actor)
    if allowed is not None and not allowed:
        raise NotFound("No roster is visible to you.")
    if community_id is not None and allowed is not None and community_id not in allowed:
        raise NotFound("No such community.", field="community")
    stmt = select(Person)
    if community_id is not None:
        stmt = stmt.where(Person.community_id == community_id)
    elif allowed is not None:
        stmt = stmt.where(Person.community_id.in_(allowed))
    if query:
        like = f"%{query.strip()}%"
        stmt = stmt.where(or_(Person.full_name.like(like), Person.phone.like(like)))
    total = session.scalar(select(func.count()).select_from(stmt.subquery()))
    pages = max(1, -(-total // PAGE_SIZE))
    page = min(max(page, 1), pages)
    people = list(session.scalars(
        stmt.options(selectinload(Person.community))
        .order_by(Person.community_id, Person.full_name, Person.id)
        .limit(PAGE_SIZE).offset((page - 1) * PAGE_SIZE)))
    managed = managed_community_ids(session, actor)
    private = {p.id for p in people if managed is None or p.community_id in managed}
    return RosterPage(people, total, page, pages, private)


def get_person(session, actor: Account, person_id: int) -> tuple[Person, bool]:
    """Return a person visible to ``actor`` and whether private fields may be shown."""
    person = session.get(Person, person_id)
    allowed = visible_community_ids(session, actor)
    own = actor.person_id == person_id if person is not None else False
    if person is None or (not own and allowed is not None
                          and person.community_id not in allowed):
        raise NotFound("No such person.")
    return person, own or sees_private_details(session, actor, person.community_id)


def create_person(session, actor: Account, data: PersonInput, now: datetime) -> Person:
    """Add a member to a community the actor coordinates."""
    clean = _validate(session, actor, data, None)
    person = Person(**clean, created_at=now)
    session.add(person)
    session.flush()
    audit.record(session, actor, "person.create", "person", person.id, now,
                 community_id=person.community_id)
    return person


def update_person(session, actor: Account, person_id: int, data: PersonInput,
                  now: datetime) -> Person:
    """Change a member; moving them to another community needs scope on both."""
    person = session.get(Person, person_id)
    if person is None:
        raise NotFound("No such person.")
    require_manage(session, actor, person.community_id)
    clean = _validate(session, actor, data, person)
    changed = sorted(k for k, v in clean.items() if getattr(person, k) != v)
    for key, value in clean.items():
        setattr(person, key, value)
    session.flush()
    # Field names only: the audit log must not copy private values.
    audit.record(session, actor, "person.update", "person", person.id, now, fields=changed)
    return person


def _validate(session, actor: Account, data: PersonInput, person: Person | None) -> dict:
    values = {f.name: getattr(data, f.name) for f in fields(data)}
    for key in ("full_name", "phone", "email", "address", "languages", "notes"):
        if isinstance(values[key], str):
            values[key] = values[key].strip() or None
    if not values["full_name"]:
        raise DomainError("Enter the full name.", field="full_name")
    if len(values["full_name"]) > 100:
        raise DomainError("The name is too long.", field="full_name")
    if session.get(Community, values["community_id"]) is None:
        raise DomainError("Choose a community.", field="community_id")
    require_manage(session, actor, values["community_id"])
    if values["phone"]:
        phone = normalise_phone(values["phone"])
        if not 7 <= len(phone) <= 15:
            raise DomainError("Enter a phone number of 7 to 15 digits.", field="phone")
        other = session.scalar(select(Person).where(Person.phone == phone))
        if other is not None and other is not person:
            raise DomainError("Another member already has this phone number.", field="phone")
        values["phone"] = phone
    if values["email"] and not EMAIL_RE.match(values["email"]):
        raise DomainError("Enter a valid e-mail address.", field="email")
    check_birth_year(values["birth_year"])
    if values["status"] not in PERSON_STATUSES:
        raise DomainError("Choose a status.", field="status")
    if values["status"] != "away":
        values["away_from"] = values["away_until"] = None
    if values["away_from"] and values["away_until"] and values["away_from"] > values[
            "away_until"]:
        raise DomainError("The return date is before the leaving date.", field="away_until")
    if values["max_shifts_per_week"] is not None and not 0 <= values[
            "max_shifts_per_week"] <= 21:
        raise DomainError("Enter a number from 0 to 21.", field="max_shifts_per_week")
    return values
