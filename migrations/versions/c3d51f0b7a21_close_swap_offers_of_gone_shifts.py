"""Data step: close the swap offers of shifts that are gone (issue 11.12).

Cancelling, ending or splitting a series left the offers of the released assignments
open or pending, so they stayed on /swaps/pending. The services now close them; this
closes the ones already stored. No schema change; downgrade leaves them closed.

Revision ID: c3d51f0b7a21
Revises: b3f1c2d4e5a6
Create Date: 2026-12-04 22:40:00
"""
from alembic import op


# revision identifiers, used by Alembic.
revision = 'c3d51f0b7a21'
down_revision = 'b3f1c2d4e5a6'
branch_labels = None
depends_on = None


def upgrade():
    op.execute("""
UPDATE swap_offers SET status = 'withdrawn'
WHERE status IN ('open', 'pending') AND assignment_id IN (
  SELECT assignments.id FROM assignments
  JOIN occurrence_roles ON occurrence_roles.id = assignments.occurrence_role_id
  JOIN occurrences ON occurrences.id = occurrence_roles.occurrence_id
  WHERE assignments.status = 'withdrawn' OR occurrences.status = 'cancelled')""")


def downgrade():
    pass  # which offers were stale is not recorded; closing them cannot be undone
