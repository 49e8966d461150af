"""Per-occurrence totals of its slots, kept by the database itself.

``occurrences.places_needed``, ``places_filled`` (each slot counted up to its need) and
``people_confirmed`` (everyone confirmed, beyond the need too) always equal the sums over
the occurrence's ``occurrence_roles``. Triggers on ``occurrence_roles`` keep them, so every
path that writes slots (the guarded sign-up UPDATE, cancellations, count changes, bulk
loads, raw SQL) keeps them without knowing of them; the weekly plan of a province-size week
then reads 20,000 occurrence rows instead of joining their 230,000 slots.

Lock order: a trigger updates the occurrence row after the slot row, so a transaction that
writes slots must lock their occurrence first (``services.locks.lock_slot`` does; ``lock`` /
``lock_many`` on ``Occurrence`` before writing several slots), or two writers can each hold
what the other waits for. The whole order is documented once, in ``services/locks.py``.

A migration that rebuilds ``occurrence_roles`` on SQLite (``batch_alter_table`` copying the
table) drops its triggers and must create them again: ``tests/integration/test_setup.py``
checks that a migrated database keeps the totals.
"""
from __future__ import annotations

from sqlalchemy import DDL, event

from .schedule import OccurrenceRole

_DELTA = {  # a slot's share of each total
    "places_needed": "{r}.needed",
    "places_filled": "(CASE WHEN {r}.filled < {r}.needed THEN {r}.filled ELSE {r}.needed END)",
    "people_confirmed": "{r}.filled",
}


def _set(sign: str, row: str) -> str:
    return ", ".join(f"{column} = {column} {sign} {share.format(r=row)}"
                     for column, share in _DELTA.items())


def _moved(old: str, new: str) -> str:
    """SET list for an update that stays on one occurrence: one UPDATE, not two."""
    return ", ".join(f"{column} = {column} + {share.format(r=new)} - {share.format(r=old)}"
                     for column, share in _DELTA.items())


SQLITE = [
    f"""CREATE TRIGGER occurrence_roles_totals_insert AFTER INSERT ON occurrence_roles
BEGIN
  UPDATE occurrences SET {_set('+', 'NEW')} WHERE id = NEW.occurrence_id;
END""",
    f"""CREATE TRIGGER occurrence_roles_totals_delete AFTER DELETE ON occurrence_roles
BEGIN
  UPDATE occurrences SET {_set('-', 'OLD')} WHERE id = OLD.occurrence_id;
END""",
    f"""CREATE TRIGGER occurrence_roles_totals_update
AFTER UPDATE OF needed, filled, occurrence_id ON occurrence_roles
WHEN NEW.occurrence_id = OLD.occurrence_id
BEGIN
  UPDATE occurrences SET {_moved('OLD', 'NEW')} WHERE id = NEW.occurrence_id;
END""",
    f"""CREATE TRIGGER occurrence_roles_totals_move
AFTER UPDATE OF occurrence_id ON occurrence_roles
WHEN NEW.occurrence_id <> OLD.occurrence_id
BEGIN
  UPDATE occurrences SET {_set('-', 'OLD')} WHERE id = OLD.occurrence_id;
  UPDATE occurrences SET {_set('+', 'NEW')} WHERE id = NEW.occurrence_id;
END""",
]

POSTGRESQL = [
    f"""CREATE OR REPLACE FUNCTION occurrence_roles_totals() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'UPDATE' AND NEW.occurrence_id = OLD.occurrence_id THEN
    UPDATE occurrences SET {_moved('OLD', 'NEW')} WHERE id = NEW.occurrence_id;
    RETURN NULL;
  END IF;
  IF TG_OP IN ('UPDATE', 'DELETE') THEN
    UPDATE occurrences SET {_set('-', 'OLD')} WHERE id = OLD.occurrence_id;
  END IF;
  IF TG_OP IN ('UPDATE', 'INSERT') THEN
    UPDATE occurrences SET {_set('+', 'NEW')} WHERE id = NEW.occurrence_id;
  END IF;
  RETURN NULL;
END
$$""",
    """CREATE TRIGGER occurrence_roles_totals_insert_delete AFTER INSERT OR DELETE
ON occurrence_roles FOR EACH ROW EXECUTE FUNCTION occurrence_roles_totals()""",
    """CREATE TRIGGER occurrence_roles_totals_update
AFTER UPDATE OF needed, filled, occurrence_id ON occurrence_roles FOR EACH ROW
WHEN (OLD.needed IS DISTINCT FROM NEW.needed OR OLD.filled IS DISTINCT FROM NEW.filled
      OR OLD.occurrence_id IS DISTINCT FROM NEW.occurrence_id)
EXECUTE FUNCTION occurrence_roles_totals()""",
]

DROP = {
    "sqlite": ["DROP TRIGGER IF EXISTS occurrence_roles_totals_insert",
               "DROP TRIGGER IF EXISTS occurrence_roles_totals_delete",
               "DROP TRIGGER IF EXISTS occurrence_roles_totals_update",
               "DROP TRIGGER IF EXISTS occurrence_roles_totals_move"],
    "postgresql": ["DROP TRIGGER IF EXISTS occurrence_roles_totals_insert_delete "
                   "ON occurrence_roles",
                   "DROP TRIGGER IF EXISTS occurrence_roles_totals_update ON occurrence_roles",
                   "DROP FUNCTION IF EXISTS occurrence_roles_totals()"],
}

CREATE = {"sqlite": SQLITE, "postgresql": POSTGRESQL}

# Recompute every occurrence's totals from its slots (the migration's backfill, and a
# repair should the two ever disagree).
RECOUNT = f"""UPDATE occurrences SET
  places_needed = COALESCE((SELECT SUM(r.needed) FROM occurrence_roles r
                            WHERE r.occurrence_id = occurrences.id), 0),
  places_filled = COALESCE((SELECT SUM({_DELTA['places_filled'].format(r='r')})
                            FROM occurrence_roles r WHERE r.occurrence_id = occurrences.id), 0),
  people_confirmed = COALESCE((SELECT SUM(r.filled) FROM occurrence_roles r
                               WHERE r.occurrence_id = occurrences.id), 0)"""

# create_all (the tests' schema) gets the same triggers as the migrations.
for _dialect, _statements in CREATE.items():
    for _statement in _statements:
        event.listen(OccurrenceRole.__table__, "after_create",
                     DDL(_statement.replace("%", "%%")).execute_if(dialect=_dialect))
