"""Series: expected attendance of team events (issue 13.4).

The room-capacity check of a team event counted every member invited, so a branch of 68
could never plan its study day in a room of 50. The coordinator now sets how many are
expected; empty keeps counting the members.

Revision ID: e4b8c1d2f3a9
Revises: d7e2a9c4b810
Create Date: 2026-12-07 11:30:00
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'e4b8c1d2f3a9'
down_revision = 'd7e2a9c4b810'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('series', schema=None) as batch_op:
        batch_op.add_column(sa.Column('expected_attendance', sa.Integer(), nullable=True))
        batch_op.create_check_constraint(
            op.f('ck_series_expected'), 'expected_attendance IS NULL OR expected_attendance > 0')


def downgrade():
    with op.batch_alter_table('series', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_series_expected'), type_='check')
        batch_op.drop_column('expected_attendance')
