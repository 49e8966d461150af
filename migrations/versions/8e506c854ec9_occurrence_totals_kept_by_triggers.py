"""Per-occurrence totals of the slots (places needed, filled, people confirmed), kept
by triggers on occurrence_roles; backfilled from the slots.

Revision ID: 8e506c854ec9
Revises: 67ca560a9627
Create Date: 2026-12-01 23:10:00

The trigger SQL is written out here, as it stood when this revision was made
(coordinator/models/totals.py holds the current text for create_all).
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '8e506c854ec9'
down_revision = '67ca560a9627'
branch_labels = None
depends_on = None

COLUMNS = ("places_needed", "places_filled", "people_confirmed")

SQLITE = [
    """CREATE TRIGGER occurrence_roles_totals_insert AFTER INSERT ON occurrence_roles
BEGIN
  UPDATE occurrences SET places_needed = places_needed + NEW.needed, places_filled = places_filled + (CASE WHEN NEW.filled < NEW.needed THEN NEW.filled ELSE NEW.needed END), people_confirmed = people_confirmed + NEW.filled WHERE id = NEW.occurrence_id;
END""",
    """CREATE TRIGGER occurrence_roles_totals_delete AFTER DELETE ON occurrence_roles
BEGIN
  UPDATE occurrences SET places_needed = places_needed - OLD.needed, places_filled = places_filled - (CASE WHEN OLD.filled < OLD.needed THEN OLD.filled ELSE OLD.needed END), people_confirmed = people_confirmed - OLD.filled WHERE id = OLD.occurrence_id;
END""",
    """CREATE TRIGGER occurrence_roles_totals_update
AFTER UPDATE OF needed, filled, occurrence_id ON occurrence_roles
WHEN NEW.occurrence_id = OLD.occurrence_id
BEGIN
  UPDATE occurrences SET places_needed = places_needed + NEW.needed - OLD.needed, places_filled = places_filled + (CASE WHEN NEW.filled < NEW.needed THEN NEW.filled ELSE NEW.needed END) - (CASE WHEN OLD.filled < OLD.needed THEN OLD.filled ELSE OLD.needed END), people_confirmed = people_confirmed + NEW.filled - OLD.filled WHERE id = NEW.occurrence_id;
END""",
    """CREATE TRIGGER occurrence_roles_totals_move
AFTER UPDATE OF occurrence_id ON occurrence_roles
WHEN NEW.occurrence_id <> OLD.occurrence_id
BEGIN
  UPDATE occurrences SET places_needed = places_needed - OLD.needed, places_filled = places_filled - (CASE WHEN OLD.filled < OLD.needed THEN OLD.filled ELSE OLD.needed END), people_confirmed = people_confirmed - OLD.filled WHERE id = OLD.occurrence_id;
  UPDATE occurrences SET places_needed = places_needed + NEW.needed, places_filled = places_filled + (CASE WHEN NEW.filled < NEW.needed THEN NEW.filled ELSE NEW.needed END), people_confirmed = people_confirmed + NEW.filled WHERE id = NEW.occurrence_id;
END""",
]

POSTGRESQL = [
    """CREATE OR REPLACE FUNCTION occurrence_roles_totals() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'UPDATE' AND NEW.occurrence_id = OLD.occurrence_id THEN
    UPDATE occurrences SET places_needed = places_needed + NEW.needed - OLD.needed, places_filled = places_filled + (CASE WHEN NEW.filled < NEW.needed THEN NEW.filled ELSE NEW.needed END) - (CASE WHEN OLD.filled < OLD.needed THEN OLD.filled ELSE OLD.needed END), people_confirmed = people_confirmed + NEW.filled - OLD.filled WHERE id = NEW.occurrence_id;
    RETURN NULL;
  END IF;
  IF TG_OP IN ('UPDATE', 'DELETE') THEN
    UPDATE occurrences SET places_needed = places_needed - OLD.needed, places_filled = places_filled - (CASE WHEN OLD.filled < OLD.needed THEN OLD.filled ELSE OLD.needed END), people_confirmed = people_confirmed - OLD.filled WHERE id = OLD.occurrence_id;
  END IF;
  IF TG_OP IN ('UPDATE', 'INSERT') THEN
    UPDATE occurrences SET places_needed = places_needed + NEW.needed, places_filled = places_filled + (CASE WHEN NEW.filled < NEW.needed THEN NEW.filled ELSE NEW.needed END), people_confirmed = people_confirmed + NEW.filled WHERE id = NEW.occurrence_id;
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

DROP = {'sqlite': ['DROP TRIGGER IF EXISTS occurrence_roles_totals_insert', 'DROP TRIGGER IF EXISTS occurrence_roles_totals_delete', 'DROP TRIGGER IF EXISTS occurrence_roles_totals_update', 'DROP TRIGGER IF EXISTS occurrence_roles_totals_move'], 'postgresql': ['DROP TRIGGER IF EXISTS occurrence_roles_totals_insert_delete ON occurrence_roles', 'DROP TRIGGER IF EXISTS occurrence_roles_totals_update ON occurrence_roles', 'DROP FUNCTION IF EXISTS occurrence_roles_totals()']}

RECOUNT = """UPDATE occurrences SET
  places_needed = COALESCE((SELECT SUM(r.needed) FROM occurrence_roles r
                            WHERE r.occurrence_id = occurrences.id), 0),
  places_filled = COALESCE((SELECT SUM((CASE WHEN r.filled < r.needed THEN r.filled ELSE r.needed END))
                            FROM occurrence_roles r WHERE r.occurrence_id = occurrences.id), 0),
  people_confirmed = COALESCE((SELECT SUM(r.filled) FROM occurrence_roles r
                               WHERE r.occurrence_id = occurrences.id), 0)"""


def upgrade():
    dialect = op.get_bind().dialect.name
    for column in COLUMNS:
        op.add_column("occurrences", sa.Column(column, sa.Integer(), server_default="0",
                                               nullable=False))
    op.execute(RECOUNT)
    for statement in SQLITE if dialect == "sqlite" else POSTGRESQL:
        op.execute(statement)


def downgrade():
    dialect = op.get_bind().dialect.name
    for statement in DROP[dialect]:
        op.execute(statement)
    # Not batch mode: on SQLite it copies the table, and dropping the old copy with foreign
    # keys on cascades into every slot and sign-up. SQLite 3.35+ drops a column in place.
    for column in COLUMNS:
        op.execute(f"ALTER TABLE occurrences DROP COLUMN {column}")
