"""Login throttle: failed logins per account, unknown name and client address.

Revision ID: b3f1c2d4e5a6
Revises: 8e506c854ec9
Create Date: 2026-12-08 10:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'b3f1c2d4e5a6'
down_revision = '8e506c854ec9'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('login_throttles',
    sa.Column('key', sa.String(length=120), nullable=False),
    sa.Column('failures', sa.Integer(), server_default='0', nullable=False),
    sa.Column('window_start_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('last_failure_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('lockouts', sa.Integer(), server_default='0', nullable=False),
    sa.Column('locked_until', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint('failures >= 0', name=op.f('ck_login_throttles_failures_not_negative')),
    sa.CheckConstraint('lockouts >= 0', name=op.f('ck_login_throttles_lockouts_not_negative')),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_login_throttles'))
    )


def downgrade():
    op.drop_table('login_throttles')
