"""The register of people cared for (关怀对象), per community.

Who reads a person's private details: the coordinators of the person's community, and an
admin only through an explicit, audited opening of that community's register
(``open_register``) for ``CareSettings.opening_minutes``. Leaders and other communities'
coordinators (also a coordinator who is also a leader) read counts only. Every read of the
details is logged (``CareRead``); the audit log names the fields changed, never their
values. An ended record's details can be erased at once, and are erased by the nightly job
after ``keep_days``: what remains is "a person cared for in community X".
"""
from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import date, datetime, timedelta

from sqlalchemy import exists, func, select, update
from sqlalchemy.orm import object_session

from ...domain.errors import DomainError, Forbidden, NotFound
from ...domain.recurrence import get_zone
from ...models import (
    Account,
    CareRead,
    CareRecipient,
    CareRegisterOpening,
    CareVisitLog,
    Community,
    Person,
)
from ...models.care import PRIVATE_COLUMNS
from ...vocab import CARE_PLACES, CARE_REASONS, CARE_STATUSES
from ..access import care_community_ids
from ..audit import record
from ..locks import lock
from . import CareSettings
from .ending import cancel_future_visits

LIMITS = {"full_name": 100, "address": 300, "institution": 200, "ward": 200, "bed": 50,
          "family_name": 100, "family_relation": 50, "family_phone": 40,
          "health_notes": 500}


@dataclass(frozen=True)
class CareInput:
    """What a coordinator enters for a person cared for (strings already stripped)."""

    full_name: str
    place: str = "home"
    address: str | None = None
    institution: str | None = None
    ward: str | None = None
    bed: str | None = None
    family_name: str | None = None
    family_relation: str | None = None
    family_phone: str | None = None
    reason: str = "illness"
    visit_every_days: int | None = None
    health_notes: str | None = None
    person_id: int | None = None
    started_on: date | None = None


def may_read(session, actor: Account, community_id: int, now: datetime) -> bool:
    """May ``actor`` read the private details of this community's register?"""
    if actor.role == "admin":
        return bool(session.scalar(select(exists().where(
            CareRegisterOpening.account_id == actor.id,
            CareRegisterOpening.community_id == community_id,
            CareRegisterOpening.opened_at <= now, CareRegisterOpening.until > now))))
    return _may_change(session, actor, community_id)


def may_keep(session, actor: Account, community_id: int) -> bool:
    """May ``actor`` change this community's register and see who read it?"""
    return _may_change(session, actor, community_id)


def _may_change(session, actor: Account, community_id: int) -> bool:
    """The community's coordinators: who reads care visits in full (``services.access``)."""
    return community_id in care_community_ids(session, actor)


def _check(session, data: CareInput, community_id: int, today: date) -> None:
    if not data.full_name:
        raise DomainError("Enter the person's name.", field="full_name")
    for name, limit in LIMITS.items():
        value = getattr(data, name)
        if value is not None and len(value) > limit:
            raise DomainError("At most %(n)s characters.", field=name, n=limit)
    if data.place not in CARE_PLACES:
        raise DomainError("Choose where they are now.", field="place")
    if data.reason not in CARE_REASONS:
        raise DomainError("Choose why they are cared for.", field="reason")
    if data.place == "hospital" and not (data.institution and data.ward):
        raise DomainError("For a person in hospital, enter the hospital and the ward.",
                          field="ward" if data.institution else "institution")
    if data.place == "care_home" and not data.institution:
        raise DomainError("Enter the name of the care home.", field="institution")
    if data.place == "home" and not data.address:
        raise DomainError("Enter the home address, so that the visitors find it.",
                          field="address")
    if data.place != "hospital" and (data.ward or data.bed):
        raise DomainError("A ward and bed are only for a person in hospital.",
                          field="ward" if data.ward else "bed")
    # Fields of another place are refused, never kept or dropped unseen: the visitors are
    # sent where the record says, so it must say one place only.
    if data.place == "home" and data.institution:
        raise DomainError("A hospital or care home is not for a person at home: empty "
                          "this field or choose another place.", field="institution")
    if data.place == "hospital" and data.address:
        raise DomainError("For a person in hospital, give the hospital, ward and bed, not "
                          "an address: empty this field or choose another place.",
                          field="address")
    if data.visit_every_days is not None and not 1 <= data.visit_every_days <= 366:
        raise DomainError("Between 1 and 366 days.", field="visit_every_days")
    if data.started_on is not None and data.started_on > today:
        raise DomainError("The date cannot be in the future.", field="started_on")
    if data.person_id is not None:
        member = session.get(Person, data.person_id)
        if member is None or member.community_id != community_id:
            raise DomainError("No such member in this community.", field="person_id")


def _today(now: datetime, zone: str) -> date:
    return now.astimezone(get_zone(zone)).date()


def register(session, actor: Account, community_id: int, data: CareInput, now: datetime,
             zone: str = "Asia/Shanghai") -> CareRecipient:
    """Add a person cared for to a community's register (its coordinators only)."""
    if session.get(Community, community_id) is None:
        raise NotFound("No such community.")
    if not _may_change(session, actor, community_id):
        raise Forbidden("Only the community's coordinators keep its care register.")
    today = _today(now, zone)
    _check(session, data, community_id, today)
    values = {f.name: getattr(data, f.name) for f in fields(CareInput)}
    values["started_on"] = values["started_on"] or today
    recipient = CareRecipient(community_id=community_id, status="active", created_at=now,
                              updated_at=now, **values)
    session.add(recipient)
    session.flush()
    record(session, actor, "care.create", "care", recipient.id, now,
           community_id=community_id, fields=sorted(k for k, v in values.items() if v))
    return recipient


def change(session, actor: Account, recipient_id: int, data: CareInput, version: int,
           now: datetime, zone: str = "Asia/Shanghai") -> CareRecipient:
    """Edit a record; a form that read an older version is refused (nothing lost)."""
    recipient = _own(session, actor, recipient_id)
    if recipient.status != "active":
        raise DomainError("This record has ended; it can no longer be changed.")
    if recipient.version != version:
        raise DomainError("Someone changed this record after you opened it. Here it is "
                          "as it is now; make your change again.")
    _check(session, data, recipient.community_id, _today(now, zone))
    changed = []
    for f in fields(CareInput):
        value = getattr(data, f.name)
        if f.name == "started_on" and value is None:
            continue
        if getattr(recipient, f.name) != value:
            setattr(recipient, f.name, value)
            changed.append(f.name)
    if changed:
        recipient.version += 1
        recipient.updated_at = now
        session.flush()
        record(session, actor, "care.update", "care", recipient.id, now, fields=changed)
    return recipient


def end(session, actor: Account, recipient_id: int, status: str, ended_on: date,
        now: datetime, zone: str = "Asia/Shanghai",
        visit_reason: str = "care ended") -> CareRecipient:
    """End a record: recovered, moved away or passed away, on a date not in the future.

    The person's future visits (linked by ``CareVisitDetail``) are cancelled in the same
    transaction through the schedule's own cancellation, so their visitors are told;
    ``visit_reason`` is what they read, and must never name the person."""
    recipient = _own(session, actor, recipient_id)
    if status not in CARE_STATUSES or status == "active":
        raise DomainError("Choose how the care ended.", field="status")
    if recipient.status != "active":
        raise DomainError("This record has already ended.")
    if ended_on > _today(now, zone):
        raise DomainError("The date cannot be in the future.", field="ended_on")
    if ended_on < recipient.started_on:
        raise DomainError("The date is before the care began.", field="ended_on")
    recipient.status, recipient.ended_on = status, ended_on
    recipient.version += 1
    recipient.updated_at = now
    session.flush()
    cancelled = cancel_future_visits(session, actor, recipient.id, now, visit_reason,
                                     _today(now, zone))
    record(session, actor, "care.end", "care", recipient.id, now, status=status,
           cancelled=cancelled)
    return recipient


def erase(session, actor: Account, recipient_id: int, now: datetime) -> None:
    """Erase an ended record's private details (the name too); the count stays."""
    recipient = _own(session, actor, recipient_id)
    if recipient.status == "active":
        raise DomainError("End the care first: only an ended record can be erased.")
    _erase(recipient, now)
    session.flush()
    record(session, actor, "care.erase", "care", recipient.id, now,
           community_id=recipient.community_id)


def _erase(recipient: CareRecipient, now: datetime) -> None:
    # What the visitors wrote is about the person's health too.
    session = object_session(recipient)
    session.execute(update(CareVisitLog).where(CareVisitLog.recipient_id == recipient.id)
                    .values(note=None, close_note=None)
                    .execution_options(synchronize_session=False))
    for column in PRIVATE_COLUMNS:
        setattr(recipient, column, None)
    recipient.full_name = ""
    recipient.erased_at = now
    recipient.version += 1


def erase_expired(session, now: datetime, settings: CareSettings,
                  zone: str = "Asia/Shanghai") -> int:
    """The nightly job: erase ended records older than ``keep_days``; return how many."""
    cutoff = _today(now, zone) - timedelta(days=settings.keep_days)
    due = list(session.scalars(select(CareRecipient).where(
        CareRecipient.status != "active", CareRecipient.erased_at.is_(None),
        CareRecipient.ended_on < cutoff).order_by(CareRecipient.id)))
    for recipient in due:
        _erase(recipient, now)
        record(session, None, "care.erase", "care", recipient.id, now,
               community_id=recipient.community_id)
    session.flush()
    return len(due)


def read(session, actor: Account, recipient_id: int, now: datetime,
         what: str = "page") -> CareRecipient:
    """A person's record for reading its details; the read is logged."""
    recipient = session.get(CareRecipient, recipient_id)
    if recipient is None:
        raise NotFound("No such person cared for.")
    if not may_read(session, actor, recipient.community_id, now):
        raise Forbidden("Only the community's coordinators read the care register.")
    session.add(CareRead(recipient_id=recipient.id, account_id=actor.id, read_at=now,
                         what=what))
    session.flush()
    return recipient


def reads_of(session, actor: Account, recipient_id: int, now: datetime) -> list[CareRead]:
    """Who read this person's details, newest first (the community's coordinators)."""
    recipient = session.get(CareRecipient, recipient_id)
    if recipient is None:
        raise NotFound("No such person cared for.")
    if not _may_change(session, actor, recipient.community_id):
        raise Forbidden("Only the community's coordinators see who read the register.")
    return list(session.scalars(select(CareRead).where(CareRead.recipient_id == recipient_id)
                                .order_by(CareRead.read_at.desc(), CareRead.id.desc())))


def open_register(session, actor: Account, community_id: int, reason: str,
                  now: datetime, settings: CareSettings) -> CareRegisterOpening:
    """An admin opens one community's register for a while, with a reason (audited)."""
    if actor.role != "admin":
        raise Forbidden("Only administrators open a care register this way.")
    if session.get(Community, community_id) is None:
        raise NotFound("No such community.")
    reason = (reason or "").strip()
    if not reason:
        raise DomainError("Say why you open the register.", field="reason")
    if len(reason) > 300:
        raise DomainError("At most %(n)s characters.", field="reason", n=300)
    opening = CareRegisterOpening(account_id=actor.id, community_id=community_id,
                                  reason=reason, opened_at=now,
                                  until=now + timedelta(minutes=settings.opening_minutes))
    session.add(opening)
    session.flush()
    record(session, actor, "care.open", "care", None, now, community_id=community_id,
           reason=reason)
    return opening


def counts(session, community_ids=None) -> dict[int, int]:
    """People being cared for per community: what every reader may see."""
    query = (select(CareRecipient.community_id, func.count(CareRecipient.id))
             .where(CareRecipient.status == "active").group_by(CareRecipient.community_id))
    if community_ids is not None:
        query = query.where(CareRecipient.community_id.in_(community_ids))
    return dict(session.execute(query).all())


def _own(session, actor: Account, recipient_id: int) -> CareRecipient:
    """The record to change, locked for this transaction (PostgreSQL; SQLite's write
    transaction is already exclusive): two coordinators ending or editing one person run
    one after the other, and the version check sees the first one's change. Taken before
    any schedule row (ending cancels the person's visits next)."""
    recipient = lock(session, CareRecipient, recipient_id)
    if recipient is None:
        raise NotFound("No such person cared for.")
    if not _may_change(session, actor, recipient.community_id):
        raise Forbidden("Only the community's coordinators keep its care register.")
    return recipient


__all__ = ["CareInput", "change", "counts", "end", "erase", "erase_expired", "may_keep",
           "may_read", "open_register", "read", "reads_of", "register"]
