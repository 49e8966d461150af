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

# The statements as of this revision, frozen here (coordinator/models/attendance_days.py
# keeps the current text for create_all; later changes come with migrations of their own).
CREATE = {'postgresql': ['CREATE OR REPLACE FUNCTION attendance_days_keep() RETURNS trigger LANGUAGE '
                'plpgsql AS $$\n'
                'BEGIN\n'
                "  IF TG_OP IN ('UPDATE', 'DELETE') THEN\n"
                '    UPDATE attendance_days SET entries = entries - 1, taken_part = taken_part - '
                "(CASE WHEN OLD.status IN ('present', 'late', 'left_early') THEN 1 ELSE 0 END), "
                "services = services - (CASE WHEN OLD.status IN ('present', 'late', 'left_early') "
                'AND OLD.is_service THEN 1 ELSE 0 END), service_minutes = service_minutes - (CASE '
                "WHEN OLD.status IN ('present', 'late', 'left_early') AND OLD.is_service THEN "
                'OLD.minutes ELSE 0 END), expected = expected - (CASE WHEN OLD.is_walk_in THEN 0 '
                "ELSE 1 END), expected_part = expected_part - (CASE WHEN OLD.status IN ('present', "
                "'late', 'left_early') AND NOT OLD.is_walk_in THEN 1 ELSE 0 END), excused = "
                "excused - (CASE WHEN OLD.status = 'excused' THEN 1 ELSE 0 END), study_part = "
                "study_part - (CASE WHEN OLD.status IN ('present', 'late', 'left_early') AND "
                "OLD.kind = 'meeting' THEN 1 ELSE 0 END), study_recorded = study_recorded - (CASE "
                "WHEN OLD.kind = 'meeting' THEN 1 ELSE 0 END) WHERE community_id = "
                'OLD.community_id AND day = OLD.day;\n'
                '  END IF;\n'
                "  IF TG_OP IN ('UPDATE', 'INSERT') THEN\n"
                '    INSERT INTO attendance_days (community_id, day, entries, taken_part, '
                'services, service_minutes, expected, expected_part, excused, study_part, '
                'study_recorded) SELECT NEW.community_id, NEW.day, 1, (CASE WHEN NEW.status IN '
                "('present', 'late', 'left_early') THEN 1 ELSE 0 END), (CASE WHEN NEW.status IN "
                "('present', 'late', 'left_early') AND NEW.is_service THEN 1 ELSE 0 END), (CASE "
                "WHEN NEW.status IN ('present', 'late', 'left_early') AND NEW.is_service THEN "
                'NEW.minutes ELSE 0 END), (CASE WHEN NEW.is_walk_in THEN 0 ELSE 1 END), (CASE WHEN '
                "NEW.status IN ('present', 'late', 'left_early') AND NOT NEW.is_walk_in THEN 1 "
                "ELSE 0 END), (CASE WHEN NEW.status = 'excused' THEN 1 ELSE 0 END), (CASE WHEN "
                "NEW.status IN ('present', 'late', 'left_early') AND NEW.kind = 'meeting' THEN 1 "
                "ELSE 0 END), (CASE WHEN NEW.kind = 'meeting' THEN 1 ELSE 0 END) WHERE "
                'NEW.community_id IS NOT NULL ON CONFLICT (community_id, day) DO UPDATE SET '
                'entries = attendance_days.entries + excluded.entries, taken_part = '
                'attendance_days.taken_part + excluded.taken_part, services = '
                'attendance_days.services + excluded.services, service_minutes = '
                'attendance_days.service_minutes + excluded.service_minutes, expected = '
                'attendance_days.expected + excluded.expected, expected_part = '
                'attendance_days.expected_part + excluded.expected_part, excused = '
                'attendance_days.excused + excluded.excused, study_part = '
                'attendance_days.study_part + excluded.study_part, study_recorded = '
                'attendance_days.study_recorded + excluded.study_recorded;\n'
                '  END IF;\n'
                '  RETURN NULL;\n'
                'END\n'
                '$$',
                'CREATE TRIGGER attendance_days_keep AFTER INSERT OR DELETE OR UPDATE\n'
                'ON attendance_entries FOR EACH ROW EXECUTE FUNCTION attendance_days_keep()'],
 'sqlite': ['CREATE TRIGGER attendance_days_insert AFTER INSERT ON attendance_entries\n'
            'BEGIN\n'
            '  INSERT INTO attendance_days (community_id, day, entries, taken_part, services, '
            'service_minutes, expected, expected_part, excused, study_part, study_recorded) SELECT '
            "NEW.community_id, NEW.day, 1, (CASE WHEN NEW.status IN ('present', 'late', "
            "'left_early') THEN 1 ELSE 0 END), (CASE WHEN NEW.status IN ('present', 'late', "
            "'left_early') AND NEW.is_service THEN 1 ELSE 0 END), (CASE WHEN NEW.status IN "
            "('present', 'late', 'left_early') AND NEW.is_service THEN NEW.minutes ELSE 0 END), "
            "(CASE WHEN NEW.is_walk_in THEN 0 ELSE 1 END), (CASE WHEN NEW.status IN ('present', "
            "'late', 'left_early') AND NOT NEW.is_walk_in THEN 1 ELSE 0 END), (CASE WHEN "
            "NEW.status = 'excused' THEN 1 ELSE 0 END), (CASE WHEN NEW.status IN ('present', "
            "'late', 'left_early') AND NEW.kind = 'meeting' THEN 1 ELSE 0 END), (CASE WHEN "
            "NEW.kind = 'meeting' THEN 1 ELSE 0 END) WHERE NEW.community_id IS NOT NULL ON "
            'CONFLICT (community_id, day) DO UPDATE SET entries = attendance_days.entries + '
            'excluded.entries, taken_part = attendance_days.taken_part + excluded.taken_part, '
            'services = attendance_days.services + excluded.services, service_minutes = '
            'attendance_days.service_minutes + excluded.service_minutes, expected = '
            'attendance_days.expected + excluded.expected, expected_part = '
            'attendance_days.expected_part + excluded.expected_part, excused = '
            'attendance_days.excused + excluded.excused, study_part = attendance_days.study_part + '
            'excluded.study_part, study_recorded = attendance_days.study_recorded + '
            'excluded.study_recorded;\n'
            'END',
            'CREATE TRIGGER attendance_days_delete AFTER DELETE ON attendance_entries\n'
            'BEGIN\n'
            '  UPDATE attendance_days SET entries = entries - 1, taken_part = taken_part - (CASE '
            "WHEN OLD.status IN ('present', 'late', 'left_early') THEN 1 ELSE 0 END), services = "
            "services - (CASE WHEN OLD.status IN ('present', 'late', 'left_early') AND "
            'OLD.is_service THEN 1 ELSE 0 END), service_minutes = service_minutes - (CASE WHEN '
            "OLD.status IN ('present', 'late', 'left_early') AND OLD.is_service THEN OLD.minutes "
            'ELSE 0 END), expected = expected - (CASE WHEN OLD.is_walk_in THEN 0 ELSE 1 END), '
            "expected_part = expected_part - (CASE WHEN OLD.status IN ('present', 'late', "
            "'left_early') AND NOT OLD.is_walk_in THEN 1 ELSE 0 END), excused = excused - (CASE "
            "WHEN OLD.status = 'excused' THEN 1 ELSE 0 END), study_part = study_part - (CASE WHEN "
            "OLD.status IN ('present', 'late', 'left_early') AND OLD.kind = 'meeting' THEN 1 ELSE "
            "0 END), study_recorded = study_recorded - (CASE WHEN OLD.kind = 'meeting' THEN 1 ELSE "
            '0 END) WHERE community_id = OLD.community_id AND day = OLD.day;\n'
            'END',
            'CREATE TRIGGER attendance_days_update AFTER UPDATE ON attendance_entries\n'
            'BEGIN\n'
            '  UPDATE attendance_days SET entries = entries - 1, taken_part = taken_part - (CASE '
            "WHEN OLD.status IN ('present', 'late', 'left_early') THEN 1 ELSE 0 END), services = "
            "services - (CASE WHEN OLD.status IN ('present', 'late', 'left_early') AND "
            'OLD.is_service THEN 1 ELSE 0 END), service_minutes = service_minutes - (CASE WHEN '
            "OLD.status IN ('present', 'late', 'left_early') AND OLD.is_service THEN OLD.minutes "
            'ELSE 0 END), expected = expected - (CASE WHEN OLD.is_walk_in THEN 0 ELSE 1 END), '
            "expected_part = expected_part - (CASE WHEN OLD.status IN ('present', 'late', "
            "'left_early') AND NOT OLD.is_walk_in THEN 1 ELSE 0 END), excused = excused - (CASE "
            "WHEN OLD.status = 'excused' THEN 1 ELSE 0 END), study_part = study_part - (CASE WHEN "
            "OLD.status IN ('present', 'late', 'left_early') AND OLD.kind = 'meeting' THEN 1 ELSE "
            "0 END), study_recorded = study_recorded - (CASE WHEN OLD.kind = 'meeting' THEN 1 ELSE "
            '0 END) WHERE community_id = OLD.community_id AND day = OLD.day;\n'
            '  INSERT INTO attendance_days (community_id, day, entries, taken_part, services, '
            'service_minutes, expected, expected_part, excused, study_part, study_recorded) SELECT '
            "NEW.community_id, NEW.day, 1, (CASE WHEN NEW.status IN ('present', 'late', "
            "'left_early') THEN 1 ELSE 0 END), (CASE WHEN NEW.status IN ('present', 'late', "
            "'left_early') AND NEW.is_service THEN 1 ELSE 0 END), (CASE WHEN NEW.status IN "
            "('present', 'late', 'left_early') AND NEW.is_service THEN NEW.minutes ELSE 0 END), "
            "(CASE WHEN NEW.is_walk_in THEN 0 ELSE 1 END), (CASE WHEN NEW.status IN ('present', "
            "'late', 'left_early') AND NOT NEW.is_walk_in THEN 1 ELSE 0 END), (CASE WHEN "
            "NEW.status = 'excused' THEN 1 ELSE 0 END), (CASE WHEN NEW.status IN ('present', "
            "'late', 'left_early') AND NEW.kind = 'meeting' THEN 1 ELSE 0 END), (CASE WHEN "
            "NEW.kind = 'meeting' THEN 1 ELSE 0 END) WHERE NEW.community_id IS NOT NULL ON "
            'CONFLICT (community_id, day) DO UPDATE SET entries = attendance_days.entries + '
            'excluded.entries, taken_part = attendance_days.taken_part + excluded.taken_part, '
            'services = attendance_days.services + excluded.services, service_minutes = '
            'attendance_days.service_minutes + excluded.service_minutes, expected = '
            'attendance_days.expected + excluded.expected, expected_part = '
            'attendance_days.expected_part + excluded.expected_part, excused = '
            'attendance_days.excused + excluded.excused, study_part = attendance_days.study_part + '
            'excluded.study_part, study_recorded = attendance_days.study_recorded + '
            'excluded.study_recorded;\n'
            'END']}

DROP = {'postgresql': ['DROP TRIGGER IF EXISTS attendance_days_keep ON attendance_entries',
                'DROP FUNCTION IF EXISTS attendance_days_keep()'],
 'sqlite': ['DROP TRIGGER IF EXISTS attendance_days_insert',
            'DROP TRIGGER IF EXISTS attendance_days_delete',
            'DROP TRIGGER IF EXISTS attendance_days_update']}

REBUILD = ['DELETE FROM attendance_days',
 'INSERT INTO attendance_days (community_id, day, entries, taken_part, services, service_minutes, '
 'expected, expected_part, excused, study_part, study_recorded) SELECT e.community_id, e.day, '
 "SUM(1), SUM((CASE WHEN e.status IN ('present', 'late', 'left_early') THEN 1 ELSE 0 END)), "
 "SUM((CASE WHEN e.status IN ('present', 'late', 'left_early') AND e.is_service THEN 1 ELSE 0 "
 "END)), SUM((CASE WHEN e.status IN ('present', 'late', 'left_early') AND e.is_service THEN "
 'e.minutes ELSE 0 END)), SUM((CASE WHEN e.is_walk_in THEN 0 ELSE 1 END)), SUM((CASE WHEN e.status '
 "IN ('present', 'late', 'left_early') AND NOT e.is_walk_in THEN 1 ELSE 0 END)), SUM((CASE WHEN "
 "e.status = 'excused' THEN 1 ELSE 0 END)), SUM((CASE WHEN e.status IN ('present', 'late', "
 "'left_early') AND e.kind = 'meeting' THEN 1 ELSE 0 END)), SUM((CASE WHEN e.kind = 'meeting' THEN "
 '1 ELSE 0 END)) FROM attendance_entries e WHERE e.community_id IS NOT NULL GROUP BY '
 'e.community_id, e.day']


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
