"""Sign up, assign, withdraw and promote from the waitlist — never over capacity.

Callers open the write transaction with ``database.begin_write`` and commit after.
Capacity holds through a guarded ``UPDATE … SET filled = filled + 1 WHERE filled <
maximum`` (checked by rowcount) backed by ``CHECK (filled <= maximum)``; duplicates
through a partial unique index; a person's overlaps through the person row lock (on
SQLite, through BEGIN IMMEDIATE), taken in the order of ``services/locks.py``: occurrence
→ slot (``lock_slot``) → person, before the person's other shifts are read. Never
check-then-insert.
"""
from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select, update

from ...domain.eligibility import (
    NeedsConfirmation,
    Problem,
    Refusal,
    SlotFacts,
    may_withdraw,
    refusals,
)
from ...domain.errors import DomainError, Forbidden, NotFound
from ...models import Account, Assignment, Occurrence, OccurrenceRole, Person, Series, SwapOffer
from .. import audit
from ..access import can_manage
from ..locks import lock, lock_many, lock_people, lock_slot
from .contacts import shift_contact
from .facts import person_facts


@dataclass(frozen=True)
class SignupResult:
    """What happened: confirmed, or waitlisted at ``position``."""

    assignment_id: int
    status: str
    position: int | None
    overridden: tuple[str, ...] = ()  # codes of the rules the coordinator confirmed
    overrides: tuple[Problem, ...] = ()  # the same rules with their numbers


def _load_role(session, role_id: int) -> tuple[OccurrenceRole, Occurrence, Series]:
    role, occurrence = lock_slot(session, role_id)
    if role is None:
        raise NotFound("No such shift.")
    return role, occurrence, session.get(Series, occurrence.series_id)


def _resolve_person(session, actor: Account, series: Series, person_id: int | None) -> Person:
    if actor.role in ("coordinator", "admin") and person_id not in (None, actor.person_id):
        person = session.get(Person, person_id)
        if person is None:
            raise NotFound("No such person.")
        if not can_manage(session, actor, person.community_id):
            raise Forbidden("This member is outside your communities.")
        if series.community_id is not None and not can_manage(session, actor,
                                                              series.community_id):
            raise Forbidden("You do not coordinate this community.")
        return person
    if actor.person_id is None or person_id not in (None, actor.person_id):
        raise Forbidden("You can only sign yourself up.")
    return session.get(Person, actor.person_id)


def sign_up(session, actor: Account, role_id: int, now: datetime, *, person_id: int | None = None,
            zone: str = "Asia/Shanghai", override: bool | Collection[str] = False,
            explain: Callable[[tuple[Problem, ...]], str] | None = None) -> SignupResult:
    """Put a person into a slot: confirmed while places are free, else on the waitlist.

    A volunteer signs themselves up; a coordinator may name any member of their
    communities and may override the soft rules (availability, weekly limit, opening
    window): ``override`` names the codes confirmed (``True``: every soft rule). A soft
    rule not confirmed raises ``NeedsConfirmation`` listing them all. What was overridden
    is recorded in the audit entry, with the numbers and, from ``explain``, in words.
    """
    role, occurrence, series = _load_role(session, role_id)
    person = _resolve_person(session, actor, series, person_id)
    # Signing someone else up is a staff action (no opening window, overrides allowed).
    is_staff = actor.role in ("coordinator", "admin") and person.id != actor.person_id
    person = lock(session, Person, person.id)
    live = session.scalar(select(Assignment).where(
        Assignment.occurrence_role_id == role.id, Assignment.person_id == person.id,
        Assignment.status != "withdrawn"))
    if live is not None and live.status == "confirmed":
        raise DomainError("Already signed up for this shift.")
    if live is not None:
        raise DomainError("Already on the waitlist for this shift.")
    facts = person_facts(session, person, occurrence.start_at, occurrence.end_at, zone)
    slot = SlotFacts(role_id=role.id, start_at=occurrence.start_at, end_at=occurrence.end_at,
                     status=occurrence.status, required_team_id=role.required_team_id,
                     signup_opens_days=series.signup_opens_days, zone=series.timezone,
                     is_staff_action=is_staff, is_lead=role.is_lead,
                     community_id=series.community_id)
    problems = refusals(facts, slot, now)
    confirmed = (lambda code: True) if override is True else (
        lambda code: bool(override) and code in override)
    hard = [p for p in problems if not (p.is_soft and is_staff and confirmed(p.code))]
    blocking = [p for p in hard if not (p.is_soft and is_staff)]
    if blocking:
        raise blocking[0]
    if hard:  # only soft rules left, not (all) confirmed: name every one of them
        raise NeedsConfirmation(tuple(p.problem for p in problems if p.is_soft))
    overrides = tuple(p.problem for p in problems if p not in hard)
    overridden = tuple(p.code for p in overrides)
    took = session.execute(
        update(OccurrenceRole).where(OccurrenceRole.id == role.id,
                                     OccurrenceRole.filled < OccurrenceRole.maximum)
        .values(filled=OccurrenceRole.filled + 1).execution_options(synchronize_session=False))
    if took.rowcount == 1:
        status, position = "confirmed", None
    else:
        status = "waitlisted"
        position = (session.scalar(select(func.max(Assignment.waitlist_position)).where(
            Assignment.occurrence_role_id == role.id, Assignment.status == "waitlisted")) or 0) + 1
    assignment = Assignment(occurrence_role_id=role.id, person_id=person.id, status=status,
                            waitlist_position=position, assigned_by_id=actor.id,
                            created_at=now, updated_at=now, needs_notice=is_staff,
                            notice_reason="assigned" if is_staff else None)
    session.add(assignment)
    session.flush()
    session.expire(role, ["filled"])
    if status == "waitlisted":
        # Stored positions keep their gaps when people leave; tell the real place.
        position = session.scalar(select(func.count()).select_from(Assignment).where(
            Assignment.occurrence_role_id == role.id, Assignment.status == "waitlisted"))
    audit.record(session, actor, "assignment.signup" if not is_staff else "assignment.assign",
                 "assignment", assignment.id, now, occurrence_id=occurrence.id,
                 role_id=role.id, person_id=person.id, status=status, position=position,
                 overridden=list(overridden),
                 **({"override_rules": [{"rule": p.code, **dict(p.values)} for p in overrides],
                     "override_note": explain(overrides) if explain else None}
                    if overrides else {}))
    return SignupResult(assignment.id, status, position, overridden, overrides)


def withdraw(session, actor: Account, assignment_id: int, now: datetime, *,
             on_leave: bool = False) -> list[int]:
    """Take a person out of a slot and promote the waitlist; returns promoted ids.

    A volunteer may withdraw themselves until the series' cut-off before the start;
    after it they are asked to call the shift's coordinator, by name and number, unless
    they ask for leave (``on_leave``: ``attendance.leave``, until the start). Coordinators
    may always remove members of their communities.
    """
    assignment = session.get(Assignment, assignment_id)
    if assignment is None or assignment.status == "withdrawn":
        raise NotFound("No such sign-up.")
    role, occurrence, series = _load_role(session, assignment.occurrence_role_id)
    assignment = lock(session, Assignment, assignment_id)
    if assignment.status == "withdrawn":
        raise NotFound("No such sign-up.")
    person = session.get(Person, assignment.person_id)
    own = actor.person_id == person.id
    staff = actor.role in ("coordinator", "admin") and can_manage(session, actor,
                                                                  person.community_id)
    if not own and not staff:
        raise Forbidden("You can only withdraw yourself.")
    if own and not staff and assignment.status == "confirmed" and not on_leave and not may_withdraw(
            occurrence.start_at, series.withdraw_cutoff_hours, now):
        # Signed up for the shift, so they may read its coordinator's phone
        # (services/access.py).
        contact = shift_contact(session, series.community_id, person.community_id)
        if contact is not None:
            raise DomainError("It is too close to the start to withdraw here. Please call "
                              "the coordinator %(name)s: %(phone)s.", name=contact.name,
                              phone=contact.phone)
        raise DomainError("It is too close to the start to withdraw here. Please call your "
                          "coordinator.")
    was = assignment.status
    session.execute(update(SwapOffer).where(SwapOffer.assignment_id == assignment.id,
                                            SwapOffer.status.in_(("open", "pending")))
                    .values(status="withdrawn").execution_options(synchronize_session=False))
    assignment.status = "withdrawn"
    assignment.waitlist_position = None
    assignment.updated_at = now
    if not own:  # removed by a coordinator: tell the volunteer
        assignment.needs_notice = True
        assignment.notice_reason = "removed"
    if was == "confirmed":
        session.execute(update(OccurrenceRole).where(
            OccurrenceRole.id == role.id, OccurrenceRole.filled > 0)
            .values(filled=OccurrenceRole.filled - 1).execution_options(
                synchronize_session=False))
    session.flush()
    audit.record(session, actor, "assignment.withdraw" if own else "assignment.unassign",
                 "assignment", assignment.id, now, occurrence_id=occurrence.id,
                 person_id=person.id, was=was)
    promoted = promote_waitlist(session, actor, role.id, now) if was == "confirmed" else []
    return promoted


def promote_waitlist(session, actor: Account | None, role_id: int, now: datetime) -> list[int]:
    """Fill every free place from the waitlist, first come first served.

    Promoted people are flagged for a notice. A waitlisted person who has since become
    busy at that time is skipped (kept waiting), so promotion never double-books.
    """
    from .facts import busy_intervals
    role, occurrence = lock_slot(session, role_id)
    promoted: list[int] = []
    if occurrence.status != "scheduled":
        return promoted
    # Lock order (locks.py): the waiting assignments, then all their people at once in id
    # order (one by one in waitlist order could deadlock against a move locking two of
    # them), before any of their times is checked.
    waiting = sorted(lock_many(session, Assignment, session.scalars(
        select(Assignment.id).where(Assignment.occurrence_role_id == role_id,
                                    Assignment.status == "waitlisted"))),
        key=lambda a: (a.waitlist_position is None, a.waitlist_position or 0, a.id))
    lock_people(session, [a.person_id for a in waiting])
    for candidate in waiting:
        if role.filled >= role.maximum:
            break
        if busy_intervals(session, candidate.person_id, occurrence.start_at, occurrence.end_at,
                          exclude_occurrence_id=occurrence.id):
            continue
        took = session.execute(
            update(OccurrenceRole).where(OccurrenceRole.id == role_id,
                                         OccurrenceRole.filled < OccurrenceRole.maximum)
            .values(filled=OccurrenceRole.filled + 1).execution_options(
                synchronize_session=False))
        if took.rowcount != 1:
            break
        session.expire(role, ["filled"])
        candidate.status = "confirmed"
        candidate.waitlist_position = None
        candidate.needs_notice = True
        candidate.notice_reason = "promoted"
        candidate.updated_at = now
        promoted.append(candidate.id)
        audit.record(session, actor, "assignment.promote", "assignment", candidate.id, now,
                     occurrence_id=occurrence.id, person_id=candidate.person_id)
    session.flush()
    return promoted


__all__ = ["NeedsConfirmation", "Problem", "Refusal", "SignupResult", "promote_waitlist",
           "sign_up", "withdraw"]
