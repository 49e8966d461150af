"""Shift swaps: a volunteer offers a confirmed shift; another eligible one takes it.

Taking and approving lock in the order of ``services/locks.py`` — the shift's occurrence
and slot, the offered assignment, the offer, then the taker — and check the taker's time
under the taker's lock, like a sign-up.

A refusal writes nothing (the services' rule): an offer past its expiry is refused as
"no longer open" without being marked, and the listings already leave such offers out
by ``expires_at``; an offer whose shift was withdrawn or cancelled was closed by that
withdrawal or cancellation (``signups.withdraw``, ``schedule.changes``), not here.
"""
from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select

from ...domain.eligibility import SlotFacts, refusals
from ...domain.errors import DomainError, Forbidden, NotFound
from ...models import Account, Assignment, Occurrence, OccurrenceRole, Person, Series, SwapOffer
from .. import audit
from ..access import can_manage
from ..locks import lock, lock_slot
from .facts import busy_intervals, person_facts


def offer(session, actor: Account, assignment_id: int, now: datetime) -> SwapOffer:
    """Offer one's own confirmed shift; the offer expires at the withdrawal cut-off."""
    assignment = lock(session, Assignment, assignment_id)
    if assignment is None or assignment.person_id != actor.person_id:
        raise NotFound("No such sign-up.")
    if assignment.status != "confirmed":
        raise DomainError("Only a confirmed shift can be offered.")
    role = session.get(OccurrenceRole, assignment.occurrence_role_id)
    occurrence = session.get(Occurrence, role.occurrence_id)
    series = session.get(Series, occurrence.series_id)
    expires = occurrence.start_at - timedelta(hours=series.withdraw_cutoff_hours)
    if expires <= now:
        raise DomainError("It is too close to the start to offer this shift; please call your "
                          "coordinator.")
    existing = session.scalar(select(SwapOffer).where(
        SwapOffer.assignment_id == assignment.id, SwapOffer.status.in_(("open", "pending"))))
    if existing is not None:
        raise DomainError("This shift is already offered.")
    swap = SwapOffer(assignment_id=assignment.id, offered_at=now, expires_at=expires,
                     status="open")
    session.add(swap)
    session.flush()
    audit.record(session, actor, "swap.offer", "swap", swap.id, now, assignment_id=assignment.id)
    return swap


def _open_offer(session, offer_id: int, now: datetime) -> SwapOffer:
    """Lock the offer; writes nothing, so the caller may still refuse."""
    swap = lock(session, SwapOffer, offer_id)
    if swap is None:
        raise NotFound("No such offer.")
    return swap


def _lock_offer(session, offer_id: int, now: datetime):
    """Lock an offer and what it hangs on: ``(swap, assignment, role, occurrence)``."""
    assignment_id = session.scalar(select(SwapOffer.assignment_id)
                                   .where(SwapOffer.id == offer_id))
    if assignment_id is None:
        raise NotFound("No such offer.")
    role, occurrence = lock_slot(session, session.scalar(
        select(Assignment.occurrence_role_id).where(Assignment.id == assignment_id)))
    assignment = lock(session, Assignment, assignment_id)
    return _open_offer(session, offer_id, now), assignment, role, occurrence


def _is_open(swap: SwapOffer, now: datetime) -> bool:
    return swap.status == "open" and swap.expires_at > now


def take(session, actor: Account, offer_id: int, now: datetime) -> SwapOffer:
    """Take an offered shift; with approval required it waits for a coordinator."""
    swap, assignment, role, occurrence = _lock_offer(session, offer_id, now)
    if not _is_open(swap, now):
        raise DomainError("This offer is no longer open.")
    if actor.person_id is None or actor.person_id == assignment.person_id:
        raise Forbidden("You cannot take your own shift.")
    if assignment.status != "confirmed":
        raise DomainError("This offer is no longer open.")
    series = session.get(Series, occurrence.series_id)
    taker = lock(session, Person, actor.person_id)
    live = session.scalar(select(Assignment).where(
        Assignment.occurrence_role_id == role.id, Assignment.person_id == taker.id,
        Assignment.status != "withdrawn"))
    if live is not None:
        raise DomainError("You are already on this shift.")
    facts = person_facts(session, taker, occurrence.start_at, occurrence.end_at, series.timezone)
    slot = SlotFacts(role.id, occurrence.start_at, occurrence.end_at, occurrence.status,
                     role.required_team_id, None, series.timezone, is_staff_action=False,
                     is_lead=role.is_lead, community_id=series.community_id)
    problems = refusals(facts, slot, now)
    if problems:
        raise problems[0]
    swap.taken_by_id = taker.id
    if series.requires_swap_approval:
        swap.status = "pending"
        session.flush()
        audit.record(session, actor, "swap.take", "swap", swap.id, now, pending=True)
        return swap
    _transfer(session, actor, swap, assignment, taker.id, now)
    return swap


def approve(session, actor: Account, offer_id: int, approve_it: bool, now: datetime) -> SwapOffer:
    """A coordinator approves (or refuses) a swap that waits for approval."""
    swap, assignment, role, occurrence = _lock_offer(session, offer_id, now)
    if swap.status != "pending":
        raise DomainError("This offer does not wait for approval.")
    person = session.get(Person, assignment.person_id)
    if not can_manage(session, actor, person.community_id):
        raise Forbidden("You do not coordinate this community.")
    if not approve_it:
        swap.status = "refused"
        swap.approved_by_id = actor.id
        session.flush()
        audit.record(session, actor, "swap.refuse", "swap", swap.id, now)
        return swap
    if assignment.status != "confirmed":
        raise DomainError("The shift was withdrawn in the meantime.")
    # A pending take holds no place, so the taker may have taken another shift at that
    # time since: check again, under the taker's lock.
    taker = lock(session, Person, swap.taken_by_id)
    clash = busy_intervals(session, taker.id, occurrence.start_at, occurrence.end_at)
    if clash:
        raise DomainError("%(name)s is busy then (%(title)s); this swap cannot be approved.",
                          name=taker.full_name, title=clash[0].title)
    swap.approved_by_id = actor.id
    _transfer(session, actor, swap, assignment, swap.taken_by_id, now)
    return swap


def _transfer(session, actor, swap: SwapOffer, assignment: Assignment, taker_id: int,
              now: datetime) -> None:
    """Hand the place over: the giver is withdrawn, the taker confirmed; filled unchanged."""
    assignment.status = "withdrawn"
    assignment.needs_notice = True
    assignment.notice_reason = "swapped_out"
    assignment.updated_at = now
    session.flush()
    session.add(Assignment(occurrence_role_id=assignment.occurrence_role_id, person_id=taker_id,
                           status="confirmed", assigned_by_id=actor.id, needs_notice=True,
                           notice_reason="swapped_in",
                           created_at=now, updated_at=now))
    swap.status = "done"
    session.flush()
    audit.record(session, actor, "swap.done", "swap", swap.id, now, giver=assignment.person_id,
                 taker=taker_id)


def withdraw_offer(session, actor: Account, offer_id: int, now: datetime) -> None:
    """Take back one's own open offer."""
    swap = _open_offer(session, offer_id, now)
    assignment = session.get(Assignment, swap.assignment_id)
    if assignment.person_id != actor.person_id or swap.status not in ("open", "pending"):
        raise NotFound("No such offer.")
    swap.status = "withdrawn"
    session.flush()
    audit.record(session, actor, "swap.withdraw", "swap", swap.id, now)
