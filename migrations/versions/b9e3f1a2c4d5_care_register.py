"""Care visits that can be run (issue 15): the register of people cared for gains where
they are (home / hospital ward and bed / care home), a family contact, the reason, how
often they would like a visit, a status with dates and erasure; visit logs with needs to
follow up, the log of who read a person's details, and admins' explicit openings of a
community's register. Existing records become "being cared for" since their creation.

Revision ID: b9e3f1a2c4d5
Revises: a7d4c2e9b310
Create Date: 2026-12-07 20:40:00

"""
from alembic import op
import sqlalchemy as sa

from coordinator.models.types import UTCDateTime

revision = 'b9e3f1a2c4d5'
down_revision = 'a7d4c2e9b310'
branch_labels = None
depends_on = None

PLACES = "place IN ('home', 'hospital', 'care_home')"
REASONS = ("reason IN ('illness', 'hospital', 'bereaved', 'alone', 'old_age', "
           "'festival')")
STATUSES = "status IN ('active', 'recovered', 'moved', 'deceased')"
CONDITIONS = "condition IN ('better', 'same', 'worse')"


def upgrade():
    with op.batch_alter_table('care_recipients') as batch_op:
        batch_op.add_column(sa.Column('person_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('place', sa.String(length=10), server_default='home', nullable=False))
        batch_op.add_column(sa.Column('institution', sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column('bed', sa.String(length=50), nullable=True))
        batch_op.add_column(sa.Column('family_name', sa.String(length=100), nullable=True))
        batch_op.add_column(sa.Column('family_relation', sa.String(length=50), nullable=True))
        batch_op.add_column(sa.Column('family_phone', sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column('reason', sa.String(length=12), server_default='illness', nullable=False))
        batch_op.add_column(sa.Column('visit_every_days', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('status', sa.String(length=10), server_default='active', nullable=False))
        batch_op.add_column(sa.Column('started_on', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('ended_on', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('erased_at', UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column('updated_at', UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column('version', sa.Integer(), server_default='1', nullable=False))
    recipients = sa.table('care_recipients', sa.column('created_at', UTCDateTime()),
                          sa.column('started_on', sa.Date()), sa.column('updated_at', UTCDateTime()),
                          sa.column('id', sa.Integer), sa.column('ward', sa.String))
    bind = op.get_bind()
    for rid, created in bind.execute(sa.select(recipients.c.id, recipients.c.created_at)).all():
        bind.execute(recipients.update().where(recipients.c.id == rid)
                     .values(started_on=created.date(), updated_at=created))
    op.execute("UPDATE care_recipients SET place = 'hospital', reason = 'hospital' "
               "WHERE ward IS NOT NULL")
    with op.batch_alter_table('care_recipients') as batch_op:
        batch_op.alter_column('started_on', existing_type=sa.Date(), nullable=False)
        batch_op.alter_column('updated_at', existing_type=UTCDateTime(), nullable=False)
        batch_op.create_foreign_key(batch_op.f('fk_care_recipients_person_id_people'), 'people', ['person_id'], ['id'], ondelete='SET NULL')
        batch_op.create_check_constraint(batch_op.f('ck_care_recipients_place'), PLACES)
        batch_op.create_check_constraint(batch_op.f('ck_care_recipients_reason'), REASONS)
        batch_op.create_check_constraint(batch_op.f('ck_care_recipients_status'), STATUSES)
        batch_op.create_check_constraint(batch_op.f('ck_care_recipients_visit_every'), 'visit_every_days IS NULL OR visit_every_days BETWEEN 1 AND 366')
        batch_op.create_check_constraint(batch_op.f('ck_care_recipients_ended'), "(status = 'active') = (ended_on IS NULL)")
        batch_op.create_check_constraint(batch_op.f('ck_care_recipients_dates'), 'ended_on IS NULL OR ended_on >= started_on')
        batch_op.create_check_constraint(batch_op.f('ck_care_recipients_erased'), 'erased_at IS NULL OR (address IS NULL AND ward IS NULL AND health_notes IS NULL AND family_phone IS NULL)')
        batch_op.create_index('ix_care_recipients_community_status', ['community_id', 'status'], unique=False)
    op.create_table('care_visit_logs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('occurrence_id', sa.Integer(), nullable=False),
    sa.Column('recipient_id', sa.Integer(), nullable=False),
    sa.Column('community_id', sa.Integer(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=True),
    sa.Column('written_at', UTCDateTime(), nullable=False),
    sa.Column('condition', sa.String(length=8), nullable=False),
    sa.Column('need_medical', sa.Boolean(), nullable=False),
    sa.Column('need_daily', sa.Boolean(), nullable=False),
    sa.Column('need_money', sa.Boolean(), nullable=False),
    sa.Column('need_company', sa.Boolean(), nullable=False),
    sa.Column('note', sa.String(length=500), nullable=True),
    sa.Column('follow_up', sa.Boolean(), nullable=False),
    sa.Column('closed_at', UTCDateTime(), nullable=True),
    sa.Column('closed_by_id', sa.Integer(), nullable=True),
    sa.Column('close_note', sa.String(length=500), nullable=True),
    sa.Column('version', sa.Integer(), server_default='1', nullable=False),
    sa.CheckConstraint(CONDITIONS, name=op.f('ck_care_visit_logs_condition')),
    sa.CheckConstraint('follow_up OR closed_at IS NULL', name=op.f('ck_care_visit_logs_closed_needs_follow_up')),
    sa.CheckConstraint('(closed_at IS NULL) = (closed_by_id IS NULL)', name=op.f('ck_care_visit_logs_closed_by')),
    sa.ForeignKeyConstraint(['author_id'], ['accounts.id'], name=op.f('fk_care_visit_logs_author_id_accounts')),
    sa.ForeignKeyConstraint(['closed_by_id'], ['accounts.id'], name=op.f('fk_care_visit_logs_closed_by_id_accounts')),
    sa.ForeignKeyConstraint(['community_id'], ['communities.id'], name=op.f('fk_care_visit_logs_community_id_communities')),
    sa.ForeignKeyConstraint(['occurrence_id'], ['occurrences.id'], name=op.f('fk_care_visit_logs_occurrence_id_occurrences'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['recipient_id'], ['care_recipients.id'], name=op.f('fk_care_visit_logs_recipient_id_care_recipients'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_care_visit_logs')),
    sa.UniqueConstraint('occurrence_id', name=op.f('uq_care_visit_logs_occurrence_id'))
    )
    op.create_index('ix_care_visit_logs_recipient', 'care_visit_logs', ['recipient_id', 'written_at'], unique=False)
    op.create_index('ix_care_visit_logs_open', 'care_visit_logs', ['community_id', 'follow_up', 'closed_at'], unique=False)
    op.create_table('care_reads',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('recipient_id', sa.Integer(), nullable=False),
    sa.Column('account_id', sa.Integer(), nullable=True),
    sa.Column('read_at', UTCDateTime(), nullable=False),
    sa.Column('what', sa.String(length=12), nullable=False),
    sa.ForeignKeyConstraint(['account_id'], ['accounts.id'], name=op.f('fk_care_reads_account_id_accounts'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['recipient_id'], ['care_recipients.id'], name=op.f('fk_care_reads_recipient_id_care_recipients'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_care_reads'))
    )
    op.create_index('ix_care_reads_recipient', 'care_reads', ['recipient_id', 'read_at'], unique=False)
    op.create_table('care_register_openings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('account_id', sa.Integer(), nullable=False),
    sa.Column('community_id', sa.Integer(), nullable=False),
    sa.Column('reason', sa.String(length=300), nullable=False),
    sa.Column('opened_at', UTCDateTime(), nullable=False),
    sa.Column('until', UTCDateTime(), nullable=False),
    sa.CheckConstraint('until > opened_at', name=op.f('ck_care_register_openings_window')),
    sa.ForeignKeyConstraint(['account_id'], ['accounts.id'], name=op.f('fk_care_register_openings_account_id_accounts'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['community_id'], ['communities.id'], name=op.f('fk_care_register_openings_community_id_communities'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_care_register_openings'))
    )
    op.create_index('ix_care_openings_account', 'care_register_openings', ['account_id', 'until'], unique=False)


def downgrade():
    op.drop_table('care_register_openings')
    op.drop_table('care_reads')
    op.drop_table('care_visit_logs')
    with op.batch_alter_table('care_recipients') as batch_op:
        batch_op.drop_index('ix_care_recipients_community_status')
        for name in ('place', 'reason', 'status', 'visit_every', 'ended', 'dates', 'erased'):
            batch_op.drop_constraint(batch_op.f(f'ck_care_recipients_{name}'), type_='check')
        batch_op.drop_constraint(batch_op.f('fk_care_recipients_person_id_people'), type_='foreignkey')
        for column in ('version', 'updated_at', 'erased_at', 'ended_on', 'started_on', 'status',
                       'visit_every_days', 'reason', 'family_phone', 'family_relation',
                       'family_name', 'bed', 'institution', 'place', 'person_id'):
            batch_op.drop_column(column)
