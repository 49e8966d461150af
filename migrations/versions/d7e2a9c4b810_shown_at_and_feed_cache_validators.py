"""shown_at and shown_rev on every table a feed prints; feed_cache keeps stamp, Last-Modified, exact

Issue 12.1/12.2: a feed's validator covered occurrences, series, assignments, responses
and memberships, but the renderer also prints people, venues, communities, coordinator
scopes and care details, so a changed phone number stayed published behind a 304.
``shown_at`` is set whenever a printed column changes (services/feeds/sources.py);
existing rows start from their own change or creation time, else now.

Revision ID: d7e2a9c4b810
Revises: c3d51f0b7a21
Create Date: 2026-12-07 05:20:00
"""
from datetime import datetime, timezone

import sqlalchemy as sa
from alembic import op

revision = 'd7e2a9c4b810'
down_revision = 'c3d51f0b7a21'
branch_labels = None
depends_on = None

# table -> the columns the start value is taken from, in order of preference
TABLES = {
    "communities": (), "people": ("created_at",), "accounts": ("created_at",),
    "coordinator_scopes": (), "venues": (), "teams": (), "care_recipients": ("created_at",),
    "care_visit_details": (), "series": ("updated_at", "created_at"),
    "occurrences": ("updated_at",), "occurrence_roles": (),
    "assignments": ("updated_at", "created_at"), "responses": ("updated_at",),
}


def upgrade():
    bind = op.get_bind()
    now = datetime.now(timezone.utc)
    if bind.dialect.name == "sqlite":
        now = now.replace(tzinfo=None)
    for table, sources in TABLES.items():
        op.add_column(table, sa.Column("shown_at", sa.DateTime(timezone=True), nullable=True))
        start = f"coalesce({', '.join(sources)}, :now)" if sources else ":now"
        bind.execute(sa.text(f"UPDATE {table} SET shown_at = {start}"), {"now": now})
        op.add_column(table, sa.Column("shown_rev", sa.Integer(), nullable=False,
                                       server_default="1"))
    op.add_column("feed_cache", sa.Column("stamp", sa.String(length=64), nullable=True))
    op.add_column("feed_cache", sa.Column("modified_at", sa.DateTime(timezone=True),
                                          nullable=True))
    op.add_column("feed_cache", sa.Column("exact", sa.Boolean(), nullable=False,
                                          server_default=sa.true()))


def downgrade():
    with op.batch_alter_table("feed_cache") as batch:
        batch.drop_column("exact")
        batch.drop_column("modified_at")
        batch.drop_column("stamp")
    for table in reversed(list(TABLES)):
        with op.batch_alter_table(table) as batch:
            batch.drop_column("shown_rev")
            batch.drop_column("shown_at")
