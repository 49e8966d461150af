"""Row locks for write transactions, and the one order they are taken in.

On PostgreSQL ``SELECT … FOR UPDATE`` serialises the writers that touch the same row;
on SQLite the clause is dropped, and the whole write transaction is already serialised
by ``BEGIN IMMEDIATE`` (``database.begin_write``).

Lock order, on every path (two writers taking the same rows in the same order never
deadlock)::

    venue → occurrence → slot (occurrence role) → assignment → swap offer → person

Several rows of one kind are locked at once in id order (``lock_many``). Why each step:

- **venue** first: a booking checks the venue's other occurrences, then writes its own.
- **occurrence before its slots**: writing a slot also writes its occurrence (the totals
  triggers, ``models/totals.py``), so a slot is locked through ``lock_slot``, its
  occurrence first; a transaction holding a slot therefore always holds its occurrence.
- **assignment, swap offer** next: both hang below a slot (withdrawing an assignment
  closes its offers; taking an offer ends the giver's assignment).
- **person last**: "no person in two overlapping shifts" is checked against the person's
  other assignments, which belong to other occurrences. Every path that checks a
  person's time — sign-up and a coordinator's assign, swap take and approval, waitlist
  promotion, moving an occurrence, changing "this and all following" — locks the person
  (``lock_people``) *before* reading their busy times and keeps the lock until commit, so
  two such writers for one person run one after the other and the second sees the first.
"""
from __future__ import annotations

from sqlalchemy import select

from ..models import Occurrence, OccurrenceRole, Person


def lock(session, model, row_id):
    """Return the row ``model(row_id)`` locked for this transaction, or None."""
    return session.scalar(select(model).where(model.id == row_id).with_for_update()
                          .execution_options(populate_existing=True))


def lock_many(session, model, ids) -> list:
    """Lock several rows in id order (a stable order avoids deadlocks)."""
    ids = sorted(set(ids))
    if not ids:
        return []
    return list(session.scalars(select(model).where(model.id.in_(ids)).order_by(model.id)
                                .with_for_update().execution_options(populate_existing=True)))


def lock_slot(session, role_id) -> tuple[OccurrenceRole | None, Occurrence | None]:
    """Lock a slot and, first, its occurrence: ``(role, occurrence)``, or ``(None, None)``."""
    occurrence_id = session.scalar(select(OccurrenceRole.occurrence_id)
                                   .where(OccurrenceRole.id == role_id))
    if occurrence_id is None:
        return None, None
    occurrence = lock(session, Occurrence, occurrence_id)
    return lock(session, OccurrenceRole, role_id), occurrence


def lock_people(session, person_ids) -> list[Person]:
    """Lock the people whose time is about to be checked (last in the lock order)."""
    return lock_many(session, Person, person_ids)
