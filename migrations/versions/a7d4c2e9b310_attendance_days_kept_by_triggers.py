"""Attendance per community and day (issue 14): roll rows carry their local day, and
``attendance_days`` holds each community's daily sums, kept by triggers on
``attendance_entries``; backfilled from the rows. The participation summary reads it.

The day of existing rows is computed in the organisation's zone (the app's TIMEZONE,
default Asia/Shanghai): by PostgreSQL in one UPDATE, in Python batches on SQLite.

Revision ID: a7d4c2e9b310
Revises: 8351451ef583
Create Date: 2026-12-07 20:30:00

"""
import os

from alembic import op
import sqlalchemy as sa

revision = 'a7d4c2e9b310'
down_revision = '8351451ef583'
branch_labels = None
depends_on = None

# The statements as of this revision (coordinator/models/attendance_days.py keeps the
# current text for create_all; a later change of it needs a migration of its own).
from coordinator.models.attendance_days import CREATE, DROP, REBUILD  # noqa: E402


def _zone():
    from flask import current_app
    try:
        return current_app.config.get("TIMEZONE") or "Asia/Shanghai"
    except RuntimeError:
        return os.environ.get("COORDINATOR_TIMEZONE", "Asia/Shanghai")


def _fill_days(bind):
    from coordinator.domain.attendance import local_day
    from coordinator.models.types import UTCDateTime

    zone = _zone()
    if bind.dialect.name == "postgresql":  # the server knows the zones: one statement
        bind.execute(sa.text("UPDATE attendance_entries SET day = "
                             "(start_at AT TIME ZONE :zone)::date"), {"zone": zone})
        return
    entries = sa.table("attendance_entries", sa.column("id", sa.Integer),
                       sa.column("start_at", UTCDateTime()), sa.column("day", sa.Date))
    last = 0
    while True:
        rows = bind.execute(sa.select(entries.c.id, entries.c.start_at)
                            .where(entries.c.id > last).order_by(entries.c.id)
                            .limit(50_000)).all()
        if not rows:
            return
        bind.execute(entries.update().where(entries.c.id == sa.bindparam("b_id"))
                     .values(day=sa.bindparam("b_day")),
                     [{"b_id": i, "b_day": local_day(at, zone)} for i, at in rows])
        last = rows[-1][0]


def upgrade():
    bind = op.get_bind()
    op.add_column('attendance_entries', sa.Column('day', sa.Date(), nullable=True))
    _fill_days(bind)
    with op.batch_alter_table('attendance_entries') as batch_op:
        batch_op.alter_column('day', existing_type=sa.Date(), nullable=False)
    op.create_table('attendance_days',
    sa.Column('community_id', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('entries', sa.Integer(), nullable=False),
    sa.Column('taken_part', sa.Integer(), nullable=False),
    sa.Column('services', sa.Integer(), nullable=False),
    sa.Column('service_minutes', sa.Integer(), nullable=False),
    sa.Column('expected', sa.Integer(), nullable=False),
    sa.Column('expected_part', sa.Integer(), nullable=False),
    sa.Column('excused', sa.Integer(), nullable=False),
    sa.Column('study_part', sa.Integer(), nullable=False),
    sa.Column('study_recorded', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['community_id'], ['communities.id'], name=op.f('fk_attendance_days_community_id_communities'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('community_id', 'day', name=op.f('pk_attendance_days'))
    )
    for statement in REBUILD:
        op.execute(statement)
    for statement in CREATE[bind.dialect.name]:
        op.execute(statement)


def downgrade():
    bind = op.get_bind()
    for statement in DROP[bind.dialect.name]:
        op.execute(statement)
    op.drop_table('attendance_days')
    with op.batch_alter_table('attendance_entries') as batch_op:
        batch_op.drop_column('day')
