"""Attendance per community and month (issue 14): ``attendance_months``, kept by the same
triggers as ``attendance_days`` (recreated here) and backfilled from the days; and an
index on ``attendance_days`` by day, so the summary's last 30 and 90 days read a range of
the index instead of every community's whole year.

Revision ID: d2f6b8c0e1a3
Revises: c5e8a1f2d3b4
Create Date: 2026-12-08 00:50:00

"""
from alembic import op
import sqlalchemy as sa

revision = 'd2f6b8c0e1a3'
down_revision = 'c5e8a1f2d3b4'
branch_labels = None
depends_on = None

# The statements as of this revision (coordinator/models/attendance_days.py keeps the
# current text for create_all; a later change of it needs a migration of its own).
from coordinator.models.attendance_days import (  # noqa: E402
    COLUMNS, CREATE, DROP, MONTH_REBUILD)


def upgrade():
    bind = op.get_bind()
    op.create_table(
        'attendance_months',
        sa.Column('community_id', sa.Integer(), nullable=False),
        sa.Column('month', sa.Date(), nullable=False),
        *(sa.Column(c, sa.Integer(), nullable=False) for c in COLUMNS),
        sa.ForeignKeyConstraint(['community_id'], ['communities.id'],
                                name=op.f('fk_attendance_months_community_id_communities'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('community_id', 'month', name=op.f('pk_attendance_months')))
    op.create_index('ix_attendance_days_day', 'attendance_days',
                    ['day', 'community_id', *COLUMNS], unique=False)
    for statement in DROP[bind.dialect.name]:
        op.execute(statement)
    for statement in MONTH_REBUILD[bind.dialect.name]:
        op.execute(statement)
    for statement in CREATE[bind.dialect.name]:
        op.execute(statement)


# The triggers of the revision before (days only), for the downgrade.
_DAYS_ONLY = {'postgresql': ['CREATE OR REPLACE FUNCTION attendance_days_keep() RETURNS trigger LANGUAGE '
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


def downgrade():
    bind = op.get_bind()
    for statement in DROP[bind.dialect.name]:
        op.execute(statement)
    op.drop_index('ix_attendance_days_day', table_name='attendance_days')
    op.drop_table('attendance_months')
    for statement in _DAYS_ONLY[bind.dialect.name]:
        op.execute(statement)
