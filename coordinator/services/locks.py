"""Row locks for write transactions.

On PostgreSQL ``SELECT … FOR UPDATE`` serialises the writers that touch the same row;
on SQLite the clause is dropped, and the whole write transaction is already serialised
by ``BEGIN IMMEDIATE`` (``database.begin_write``). Lock order, to avoid deadlocks:
venue → occurrence → occurrence role → person. Writing a slot also writes its occurrence
(the totals triggers, ``models/totals.py``), so a slot is locked through ``lock_slot``:
its occurrence first.
"""
from __future__ import annotations

from sqlalchemy import select

from ..models import Occurrence, OccurrenceRole


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
