"""Each person's first and last taking part (issue 14): ``people.first_part_at`` and
``last_part_at``, kept by triggers on ``attendance_entries`` and backfilled from the rows,
so the participation summary counts who drifted away with one scan of the people.

Revision ID: c5e8a1f2d3b4
Revises: b9e3f1a2c4d5
Create Date: 2026-12-07 23:40:00

"""
from alembic import op
import sqlalchemy as sa

from coordinator.models.types import UTCDateTime

revision = 'c5e8a1f2d3b4'
down_revision = 'b9e3f1a2c4d5'
branch_labels = None
depends_on = None

# The statements as of this revision (coordinator/models/attendance_days.py keeps the
# current text for create_all; a later change of it needs a migration of its own).
from coordinator.models.attendance_days import PART_CREATE, PART_DROP, PART_REBUILD  # noqa: E402


def upgrade():
    bind = op.get_bind()
    op.add_column('people', sa.Column('first_part_at', UTCDateTime(), nullable=True))
    op.add_column('people', sa.Column('last_part_at', UTCDateTime(), nullable=True))
    for statement in PART_REBUILD:
        op.execute(statement)
    for statement in PART_CREATE[bind.dialect.name]:
        op.execute(statement)


def downgrade():
    bind = op.get_bind()
    for statement in PART_DROP[bind.dialect.name]:
        op.execute(statement)
    with op.batch_alter_table('people') as batch_op:
        batch_op.drop_column('last_part_at')
        batch_op.drop_column('first_part_at')
