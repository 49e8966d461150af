"""Bump the "schedule" data version in every commit that changed data a feed could show.

A calendar poll reads this one row first: while it is unchanged, the process may answer
from what it already knows (token, validator, body) without any other query. Any write
to people, schedule, teams, venues, accounts or feed tokens bumps it in the same
transaction, so the next poll after a commit always sees the change. Writes that no feed
shows (the audit log, the feed cache itself, deliveries, failed-login counts) do not.
"""
from __future__ import annotations

from sqlalchemy import event, text
from sqlalchemy.orm import Session

IGNORED_TABLES = frozenset({"audit_entries", "feed_cache", "deliveries", "data_versions",
                            "app_settings", "notifications", "login_throttles"})
_BUMP = text("UPDATE data_versions SET version = version + 1 WHERE name = 'schedule'")
_READ = text("SELECT version FROM data_versions WHERE name = 'schedule'")


def _touches_feeds(objects) -> bool:
    return any(getattr(type(o), "__tablename__", None) not in IGNORED_TABLES for o in objects)


@event.listens_for(Session, "before_flush")
def _mark_flush(session, _context, _instances):
    if _touches_feeds(session.new) or _touches_feeds(session.dirty) or _touches_feeds(
            session.deleted):
        session.info["bump_version"] = True


@event.listens_for(Session, "do_orm_execute")
def _mark_statement(state):
    if state.is_insert or state.is_update or state.is_delete:
        table = getattr(state.statement, "table", None)
        if table is None or table.name not in IGNORED_TABLES:
            state.session.info["bump_version"] = True


@event.listens_for(Session, "before_commit")
def _bump(session):
    session.flush()  # commit's own flush comes after this hook: mark its changes first
    if session.info.pop("bump_version", False):
        session.execute(_BUMP)


@event.listens_for(Session, "after_rollback")
def _forget(session):
    session.info.pop("bump_version", None)


def read(connection) -> int | None:
    """Return the current schedule version (None before the table has its row)."""
    return connection.execute(_READ).scalar()


def read_now(engine) -> int | None:
    """Read the version in one round trip: on PostgreSQL outside any transaction (no
    BEGIN/ROLLBACK around it); SQLite's transactions cost nothing to open."""
    if engine.dialect.name != "postgresql":
        return None
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        return read(conn)
